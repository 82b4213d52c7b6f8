// ParsePolicy, failure paths first: every way a policy document can be
// wrong or hostile must be refused with a message that names the place.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modelseal/licenses.h"
#include "modelseal/limits.h"
#include "modelseal/policy.h"
#include "tests/policy/policy_test_util.h"
#include "tests/testing/status_matchers.h"

namespace modelseal {
namespace {

using ::modelseal::policy_testing::BlockScalar;
using ::modelseal::policy_testing::CaSigner;
using ::modelseal::policy_testing::JsonString;
using ::modelseal::policy_testing::KeySigner;
using ::modelseal::policy_testing::MakeKey;
using ::modelseal::policy_testing::PolicyText;
using ::modelseal::policy_testing::TestCa;
using ::modelseal::policy_testing::TestKey;
using ::modelseal::testing::IsOk;
using ::modelseal::testing::StatusIs;
using ::testing::_;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;
constexpr auto kExhausted = absl::StatusCode::kResourceExhausted;

// Key material shared by every test (made once: the CA needs the openssl
// command line).
struct Material {
  TestKey ibm = MakeKey();
  TestKey meta = MakeKey(KeyType::kEd25519);
  TestCa ca;
  std::string log_origin = "example.com/policy-test-log";
  std::string log_key;

