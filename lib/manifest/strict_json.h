// Strict, bounded JSON → protobuf parsing for the manifest component
// (internal): size limit, UTF-8 check, unknown fields rejected.
#ifndef MODELSEAL_MANIFEST_STRICT_JSON_H_
#define MODELSEAL_MANIFEST_STRICT_JSON_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace modelseal::manifest_internal {

// kResourceExhausted above limits::kMaxBundleBytes, kInvalidArgument for
// anything that is not valid UTF-8 JSON of exactly `message`'s shape; the
// message names `what`.
absl::Status ParseStrictJson(absl::string_view json,
                             google::protobuf::Message* message,
                             absl::string_view what);

}  // namespace modelseal::manifest_internal

#endif  // MODELSEAL_MANIFEST_STRICT_JSON_H_
