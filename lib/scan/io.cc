#include "scan/io.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "modelseal/limits.h"
#include "modelseal/status.h"

namespace modelseal::scan_internal {

absl::Status Source::ReadExactly(std::uint64_t offset, std::uint8_t* out,
                                 std::size_t length) const {
  MODELSEAL_ASSIGN_OR_RETURN(std::size_t got, ReadAt(offset, out, length));
  if (got != length) {
    return absl::OutOfRangeError(absl::StrCat("needs ", length,
                                              " bytes at offset ", offset,
                                              ", only ", got, " left"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Source::ReadString(std::uint64_t offset,
                                               std::size_t length) const {
  if (offset >= size()) return std::string();
  length = static_cast<std::size_t>(
      std::min<std::uint64_t>(length, size() - offset));
  std::string out(length, '\0');
  MODELSEAL_ASSIGN_OR_RETURN(
      std::size_t got,
      ReadAt(offset, reinterpret_cast<std::uint8_t*>(out.data()), length));
  out.resize(got);
  return out;
}

absl::StatusOr<std::size_t> FileSource::ReadAt(std::uint64_t offset,
                                               std::uint8_t* out,
                                               std::size_t length) const {
  if (offset >= size_) return 0;
  length =
      static_cast<std::size_t>(std::min<std::uint64_t>(length, size_ - offset));
  std::size_t total = 0;
  while (total < length) {
    MODELSEAL_ASSIGN_OR_RETURN(
        std::size_t got,
        file_->ReadAt(offset + total,
                      absl::MakeSpan(out + total, length - total)));
    if (got == 0) {
      // The size came from fstat at open; a shorter file changed under us.
      return absl::DataLossError(
          absl::StrCat("file shrank while being scanned (short read at offset ",
                       offset + total, ")"));
    }
    total += got;
  }
  bytes_read_ += total;
  return total;
}

absl::StatusOr<std::size_t> MemorySource::ReadAt(std::uint64_t offset,
                                                 std::uint8_t* out,
                                                 std::size_t length) const {
  if (offset >= bytes_.size()) return 0;
  length = static_cast<std::size_t>(
      std::min<std::uint64_t>(length, bytes_.size() - offset));
  std::memcpy(out, bytes_.data() + offset, length);
  return length;
}

absl::StatusOr<std::size_t> SubSource::ReadAt(std::uint64_t offset,
                                              std::uint8_t* out,
                                              std::size_t length) const {
  if (offset >= length_) return 0;
  length = static_cast<std::size_t>(
      std::min<std::uint64_t>(length, length_ - offset));
  return base_.ReadAt(offset_ + offset, out, length);
}

absl::StatusOr<std::size_t> SourceStream::Read(std::uint8_t* out,
                                               std::size_t length) {
  MODELSEAL_ASSIGN_OR_RETURN(std::size_t got,
                             source_.ReadAt(position_, out, length));
  position_ += got;
  return got;
}

absl::StatusOr<std::size_t> PrefixedStream::Read(std::uint8_t* out,
                                                 std::size_t length) {
  if (used_ < prefix_.size()) {
    const std::size_t n = std::min(length, prefix_.size() - used_);
    std::memcpy(out, prefix_.data() + used_, n);
    used_ += n;
    return n;
  }
  return rest_.Read(out, length);
}

absl::StatusOr<std::string> ReadUpTo(Stream& stream, std::size_t length) {
  std::string out(length, '\0');
  std::size_t total = 0;
  while (total < length) {
    MODELSEAL_ASSIGN_OR_RETURN(
        std::size_t got,
        stream.Read(reinterpret_cast<std::uint8_t*>(out.data()) + total,
                    length - total));
    if (got == 0) break;
    total += got;
  }
  out.resize(total);
  return out;
}

absl::StatusOr<std::string> ReadAll(Stream& stream, std::size_t max_bytes) {
  std::string out;
  // Left uninitialised: zeroing 64 KiB for every small file (configs,
  // tokenizers) cost more than reading and parsing them.
  constexpr std::size_t kChunkBytes = std::size_t{64} << 10;
  std::unique_ptr<std::uint8_t[]> chunk(new std::uint8_t[kChunkBytes]);
  while (true) {
    MODELSEAL_ASSIGN_OR_RETURN(std::size_t got,
                               stream.Read(chunk.get(), kChunkBytes));
    if (got == 0) return out;
    if (out.size() + got > max_bytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat("more than ", max_bytes,
                       " bytes would have to be held in memory to check it "
                       "(limits.h)"));
    }
    out.append(reinterpret_cast<const char*>(chunk.get()), got);
  }
}

absl::StatusOr<std::uint64_t> Drain(Stream& stream) {
  std::vector<std::uint8_t> chunk(limits::kScanReadBufferBytes);
  std::uint64_t total = 0;
  while (true) {
    MODELSEAL_ASSIGN_OR_RETURN(std::size_t got,
                               stream.Read(chunk.data(), chunk.size()));
    if (got == 0) return total;
    total += got;
  }
}

BufferedReader::BufferedReader(Stream& stream)
    : stream_(stream), buffer_(limits::kScanReadBufferBytes) {}

bool BufferedReader::Fill() {
  if (!status_.ok() || eof_) return false;
  // Keep nothing: callers consume whole items before asking for more.
  base_ += end_;
  position_ = 0;
  end_ = 0;
  absl::StatusOr<std::size_t> got =
      stream_.Read(buffer_.data(), buffer_.size());
  if (!got.ok()) {
    status_ = got.status();
    return false;
  }
  if (*got == 0) {
    eof_ = true;
    return false;
  }
  end_ = *got;
  return true;
}

bool BufferedReader::ReadSlow(std::uint8_t* out, std::size_t length) {
  while (length > 0) {
    if (position_ == end_ && !Fill()) return false;
    const std::size_t n = std::min(length, end_ - position_);
    std::memcpy(out, buffer_.data() + position_, n);
    position_ += n;
    out += n;
    length -= n;
  }
  return true;
}

bool BufferedReader::ReadKeeping(std::uint64_t length, std::size_t keep,
                                 std::string* kept) {
  kept->clear();
  while (length > 0) {
    if (position_ == end_ && !Fill()) return false;
    const std::size_t n = static_cast<std::size_t>(
        std::min<std::uint64_t>(length, end_ - position_));
    if (kept->size() < keep) {
      kept->append(reinterpret_cast<const char*>(buffer_.data() + position_),
                   std::min(n, keep - kept->size()));
    }
    position_ += n;
    length -= n;
  }
  return true;
}

bool BufferedReader::ReadLine(std::size_t keep, std::string* line,
                              std::uint64_t* length) {
  line->clear();
  *length = 0;
  while (true) {
    if (position_ == end_ && !Fill()) return false;
    const std::uint8_t* start = buffer_.data() + position_;
    const std::size_t available = end_ - position_;
    const void* newline = std::memchr(start, '\n', available);
    const std::size_t n =
        newline == nullptr
            ? available
            : static_cast<std::size_t>(
                  static_cast<const std::uint8_t*>(newline) - start);
    if (line->size() < keep) {
      line->append(reinterpret_cast<const char*>(start),
                   std::min(n, keep - line->size()));
    }
    *length += n;
    if (newline != nullptr) {
      position_ += n + 1;
      return true;
    }
    position_ += n;
  }
}

bool BufferedReader::AtEnd() {
  if (position_ < end_) return false;
  return !Fill();
}

}  // namespace modelseal::scan_internal