  Material() {
    absl::StatusOr<tlog::NoteKeyPair> note = tlog::GenerateNoteKey(log_origin);
    EXPECT_TRUE(note.ok()) << note.status();
    log_key = note->verifier_key;
  }
};

const Material& Keys() {
  static const Material* const material = new Material();
  return *material;
}

// A small valid policy: two key signers, one threshold.
PolicyText Minimal() {
  PolicyText text;
  text.signers =
      absl::StrCat("signers:\n",
                   KeySigner("ibm-release", "ibm", Keys().ibm.public_pem,
                             "    roles: [publisher]\n"),
                   KeySigner("meta-review", "meta", Keys().meta.public_pem,
                             "    roles: [reviewer]\n"));
  return text;
}

absl::StatusOr<Policy> Parse(const std::string& text) {
  return ParsePolicy(text, "policy.yaml");
}

// The 1-based line of the first occurrence of `needle` in `text`.
std::size_t LineOf(const std::string& text, const std::string& needle) {
  const std::size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  return 1 + static_cast<std::size_t>(
                 std::count(text.begin(), text.begin() + at, '\n'));
}

// ---------------------------------------------------------------------------
// A complete policy
// ---------------------------------------------------------------------------

PolicyText Complete() {
  PolicyText text = Minimal();
  text.metadata =
      "metadata:\n  name: alliance\n  version: 12\n"
      "  issued: 2026-01-01\n"
      "  expires: \"2030-06-30T12:00:00+02:00\"\n"
      "  description: Test rulebook.\n";
  text.organizations =
      "organizations:\n  - {id: ibm, name: IBM}\n  - {id: meta, name: Meta}\n"
      "  - {id: hf, name: Hugging Face}\n";
  text.signers = absl::StrCat(
      "signers:\n",
      KeySigner("ibm-release", "ibm", Keys().ibm.public_pem,
                "    roles: [publisher, reviewer]\n"
                "    valid_from: \"2026-02-01T00:00:00Z\"\n"
                "    valid_until: \"2029-01-01T00:00:00Z\"\n"),
      KeySigner("meta-review", "meta", Keys().meta.public_pem,
                "    roles: [reviewer]\n"),
      CaSigner("hf-ca", "hf", Keys().ca.root_pem(), "CN=HF Release",
               "release@hf.example"),
      "  - id: hf-ci\n    organization: hf\n    keyless:\n"
      "      issuer: https://token.actions.githubusercontent.com\n"
      "      subject_regexp: "
      "\"^https://github.com/hf/.*/.github/workflows/release.yml@.*$\"\n");
  text.revocations = absl::StrCat(
      "revocations:\n"
      "  - signer: meta-review\n    date: \"2028-01-01T00:00:00Z\"\n"
      "    reason: key lost\n"
      "  - key_id: ",
      absl::AsciiStrToUpper(Keys().ibm.hint), "\n    date: 2029-05-01\n");
  text.thresholds =
      "thresholds:\n"
      "  - name: publisher\n    min_signatures: 1\n    of_roles: [publisher]\n"
      "  - min_signatures: 2\n    of_signers: [ibm-release, meta-review]\n"
      "    distinct_organizations: true\n";
  text.transparency = absl::StrCat(
      "transparency:\n  require_inclusion: true\n  logs:\n    - origin: ",
      Keys().log_origin, "\n      key: \"", Keys().log_key, "\"\n");
  text.hashes = "hashes:\n  allowed: [sha256, blake3]\n";
  text.model_card = policy_testing::StandardModelCardSection();
  text.licenses =
      "licenses:\n  allow: [apache-2.0, MIT]\n  review: [llama2]\n"
      "  deny: [cc-by-nc-4.0]\n  unknown: review\n";
  text.artifacts =
      "artifacts:\n  forbidden_formats: [pickle, pytorch-zip]\n"
      "  allowed_formats: [safetensors, json, text]\n  fail_on: warning\n";
  return text;
}

TEST(PolicyDocumentTest, ParsesACompletePolicyWithEveryFieldTyped) {
  absl::StatusOr<Policy> parsed = Parse(Complete().Render());
  ASSERT_THAT(parsed, IsOk());
  const Policy& policy = *parsed;
  EXPECT_EQ(policy.metadata.name, "alliance");
  EXPECT_EQ(policy.metadata.version, 12);
  EXPECT_EQ(policy.metadata.issued, 1767225600);   // 2026-01-01T00:00:00Z
  EXPECT_EQ(policy.metadata.expires, 1909044000);  // 2030-06-30T10:00:00Z
  EXPECT_EQ(policy.metadata.description, "Test rulebook.");
  ASSERT_EQ(policy.organizations.size(), 3u);
  EXPECT_EQ(policy.organizations[2].name, "Hugging Face");

  ASSERT_EQ(policy.signers.size(), 4u);
  const PolicySigner& ibm = policy.signers[0];
  EXPECT_EQ(ibm.id, "ibm-release");
  EXPECT_EQ(ibm.organization, "ibm");
  EXPECT_THAT(ibm.roles, ElementsAre("publisher", "reviewer"));
  EXPECT_EQ(ibm.valid_from, std::optional<std::time_t>(1769904000));
  EXPECT_EQ(ibm.valid_until, std::optional<std::time_t>(1861920000));
  ASSERT_NE(ibm.public_key, nullptr);
  EXPECT_EQ(ibm.key_hint, Keys().ibm.hint);
  EXPECT_EQ(ibm.public_key->public_key_pem(), Keys().ibm.public_pem);
  EXPECT_TRUE(ibm.ca_roots_der.empty());
  EXPECT_FALSE(ibm.keyless.has_value());
  EXPECT_EQ(ibm.policy_ref, "signers[0]");

  const PolicySigner& meta = policy.signers[1];
  EXPECT_EQ(meta.public_key->key_type(), KeyType::kEd25519);
  EXPECT_FALSE(meta.valid_from.has_value());
  EXPECT_FALSE(meta.valid_until.has_value());

  const PolicySigner& ca = policy.signers[2];
  EXPECT_EQ(ca.public_key, nullptr);
  ASSERT_EQ(ca.ca_roots_der.size(), 1u);
  EXPECT_EQ(ca.ca_roots_der[0],
            (*CertificatesFromPem(Keys().ca.root_pem()))[0]);
  EXPECT_EQ(ca.expected_subject, "CN=HF Release");
  EXPECT_EQ(ca.expected_san, "release@hf.example");

  const PolicySigner& keyless = policy.signers[3];
  ASSERT_TRUE(keyless.keyless.has_value());
  EXPECT_EQ(keyless.keyless->issuer,
            "https://token.actions.githubusercontent.com");
  EXPECT_TRUE(keyless.keyless->issuer_regexp.empty());
  EXPECT_TRUE(keyless.keyless->subject.empty());
  EXPECT_THAT(keyless.keyless->subject_regexp, HasSubstr("release.yml"));

  ASSERT_EQ(policy.revocations.size(), 2u);
  EXPECT_EQ(policy.revocations[0].signer, "meta-review");
  EXPECT_EQ(policy.revocations[0].reason, "key lost");
  EXPECT_EQ(policy.revocations[0].policy_ref, "revocations[0]");
  // Key ids are compared in lower case whatever the policy wrote.
  EXPECT_EQ(policy.revocations[1].key_hint, Keys().ibm.hint);
  EXPECT_EQ(policy.revocations[1].date, 1872288000);  // 2029-05-01

  ASSERT_EQ(policy.thresholds.size(), 2u);
  EXPECT_EQ(policy.thresholds[0].name, "publisher");
  EXPECT_THAT(policy.thresholds[0].of_roles, ElementsAre("publisher"));
  EXPECT_FALSE(policy.thresholds[0].distinct_organizations);
  EXPECT_EQ(policy.thresholds[1].name, "thresholds[1]");
  EXPECT_EQ(policy.thresholds[1].min_signatures, 2u);
  EXPECT_THAT(policy.thresholds[1].of_signers,
              ElementsAre("ibm-release", "meta-review"));
  EXPECT_TRUE(policy.thresholds[1].distinct_organizations);

  EXPECT_TRUE(policy.transparency.require_inclusion);
  ASSERT_EQ(policy.transparency.logs.size(), 1u);
  EXPECT_EQ(policy.transparency.logs[0].origin, Keys().log_origin);
  EXPECT_EQ(policy.transparency.logs[0].verifier_key, Keys().log_key);
  EXPECT_THAT(policy.allowed_hashes,
              ElementsAre(HashAlgorithm::kSha256, HashAlgorithm::kBlake3));

  const PolicyModelCard& card = policy.model_card;
  EXPECT_TRUE(card.present);
  EXPECT_EQ(card.path, "README.md");
  EXPECT_EQ(card.severity, Severity::kError);
  EXPECT_THAT(card.required_fields, ElementsAre("license", "language"));
  ASSERT_EQ(card.required_sections.size(), 5u);
  EXPECT_EQ(card.required_sections[1].title, "Uses");
  EXPECT_THAT(card.required_sections[1].aliases,
              ElementsAre("Intended Uses", "Intended Use"));
  EXPECT_EQ(card.required_sections[3].title, "Training Data");  // scalar form
  EXPECT_EQ(card.required_sections[3].min_words, 1u);
  EXPECT_EQ(card.required_sections[4].min_words, 2u);
  EXPECT_EQ(card.required_sections[4].policy_ref,
            "model_card.required_sections[4]");
  ASSERT_EQ(card.rules.size(), 1u);
  EXPECT_EQ(card.rules[0].field, "license");
  EXPECT_EQ(card.rules[0].equals, "other");
  EXPECT_THAT(card.rules[0].require_fields, ElementsAre("license_name"));
  EXPECT_THAT(card.forbidden_placeholders,
              ElementsAre("[More Information Needed]", "TODO"));

  // Hub ids become SPDX ids; ids without one become LicenseRef-hf-*.
  EXPECT_TRUE(policy.licenses.present);
  EXPECT_THAT(policy.licenses.allow, ElementsAre("Apache-2.0", "MIT"));
  EXPECT_THAT(policy.licenses.review, ElementsAre("LicenseRef-hf-llama2"));
  EXPECT_THAT(policy.licenses.deny, ElementsAre("CC-BY-NC-4.0"));
  EXPECT_EQ(policy.licenses.unknown, UnknownLicense::kReview);

  EXPECT_TRUE(policy.artifacts.present);
  EXPECT_THAT(policy.artifacts.forbidden_formats,
              ElementsAre("pickle", "pytorch-zip"));
  EXPECT_THAT(policy.artifacts.allowed_formats,
              ElementsAre("safetensors", "json", "text"));
  EXPECT_EQ(policy.artifacts.fail_on, Severity::kWarning);

  EXPECT_EQ(policy.FindSigner("hf-ca"), &policy.signers[2]);
  EXPECT_EQ(policy.FindSigner("nobody"), nullptr);
  EXPECT_EQ(policy.FindOrganization("meta"), &policy.organizations[1]);
}

TEST(PolicyDocumentTest, OptionalSectionsAreAbsentWhenNotWritten) {
  absl::StatusOr<Policy> parsed = Parse(Minimal().Render());
  ASSERT_THAT(parsed, IsOk());
  EXPECT_FALSE(parsed->model_card.present);
  EXPECT_FALSE(parsed->licenses.present);
  EXPECT_FALSE(parsed->artifacts.present);
  EXPECT_FALSE(parsed->transparency.require_inclusion);
  EXPECT_THAT(parsed->transparency.logs, IsEmpty());
  EXPECT_THAT(parsed->allowed_hashes, IsEmpty());
  EXPECT_THAT(parsed->revocations, IsEmpty());
}

TEST(PolicyDocumentTest, ParsesTheSamePolicyWrittenAsJson) {
  const std::string json = absl::StrCat(
      R"({"apiVersion": "modelseal.dev/v1", "kind": "AlliancePolicy",
  "metadata": {"name": "json-policy", "version": 4,
               "issued": "2026-01-01T00:00:00Z", "expires": "2099-01-01"},
  "organizations": [{"id": "ibm", "name": "IBM"}, {"id": "meta", "name": "Meta"}],
  "signers": [
    {"id": "ibm-release", "organization": "ibm", "roles": ["publisher"],
     "public_key": )",
      JsonString(Keys().ibm.public_pem), R"(},
    {"id": "meta-review", "organization": "meta", "public_key": )",
      JsonString(Keys().meta.public_pem), R"(}],
  "revocations": [],
  "thresholds": [{"min_signatures": 2, "distinct_organizations": true}],
  "transparency": {"require_inclusion": true,
                   "logs": [{"origin": )",
      JsonString(Keys().log_origin), R"(, "key": )", JsonString(Keys().log_key),
      R"(}]},
  "hashes": {"allowed": ["sha256"]},
  "licenses": {"allow": ["apache-2.0"], "unknown": "deny"},
  "artifacts": {"forbidden_formats": ["pickle"]}
})");
  absl::StatusOr<Policy> parsed = ParsePolicy(json, "policy.json");
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->metadata.name, "json-policy");
  EXPECT_EQ(parsed->metadata.version, 4);
  ASSERT_EQ(parsed->signers.size(), 2u);
  EXPECT_EQ(parsed->signers[1].key_hint, Keys().meta.hint);
  EXPECT_TRUE(parsed->thresholds[0].distinct_organizations);
  EXPECT_TRUE(parsed->transparency.require_inclusion);
  EXPECT_THAT(parsed->licenses.allow, ElementsAre("Apache-2.0"));
  EXPECT_THAT(parsed->artifacts.forbidden_formats, ElementsAre("pickle"));

  // JSON gets the same strictness: a duplicate key is refused.
  const std::string duplicate = absl::StrReplaceAll(
      json, {{R"("version": 4,)", R"("version": 4, "version": 5,)"}});
  EXPECT_THAT(ParsePolicy(duplicate, "policy.json"),
              StatusIs(kInvalid, AllOf(HasSubstr("policy.json:"),
                                       HasSubstr("duplicate key"))));
}

// ---------------------------------------------------------------------------
// Structure: unknown, duplicate and missing keys
// ---------------------------------------------------------------------------

TEST(PolicyDocumentTest, RejectsAnUnknownTopLevelKeyNamingFileLineAndColumn) {
  PolicyText text = Minimal();
  text.revocations = "sigers: []\n";
  const std::string yaml = text.Render();
  absl::StatusOr<Policy> parsed = Parse(yaml);
  EXPECT_THAT(parsed, StatusIs(kInvalid, HasSubstr("unknown key 'sigers'")));
  EXPECT_THAT(std::string(parsed.status().message()),
              MatchesRegex(absl::StrCat(
                  "^policy\\.yaml:", LineOf(yaml, "sigers:"), ":[0-9]+: .*")));
}

TEST(PolicyDocumentTest, RejectsAnUnknownNestedKeyNamingWhereItIs) {
  PolicyText text = Minimal();
  text.signers = absl::StrCat(
      "signers:\n", KeySigner("ibm-release", "ibm", Keys().ibm.public_pem,
                              "    valid_untill: 2027-01-01\n"));
  const std::string yaml = text.Render();
  absl::StatusOr<Policy> parsed = Parse(yaml);
  EXPECT_THAT(parsed, StatusIs(kInvalid, AllOf(HasSubstr("signers[0]"),
                                               HasSubstr("valid_untill"))));
  EXPECT_THAT(
      std::string(parsed.status().message()),
      MatchesRegex(absl::StrCat("^policy\\.yaml:", LineOf(yaml, "valid_untill"),
                                ":[0-9]+: .*")));

  // Everywhere: metadata, thresholds, transparency, card rules, licenses.
  const std::vector<std::pair<std::string PolicyText::*, std::string>> cases = {
      {&PolicyText::metadata,
       "metadata:\n  name: a\n  version: 1\n  issued: 2026-01-01\n"
       "  expires: 2099-01-01\n  owner: me\n"},
      {&PolicyText::thresholds,
       "thresholds:\n  - min_signatures: 1\n    of_signer: [ibm-release]\n"},
      {&PolicyText::transparency,
       absl::StrCat("transparency:\n  logs:\n    - origin: ", Keys().log_origin,
                    "\n      key: \"", Keys().log_key,
                    "\"\n      url: https://example.com\n")},
      {&PolicyText::model_card,
       "model_card:\n  rules:\n    - when: {field: license, equals: other, "
       "case: ignore}\n      require_fields: [license_name]\n"},
      {&PolicyText::licenses, "licenses:\n  allowed: [mit]\n"},
      {&PolicyText::artifacts, "artifacts:\n  forbidden: [pickle]\n"},
      {&PolicyText::hashes,
       "hashes:\n  allowed: [sha256]\n  default: sha256\n"}};
  for (const auto& [section, value] : cases) {
    PolicyText changed = Minimal();
    changed.*section = value;
    EXPECT_THAT(Parse(changed.Render()),
                StatusIs(kInvalid, HasSubstr("unknown key")))
        << value;
  }
}

TEST(PolicyDocumentTest, RejectsADuplicateKey) {
  PolicyText text = Minimal();
  text.metadata =
      "metadata:\n  name: a\n  version: 1\n  version: 2\n"
      "  issued: 2026-01-01\n  expires: 2099-01-01\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, AllOf(HasSubstr("policy.yaml:6:"),
                                       HasSubstr("duplicate key 'version'"))));
  // A whole section twice is a duplicate too.
  text = Minimal();
  text.hashes = "thresholds:\n  - min_signatures: 2\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("duplicate key 'thresholds'")));
}

