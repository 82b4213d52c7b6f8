// Strict JSON → protobuf parsing (internal).
//
//   modelseal::v1::Bundle bundle;
//   absl::Status parsed = json_internal::ParseJsonToMessage(text, &bundle);
//
// Follows the proto3 JSON mapping (https://protobuf.dev/programming-guides/
// proto3/#json) for the field kinds modelseal's documents use, and is
// stricter wherever the mapping leaves room, because signed documents must
// have one reading only:
//   - a key may name a field by its JSON name or its proto name, but each
//     field (and each map key) at most once, and at most one field of a
//     oneof; unknown keys are errors;
//   - integers are JSON integers or strings of decimal digits, in range;
//     floating-point values are rejected for integer fields;
//   - bytes are base64, standard or URL-safe alphabet (not both), padding
//     optional, with zero padding bits;
//   - enums by name or number, known values only;
//   - `null` leaves a field unset; it is refused inside arrays and maps;
//   - of the well-known types google.protobuf.Timestamp (RFC 3339) and
//     Struct / Value / ListValue (any JSON; a key given twice in one object
//     is an error) are understood; any other is refused rather than guessed;
//   - the text must be valid UTF-8 (checked by the parser) and nest at
//     most kMaxJsonDepth levels.
// The caller applies its own size limit first. Errors are kInvalidArgument
// and name the JSON path of the offending value (e.g. "dsseEnvelope.payload").
//
// Why not protobuf's own JsonStringToMessage: in protobuf 3.21 it parses
// through a generic converter at a few MB/s (tens of milliseconds for one
// 2,000-file statement) and accepts duplicate keys; simdjson parses the
// text at GB/s into a DOM that this file walks with protobuf reflection.
#ifndef MODELSEAL_JSON_PROTO_JSON_H_
#define MODELSEAL_JSON_PROTO_JSON_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace modelseal::json_internal {

// Deepest nesting of arrays and objects accepted.
inline constexpr std::size_t kMaxJsonDepth = 64;

// Clears `message`, then fills it from `json`. On error `message` holds an
// unspecified partial value and must not be used.
[[nodiscard]] absl::Status ParseJsonToMessage(
    absl::string_view json, google::protobuf::Message* message);

}  // namespace modelseal::json_internal

#endif  // MODELSEAL_JSON_PROTO_JSON_H_
