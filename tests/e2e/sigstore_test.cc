// End-to-end: `modelseal verify-blob` on bundles of a fake Sigstore instance
// made at test time (tests/sigstore/fake_sigstore.h), and on a key-based
// bundle made by `modelseal sign`.
#include <fstream>
#include <string>

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

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

class VerifyBlobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ = FakeSigstore::Create();
    Write(Path("root.json"), ToJson(fake_->MakeTrustedRoot()));
    Write(Path("artifact"), options_.artifact);
  }
  std::string Path(const std::string& name) const { return dir_.Join(name); }
  std::string WriteBundle(const BundleOptions& options,
                          const std::string& name = "bundle.json") {
    Write(Path(name), ToJson(fake_->MakeBundle(options)));
    return Path(name);
  }
  Result VerifyBlob(const std::string& args) {
    return Modelseal(absl::StrCat("verify-blob ", args, " --trusted-root ",
                                  Quote(Path("root.json"))));
  }
  std::string Identity() const {
    return absl::StrCat(" --certificate-identity ", kTestIdentity,
                        " --certificate-oidc-issuer ", kTestIssuer);
  }

  TempDir dir_;
  std::unique_ptr<FakeSigstore> fake_;
  BundleOptions options_;
};

TEST_F(VerifyBlobTest, AKeylessBundleWithoutIdentityFlagsIsAUsageError) {
  const std::string bundle = WriteBundle(options_);
  const Result result =
      VerifyBlob(absl::StrCat(Quote(Path("artifact")), " --bundle ", bundle));
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_THAT(result.err, HasSubstr("--certificate-identity"));
  EXPECT_THAT(result.err, HasSubstr("--certificate-oidc-issuer"));
}

TEST_F(VerifyBlobTest, AnIdentityWithoutAnIssuerIsAUsageError) {
  const std::string bundle = WriteBundle(options_);
  const Result result =
      VerifyBlob(absl::StrCat(Quote(Path("artifact")), " --bundle ", bundle,
                              " --certificate-identity ", kTestIdentity));
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_THAT(result.err, HasSubstr("--certificate-oidc-issuer"));
}

TEST_F(VerifyBlobTest, AKeylessBundleWithAKeyIsAUsageError) {
  const std::string bundle = WriteBundle(options_);
  Write(Path("some.pub"), "unused");
  const Result result =
      VerifyBlob(absl::StrCat(Quote(Path("artifact")), " --bundle ", bundle,
                              " --key ", Quote(Path("some.pub"))));
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_THAT(result.err, HasSubstr("--certificate-identity"));
}

TEST_F(VerifyBlobTest, AWrongIdentityFailsVerification) {
  const std::string bundle = WriteBundle(options_);
  const Result result = VerifyBlob(absl::StrCat(
      Quote(Path("artifact")), " --bundle ", bundle,
      " --certificate-identity mallory@example.com --certificate-oidc-issuer ",
      kTestIssuer));
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_THAT(result.err, HasSubstr("does not match --certificate-identity"));
}

TEST_F(VerifyBlobTest, AnotherArtifactFailsVerification) {
  const std::string bundle = WriteBundle(options_);
  Write(Path("other"), "not the artifact");
  const Result result = VerifyBlob(
      absl::StrCat(Quote(Path("other")), " --bundle ", bundle, Identity()));
  EXPECT_EQ(result.exit_code, 1) << result.err;
}

TEST_F(VerifyBlobTest, AMalformedBundleIsExitThree) {
  Write(Path("bad.json"), "{");
  const Result result = VerifyBlob(absl::StrCat(
      Quote(Path("artifact")), " --bundle ", Path("bad.json"), Identity()));
  EXPECT_EQ(result.exit_code, 3) << result.err;
}

TEST_F(VerifyBlobTest, AMissingBundleIsExitFour) {
  const Result result = VerifyBlob(absl::StrCat(
      Quote(Path("artifact")), " --bundle ", Path("missing.json"), Identity()));
  EXPECT_EQ(result.exit_code, 4) << result.err;
}

TEST_F(VerifyBlobTest, VerifiesAKeylessDsseBundleAndNamesTheSigner) {
  const std::string bundle = WriteBundle(options_);
  const Result result = VerifyBlob(
      absl::StrCat(Quote(Path("artifact")), " --bundle ", bundle, Identity()));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr(kTestIdentity));
  EXPECT_THAT(result.out, HasSubstr(kTestIssuer));
  EXPECT_THAT(result.out, HasSubstr("log index:       1004"));
  EXPECT_THAT(result.out, HasSubstr("integrated time: 2025-01-01T00:18:20Z"));
}

TEST_F(VerifyBlobTest, VerifiesAMessageSignatureByDigestAsJson) {
  BundleOptions options = options_;
  options.dsse = false;
  const std::string bundle = WriteBundle(options);
  const Result digest = RunShell("sha256sum " + Quote(Path("artifact")));
  ASSERT_EQ(digest.exit_code, 0);
  const Result result =
      VerifyBlob(absl::StrCat("sha256:", digest.out.substr(0, 64), " --bundle ",
                              bundle, Identity(), " --format json"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr(R"("identity":"signer@example.com")"));
  EXPECT_THAT(result.out, HasSubstr(R"("log_index":1004)"));
  EXPECT_THAT(result.out,
              HasSubstr(R"("integrated_time":"2025-01-01T00:18:20Z")"));
}

TEST_F(VerifyBlobTest, VerifiesARekorV2BundleWithItsTimestamp) {
  BundleOptions options = options_;
  options.rekor_v2 = true;
  const std::string bundle = WriteBundle(options);
  const Result result = VerifyBlob(
      absl::StrCat(Quote(Path("artifact")), " --bundle ", bundle, Identity()));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("(rfc3161)"));
}

TEST_F(VerifyBlobTest, KeyBasedModelBundlesKeepWorking) {
  ASSERT_EQ(RunShell("cp -r " + Quote(kExample) + " " + Quote(Path("model")))
                .exit_code,
            0);
  ASSERT_EQ(Modelseal("keygen --type ecdsa-p256 --out " + Quote(Path("key")))
                .exit_code,
            0);
  const Result sign =
      Modelseal("sign " + Quote(Path("model")) + " --key " +
                Quote(Path("key.key")) + " -o " + Quote(Path("model.sig")));
  ASSERT_EQ(sign.exit_code, 0) << sign.err;
  const Result digest = Modelseal("digest " + Quote(Path("model")));
  ASSERT_EQ(digest.exit_code, 0) << digest.err;
  const std::string reference = digest.out.substr(0, digest.out.find('\n'));
  const Result result =
      VerifyBlob(absl::StrCat(reference, " --bundle ", Quote(Path("model.sig")),
                              " --key ", Quote(Path("key.pub"))));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  // The same bundle is not keyless: identity flags are refused.
  const Result keyless = VerifyBlob(absl::StrCat(
      reference, " --bundle ", Quote(Path("model.sig")), Identity()));
  EXPECT_EQ(keyless.exit_code, 1) << keyless.err;
  EXPECT_THAT(keyless.err, HasSubstr("--key"));
}

}  // namespace
}  // namespace modelseal