TEST(PolicyDocumentTest, RejectsAWrongApiVersionOrKind) {
  PolicyText text = Minimal();
  text.header = "apiVersion: modelseal.dev/v2\nkind: AlliancePolicy\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, AllOf(HasSubstr("policy.yaml:1:"),
                                       HasSubstr("apiVersion"),
                                       HasSubstr("modelseal.dev/v2"))));
  text.header = "apiVersion: modelseal.dev/v1\nkind: ModelPolicy\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, AllOf(HasSubstr("policy.yaml:2:"),
                                       HasSubstr("ModelPolicy"))));
  text.header = "kind: AlliancePolicy\n";
  EXPECT_THAT(
      Parse(text.Render()),
      StatusIs(kInvalid, HasSubstr("missing required key 'apiVersion'")));
}

TEST(PolicyDocumentTest, RejectsMissingRequiredKeys) {
  const std::vector<std::string> metadata_keys = {"name", "version", "issued",
                                                  "expires"};
  for (const std::string& key : metadata_keys) {
    PolicyText text = Minimal();
    std::string metadata = "metadata:\n";
    if (key != "name") metadata += "  name: a\n";
    if (key != "version") metadata += "  version: 1\n";
    if (key != "issued") metadata += "  issued: 2026-01-01\n";
    if (key != "expires") metadata += "  expires: 2099-01-01\n";
    text.metadata = metadata;
    EXPECT_THAT(
        Parse(text.Render()),
        StatusIs(kInvalid, AllOf(HasSubstr("metadata"),
                                 HasSubstr(absl::StrCat(
                                     "missing required key '", key, "'")))))
        << key;
  }
  PolicyText text = Minimal();
  text.metadata = "";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("missing required key 'metadata'")));
  text = Minimal();
  text.organizations = "";
  EXPECT_THAT(
      Parse(text.Render()),
      StatusIs(kInvalid, HasSubstr("missing required key 'organizations'")));
  text = Minimal();
  text.signers = "";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("missing required key 'signers'")));
  text = Minimal();
  text.thresholds = "";
  EXPECT_THAT(
      Parse(text.Render()),
      StatusIs(kInvalid, HasSubstr("missing required key 'thresholds'")));
  // An empty list is no better than a missing one.
  text.thresholds = "thresholds: []\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("at least one threshold")));
  text = Minimal();
  text.signers = "signers: []\n";
  EXPECT_THAT(Parse(text.Render()), StatusIs(kInvalid, HasSubstr("signers")));
  // A signer without its organisation, an organisation without a name.
  text = Minimal();
  text.signers = absl::StrCat("signers:\n  - id: x\n    public_key: ",
                              BlockScalar(Keys().ibm.public_pem, 6));
  EXPECT_THAT(
      Parse(text.Render()),
      StatusIs(kInvalid, HasSubstr("missing required key 'organization'")));
  text = Minimal();
  text.organizations = "organizations:\n  - {id: ibm}\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("missing required key 'name'")));
}

