// Lower-case hexadecimal encoding of digests, with strict decoding.
//
// absl::BytesToHexString exists, but absl::HexStringToBytes in Debian 12's
// abseil accepts odd lengths and non-hex characters silently; digests read
// from untrusted files need a decoder that rejects both.
#ifndef MODELSEAL_HEX_H_
#define MODELSEAL_HEX_H_

#include <cstdint>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace modelseal {

std::string HexEncode(absl::Span<const std::uint8_t> bytes);
// Accepts upper- and lower-case digits; rejects odd lengths and any other
// character with kInvalidArgument.
absl::StatusOr<std::vector<std::uint8_t>> HexDecode(absl::string_view hex);

}  // namespace modelseal

#endif  // MODELSEAL_HEX_H_
