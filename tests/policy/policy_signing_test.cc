// Publishing and trusting a policy: its signature, its freshness and the
// rollback protection of the local state, failure paths first.
#include "modelseal/policy_signing.h"

#include <sys/stat.h>

#include <ctime>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modelseal/oms_bundle.h"
#include "modelseal/policy.h"
#include "tests/policy/policy_test_util.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace modelseal {
namespace {

using ::modelseal::policy_testing::KeySigner;
using ::modelseal::policy_testing::MakeKey;
using ::modelseal::policy_testing::PolicyText;
using ::modelseal::policy_testing::TestCa;
using ::modelseal::policy_testing::TestKey;
using ::modelseal::testing::IsOk;
using ::modelseal::testing::StatusIs;
using ::modelseal::testing::TempDir;
using ::testing::_;
using ::testing::HasSubstr;

constexpr auto kUnauthenticated = absl::StatusCode::kUnauthenticated;
constexpr auto kPermissionDenied = absl::StatusCode::kPermissionDenied;

class PolicySigningTest : public ::testing::Test {
 protected:
  PolicySigningTest() : governance_(MakeKey()), publisher_(MakeKey()) {}

  // A valid policy document of `version`, optionally with a description
  // (to make two documents of one version differ).
  std::string Document(int version, const std::string& description = "") {
    PolicyText text;
    text.metadata =
        absl::StrCat("metadata:\n  name: alliance\n  version: ", version,
                     "\n  issued: \"2026-01-01T00:00:00Z\"\n"
                     "  expires: \"2099-01-01T00:00:00Z\"\n",
                     description.empty()
                         ? ""
                         : absl::StrCat("  description: ", description, "\n"));
    text.signers = absl::StrCat("signers:\n",
                                KeySigner("ibm", "ibm", publisher_.public_pem));
    return text.Render();
  }

  Policy Parsed(const std::string& document) {
    absl::StatusOr<Policy> policy = ParsePolicy(document, "policy.yaml");
    EXPECT_THAT(policy, IsOk());
    return policy.ok() ? *std::move(policy) : Policy();
  }

  std::string SignedBy(const TestKey& key, const std::string& document) {
    absl::StatusOr<std::string> bundle =
        SignPolicy(document, "policy.yaml", key.Identity());
    EXPECT_THAT(bundle, IsOk());
    return bundle.ok() ? *bundle : "";
  }

  TestKey governance_;
  TestKey publisher_;
};

// ---------------------------------------------------------------------------
// SignPolicy / VerifyPolicySignature
// ---------------------------------------------------------------------------

TEST_F(PolicySigningTest, SignatureByTheGovernanceKeyVerifies) {
  const std::string document = Document(1);
  const std::string bundle = SignedBy(governance_, document);
  MODELSEAL_EXPECT_OK(
      VerifyPolicySignature(document, bundle, *governance_.verifier));
  // Same bundle format as models: a bundle that parses, one resource.
  absl::StatusOr<Bundle> parsed = ParseBundle(bundle);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->public_key_hint, governance_.hint);
  absl::StatusOr<Statement> statement = ParseStatement(parsed->payload);
  ASSERT_THAT(statement, IsOk());
  ASSERT_EQ(statement->resources.size(), 1u);
  EXPECT_EQ(statement->resources[0].name, ".");
}

TEST_F(PolicySigningTest, SigningRefusesADocumentThatIsNotAPolicy) {
  EXPECT_THAT(
      SignPolicy("apiVersion: modelseal.dev/v1\n", "p.yaml",
                 governance_.Identity()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("p.yaml")));
}

TEST_F(PolicySigningTest, SignatureByAnotherKeyIsRefused) {
  const std::string document = Document(1);
  EXPECT_THAT(VerifyPolicySignature(document, SignedBy(publisher_, document),
                                    *governance_.verifier),
              StatusIs(kUnauthenticated, _));
  // With the key hint removed, the signature itself must fail.
  std::string hintless = SignedBy(publisher_, document);
  hintless = absl::StrReplaceAll(hintless, {{publisher_.hint, ""}});
  EXPECT_THAT(VerifyPolicySignature(document, hintless, *governance_.verifier),
              StatusIs(kUnauthenticated, _));
}