TEST(PolicyDocumentTest, RejectsWrongTypes) {
  const std::vector<std::pair<std::string, std::string>> metadata_cases = {
      {"  version: \"1\"\n", "integer"},  // quoted: a string
      {"  version: 1.0\n", "integer"},
      {"  version: 0\n", "between"},
      {"  version: [1]\n", "integer"},
  };
  for (const auto& [version, message] : metadata_cases) {
    PolicyText text = Minimal();
    text.metadata =
        absl::StrCat("metadata:\n  name: a\n", version,
                     "  issued: 2026-01-01\n  expires: 2099-01-01\n");
    EXPECT_THAT(Parse(text.Render()), StatusIs(kInvalid, HasSubstr(message)))
        << version;
  }
  PolicyText text = Minimal();
  text.organizations = "organizations: {ibm: IBM}\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("organizations")));
  text = Minimal();
  text.thresholds = "thresholds:\n  - min_signatures: \"1\"\n";
  EXPECT_THAT(Parse(text.Render()), StatusIs(kInvalid, HasSubstr("integer")));
  text = Minimal();
  text.header = "apiVersion: [modelseal.dev/v1]\nkind: AlliancePolicy\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("expected a string")));
  EXPECT_THAT(Parse("[1, 2]"), StatusIs(kInvalid, HasSubstr("mapping")));
  EXPECT_THAT(Parse(""), StatusIs(kInvalid, _));
}

