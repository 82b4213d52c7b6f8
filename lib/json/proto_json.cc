#include "json/proto_json.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"
#include "modelseal/status.h"
#include "util/base64.h"

namespace modelseal::json_internal {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using simdjson::dom::element;
using simdjson::dom::element_type;

// A thread's parser is kept for documents up to this size (its buffers take
// several times as much), and starts with room for this much.
constexpr std::size_t kReusedParserBytes = std::size_t{1} << 20;
constexpr std::size_t kInitialParserBytes = std::size_t{64} << 10;

// RFC 3339 bounds of google.protobuf.Timestamp: 0001-01-01T00:00:00Z to
// 9999-12-31T23:59:59.999999999Z (timestamp.proto).
constexpr std::int64_t kMinTimestampSeconds = -62135596800;
constexpr std::int64_t kMaxTimestampSeconds = 253402300799;

// simdjson hands out std::string_view; Debian's abseil has its own type.
absl::string_view View(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

bool IsDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Base64 in either alphabet, padded or not (proto3 JSON), rewritten to the
// padded standard form that util::Base64Decode checks strictly.
absl::StatusOr<std::string> DecodeBytes(absl::string_view text) {
  // One character at a time (memchr) rather than find_first_of's table per
  // byte: payloads are hundreds of kilobytes.
  auto has = [&](char c) { return text.find(c) != absl::string_view::npos; };
  const bool standard = has('+') || has('/');
  const bool url_safe = has('-') || has('_');
  if (standard && url_safe) {
    return absl::InvalidArgumentError("base64 mixes two alphabets");
  }
  if (!url_safe && text.size() % 4 == 0) return util::Base64Decode(text);
  std::string normal(text);
  for (char& c : normal) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  if (normal.size() % 4 == 1) {
    return absl::InvalidArgumentError("base64 length is impossible");
  }
  // Unpadded text has no '=' at all; padding, if any, is complete.
  if (normal.size() % 4 != 0 && normal.find('=') != std::string::npos) {
    return absl::InvalidArgumentError("base64 padding is incomplete");
  }
  while (normal.size() % 4 != 0) normal.push_back('=');
  return util::Base64Decode(normal);
}

class Converter {
 public:
  absl::Status ParseMessage(element value, Message* message) {
    const Descriptor* type = message->GetDescriptor();
    switch (type->well_known_type()) {
      case Descriptor::WELLKNOWNTYPE_TIMESTAMP:
        return ParseTimestamp(value, message);
      case Descriptor::WELLKNOWNTYPE_STRUCT:
        return ParseStruct(value, message);
      case Descriptor::WELLKNOWNTYPE_VALUE:
        return ParseStructValue(value, message);
      case Descriptor::WELLKNOWNTYPE_LISTVALUE:
        return ParseListValue(value, message);
      default:
        break;
    }
    if (type->file()->package() == "google.protobuf") {
      return Error(absl::StrCat("the well-known type ", type->full_name(),
                                " is not supported"));
    }
    simdjson::dom::object object;
    if (value.get_object().get(object) != simdjson::SUCCESS) {
      return Error("expected an object");
    }
    const Reflection* reflection = message->GetReflection();
    // Inline: one message per resource of a large statement, and two heap
    // vectors each were a measurable part of reading one.
    absl::InlinedVector<bool, 32> seen(
        static_cast<std::size_t>(type->field_count()));
    absl::InlinedVector<bool, 8> oneof_set(
        static_cast<std::size_t>(type->oneof_decl_count()));
    for (simdjson::dom::key_value_pair member : object) {
      const absl::string_view key = View(member.key);
      const FieldDescriptor* field = FindField(type, key);
      const std::size_t mark = path_.size();
      absl::StrAppend(&path_, path_.empty() ? "" : ".", key);
      if (field == nullptr) return Error("unknown field");
      if (seen[static_cast<std::size_t>(field->index())]) {
        return Error("field given twice");
      }
      seen[static_cast<std::size_t>(field->index())] = true;
      if (!member.value.is_null()) {
        if (const auto* oneof = field->real_containing_oneof()) {
          if (oneof_set[static_cast<std::size_t>(oneof->index())]) {
            return Error(
                absl::StrCat("a second member of oneof ", oneof->name()));
          }
          oneof_set[static_cast<std::size_t>(oneof->index())] = true;
        }
        absl::Status status;
        if (field->is_map()) {
          status = ParseMap(member.value, message, field);
        } else if (field->is_repeated()) {
          status = ParseRepeated(member.value, message, field);
        } else {
          status = ParseValue(member.value, message, reflection, field,
                              /*add=*/false);
        }
        if (!status.ok()) return status;
      } else if (field->is_map() || field->is_repeated() ||
                 field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
        // null: the field keeps its default.
      } else {
        reflection->ClearField(message, field);
      }
      path_.resize(mark);
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat(path_.empty() ? "document" : path_, ": ", what));
  }

  static const FieldDescriptor* FindField(const Descriptor* type,
                                          absl::string_view key) {
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      if (field->json_name() == key || field->name() == key) return field;
    }
    return nullptr;
  }

  absl::Status ParseRepeated(element value, Message* message,
                             const FieldDescriptor* field) {
    simdjson::dom::array array;
    if (value.get_array().get(array) != simdjson::SUCCESS) {
      return Error("expected an array");
    }
    const Reflection* reflection = message->GetReflection();
    std::size_t index = 0;
    for (element item : array) {
      const std::size_t mark = path_.size();
      absl::StrAppend(&path_, "[", index++, "]");
      if (item.is_null()) return Error("null inside an array");
      if (absl::Status status =
              ParseValue(item, message, reflection, field, /*add=*/true);
          !status.ok()) {
        return status;
      }
      path_.resize(mark);
    }
    return absl::OkStatus();
  }

  absl::Status ParseMap(element value, Message* message,
                        const FieldDescriptor* field) {
    simdjson::dom::object object;
    if (value.get_object().get(object) != simdjson::SUCCESS) {
      return Error("expected an object");
    }
    const Descriptor* entry_type = field->message_type();
    const FieldDescriptor* key_field = entry_type->map_key();
    const FieldDescriptor* value_field = entry_type->map_value();
    absl::flat_hash_set<absl::string_view> keys;
    for (simdjson::dom::key_value_pair member : object) {
      const absl::string_view key = View(member.key);
      const std::size_t mark = path_.size();
      absl::StrAppend(&path_, "[\"", key, "\"]");
      if (!keys.insert(key).second) return Error("map key given twice");
      if (member.value.is_null()) return Error("null map value");
      Message* entry = message->GetReflection()->AddMessage(message, field);
      if (absl::Status status = SetMapKey(key, entry, key_field);
          !status.ok()) {
        return status;
      }
      if (absl::Status status =
              ParseValue(member.value, entry, entry->GetReflection(),
                         value_field, /*add=*/false);
          !status.ok()) {
        return status;
      }
      path_.resize(mark);
    }
    return absl::OkStatus();
  }

  absl::Status SetMapKey(absl::string_view key, Message* entry,
                         const FieldDescriptor* field) {
    const Reflection* reflection = entry->GetReflection();
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        reflection->SetString(entry, field, std::string(key));
        return absl::OkStatus();
      case FieldDescriptor::CPPTYPE_BOOL:
        if (key != "true" && key != "false") return Error("not a bool key");
        reflection->SetBool(entry, field, key == "true");
        return absl::OkStatus();
      default: {
        // Integer keys are their decimal text; reuse the string rules.
        std::int64_t signed_value = 0;
        std::uint64_t unsigned_value = 0;
        MODELSEAL_RETURN_IF_ERROR(
            IntegerFromText(key, field, &signed_value, &unsigned_value));
        SetInteger(entry, field, signed_value, unsigned_value, false);
        return absl::OkStatus();
      }
    }
  }

