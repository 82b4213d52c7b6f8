#include "json/proto_json.h"

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "json/json_test.pb.h"
#include "modelseal/env.h"
#include "modelseal/v1/bundle.pb.h"
#include "modelseal/v1/sigstore.pb.h"
#include "tests/testing/status_matchers.h"

namespace modelseal::json_internal {
namespace {

using ::modelseal::testing::IsOk;
using ::modelseal::testing::StatusIs;
using ::testing::HasSubstr;

// protobuf's own parser, strict (unknown fields are errors): the reference
// for every document both should accept.
absl::Status ParseWithProtobuf(const std::string& json,
                               google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status =
      google::protobuf::util::JsonStringToMessage(json, message, options);
  if (status.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(std::string(status.message()));
}

// Both parsers accept `json` and build the same message.
template <typename Message = test::Kinds>
void ExpectSameAsProtobuf(const std::string& json) {
  SCOPED_TRACE(json);
  Message ours;
  Message reference;
  ASSERT_THAT(ParseJsonToMessage(json, &ours), IsOk());
  ASSERT_THAT(ParseWithProtobuf(json, &reference), IsOk());
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(ours, reference))
      << "ours: " << ours.DebugString()
      << "\nprotobuf: " << reference.DebugString();
}

absl::Status Parse(const std::string& json) {
  test::Kinds message;
  return ParseJsonToMessage(json, &message);
}

TEST(ProtoJsonTest, AgreesWithProtobufOnEveryFieldKind) {
  const std::vector<std::string> documents = {
      "{}",
      R"({"int32Value": -2147483648, "int64Value": "-9223372036854775808",
          "uint32Value": 4294967295, "uint64Value": "18446744073709551615",
          "sint64Value": -5, "fixed64Value": "7", "boolValue": true,
          "doubleValue": 1.5e300, "floatValue": -0.25,
          "stringValue": "h\u00e9llo \ud83d\ude00 \"q\" \\ \n",
          "bytesValue": "AAECAwQ=", "color": "GREEN"})",
      // Proto names as well as JSON names; integers given as numbers.
      R"({"int32_value": 7, "int64_value": 9007199254740993,
          "uint64_value": 18446744073709551615, "string_value": "x",
          "_custom": "custom name"})",
      R"({"renamed": "by proto name"})",
      R"({"inner": {"label": "a", "numbers": [1, -2, "3"]},
          "inners": [{"label": "b"}, {}], "strings": ["", "z"],
          "blobs": ["", "/w==", "AAEC"]})",
      R"({"counts": {"a": "1", "b": -2}, "byNumber": {"-4": "minus four",
          "10": "ten"}, "byFlag": {"true": {"label": "t"}, "false": {}}})",
      R"({"choiceText": "picked"})",
      R"({"choiceInner": {"label": "inner pick"}})",
      R"({"when": "1972-01-01T10:00:20.021Z"})",
      R"({"when": "2026-11-30T06:56:01+01:00"})",
      R"({"when": "0001-01-01T00:00:00Z"})",
      R"({"when": "9999-12-31T23:59:59.999999999Z"})",
      R"({"maybe": "0"})",
      R"({"color": 1, "doubleValue": "Infinity", "floatValue": "-Infinity"})",
      // null leaves a field unset, whatever its kind.
      R"({"int32Value": null, "inner": null, "inners": null, "counts": null,
          "color": null, "when": null, "bytesValue": null})",
  };
  for (const std::string& json : documents) ExpectSameAsProtobuf(json);
}

TEST(ProtoJsonTest, AgreesWithProtobufOnTheBundleVectors) {
  // Every bundle among the public vectors, valid or not: both parsers
  // accept it and agree, or both refuse it.
  const std::filesystem::path root = MODELSEAL_TEST_VECTORS_DIR;
  int compared = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(root / "oms")) {
    const std::string name = entry.path().filename().string();
    if (name != "model.sig" && name.find(".bundle.json") == std::string::npos) {
      continue;
    }
    SCOPED_TRACE(entry.path().string());
    absl::StatusOr<std::string> json =
        Env::Default()->ReadFileToString(entry.path().string(), 1 << 22);
    ASSERT_TRUE(json.ok()) << json.status();
    v1::Bundle ours;
    v1::Bundle reference;
    const absl::Status ours_status = ParseJsonToMessage(*json, &ours);
    const absl::Status reference_status = ParseWithProtobuf(*json, &reference);
    EXPECT_EQ(ours_status.ok(), reference_status.ok())
        << "ours: " << ours_status << "; protobuf: " << reference_status;
    if (ours_status.ok() && reference_status.ok()) {
      EXPECT_TRUE(
          google::protobuf::util::MessageDifferencer::Equals(ours, reference));
    }
    ++compared;
  }
  EXPECT_EQ(compared, 12);
}