// ---------------------------------------------------------------------------
// Semantics: times, signers, references, thresholds
// ---------------------------------------------------------------------------

TEST(PolicyDocumentTest, RejectsExpiresNotLaterThanIssued) {
  for (const std::string& expires :
       std::vector<std::string>{"2026-01-01", "2025-12-31T23:59:59Z"}) {
    PolicyText text = Minimal();
    text.metadata = absl::StrCat(
        "metadata:\n  name: a\n  version: 1\n  issued: 2026-01-01\n"
        "  expires: \"",
        expires, "\"\n");
    EXPECT_THAT(Parse(text.Render()),
                StatusIs(kInvalid, AllOf(HasSubstr("metadata.expires"),
                                         HasSubstr("later"))))
        << expires;
  }
}

TEST(PolicyDocumentTest, RejectsABadTime) {
  for (const std::string& time : std::vector<std::string>{
           "yesterday", "2026-13-01", "2026-02-30", "30/11/2026",
           "2026-11-30 12:00", "1764460800"}) {
    PolicyText text = Minimal();
    text.metadata =
        absl::StrCat("metadata:\n  name: a\n  version: 1\n  issued: \"", time,
                     "\"\n  expires: 2099-01-01\n");
    EXPECT_THAT(Parse(text.Render()),
                StatusIs(kInvalid, AllOf(HasSubstr("metadata.issued"),
                                         HasSubstr("RFC 3339"))))
        << time;
  }
}

TEST(PolicyDocumentTest, RejectsASignerWithZeroOrTwoWaysToNameIt) {
  PolicyText text = Minimal();
  text.signers =
      "signers:\n  - id: ibm-release\n    organization: ibm\n"
      "    roles: [publisher]\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, AllOf(HasSubstr("signers[0]"),
                                       HasSubstr("exactly one of"))));
  text.signers = absl::StrCat(
      "signers:\n",
      KeySigner("ibm-release", "ibm", Keys().ibm.public_pem,
                "    keyless: {issuer: https://a.example, subject: me}\n"));
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("exactly one of")));
  text.signers = absl::StrCat(
      CaSigner("ibm-ca", "ibm", Keys().ca.root_pem(), "CN=IBM", ""),
      "    public_key: ", BlockScalar(Keys().ibm.public_pem, 6));
  text.signers = "signers:\n" + text.signers;
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("exactly one of")));
  // Keyless needs exactly one issuer form and one subject form.
  text.signers =
      "signers:\n  - id: ci\n    organization: ibm\n"
      "    keyless: {issuer: https://a.example, issuer_regexp: \".*\", "
      "subject: me}\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("issuer or issuer_regexp")));
  text.signers =
      "signers:\n  - id: ci\n    organization: ibm\n"
      "    keyless: {issuer: https://a.example}\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("subject or subject_regexp")));
}

TEST(PolicyDocumentTest, RejectsDuplicateIdsAndAnInvertedValidityWindow) {
  PolicyText text = Minimal();
  text.signers = absl::StrCat(
      "signers:\n", KeySigner("same", "ibm", Keys().ibm.public_pem),
      KeySigner("same", "meta", Keys().meta.public_pem));
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("'same' is defined twice")));
  text = Minimal();
  text.organizations =
      "organizations:\n  - {id: ibm, name: IBM}\n  - {id: ibm, name: Other}\n"
      "  - {id: meta, name: Meta}\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("'ibm' is defined twice")));
  text = Minimal();
  text.signers = absl::StrCat(
      "signers:\n",
      KeySigner("ibm-release", "ibm", Keys().ibm.public_pem,
                "    valid_from: 2027-01-01\n    valid_until: 2026-01-01\n"));
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("valid_until must be later")));
}

TEST(PolicyDocumentTest, RejectsAnUnknownOrganizationReference) {
  PolicyText text = Minimal();
  text.signers =
      absl::StrCat("signers:\n", KeySigner("x", "ibn", Keys().ibm.public_pem));
  const std::string yaml = text.Render();
  EXPECT_THAT(
      Parse(yaml),
      StatusIs(kInvalid,
               AllOf(HasSubstr(absl::StrCat("policy.yaml:", LineOf(yaml, "ibn"),
                                            ":")),
                     HasSubstr("'ibn' is not an id in organizations"))));
}

TEST(PolicyDocumentTest, RejectsAThresholdOverAnUnknownSignerOrRole) {
  PolicyText text = Minimal();
  text.thresholds =
      "thresholds:\n  - min_signatures: 1\n    of_signers: [ibm-relase]\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("'ibm-relase' is not an id in "
                                           "signers")));
  text.thresholds =
      "thresholds:\n  - min_signatures: 1\n    of_roles: [publsher]\n";
  EXPECT_THAT(
      Parse(text.Render()),
      StatusIs(kInvalid, HasSubstr("no signer has the role 'publsher'")));
}