  // Integers: JSON integers or decimal strings, range-checked for the
  // field's width; for signed kinds the result is in `*signed_value`, for
  // unsigned ones in `*unsigned_value`.
  absl::Status IntegerOf(element value, const FieldDescriptor* field,
                         std::int64_t* signed_value,
                         std::uint64_t* unsigned_value) {
    const bool is_signed =
        field->cpp_type() == FieldDescriptor::CPPTYPE_INT32 ||
        field->cpp_type() == FieldDescriptor::CPPTYPE_INT64;
    switch (value.type()) {
      case element_type::INT64: {
        const std::int64_t number = value.get_int64().value_unsafe();
        if (!is_signed && number < 0) return Error("negative for unsigned");
        *signed_value = number;
        *unsigned_value = static_cast<std::uint64_t>(number);
        break;
      }
      case element_type::UINT64:
        if (is_signed) return Error("integer out of range");
        *unsigned_value = value.get_uint64().value_unsafe();
        break;
      case element_type::STRING:
        return IntegerFromText(View(value.get_string().value_unsafe()), field,
                               signed_value, unsigned_value);
      default:
        return Error("expected an integer");
    }
    return CheckWidth(field, *signed_value, *unsigned_value);
  }

  absl::Status IntegerFromText(absl::string_view text,
                               const FieldDescriptor* field,
                               std::int64_t* signed_value,
                               std::uint64_t* unsigned_value) {
    const bool is_signed =
        field->cpp_type() == FieldDescriptor::CPPTYPE_INT32 ||
        field->cpp_type() == FieldDescriptor::CPPTYPE_INT64;
    const absl::string_view digits =
        is_signed && !text.empty() && text.front() == '-' ? text.substr(1)
                                                          : text;
    if (!IsDigits(digits)) return Error("expected an integer");
    if (is_signed) {
      if (!absl::SimpleAtoi(text, signed_value)) {
        return Error("integer out of range");
      }
      *unsigned_value = static_cast<std::uint64_t>(*signed_value);
    } else {
      if (!absl::SimpleAtoi(text, unsigned_value)) {
        return Error("integer out of range");
      }
    }
    return CheckWidth(field, *signed_value, *unsigned_value);
  }

