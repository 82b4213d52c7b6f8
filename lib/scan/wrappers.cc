// Decompressing streams through the Debian libraries: zlib (raw deflate for
// zip members, zlib and gzip wrappers), libbz2, liblzma (xz and the older
// .lzma), libzstd. Each checks the expansion against the bomb bounds of
// limits.h after every chunk.
#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "modelseal/limits.h"
#include "modelseal/status.h"
#include "scan/io.h"

namespace modelseal::scan_internal {
namespace {

// The shared loop: pull compressed input, let the codec produce output,
// enforce the bounds. Codec-specific parts are the virtual hooks.
class DecompressingStream : public Stream {
 public:
  DecompressingStream(Stream& input, ExpansionBudget& budget, const char* name)
      : input_(input),
        budget_(budget),
        name_(name),
        in_(limits::kScanReadBufferBytes) {}

  // After an error the stream ends: the error is reported once.
  absl::StatusOr<std::size_t> Read(std::uint8_t* out,
                                   std::size_t length) override {
    absl::StatusOr<std::size_t> result = ReadImpl(out, length);
    if (!result.ok()) done_ = true;
    return result;
  }

 private:
  absl::StatusOr<std::size_t> ReadImpl(std::uint8_t* out, std::size_t length) {
    if (length == 0 || done_) return 0;
    while (true) {
      if (in_used_ == in_size_ && !input_end_) {
        MODELSEAL_ASSIGN_OR_RETURN(std::size_t got,
                                   input_.Read(in_.data(), in_.size()));
        in_used_ = 0;
        in_size_ = got;
        consumed_ += got;
        if (got == 0) input_end_ = true;
      }
      std::size_t produced = 0;
      bool stream_end = false;
      MODELSEAL_RETURN_IF_ERROR(Step(out, length, &produced, &stream_end));
      produced_ += produced;
      budget_.expanded += produced;
      if (budget_.expanded > limits::kMaxScanExpandedBytes) {
        return absl::ResourceExhaustedError(absl::StrCat(
            "decompressed data passed ", limits::kMaxScanExpandedBytes,
            " bytes (limits.h kMaxScanExpandedBytes): a decompression bomb"));
      }
      if (produced_ > consumed_ * limits::kMaxScanCompressionRatio +
                          limits::kScanBombSlackBytes) {
        return absl::ResourceExhaustedError(absl::StrCat(
            name_, " data expands more than ", limits::kMaxScanCompressionRatio,
            " times: a decompression bomb"));
      }
      if (stream_end) {
        // Another member may follow (concatenated gzip/bz2/xz/zstd).
        if (in_used_ == in_size_ && !input_end_) {
          MODELSEAL_ASSIGN_OR_RETURN(std::size_t got,
                                     input_.Read(in_.data(), in_.size()));
          in_used_ = 0;
          in_size_ = got;
          consumed_ += got;
          if (got == 0) input_end_ = true;
        }
        if (in_used_ == in_size_ || !ConcatenatedMembers()) {
          done_ = true;
        } else {
          MODELSEAL_RETURN_IF_ERROR(Restart());
        }
      }
      if (produced > 0) return produced;
      if (done_) return 0;
      if (in_used_ == in_size_ && input_end_) {
        return absl::InvalidArgumentError(
            absl::StrCat(name_, " stream is truncated"));
      }
    }
  }

 protected:
  // Decompresses from in_[in_used_, in_size_) into out; advances in_used_.
  virtual absl::Status Step(std::uint8_t* out, std::size_t length,
                            std::size_t* produced, bool* stream_end) = 0;
  virtual bool ConcatenatedMembers() const { return true; }
  virtual absl::Status Restart() = 0;