TEST(PolicyDocumentTest, RejectsMinSignaturesOfZeroOrAboveTheSignerCount) {
  for (const std::string& minimum :
       std::vector<std::string>{"0", "-1", "3", "99999999999999999999"}) {
    PolicyText text = Minimal();
    text.thresholds =
        absl::StrCat("thresholds:\n  - min_signatures: ", minimum, "\n");
    EXPECT_THAT(Parse(text.Render()),
                StatusIs(kInvalid, HasSubstr("min_signatures")))
        << minimum;
  }
}

TEST(PolicyDocumentTest, RejectsAThresholdThatItsSignerListCannotMeet) {
  // Two signers exist, but the threshold names only one of them: it can
  // never be met, which is a policy bug the author must hear about.
  PolicyText text = Minimal();
  text.thresholds =
      "thresholds:\n  - min_signatures: 2\n    of_signers: [ibm-release]\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("min_signatures")));
}

TEST(PolicyDocumentTest, RejectsMalformedKeyMaterial) {
  const std::string pem = Keys().ibm.public_pem;
  const std::vector<std::string> broken = {
      "not a key",
      pem.substr(0, pem.size() / 2),  // truncated
      absl::StrReplaceAll(pem, {{"PUBLIC KEY", "PRIVATE KEY"}}),
      Keys().ca.root_pem(),  // a certificate is not a public key
      Keys().ibm.private_pem,
  };
  for (const std::string& material : broken) {
    PolicyText text = Minimal();
    text.signers =
        absl::StrCat("signers:\n", KeySigner("ibm-release", "ibm", material));
    EXPECT_THAT(Parse(text.Render()),
                StatusIs(kInvalid, AllOf(HasSubstr("signers[0].public_key"),
                                         HasSubstr("public key PEM"))))
        << material;
  }
  // A CA root that is not a certificate.
  PolicyText text = Minimal();
  text.signers =
      absl::StrCat("signers:\n", CaSigner("ca", "ibm", pem, "CN=IBM", ""));
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, AllOf(HasSubstr("certificate_authority.root"),
                                       HasSubstr("certificate PEM"))));
}

TEST(PolicyDocumentTest, RejectsACertificateAuthorityWithoutSubjectOrSan) {
  PolicyText text = Minimal();
  text.signers = absl::StrCat(
      "signers:\n", CaSigner("ca", "ibm", Keys().ca.root_pem(), "", ""));
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("needs a subject or a san")));
  // Either one is enough.
  text.signers = absl::StrCat(
      "signers:\n",
      CaSigner("ca", "ibm", Keys().ca.root_pem(), "", "ci@ibm.example"));
  EXPECT_THAT(Parse(text.Render()), IsOk());
}

TEST(PolicyDocumentTest, RejectsYesNoAndOtherSpellingsOfBooleans) {
  for (const std::string& spelling : std::vector<std::string>{
           "yes", "no", "on", "off", "True", "FALSE", "\"true\"", "1", "y"}) {
    PolicyText text = Minimal();
    text.thresholds = absl::StrCat(
        "thresholds:\n  - min_signatures: 1\n    distinct_organizations: ",
        spelling, "\n");
    EXPECT_THAT(Parse(text.Render()),
                StatusIs(kInvalid, HasSubstr("expected true or false")))
        << spelling;
    text = Minimal();
    text.transparency =
        absl::StrCat("transparency:\n  require_inclusion: ", spelling,
                     "\n  logs:\n    - origin: ", Keys().log_origin,
                     "\n      key: \"", Keys().log_key, "\"\n");
    EXPECT_THAT(Parse(text.Render()),
                StatusIs(kInvalid, HasSubstr("expected true or false")))
        << spelling;
  }
}

TEST(PolicyDocumentTest, RejectsALicenseListedTwice) {
  PolicyText text = Minimal();
  // The same license under its Hub id and its SPDX id.
  text.licenses = "licenses:\n  allow: [apache-2.0]\n  deny: [Apache-2.0]\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("appears in more than one list")));
  text.licenses =
      "licenses:\n  review: [llama2]\n  deny: [LicenseRef-hf-llama2]\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("appears in more than one list")));
  text.licenses = "licenses:\n  allow: [mit, mit]\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("listed twice")));
  text.licenses = "licenses:\n  unknown: ignore\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("deny, review or allow")));
}

TEST(PolicyDocumentTest, RejectsAFormatBothForbiddenAndAllowed) {
  PolicyText text = Minimal();
  text.artifacts =
      "artifacts:\n  forbidden_formats: [pickle]\n"
      "  allowed_formats: [safetensors, pickle]\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("both forbidden and allowed")));
  text.artifacts = "artifacts:\n  fail_on: fatal\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("unknown severity")));
}

TEST(PolicyDocumentTest, RejectsAFormatNameTheScannerDoesNotKnow) {
  // A typo in a forbidden format would forbid nothing: a pickle would pass.
  PolicyText text = Minimal();
  text.artifacts = "artifacts:\n  forbidden_formats: [pickel]\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, AllOf(HasSubstr("artifacts.forbidden_formats"),
                                       HasSubstr("pickel"))));
  text.artifacts = "artifacts:\n  allowed_formats: [SafeTensors]\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("SafeTensors")));
}

TEST(PolicyDocumentTest, RejectsRequireInclusionWithoutLogs) {
  PolicyText text = Minimal();
  text.transparency = "transparency:\n  require_inclusion: true\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("at least one pinned log")));
  text.transparency = "transparency:\n  require_inclusion: true\n  logs: []\n";
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, HasSubstr("at least one pinned log")));
}

