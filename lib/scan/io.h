// Byte sources for the scanner (internal): random-access sources (a file, a
// range of one, memory), sequential streams over them or over decompressors,
// and the bounded buffered reader the pickle disassembler runs on.
//
// Errors: a stream reports what is wrong with the *contents* (a corrupt
// deflate stream, a bomb) as kInvalidArgument or kResourceExhausted — see
// IsContentError — and I/O failures with the Env's codes. The scanner turns
// the first kind into findings and passes the second up.
#ifndef MODELSEAL_SCAN_IO_H_
#define MODELSEAL_SCAN_IO_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "modelseal/env.h"

namespace modelseal::scan_internal {

// True for statuses that describe the scanned bytes rather than the I/O.
inline bool IsContentError(const absl::Status& status) {
  return status.code() == absl::StatusCode::kInvalidArgument ||
         status.code() == absl::StatusCode::kResourceExhausted ||
         status.code() == absl::StatusCode::kOutOfRange;
}

// Random access with a known size. ReadAt returns fewer bytes than asked
// only at the end.
class Source {
 public:
  virtual ~Source() = default;
  virtual std::uint64_t size() const = 0;
  virtual absl::StatusOr<std::size_t> ReadAt(std::uint64_t offset,
                                             std::uint8_t* out,
                                             std::size_t length) const = 0;
  // Reads exactly `length` bytes or fails (kOutOfRange past the end).
  absl::Status ReadExactly(std::uint64_t offset, std::uint8_t* out,
                           std::size_t length) const;
  // Reads [offset, offset+length) clipped to the end into a string.
  absl::StatusOr<std::string> ReadString(std::uint64_t offset,
                                         std::size_t length) const;
};

// A whole file opened through an Env; counts the bytes it reads.
class FileSource : public Source {
 public:
  FileSource(std::unique_ptr<RandomAccessFile> file, std::uint64_t size)
      : file_(std::move(file)), size_(size) {}
  std::uint64_t size() const override { return size_; }
  absl::StatusOr<std::size_t> ReadAt(std::uint64_t offset, std::uint8_t* out,
                                     std::size_t length) const override;
  std::uint64_t bytes_read() const { return bytes_read_; }

 private:
  std::unique_ptr<RandomAccessFile> file_;
  std::uint64_t size_;
  mutable std::uint64_t bytes_read_ = 0;
};

class MemorySource : public Source {
 public:
  explicit MemorySource(std::string bytes) : bytes_(std::move(bytes)) {}
  std::uint64_t size() const override { return bytes_.size(); }
  absl::StatusOr<std::size_t> ReadAt(std::uint64_t offset, std::uint8_t* out,
                                     std::size_t length) const override;
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

// [offset, offset+length) of another source (which must outlive it).
class SubSource : public Source {
 public:
  SubSource(const Source& base, std::uint64_t offset, std::uint64_t length)
      : base_(base), offset_(offset), length_(length) {}
  std::uint64_t size() const override { return length_; }
  absl::StatusOr<std::size_t> ReadAt(std::uint64_t offset, std::uint8_t* out,
                                     std::size_t length) const override;

 private:
  const Source& base_;
  std::uint64_t offset_;
  std::uint64_t length_;
};

// Sequential bytes. Read returns 0 only at the end.
class Stream {
 public:
  virtual ~Stream() = default;
  virtual absl::StatusOr<std::size_t> Read(std::uint8_t* out,
                                           std::size_t length) = 0;
};

// Reads a Source from start to end.
class SourceStream : public Stream {
 public:
  explicit SourceStream(const Source& source, std::uint64_t start = 0)
      : source_(source), position_(start) {}
  absl::StatusOr<std::size_t> Read(std::uint8_t* out,
                                   std::size_t length) override;

 private:
  const Source& source_;
  std::uint64_t position_;
};

// Replays `prefix` (bytes already taken from `rest`) and then `rest`.
class PrefixedStream : public Stream {
 public:
  PrefixedStream(std::string prefix, Stream& rest)
      : prefix_(std::move(prefix)), rest_(rest) {}
  absl::StatusOr<std::size_t> Read(std::uint8_t* out,
                                   std::size_t length) override;

 private:
  std::string prefix_;
  std::size_t used_ = 0;
  Stream& rest_;
};

// Reads up to `length` bytes (fewer only at the end of the stream).
absl::StatusOr<std::string> ReadUpTo(Stream& stream, std::size_t length);
// Reads the rest of the stream, failing with kResourceExhausted past
// `max_bytes`.
absl::StatusOr<std::string> ReadAll(Stream& stream, std::size_t max_bytes);
// Reads and discards the rest; returns how many bytes that was.
absl::StatusOr<std::uint64_t> Drain(Stream& stream);

// Decompressed bytes of one top-level file, across all its streams.
struct ExpansionBudget {
  std::uint64_t expanded = 0;
};

enum class Compression { kDeflateRaw, kZlibOrGzip, kBzip2, kXz, kZstd };

// A decompressing stream over `input` (which must outlive it). Corrupt or
// truncated input is kInvalidArgument; a bomb (past the ratio or the budget,
// limits.h) is kResourceExhausted. Concatenated gzip, bzip2, xz and zstd
// members are read one after another, as the command-line tools do.
std::unique_ptr<Stream> NewDecompressingStream(Compression compression,
                                               Stream& input,
                                               ExpansionBudget& budget);

// A buffered reader for byte-at-a-time parsing (the pickle disassembler).
// Errors are sticky: after one, every read fails and status() says why.
class BufferedReader {
 public:
  explicit BufferedReader(Stream& stream);

  // Offset of the next byte in the stream.
  std::uint64_t offset() const { return base_ + position_; }
  const absl::Status& status() const { return status_; }

  // False at the end of the stream (or after an error).
  bool ReadByte(std::uint8_t* byte) {
    if (position_ == end_ && !Fill()) return false;
    *byte = buffer_[position_++];
    return true;
  }
  // Reads exactly `length` bytes (small: at most the buffer size).
  bool Read(std::uint8_t* out, std::size_t length) {
    if (end_ - position_ >= length) {
      std::memcpy(out, buffer_.data() + position_, length);
      position_ += length;
      return true;
    }
    return ReadSlow(out, length);
  }
  // Reads `length` bytes, keeping the first `keep` of them in *kept.
  bool ReadKeeping(std::uint64_t length, std::size_t keep, std::string* kept);
  // Reads up to and including '\n', keeping at most `keep` bytes (without
  // the newline) in *line and reporting the full length in *length.
  bool ReadLine(std::size_t keep, std::string* line, std::uint64_t* length);
  // True at the end of the stream.
  bool AtEnd();

 private:
  bool Fill();
  bool ReadSlow(std::uint8_t* out, std::size_t length);

  Stream& stream_;
  std::vector<std::uint8_t> buffer_;
  std::size_t position_ = 0;
  std::size_t end_ = 0;
  std::uint64_t base_ = 0;
  bool eof_ = false;
  absl::Status status_;
};

}  // namespace modelseal::scan_internal

#endif  // MODELSEAL_SCAN_IO_H_
