// End-to-end: Sigstore keyless signatures of a model — `verify MODEL` with
// identity flags, and an alliance policy whose signer is a keyless identity —
// on bundles of a fake Sigstore made at test time whose DSSE payload is the
// model's real OMS statement.
#include <filesystem>
#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/cli_runner.h"
#include "tests/sigstore/fake_sigstore.h"

namespace modelseal {
namespace {

using sigstore::testing::BundleOptions;
using sigstore::testing::FakeSigstore;
using sigstore::testing::kTestIdentity;
using sigstore::testing::kTestIssuer;
using sigstore::testing::ToJson;
using ::testing::HasSubstr;

class KeylessModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::copy(kExample, dir_.Join("model"),
                          std::filesystem::copy_options::recursive);
    ASSERT_EQ(Modelseal("keygen --out " + dir_.Join("ibm")).exit_code, 0);
    const Result signed_by_key = Modelseal(absl::StrCat(
        "sign ", dir_.Join("model"), " --key ", dir_.Join("ibm.key"), " -o ",
        dir_.Join("ibm.sig"), " -q"));
    ASSERT_EQ(signed_by_key.exit_code, 0) << signed_by_key.err;
    // The statement the key signed, signed again by a keyless identity.
    const std::string bundle = ReadAll(dir_.Join("ibm.sig"));
    const std::string marker = "\"payload\":\"";
    const std::size_t start = bundle.find(marker);
    ASSERT_NE(start, std::string::npos);
    const std::size_t end = bundle.find('"', start + marker.size());
    std::string payload;
    ASSERT_TRUE(absl::Base64Unescape(
        bundle.substr(start + marker.size(), end - start - marker.size()),
        &payload));
    fake_ = FakeSigstore::Create();
    dir_.Write("root.json", ToJson(fake_->MakeTrustedRoot()));
    BundleOptions options;
    options.dsse_payload = payload;
    dir_.Write("keyless.sig", ToJson(fake_->MakeBundle(options)));
  }

  Result Verify(const std::string& model, const std::string& identity) {
    return Modelseal(absl::StrCat(
        "verify ", model, " --signature ", dir_.Join("keyless.sig"),
        " --certificate-identity ", identity, " --certificate-oidc-issuer ",
        kTestIssuer, " --trusted-root ", dir_.Join("root.json")));
  }

  TempDir dir_;
  std::unique_ptr<FakeSigstore> fake_;
};

TEST_F(KeylessModelTest, KeylessSignatureOfTheModelVerifiesWithItsIdentity) {
  const Result result = Verify(dir_.Join("model"), kTestIdentity);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr(absl::StrCat("keyless ", kTestIdentity)));
  EXPECT_THAT(result.out, HasSubstr("Rekor log"));
}

TEST_F(KeylessModelTest, AnotherIdentityIsRefused) {
  const Result result = Verify(dir_.Join("model"), "mallory@example.com");
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_THAT(result.out, HasSubstr("mallory@example.com"));
}

TEST_F(KeylessModelTest, ChangedModelFailsEvenWithTheRightIdentity) {
  std::ofstream(dir_.Join("model/config.json"), std::ios::app) << " ";
  const Result result = Verify(dir_.Join("model"), kTestIdentity);
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_THAT(result.out, HasSubstr("config.json"));
}

TEST_F(KeylessModelTest, KeylessBundleWithKeyFlagSaysWhichFlagsItNeeds) {
  const Result result = Modelseal(
      absl::StrCat("verify ", dir_.Join("model"), " --signature ",
                   dir_.Join("keyless.sig"), " --key ", dir_.Join("ibm.pub")));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.out, HasSubstr("--certificate-identity"));
}

TEST_F(KeylessModelTest, PolicyCountsAKeylessSignerBesideAKeySigner) {
  std::string key_pem = ReadAll(dir_.Join("ibm.pub"));
  std::string indented;
  for (char c : key_pem) {
    indented.push_back(c);
    if (c == '\n') indented += "      ";
  }
  const std::string policy = dir_.Write(
      "policy.yaml",
      absl::StrCat(
          "apiVersion: modelseal.dev/v1\nkind: AlliancePolicy\n"
          "metadata: {name: keyless-test, version: 1, issued: \"2024-01-01\", "
          "expires: \"2036-01-01\"}\n"
          "organizations:\n  - {id: ibm, name: IBM}\n"
          "  - {id: lab, name: A University Lab}\n"
          "signers:\n"
          "  - id: ibm-release\n    organization: ibm\n    public_key: |\n"
          "      ",
          indented,
          "\n  - id: lab-ci\n    organization: lab\n    keyless:\n"
          "      issuer: ",
          kTestIssuer, "\n      subject: ", kTestIdentity,
          "\n"
          "thresholds:\n  - {name: two-orgs, min_signatures: 2, "
          "distinct_organizations: true}\n"));
  const auto verify = [&](const std::string& signatures) {
    return Modelseal(absl::StrCat(
        "verify ", dir_.Join("model"), " --signature ", signatures,
        " --policy ", policy, " --allow-unsigned-policy --trusted-root ",
        dir_.Join("root.json"), " --state-dir ", dir_.Join("state")));
  };
  const Result both =
      verify(absl::StrCat(dir_.Join("ibm.sig"), " ", dir_.Join("keyless.sig")));
  EXPECT_EQ(both.exit_code, 0) << both.out << both.err;
  EXPECT_THAT(both.out, HasSubstr("lab-ci (lab)"));
  const Result key_only = verify(dir_.Join("ibm.sig"));
  EXPECT_EQ(key_only.exit_code, 1) << key_only.out;
  EXPECT_THAT(key_only.out, HasSubstr("thresholds.unmet"));
}

}  // namespace
}  // namespace modelseal