  Stream& input_;
  ExpansionBudget& budget_;
  const char* name_;
  std::vector<std::uint8_t> in_;
  std::size_t in_used_ = 0;
  std::size_t in_size_ = 0;
  bool input_end_ = false;
  bool done_ = false;
  std::uint64_t consumed_ = 0;
  std::uint64_t produced_ = 0;
};

class ZlibStream : public DecompressingStream {
 public:
  ZlibStream(Stream& input, ExpansionBudget& budget, bool raw)
      : DecompressingStream(input, budget, raw ? "deflate" : "gzip/zlib"),
        raw_(raw) {
    z_ = {};
    // Raw deflate (zip) or automatic zlib/gzip header detection (15 + 32).
    ok_ = inflateInit2(&z_, raw ? -MAX_WBITS : MAX_WBITS + 32) == Z_OK;
  }
  ~ZlibStream() override { inflateEnd(&z_); }

 protected:
  absl::Status Step(std::uint8_t* out, std::size_t length,
                    std::size_t* produced, bool* stream_end) override {
    if (!ok_) return absl::InternalError("zlib failed to initialise");
    z_.next_in = in_.data() + in_used_;
    z_.avail_in = static_cast<uInt>(in_size_ - in_used_);
    z_.next_out = out;
    z_.avail_out = static_cast<uInt>(std::min<std::size_t>(length, 1u << 30));
    const int result = inflate(&z_, Z_NO_FLUSH);
    in_used_ = in_size_ - z_.avail_in;
    *produced = static_cast<std::size_t>(z_.next_out - out);
    if (result == Z_STREAM_END) {
      *stream_end = true;
      return absl::OkStatus();
    }
    if (result == Z_OK || (result == Z_BUF_ERROR && *produced == 0 &&
                           in_used_ == in_size_ && !input_end_)) {
      return absl::OkStatus();
    }
    if (result == Z_BUF_ERROR) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(
        name_, " data is corrupt (", z_.msg ? z_.msg : "zlib error", ")"));
  }
  // A zip member is one deflate stream; bytes after it belong to no one.
  bool ConcatenatedMembers() const override { return !raw_; }
  absl::Status Restart() override {
    if (inflateReset(&z_) != Z_OK) {
      return absl::InternalError("zlib failed to reset");
    }
    return absl::OkStatus();
  }

 private:
  z_stream z_;
  bool raw_;
  bool ok_ = false;
};

class Bzip2Stream : public DecompressingStream {
 public:
  Bzip2Stream(Stream& input, ExpansionBudget& budget)
      : DecompressingStream(input, budget, "bzip2") {
    b_ = {};
    ok_ = BZ2_bzDecompressInit(&b_, 0, 0) == BZ_OK;
  }
  ~Bzip2Stream() override { BZ2_bzDecompressEnd(&b_); }

 protected:
  absl::Status Step(std::uint8_t* out, std::size_t length,
                    std::size_t* produced, bool* stream_end) override {
    if (!ok_) return absl::InternalError("libbz2 failed to initialise");
    b_.next_in = reinterpret_cast<char*>(in_.data() + in_used_);
    b_.avail_in = static_cast<unsigned>(in_size_ - in_used_);
    b_.next_out = reinterpret_cast<char*>(out);
    b_.avail_out =
        static_cast<unsigned>(std::min<std::size_t>(length, 1u << 30));
    const int result = BZ2_bzDecompress(&b_);
    in_used_ = in_size_ - b_.avail_in;
    *produced = static_cast<std::size_t>(
        reinterpret_cast<std::uint8_t*>(b_.next_out) - out);
    if (result == BZ_STREAM_END) {
      *stream_end = true;
      return absl::OkStatus();
    }
    if (result == BZ_OK) return absl::OkStatus();
    return absl::InvalidArgumentError(
        absl::StrCat("bzip2 data is corrupt (error ", result, ")"));
  }
  absl::Status Restart() override {
    BZ2_bzDecompressEnd(&b_);
    b_ = {};
    if (BZ2_bzDecompressInit(&b_, 0, 0) != BZ_OK) {
      return absl::InternalError("libbz2 failed to reset");
    }
    return absl::OkStatus();
  }