TEST(ProtoJsonTest, ReadsSigstoreTimestampsAndOneofs) {
  v1::sigstore::PublicKey key;
  ASSERT_THAT(ParseJsonToMessage(R"({"rawBytes": "AQID", "validFor": {
        "start": "2021-03-07T03:20:29.000Z", "end": "2022-12-31T23:59:59.5-01:30"}})",
                                 &key),
              IsOk());
  EXPECT_EQ(key.raw_bytes(), "\x01\x02\x03");
  EXPECT_EQ(key.valid_for().start().seconds(), 1615087229);
  EXPECT_EQ(key.valid_for().end().seconds(), 1672531199 + 90 * 60);
  EXPECT_EQ(key.valid_for().end().nanos(), 500000000);
}

TEST(ProtoJsonTest, RefusesWhatHasTwoReadings) {
  // A key twice, or one field under both of its names: which value would
  // a second verifier take?
  EXPECT_THAT(Parse(R"({"stringValue": "a", "stringValue": "b"})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("stringValue: field given twice")));
  EXPECT_THAT(
      Parse(R"({"stringValue": "a", "string_value": "b"})"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("given twice")));
  EXPECT_THAT(
      Parse(R"({"inner": null, "inner": {"label": "x"}})"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("given twice")));
  EXPECT_THAT(Parse(R"({"counts": {"a": 1, "a": 2}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("counts[\"a\"]: map key given twice")));
  EXPECT_THAT(Parse(R"({"choiceText": "a", "choiceInner": {}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("a second member of oneof choice")));
  v1::sigstore::VerificationMaterial material;
  EXPECT_THAT(
      ParseJsonToMessage(R"({"publicKey": {"hint": "h"}, "certificate": {}})",
                         &material),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("oneof content")));
}

TEST(ProtoJsonTest, RefusesUnknownFieldsAndWrongTypes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"nope": 1})", "nope: unknown field"},
      {R"({"inner": {"label": "x", "extra": true}})", "inner.extra: unknown"},
      {R"({"stringValue": 1})", "stringValue: expected a string"},
      {R"({"int32Value": "1x"})", "int32Value: expected an integer"},
      {R"({"int32Value": " 1"})", "expected an integer"},
      {R"({"int32Value": 1.0})", "expected an integer"},
      {R"({"int32Value": 2147483648})", "out of range"},
      {R"({"int32Value": "-2147483649"})", "out of range"},
      {R"({"uint32Value": 4294967296})", "out of range"},
      {R"({"uint64Value": -1})", "negative for unsigned"},
      {R"({"uint64Value": "-1"})", "expected an integer"},
      {R"({"int64Value": "9223372036854775808"})", "out of range"},
      {R"({"int64Value": 9223372036854775808})", "out of range"},
      {R"({"boolValue": "true"})", "expected true or false"},
      {R"({"floatValue": 1e39})", "out of range for float"},
      {R"({"doubleValue": "1.5 "})", "expected a number"},
      {R"({"color": "BLUE"})", "not a value of the enum"},
      {R"({"color": 7})", "not a value of the enum"},
      {R"({"inner": []})", "inner: expected an object"},
      {R"({"inners": {}})", "inners: expected an array"},
      {R"({"inners": [null]})", "inners[0]: null inside an array"},
      {R"({"inner": {"numbers": [1, "a"]}})", "inner.numbers[1]: expected"},
      {R"({"counts": {"a": null}})", "null map value"},
      {R"({"counts": {"a": "x"}})", "counts[\"a\"]: expected an integer"},
      {R"({"byNumber": {"x": "y"}})", "expected an integer"},
      {R"({"byFlag": {"yes": {}}})", "not a bool key"},
      {R"({"bytesValue": "AAE"})", "bytesValue:"},  // unpadded: fine below
      {R"({"bytesValue": "A"})", "base64 length is impossible"},
      {R"({"bytesValue": "AA+_"})", "mixes two alphabets"},
      {R"({"bytesValue": "AAczA="})", "base64 padding is incomplete"},
      {R"({"bytesValue": "AAEC=="})", "base64 padding is incomplete"},
      {R"({"bytesValue": "AB=="})", "non-canonical base64 padding bits"},
      {R"({"bytesValue": "A*=="})", "invalid base64 character"},
      {R"({"when": "2021-03-07 03:20:29Z"})", "not an RFC 3339 timestamp"},
      {R"({"when": "2021-03-07T03:20:29"})", "not an RFC 3339 timestamp"},
      {R"({"when": "2021-03-07T03:20:29.1234567890Z"})", "not an RFC 3339"},
      {R"({"when": "2021-03-07T03:20:60Z"})", "not an RFC 3339 timestamp"},
      {R"({"when": "2021-13-07T03:20:29Z"})", "not an RFC 3339 timestamp"},
      {R"({"when": "0000-12-31T23:59:59Z"})", "outside years 0001-9999"},
      {R"({"when": 1615087229})", "expected an RFC 3339 timestamp string"},
  };
  for (const auto& [json, message] : cases) {
    SCOPED_TRACE(json);
    const absl::Status status = Parse(json);
    if (json == R"({"bytesValue": "AAE"})") {
      // Unpadded base64 is allowed by the JSON mapping.
      EXPECT_THAT(status, IsOk());
      continue;
    }
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr(message)));
  }
}