  absl::Status CheckWidth(const FieldDescriptor* field,
                          std::int64_t signed_value,
                          std::uint64_t unsigned_value) const {
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        if (signed_value < std::numeric_limits<std::int32_t>::min() ||
            signed_value > std::numeric_limits<std::int32_t>::max()) {
          return Error("integer out of range");
        }
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        if (unsigned_value > std::numeric_limits<std::uint32_t>::max()) {
          return Error("integer out of range");
        }
        break;
      default:
        break;
    }
    return absl::OkStatus();
  }

  static void SetInteger(Message* message, const FieldDescriptor* field,
                         std::int64_t signed_value,
                         std::uint64_t unsigned_value, bool add) {
    const Reflection* r = message->GetReflection();
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32: {
        const auto v = static_cast<std::int32_t>(signed_value);
        add ? r->AddInt32(message, field, v) : r->SetInt32(message, field, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_INT64:
        add ? r->AddInt64(message, field, signed_value)
            : r->SetInt64(message, field, signed_value);
        break;
      case FieldDescriptor::CPPTYPE_UINT32: {
        const auto v = static_cast<std::uint32_t>(unsigned_value);
        add ? r->AddUInt32(message, field, v) : r->SetUInt32(message, field, v);
        break;
      }
      default:
        add ? r->AddUInt64(message, field, unsigned_value)
            : r->SetUInt64(message, field, unsigned_value);
        break;
    }
  }

  absl::Status DoubleOf(element value, double* out) {
    switch (value.type()) {
      case element_type::INT64:
        *out = static_cast<double>(value.get_int64().value_unsafe());
        return absl::OkStatus();
      case element_type::UINT64:
        *out = static_cast<double>(value.get_uint64().value_unsafe());
        return absl::OkStatus();
      case element_type::DOUBLE:
        *out = value.get_double().value_unsafe();
        return absl::OkStatus();
      case element_type::STRING: {
        const absl::string_view text = View(value.get_string().value_unsafe());
        if (text == "NaN") {
          *out = std::numeric_limits<double>::quiet_NaN();
        } else if (text == "Infinity") {
          *out = std::numeric_limits<double>::infinity();
        } else if (text == "-Infinity") {
          *out = -std::numeric_limits<double>::infinity();
        } else if (text.empty() || absl::ascii_isspace(text.front()) ||
                   absl::ascii_isspace(text.back()) ||
                   !absl::SimpleAtod(text, out) || !std::isfinite(*out)) {
          return Error("expected a number");
        }
        return absl::OkStatus();
      }
      default:
        return Error("expected a number");
    }
  }

  // `r` is message->GetReflection(), looked up once per message or array
  // by the caller (each lookup goes through the descriptor table's once).
  absl::Status ParseValue(element value, Message* message, const Reflection* r,
                          const FieldDescriptor* field, bool add) {
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        Message* child = add ? r->AddMessage(message, field)
                             : r->MutableMessage(message, field);
        return ParseMessage(value, child);
      }
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string_view text;
        if (value.get_string().get(text) != simdjson::SUCCESS) {
          return Error("expected a string");
        }
        std::string stored;
        if (field->type() == FieldDescriptor::TYPE_BYTES) {
          absl::StatusOr<std::string> bytes = DecodeBytes(View(text));
          if (!bytes.ok()) return Error(bytes.status().message());
          stored = *std::move(bytes);
        } else {
          stored.assign(text);
        }
        add ? r->AddString(message, field, std::move(stored))
            : r->SetString(message, field, std::move(stored));
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_BOOL: {
        bool flag = false;
        if (value.get_bool().get(flag) != simdjson::SUCCESS) {
          return Error("expected true or false");
        }
        add ? r->AddBool(message, field, flag)
            : r->SetBool(message, field, flag);
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        const google::protobuf::EnumValueDescriptor* known = nullptr;
        if (value.type() == element_type::STRING) {
          known = field->enum_type()->FindValueByName(
              std::string(value.get_string().value_unsafe()));
        } else if (value.type() == element_type::INT64) {
          const std::int64_t number = value.get_int64().value_unsafe();
          if (number >= std::numeric_limits<int>::min() &&
              number <= std::numeric_limits<int>::max()) {
            known =
                field->enum_type()->FindValueByNumber(static_cast<int>(number));
          }
        }
        if (known == nullptr) return Error("not a value of the enum");
        add ? r->AddEnumValue(message, field, known->number())
            : r->SetEnumValue(message, field, known->number());
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT: {
        double number = 0;
        MODELSEAL_RETURN_IF_ERROR(DoubleOf(value, &number));
        if (field->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
          add ? r->AddDouble(message, field, number)
              : r->SetDouble(message, field, number);
          return absl::OkStatus();
        }
        if (std::isfinite(number) &&
            std::fabs(number) > std::numeric_limits<float>::max()) {
          return Error("number out of range for float");
        }
        const auto narrow = static_cast<float>(number);
        add ? r->AddFloat(message, field, narrow)
            : r->SetFloat(message, field, narrow);
        return absl::OkStatus();
      }
      default: {
        std::int64_t signed_value = 0;
        std::uint64_t unsigned_value = 0;
        MODELSEAL_RETURN_IF_ERROR(
            IntegerOf(value, field, &signed_value, &unsigned_value));
        SetInteger(message, field, signed_value, unsigned_value, add);
        return absl::OkStatus();
      }
    }
  }

  // "YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)", RFC 3339 as the proto3 JSON
  // mapping narrows it; absl::ParseTime does the calendar arithmetic once
  // the shape is known to be exactly that.
  absl::Status ParseTimestamp(element value, Message* message) {
    std::string_view raw;
    if (value.get_string().get(raw) != simdjson::SUCCESS) {
      return Error("expected an RFC 3339 timestamp string");
    }
    const absl::string_view text = View(raw);
    auto digits_at = [&](std::size_t at, std::size_t count) {
      return at + count <= text.size() && IsDigits(text.substr(at, count));
    };
    bool shaped = digits_at(0, 4) && text.size() > 19 && text[4] == '-' &&
                  digits_at(5, 2) && text[7] == '-' && digits_at(8, 2) &&
                  text[10] == 'T' && digits_at(11, 2) && text[13] == ':' &&
                  digits_at(14, 2) && text[16] == ':' && digits_at(17, 2);
    std::size_t at = 19;
    if (shaped && text[at] == '.') {
      std::size_t end = at + 1;
      while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
      shaped = end - at - 1 >= 1 && end - at - 1 <= 9;
      at = end;
    }
    if (shaped) {
      const absl::string_view zone = text.substr(at);
      shaped = zone == "Z" ||
               (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') &&
                IsDigits(zone.substr(1, 2)) && zone[3] == ':' &&
                IsDigits(zone.substr(4, 2)));
    }
    absl::Time time;
    std::string why;
    if (!shaped || text.substr(17, 2) == "60" ||
        !absl::ParseTime(absl::RFC3339_full, std::string(text), &time, &why)) {
      return Error("not an RFC 3339 timestamp");
    }
    const std::int64_t seconds = absl::ToUnixSeconds(time);
    if (seconds < kMinTimestampSeconds || seconds > kMaxTimestampSeconds) {
      return Error("timestamp outside years 0001-9999");
    }
    const std::int64_t nanos =
        absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds));
    const Descriptor* type = message->GetDescriptor();
    const FieldDescriptor* seconds_field = type->FindFieldByName("seconds");
    const FieldDescriptor* nanos_field = type->FindFieldByName("nanos");
    if (seconds_field == nullptr || nanos_field == nullptr) {
      return Error("malformed Timestamp descriptor");
    }
    message->GetReflection()->SetInt64(message, seconds_field, seconds);
    message->GetReflection()->SetInt32(message, nanos_field,
                                       static_cast<std::int32_t>(nanos));
    return absl::OkStatus();
  }

  // google.protobuf.Struct / Value / ListValue: any JSON, read as the
  // mapping says (numbers as doubles, null as NULL_VALUE, also inside
  // arrays and objects), with the same refusals as everywhere else: a key
  // given twice in one object is an error, not a last-one-wins. These are
  // compiled into libprotobuf, so their generated API is used directly.
  absl::Status ParseStruct(element value, Message* message) {
    auto* out =
        google::protobuf::DynamicCastToGenerated<google::protobuf::Struct>(
            message);
    simdjson::dom::object object;
    if (out == nullptr) return Error("not a generated Struct");
    if (value.get_object().get(object) != simdjson::SUCCESS) {
      return Error("expected an object");
    }
    auto& fields = *out->mutable_fields();
    for (simdjson::dom::key_value_pair member : object) {
      const std::size_t mark = path_.size();
      absl::StrAppend(&path_, path_.empty() ? "" : ".", View(member.key));
      auto [field, added] =
          fields.insert({std::string(member.key), google::protobuf::Value()});
      if (!added) return Error("key given twice");
      MODELSEAL_RETURN_IF_ERROR(ParseStructValue(member.value, &field->second));
      path_.resize(mark);
    }
    return absl::OkStatus();
  }

  absl::Status ParseStructValue(element value, Message* message) {
    auto* out =
        google::protobuf::DynamicCastToGenerated<google::protobuf::Value>(
            message);
    if (out == nullptr) return Error("not a generated Value");
    switch (value.type()) {
      case element_type::NULL_VALUE:
        out->set_null_value(google::protobuf::NULL_VALUE);
        return absl::OkStatus();
      case element_type::BOOL:
        out->set_bool_value(value.get_bool().value_unsafe());
        return absl::OkStatus();
      case element_type::STRING:
        out->set_string_value(std::string(value.get_string().value_unsafe()));
        return absl::OkStatus();
      case element_type::INT64:
      case element_type::UINT64:
      case element_type::DOUBLE: {
        double number = 0;
        MODELSEAL_RETURN_IF_ERROR(DoubleOf(value, &number));
        out->set_number_value(number);
        return absl::OkStatus();
      }
      case element_type::OBJECT:
        return ParseStruct(value, out->mutable_struct_value());
      case element_type::ARRAY:
        return ParseListValue(value, out->mutable_list_value());
    }
    return Error("expected a JSON value");
  }

  absl::Status ParseListValue(element value, Message* message) {
    auto* out =
        google::protobuf::DynamicCastToGenerated<google::protobuf::ListValue>(
            message);
    simdjson::dom::array array;
    if (out == nullptr) return Error("not a generated ListValue");
    if (value.get_array().get(array) != simdjson::SUCCESS) {
      return Error("expected an array");
    }
    std::size_t index = 0;
    for (element item : array) {
      const std::size_t mark = path_.size();
      absl::StrAppend(&path_, "[", index++, "]");
      MODELSEAL_RETURN_IF_ERROR(ParseStructValue(item, out->add_values()));
      path_.resize(mark);
    }
    return absl::OkStatus();
  }

  std::string path_;
};

}  // namespace