TEST(PolicyDocumentTest, RejectsABadLogKey) {
  std::string key = Keys().log_key;
  key.back() = key.back() == 'A' ? 'B' : 'A';  // the key id no longer matches
  const std::vector<std::string> keys = {"not-a-key", key,
                                         Keys().ibm.public_pem.substr(0, 60)};
  for (const std::string& bad : keys) {
    PolicyText text = Minimal();
    text.transparency = absl::StrCat(
        "transparency:\n  logs:\n    - origin: ", Keys().log_origin,
        "\n      key: ", JsonString(bad), "\n");
    EXPECT_THAT(Parse(text.Render()),
                StatusIs(kInvalid, AllOf(HasSubstr("transparency.logs[0].key"),
                                         HasSubstr("note verifier key"))))
        << bad;
  }
}

TEST(PolicyDocumentTest, RejectsALogWhoseOriginIsNotItsKeyName) {
  // Checkpoints are accepted only from a key named like their origin, so a
  // log pinned under another origin could never verify anything.
  PolicyText text = Minimal();
  text.transparency = absl::StrCat(
      "transparency:\n  require_inclusion: true\n  logs:\n"
      "    - origin: example.com/another-log\n      key: \"",
      Keys().log_key, "\"\n");
  EXPECT_THAT(Parse(text.Render()),
              StatusIs(kInvalid, AllOf(HasSubstr("transparency.logs[0]"),
                                       HasSubstr("example.com/another-log"))));
}

TEST(PolicyDocumentTest, RejectsABadRevocation) {
  const std::string hint = Keys().ibm.hint;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"  - key_id: " + hint.substr(1) + "\n    date: 2027-01-01\n",
       "64 hex digits"},
      {"  - key_id: " + hint.substr(1) + "g\n    date: 2027-01-01\n",
       "64 hex digits"},
      {"  - key_id: sha256:" + hint.substr(7) + "\n    date: 2027-01-01\n",
       "64 hex digits"},
      {"  - signer: nobody\n    date: 2027-01-01\n", "not an id in signers"},
      {"  - signer: ibm-release\n    key_id: " + hint +
           "\n    date: 2027-01-01\n",
       "exactly one of signer or key_id"},
      {"  - signer: ibm-release\n", "missing required key 'date'"},
      {"  - signer: ibm-release\n    date: soon\n", "RFC 3339"},
  };
  for (const auto& [item, message] : cases) {
    PolicyText text = Minimal();
    text.revocations = "revocations:\n" + item;
    EXPECT_THAT(Parse(text.Render()),
                StatusIs(kInvalid, AllOf(HasSubstr("revocations[0]"),
                                         HasSubstr(message))))
        << item;
  }
}

TEST(PolicyDocumentTest, RejectsBadCardAndHashRules) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"model_card:\n  severity: fatal\n", "error or warning"},
      {"model_card:\n  required_sections:\n    - aliases: [Uses]\n",
       "missing required key 'title'"},
      {"model_card:\n  required_sections:\n    - title: Uses\n"
       "      min_words: -1\n",
       "between"},
      {"model_card:\n  rules:\n    - when: {field: license, equals: other}\n"
       "      require_fields: []\n",
       "must not be empty"},
      {"model_card:\n  required_fields: license\n", "expected a list"},
      {"model_card:\n  path: ../README.md\n", "relative path inside the model"},
      {"model_card:\n  path: /etc/passwd\n", "relative path inside the model"},
      {"hashes:\n  allowed: [md5]\n", "unknown hash 'md5'"},
      {"hashes:\n  allowed: []\n", "must not be empty"},
  };
  for (const auto& [section, message] : cases) {
    PolicyText text = Minimal();
    text.model_card = section;
    EXPECT_THAT(Parse(text.Render()), StatusIs(kInvalid, HasSubstr(message)))
        << section;
  }
}

// ---------------------------------------------------------------------------
// Hostile input: refused, in bounded memory, whatever the shape.
// ---------------------------------------------------------------------------

::testing::Matcher<absl::Status> Refused() {
  return AnyOf(StatusIs(kInvalid, _), StatusIs(kExhausted, _));
}

absl::Status ParseStatus(const std::string& text) {
  return ParsePolicy(text, "hostile.yaml").status();
}

TEST(PolicyDocumentHostileTest, RefusesAnAliasBomb) {
  std::string bomb = "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n";
  for (char level = 'b'; level <= 'j'; ++level) {
    const char previous = static_cast<char>(level - 1);
    absl::StrAppend(&bomb, std::string(1, level), ": &", std::string(1, level),
                    " [*", std::string(1, previous), ", *",
                    std::string(1, previous), ", *", std::string(1, previous),
                    ", *", std::string(1, previous), "]\n");
  }
  EXPECT_THAT(ParseStatus(bomb), Refused());
  // A single alias inside an otherwise valid policy is refused as well.
  PolicyText text = Minimal();
  text.organizations =
      "organizations:\n  - &org {id: ibm, name: IBM}\n  - {id: meta, name: "
      "Meta}\n";
  text.licenses = "licenses:\n  allow: [mit]\n";
  EXPECT_THAT(ParseStatus(text.Render()),
              StatusIs(kInvalid, HasSubstr("anchors are not allowed")));
}