TEST(ProtoJsonTest, ReadsNaN) {
  test::Kinds message;
  ASSERT_THAT(ParseJsonToMessage(R"({"doubleValue": "NaN"})", &message),
              IsOk());
  EXPECT_TRUE(std::isnan(message.double_value()));
}

TEST(ProtoJsonTest, AcceptsBothBase64Alphabets) {
  test::Kinds message;
  ASSERT_THAT(
      ParseJsonToMessage(R"({"blobs": ["-_8", "+/8=", "_-8"]})", &message),
      IsOk());
  ASSERT_EQ(message.blobs_size(), 3);
  EXPECT_EQ(message.blobs(0), "\xfb\xff");
  EXPECT_EQ(message.blobs(1), "\xfb\xff");
  EXPECT_EQ(message.blobs(2), "\xff\xef");
}

TEST(ProtoJsonTest, RefusesMalformedText) {
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty document"},
      {"{", "not valid JSON"},
      {"{} {}", "not valid JSON"},
      {"[]", "document: expected an object"},
      {"\"text\"", "expected an object"},
      {"{\"stringValue\": \"\xff\"}", "not valid UTF-8"},
      {"{\"stringValue\": \"\xed\xa0\x80\"}", "not valid UTF-8"},
      {R"({"stringValue": "\ud800"})", "not valid JSON"},
      {"{\"stringValue\": \"a\x01\"}", "not valid JSON"},
      {R"({"int32Value": 01})", "not valid JSON"},
      {"{\"inner\": " + deep + "}", "nested deeper than 64"},
  };
  for (const auto& [json, message] : cases) {
    SCOPED_TRACE(json);
    EXPECT_THAT(Parse(json), StatusIs(absl::StatusCode::kInvalidArgument,
                                      HasSubstr(message)));
  }
}

TEST(ProtoJsonTest, RefusesOtherWellKnownTypes) {
  google::protobuf::Duration duration;
  EXPECT_THAT(ParseJsonToMessage(R"("1s")", &duration),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("google.protobuf.Duration is not supported")));
}

TEST(ProtoJsonTest, ReadsAnyJsonIntoAStructAsProtobufDoes) {
  const std::vector<std::string> documents = {
      "{}",
      R"({"kind": "hashedrekord", "apiVersion": "0.0.1",
          "spec": {"data": {"hash": {"algorithm": "sha256", "value": "ab"}},
                   "signature": {"content": "c2ln", "publicKey": {}}},
          "n": -1.5e3, "big": 18446744073709551615, "t": true, "f": false,
          "nothing": null, "list": [1, "two", null, [], {"x": [null]}],
          "nan": "NaN"})",
  };
  for (const std::string& json : documents) {
    ExpectSameAsProtobuf<google::protobuf::Struct>(json);
  }
  google::protobuf::Value value;
  ASSERT_THAT(ParseJsonToMessage(R"([null, 2])", &value), IsOk());
  EXPECT_EQ(value.list_value().values(0).kind_case(),
            google::protobuf::Value::kNullValue);
  EXPECT_EQ(value.list_value().values(1).number_value(), 2.0);
}

TEST(ProtoJsonTest, AStructKeyGivenTwiceIsRefusedAtAnyDepth) {
  // protobuf's parser keeps one of the two; a signed body must have one
  // reading only.
  const std::pair<std::string, std::string> cases[] = {
      {R"({"kind": "a", "kind": "b"})", "kind: key given twice"},
      {R"({"spec": {"data": 1, "data": 2}})", "spec.data: key given twice"},
      {R"({"list": [{"x": 1, "x": 1}]})", "list[0].x: key given twice"},
  };
  for (const auto& [json, message] : cases) {
    google::protobuf::Struct parsed;
    EXPECT_THAT(
        ParseJsonToMessage(json, &parsed),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(message)))
        << json;
  }
  google::protobuf::Struct parsed;
  EXPECT_THAT(ParseJsonToMessage("[1]", &parsed),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expected an object")));
  google::protobuf::ListValue list;
  EXPECT_THAT(ParseJsonToMessage("{}", &list),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expected an array")));
}

TEST(ProtoJsonTest, ClearsTheMessageFirst) {
  test::Kinds message;
  message.set_string_value("left over");
  ASSERT_THAT(ParseJsonToMessage(R"({"int32Value": 1})", &message), IsOk());
  EXPECT_EQ(message.string_value(), "");
  EXPECT_EQ(message.int32_value(), 1);
}

}  // namespace
}  // namespace modelseal::json_internal