absl::Status ParseJsonToMessage(absl::string_view json, Message* message) {
  message->Clear();
  if (json.empty()) return absl::InvalidArgumentError("empty document");
  // Each thread keeps one parser for documents up to kReusedParserBytes:
  // its buffers (several times the document's size) are then allocated once
  // per thread, not once per document (`log add` parses thousands of
  // bundles). Larger documents, and a call made while the thread's parser
  // is in use, get a parser of their own.
  thread_local simdjson::dom::parser reused;
  thread_local bool reused_busy = false;
  std::optional<simdjson::dom::parser> own;
  simdjson::dom::parser* parser = &reused;
  if (reused_busy || json.size() > kReusedParserBytes) {
    parser = &own.emplace();
  }
  const bool borrowed = parser == &reused;
  if (borrowed) reused_busy = true;
  absl::Cleanup release = [borrowed] {
    if (borrowed) reused_busy = false;
  };
  if (parser->capacity() < json.size() ||
      parser->max_depth() != kMaxJsonDepth) {
    const std::size_t capacity =
        borrowed ? std::max(json.size(), kInitialParserBytes) : json.size();
    if (parser->allocate(capacity, kMaxJsonDepth) != simdjson::SUCCESS) {
      return absl::ResourceExhaustedError("cannot allocate the JSON parser");
    }
  }
  simdjson::dom::parser& parser_ref = *parser;
  element root;
  const simdjson::error_code error =
      parser_ref.parse(json.data(), json.size(), /*realloc_if_needed=*/true)
          .get(root);
  switch (error) {
    case simdjson::SUCCESS:
      break;
    case simdjson::UTF8_ERROR:
      return absl::InvalidArgumentError("not valid UTF-8");
    case simdjson::DEPTH_ERROR:
      return absl::InvalidArgumentError(
          absl::StrCat("nested deeper than ", kMaxJsonDepth, " levels"));
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "not valid JSON (", simdjson::error_message(error), ")"));
  }
  Converter converter;
  return converter.ParseMessage(root, message);
}

}  // namespace modelseal::json_internal