TEST(PolicyDocumentHostileTest, RefusesDeepFlowNesting) {
  for (std::size_t depth : {std::size_t{10'000}, std::size_t{1'000'000}}) {
    EXPECT_THAT(ParseStatus(std::string(depth, '[')), Refused()) << depth;
    EXPECT_THAT(ParseStatus(std::string(depth, '[') + std::string(depth, ']')),
                Refused())
        << depth;
    EXPECT_THAT(
        ParseStatus(absl::StrCat("metadata: ", std::string(depth, '{'))),
        Refused())
        << depth;
  }
}

TEST(PolicyDocumentHostileTest, RefusesDeepBlockNesting) {
  for (std::size_t depth : {std::size_t{10'000}, std::size_t{1'000'000}}) {
    std::string chain;
    chain.reserve(depth * 2 + 2);
    for (std::size_t i = 0; i < depth; ++i) chain += "- ";
    chain += "x\n";
    EXPECT_THAT(ParseStatus(chain), Refused()) << depth;
  }
  // Indented block mappings, one level per line.
  std::string mapping;
  for (std::size_t i = 0; i < 1'000; ++i) {
    absl::StrAppend(&mapping, std::string(i, ' '), "k:\n");
  }
  EXPECT_THAT(ParseStatus(mapping), Refused());
}

TEST(PolicyDocumentHostileTest, RefusesAHugeScalar) {
  const std::string huge =
      absl::StrCat("metadata:\n  description: \"",
                   std::string(std::size_t{32} << 20, 'x'), "\"\n");
  EXPECT_THAT(ParseStatus(huge), StatusIs(kExhausted, HasSubstr("limit")));
  // Just above the policy limit, as a plain scalar.
  const std::string above =
      absl::StrCat("a: ", std::string(limits::kMaxPolicyBytes, 'y'), "\n");
  EXPECT_THAT(ParseStatus(above), StatusIs(kExhausted, _));
}

TEST(PolicyDocumentHostileTest, RefusesForeignTags) {
  PolicyText text = Minimal();
  text.metadata =
      "metadata:\n  name: !!python/object/apply:os.system [\"id\"]\n"
      "  version: 1\n  issued: 2026-01-01\n  expires: 2099-01-01\n";
  EXPECT_THAT(ParseStatus(text.Render()),
              StatusIs(kInvalid, AllOf(HasSubstr("hostile.yaml:"),
                                       HasSubstr("python/object"))));
  for (const std::string& tagged : std::vector<std::string>{
           "a: !!python/name:os.system ''\n", "a: !custom 1\n",
           "!!python/object:__main__.Exploit {}\n", "a: !!binary aGVsbG8=\n",
           "a: !<tag:example.com,2026:x> 1\n"}) {
    EXPECT_THAT(ParseStatus(tagged), StatusIs(kInvalid, _)) << tagged;
  }
}

TEST(PolicyDocumentHostileTest, RefusesATruncatedFile) {
  const std::string whole = Complete().Render();
  ASSERT_THAT(Parse(whole), IsOk());
  // Cut inside a key, a PEM block, a flow mapping, a quoted time, a list:
  // never accepted. (A cut at a line boundary between sections can leave a
  // shorter valid document, which no parser can tell from the real one; the
  // policy's signature is what catches that.)
  const std::vector<std::pair<std::string, std::size_t>> cuts = {
      {"apiVersion", 4},
      {"  name: alliance", 8},
      {"BEGIN PUBLIC KEY", 40},
      {"{id: hf, name: Hug", 18},
      {"\"2030-06-30T1", 12},
      {"of_signers: [ibm-release,", 24},
      {"  - min_signatures: 2", 16},
  };
  for (const auto& [marker, offset] : cuts) {
    const std::size_t at = whole.find(marker);
    ASSERT_NE(at, std::string::npos) << marker;
    EXPECT_THAT(ParseStatus(whole.substr(0, at + offset)), Refused()) << marker;
  }
  EXPECT_THAT(ParseStatus(whole.substr(0, 0)), Refused());
  EXPECT_THAT(ParseStatus("metadata: {name: a, version: 1"),
              StatusIs(kInvalid, _));
  EXPECT_THAT(ParseStatus("metadata:\n  name: \"unterminated\n"),
              StatusIs(kInvalid, _));
  const std::string json = R"({"apiVersion": "modelseal.dev/v1", "kind": )";
  EXPECT_THAT(ParseStatus(json), StatusIs(kInvalid, _));
}

TEST(PolicyDocumentHostileTest, RefusesInvalidUtf8) {
  PolicyText text = Minimal();
  text.metadata =
      "metadata:\n  name: bad\xff\xfe\n  version: 1\n  issued: 2026-01-01\n"
      "  expires: 2099-01-01\n";
  EXPECT_THAT(ParseStatus(text.Render()), StatusIs(kInvalid, _));
  EXPECT_THAT(ParseStatus("a: \xc0\xaf\n"), StatusIs(kInvalid, _));  // overlong
  EXPECT_THAT(ParseStatus("a: \xed\xa0\x80\n"), StatusIs(kInvalid, _));
  EXPECT_THAT(ParseStatus(std::string("\xff\xfe"
                                      "a\0:\0 \0b\0",
                                      10)),
              StatusIs(kInvalid, _));  // UTF-16
}

TEST(PolicyDocumentHostileTest, RefusesSeveralDocuments) {
  const std::string policy = Minimal().Render();
  ASSERT_THAT(Parse(policy), IsOk());
  EXPECT_THAT(ParseStatus(policy + "---\n" + policy), StatusIs(kInvalid, _));
  EXPECT_THAT(ParseStatus("---\n" + policy + "...\n---\na: 1\n"),
              StatusIs(kInvalid, _));
}

TEST(PolicyDocumentHostileTest, RefusesMergeKeysAndComplexKeys) {
  PolicyText text = Minimal();
  text.metadata =
      "metadata:\n  <<: {name: a}\n  version: 1\n  issued: 2026-01-01\n"
      "  expires: 2099-01-01\n";
  EXPECT_THAT(ParseStatus(text.Render()), StatusIs(kInvalid, _));
  EXPECT_THAT(ParseStatus("? [a, b]\n: c\n"), StatusIs(kInvalid, _));
}

}  // namespace
}  // namespace modelseal