TEST_F(PolicySigningTest, PolicyEditedByOneByteIsRefused) {
  const std::string document = Document(1);
  const std::string bundle = SignedBy(governance_, document);
  for (std::size_t at :
       {std::size_t{0}, document.size() / 2, document.size() - 1}) {
    std::string edited = document;
    edited[at] = static_cast<char>(edited[at] ^ 0x01);
    EXPECT_THAT(VerifyPolicySignature(edited, bundle, *governance_.verifier),
                StatusIs(kUnauthenticated, HasSubstr("other bytes")))
        << at;
  }
  EXPECT_THAT(
      VerifyPolicySignature(document + "\n", bundle, *governance_.verifier),
      StatusIs(kUnauthenticated, _));
}

TEST_F(PolicySigningTest, SignatureBundleEditedByOneByteIsRefused) {
  const std::string document = Document(1);
  const std::string bundle = SignedBy(governance_, document);
  absl::StatusOr<Bundle> parsed = ParseBundle(bundle);
  ASSERT_THAT(parsed, IsOk());
  Bundle tampered = *parsed;
  tampered.signature[tampered.signature.size() / 2] ^= 0x04;
  EXPECT_THAT(VerifyPolicySignature(document, WriteBundle(tampered),
                                    *governance_.verifier),
              StatusIs(kUnauthenticated, _));
}

TEST_F(PolicySigningTest, ModelBundleIsNotAPolicySignature) {
  TempDir dir;
  dir.Write("model/config.json", "{}");
  dir.Write("model/weights.bin", "weights");
  absl::StatusOr<std::string> model_bundle =
      SignModel(dir.Join("model"), policy_testing::DefaultSerialization(), {},
                governance_.Identity());
  ASSERT_THAT(model_bundle, IsOk());
  EXPECT_THAT(
      VerifyPolicySignature(Document(1), *model_bundle, *governance_.verifier),
      StatusIs(kUnauthenticated, _));
  // Nor is a one-file model whose file is something else.
  dir.Write("single.bin", "not the policy");
  absl::StatusOr<std::string> single =
      SignModel(dir.Join("single.bin"), policy_testing::DefaultSerialization(),
                {}, governance_.Identity());
  ASSERT_THAT(single, IsOk());
  EXPECT_THAT(
      VerifyPolicySignature(Document(1), *single, *governance_.verifier),
      StatusIs(kUnauthenticated, _));
}

TEST_F(PolicySigningTest, CertificateBundleIsRefused) {
  TestCa ca;
  const std::string document = Document(1);
  SigningIdentity identity = governance_.Identity();
  identity.certificate_chain_der = {
      ca.Issue(governance_, "Alliance Governance", "")};
  absl::StatusOr<std::string> bundle =
      SignPolicy(document, "policy.yaml", identity);
  ASSERT_THAT(bundle, IsOk());
  EXPECT_THAT(VerifyPolicySignature(document, *bundle, *governance_.verifier),
              StatusIs(kUnauthenticated, HasSubstr("certificate")));
}