 private:
  bz_stream b_;
  bool ok_ = false;
};

class XzStream : public DecompressingStream {
 public:
  XzStream(Stream& input, ExpansionBudget& budget)
      : DecompressingStream(input, budget, "xz") {
    ok_ = Init();
  }
  ~XzStream() override { lzma_end(&l_); }

 protected:
  absl::Status Step(std::uint8_t* out, std::size_t length,
                    std::size_t* produced, bool* stream_end) override {
    if (!ok_) return absl::InternalError("liblzma failed to initialise");
    l_.next_in = in_.data() + in_used_;
    l_.avail_in = in_size_ - in_used_;
    l_.next_out = out;
    l_.avail_out = length;
    const lzma_ret result = lzma_code(
        &l_, input_end_ && in_used_ == in_size_ ? LZMA_FINISH : LZMA_RUN);
    in_used_ = in_size_ - l_.avail_in;
    *produced = static_cast<std::size_t>(l_.next_out - out);
    if (result == LZMA_STREAM_END) {
      *stream_end = true;
      return absl::OkStatus();
    }
    if (result == LZMA_OK || (result == LZMA_BUF_ERROR && *produced > 0)) {
      return absl::OkStatus();
    }
    return absl::InvalidArgumentError(
        absl::StrCat("xz/lzma data is corrupt (liblzma error ", result, ")"));
  }
  absl::Status Restart() override {
    lzma_end(&l_);
    if (!Init()) return absl::InternalError("liblzma failed to reset");
    return absl::OkStatus();
  }

 private:
  bool Init() {
    l_ = LZMA_STREAM_INIT;
    // The decoder's memory is bounded (256 MiB): a header asking for more
    // is corrupt input, not a reason to allocate.
    return lzma_auto_decoder(&l_, std::uint64_t{256} << 20, 0) == LZMA_OK;
  }
  lzma_stream l_;
  bool ok_ = false;
};

class ZstdStream : public DecompressingStream {
 public:
  ZstdStream(Stream& input, ExpansionBudget& budget)
      : DecompressingStream(input, budget, "zstd"), z_(ZSTD_createDStream()) {
    if (z_ != nullptr) {
      // Refuse frames that need a window above 128 MiB (the zstd CLI's own
      // default is 128 MiB too).
      ZSTD_DCtx_setParameter(z_, ZSTD_d_windowLogMax, 27);
    }
  }
  ~ZstdStream() override { ZSTD_freeDStream(z_); }

 protected:
  absl::Status Step(std::uint8_t* out, std::size_t length,
                    std::size_t* produced, bool* stream_end) override {
    if (z_ == nullptr) return absl::InternalError("libzstd failed to start");
    ZSTD_inBuffer in{in_.data() + in_used_, in_size_ - in_used_, 0};
    ZSTD_outBuffer output{out, length, 0};
    const std::size_t result = ZSTD_decompressStream(z_, &output, &in);
    in_used_ += in.pos;
    *produced = output.pos;
    if (ZSTD_isError(result)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "zstd data is corrupt (", ZSTD_getErrorName(result), ")"));
    }
    if (result == 0) *stream_end = true;
    return absl::OkStatus();
  }
  absl::Status Restart() override { return absl::OkStatus(); }

 private:
  ZSTD_DStream* z_;
};

}  // namespace

std::unique_ptr<Stream> NewDecompressingStream(Compression compression,
                                               Stream& input,
                                               ExpansionBudget& budget) {
  switch (compression) {
    case Compression::kDeflateRaw:
      return std::make_unique<ZlibStream>(input, budget, /*raw=*/true);
    case Compression::kZlibOrGzip:
      return std::make_unique<ZlibStream>(input, budget, /*raw=*/false);
    case Compression::kBzip2:
      return std::make_unique<Bzip2Stream>(input, budget);
    case Compression::kXz:
      return std::make_unique<XzStream>(input, budget);
    case Compression::kZstd:
      return std::make_unique<ZstdStream>(input, budget);
  }
  return nullptr;
}

}  // namespace modelseal::scan_internal
