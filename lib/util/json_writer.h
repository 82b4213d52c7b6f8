// A minimal writer of compact, deterministic JSON (internal).
//
// The signed OMS payload and the bundle are interop formats whose exact
// bytes we choose: integers must be JSON numbers (OMS shard_size) and some
// empty fields must appear while others must not. protobuf's JSON printer
// can do neither selectively (it prints 64-bit integers as strings and has
// one switch for all defaults), so writing uses this; reading still goes
// through protobuf's strict parser.
#ifndef MODELSEAL_UTIL_JSON_WRITER_H_
#define MODELSEAL_UTIL_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace modelseal {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // Inside an object: the member name; the value follows.
  JsonWriter& Key(absl::string_view name);
  // Escapes '"', '\\' and control characters; the text must be UTF-8.
  JsonWriter& String(absl::string_view value);
  JsonWriter& Number(std::uint64_t value);
  JsonWriter& Bool(bool value);
  // Inserts already-serialized JSON as one value (caller guarantees it is
  // valid).
  JsonWriter& Raw(absl::string_view json);

  const std::string& text() const { return out_; }

 private:
  void BeforeValue();

  std::string out_;
  // Per open container: whether a value was written (needs a comma).
  std::vector<bool> has_value_;
  bool after_key_ = false;
};

}  // namespace modelseal

#endif  // MODELSEAL_UTIL_JSON_WRITER_H_