TEST_F(PolicySigningTest, MalformedBundleIsInvalidArgument) {
  EXPECT_THAT(VerifyPolicySignature(Document(1), "{\"mediaType\": 1}",
                                    *governance_.verifier),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
  EXPECT_THAT(VerifyPolicySignature(Document(1), "", *governance_.verifier),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
}

// ---------------------------------------------------------------------------
// CheckPolicyFreshness
// ---------------------------------------------------------------------------

TEST_F(PolicySigningTest, ExpiredPolicyIsRefused) {
  const Policy policy = Parsed(Document(1));
  const std::time_t expires = policy.metadata.expires;
  EXPECT_THAT(CheckPolicyFreshness(policy, expires),
              StatusIs(kPermissionDenied, HasSubstr("expired")));
  EXPECT_THAT(CheckPolicyFreshness(policy, expires + 86400),
              StatusIs(kPermissionDenied, HasSubstr("expired")));
  MODELSEAL_EXPECT_OK(CheckPolicyFreshness(policy, expires - 1));
}

TEST_F(PolicySigningTest, PolicyIssuedInTheFutureIsRefused) {
  const Policy policy = Parsed(Document(1));
  const std::time_t issued = policy.metadata.issued;
  EXPECT_THAT(CheckPolicyFreshness(policy, issued - 3600),
              StatusIs(kPermissionDenied, HasSubstr("future")));
  // A few minutes of clock skew are tolerated.
  MODELSEAL_EXPECT_OK(CheckPolicyFreshness(policy, issued - 60));
  MODELSEAL_EXPECT_OK(CheckPolicyFreshness(policy, issued));
}

// ---------------------------------------------------------------------------
// PolicyStateStore
// ---------------------------------------------------------------------------

class PolicyStateStoreTest : public PolicySigningTest {
 protected:
  absl::Status Record(Env& env, const std::string& directory,
                      const std::string& document) {
    absl::StatusOr<PolicyStateStore> store =
        PolicyStateStore::Open(env, directory);
    if (!store.ok()) return store.status();
    return store->CheckAndRecord(Parsed(document), document);
  }
};

TEST_F(PolicyStateStoreTest, FirstPolicyIsRecordedInAPrivateFile) {
  TempDir dir;
  const std::string state = dir.Join("state/modelseal");
  MODELSEAL_EXPECT_OK(Record(*Env::Default(), state, Document(3)));
  struct stat info;
  ASSERT_EQ(::stat((state + "/policy-versions").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  const std::string text = policy_testing::ReadFile(state + "/policy-versions");
  EXPECT_THAT(text, HasSubstr(" 3 "));
  // "alliance" in hex names the policy.
  EXPECT_THAT(text, HasSubstr("616c6c69616e6365"));
}

TEST_F(PolicyStateStoreTest, NewerVersionIsAcceptedAndOlderIsARollback) {
  TempDir dir;
  MODELSEAL_ASSERT_OK(Record(*Env::Default(), dir.path(), Document(3)));
  MODELSEAL_EXPECT_OK(Record(*Env::Default(), dir.path(), Document(3)));
  MODELSEAL_EXPECT_OK(Record(*Env::Default(), dir.path(), Document(5)));
  EXPECT_THAT(Record(*Env::Default(), dir.path(), Document(4)),
              StatusIs(kPermissionDenied, HasSubstr("rollback")));
  EXPECT_THAT(Record(*Env::Default(), dir.path(), Document(3)),
              StatusIs(kPermissionDenied, HasSubstr("rollback")));
  // The refusal did not lower the recorded version.
  EXPECT_THAT(Record(*Env::Default(), dir.path(), Document(4)),
              StatusIs(kPermissionDenied, _));
  MODELSEAL_EXPECT_OK(Record(*Env::Default(), dir.path(), Document(5)));
}

TEST_F(PolicyStateStoreTest, SameVersionWithOtherBytesIsRefused) {
  TempDir dir;
  MODELSEAL_ASSERT_OK(Record(*Env::Default(), dir.path(), Document(7)));
  EXPECT_THAT(Record(*Env::Default(), dir.path(), Document(7, "changed")),
              StatusIs(kPermissionDenied, HasSubstr("new version")));
  // Another policy name is independent.
  const std::string other =
      absl::StrReplaceAll(Document(1), {{"name: alliance", "name: other"}});
  MODELSEAL_EXPECT_OK(Record(*Env::Default(), dir.path(), other));
  EXPECT_THAT(Record(*Env::Default(), dir.path(), Document(6)),
              StatusIs(kPermissionDenied, HasSubstr("rollback")));
}

TEST_F(PolicyStateStoreTest, CorruptedStateIsDataLossAndLeftUntouched) {
  const std::vector<std::string> corrupt = {
      "garbage\n",
      "616c6c69616e6365 x 00\n",
      "616c6c69616e6365 3\n",
      absl::StrCat("616c6c69616e6365 0 ", std::string(64, 'a'), "\n"),
      absl::StrCat("zz 3 ", std::string(64, 'a'), "\n"),
      absl::StrCat("616c6c69616e6365 3 ", std::string(63, 'a'), "\n"),
      absl::StrCat("616c6c69616e6365 3 ", std::string(64, 'g'), "\n"),
  };
  for (const std::string& contents : corrupt) {
    TempDir dir;
    const std::string path = dir.Write("policy-versions", contents);
    EXPECT_THAT(PolicyStateStore::Open(*Env::Default(), dir.path()),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr("corrupted")))
        << contents;
    EXPECT_EQ(policy_testing::ReadFile(path), contents);
  }
}

TEST_F(PolicyStateStoreTest, WorksInAMemoryEnv) {
  std::unique_ptr<Env> env = NewMemoryEnv();
  MODELSEAL_ASSERT_OK(Record(*env, "/state/modelseal", Document(2)));
  absl::StatusOr<FileInfo> info = env->Stat("/state/modelseal/policy-versions");
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->mode & 0777, 0600u);
  EXPECT_THAT(Record(*env, "/state/modelseal", Document(1)),
              StatusIs(kPermissionDenied, HasSubstr("rollback")));
  MODELSEAL_EXPECT_OK(Record(*env, "/state/modelseal", Document(9)));
}

}  // namespace
}  // namespace modelseal
