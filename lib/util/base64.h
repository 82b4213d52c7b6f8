// Strict standard base64 (RFC 4648 §4, padded) for PEM bodies, signed notes,
// keys and checkpoints (internal to the library).
//
// absl::Base64Unescape in Debian 12's abseil accepts missing padding and
// non-zero trailing bits, so one value would have several spellings; signed
// notes and keys need exactly one.
#ifndef MODELSEAL_UTIL_BASE64_H_
#define MODELSEAL_UTIL_BASE64_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace modelseal::util {

std::string Base64Encode(absl::string_view bytes);
// Decodes canonical padded base64: length a multiple of 4, only the standard
// alphabet, '=' only as final padding, unused bits zero. kInvalidArgument
// otherwise. The empty string decodes to no bytes.
absl::StatusOr<std::string> Base64Decode(absl::string_view text);

}  // namespace modelseal::util

#endif  // MODELSEAL_UTIL_BASE64_H_
