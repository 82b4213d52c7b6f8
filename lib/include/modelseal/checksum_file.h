// The checksum-list format of sha256sum and b3sum, read and written.
//
// One line per file: "<lower-case hex>  <path>\n". A path containing '\\', a
// newline or a carriage return is written escaped ("\\\\", "\\n", "\\r") with
// a '\\' before the hex, as GNU coreutils and b3sum do. Reading also accepts
// the " *<path>" binary marker and CRLF line ends. Reading is strict: any
// malformed line is an error naming its line number (sha256sum --strict
// behaviour).
#ifndef MODELSEAL_CHECKSUM_FILE_H_
#define MODELSEAL_CHECKSUM_FILE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace modelseal {

struct ChecksumLine {
  std::vector<std::uint8_t> digest;
  std::string path;
};

// One formatted line, newline included.
std::string FormatChecksumLine(absl::Span<const std::uint8_t> digest,
                               absl::string_view path);

// Parses a whole checksum file whose digests must be `digest_bytes` long.
// kInvalidArgument for malformed lines, wrong digest lengths, NUL bytes or
// an input with no line at all; kResourceExhausted above
// limits::kMaxCheckFileBytes.
absl::StatusOr<std::vector<ChecksumLine>> ParseChecksumFile(
    absl::string_view contents, std::size_t digest_bytes);

}  // namespace modelseal

#endif  // MODELSEAL_CHECKSUM_FILE_H_
