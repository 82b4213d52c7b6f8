// A strict, bounded JSON parser for the scanner (internal): RFC 8259, UTF-8
// checked, nesting bounded, duplicate object keys reported (safetensors
// forbids them; most JSON libraries silently keep one of the two).
#ifndef MODELSEAL_SCAN_JSON_H_
#define MODELSEAL_SCAN_JSON_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace modelseal::scan_internal {

struct JsonMember;

struct JsonValue {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  std::string text;  // kString: decoded text; kNumber: the literal
  std::vector<JsonValue> items;
  std::vector<JsonMember> members;  // in file order

  // The member named `key` (the first one), or nullptr.
  const JsonValue* Find(absl::string_view key) const;
  // A non-negative integer literal that fits in 64 bits.
  std::optional<std::uint64_t> AsUint64() const;
};

struct JsonMember {
  std::string first;  // the key
  JsonValue second;
};

// kInvalidArgument (with the byte offset) for anything that is not one JSON
// value surrounded by optional whitespace, for a duplicate key in any object
// when `reject_duplicate_keys`, or for nesting deeper than `max_depth`.
absl::StatusOr<JsonValue> ParseJson(absl::string_view text,
                                    std::size_t max_depth,
                                    bool reject_duplicate_keys);

// True for valid UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF).
bool IsValidUtf8Text(absl::string_view text);

}  // namespace modelseal::scan_internal

#endif  // MODELSEAL_SCAN_JSON_H_
