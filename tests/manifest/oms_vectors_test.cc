// The OMS serialization reproduces what the reference implementation
// (sigstore/model-transparency) signed: resources and subject digest of every
// bundle in tests/vectors/oms/model-transparency/.
#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "modelseal/hex.h"
#include "modelseal/model_serialization.h"
#include "tests/testing/status_matchers.h"

namespace modelseal {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

const std::string kDir = MODELSEAL_TEST_VECTORS_DIR "/oms/model-transparency/";

Struct ParseJson(const std::string& json) {
  Struct message;
  const auto status =
      google::protobuf::util::JsonStringToMessage(json, &message);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return message;
}

const Value& Field(const Struct& s, const std::string& name) {
  static const Value kMissing;
  auto it = s.fields().find(name);
  EXPECT_NE(it, s.fields().end()) << "missing field " << name;
  return it == s.fields().end() ? kMissing : it->second;
}

void CheckBundle(const std::string& name) {
  SCOPED_TRACE(name);
  auto bundle_json =
      Env::Default()->ReadFileToString(kDir + name + "/model.sig", 1 << 20);
  ASSERT_TRUE(bundle_json.ok()) << bundle_json.status();
  const Struct bundle = ParseJson(*bundle_json);
  std::string payload;
  ASSERT_TRUE(absl::Base64Unescape(
      Field(Field(bundle, "dsseEnvelope").struct_value(), "payload")
          .string_value(),
      &payload));
  const Struct statement = ParseJson(payload);
  const Struct& predicate = Field(statement, "predicate").struct_value();
  const Struct& serialization =
      Field(predicate, "serialization").struct_value();

  SerializationOptions options;
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      options.hash,
      ParseHashAlgorithm(Field(serialization, "hash_type").string_value()));
  MODELSEAL_ASSERT_OK_AND_ASSIGN(
      options.method,
      ParseSerializationMethod(Field(serialization, "method").string_value()));
  auto ignore = serialization.fields().find("ignore_paths");
  if (ignore != serialization.fields().end()) {
    for (const Value& path : ignore->second.list_value().values()) {
      options.ignore_paths.push_back(path.string_value());
    }
  }
  // The v1.0.0 bundle is a single-file model: its subject is the file.
  const auto& subjects = Field(statement, "subject").list_value().values();
  ASSERT_EQ(subjects.size(), 1);
  const Struct& subject = subjects[0].struct_value();
  const std::string subject_name = Field(subject, "name").string_value();
  const bool single_file =
      subject_name == "signme-1" && name == "v1.0.0-elliptic-key";
  const std::string model_path =
      single_file ? kDir + name + "/signme-1" : kDir + name;

  MODELSEAL_ASSERT_OK_AND_ASSIGN(ModelDigest digest,
                                 SerializeModel(model_path, options, {}));
  const auto& resources = Field(predicate, "resources").list_value().values();
  ASSERT_EQ(static_cast<std::size_t>(resources.size()),
            digest.resources.size());
  for (int i = 0; i < resources.size(); ++i) {
    const Struct& resource = resources[i].struct_value();
    EXPECT_EQ(digest.resources[i].name, Field(resource, "name").string_value());
    EXPECT_EQ(digest.resources[i].algorithm,
              Field(resource, "algorithm").string_value());
    EXPECT_EQ(HexEncode(digest.resources[i].digest),
              Field(resource, "digest").string_value());
  }
  EXPECT_EQ(digest.model_name, subject_name);
  EXPECT_EQ(
      HexEncode(digest.root_digest),
      Field(Field(subject, "digest").struct_value(), "sha256").string_value());
}

TEST(OmsVectorsTest, ReproducesEveryReferenceBundlesDigests) {
  int checked = 0;
  for (const char* name :
       {"v1.1.0-elliptic-key", "v1.1.0-certificate", "v1.0.0-elliptic-key"}) {
    CheckBundle(name);
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

}  // namespace
}  // namespace modelseal
