// Shared helpers for the alliance-policy tests: keys made at test time, a CA
// made with the openssl command line, a transparency log, a small signed
// model, and a policy document assembled from named sections so that each
// test changes exactly the part it is about.
#ifndef MODELSEAL_TESTS_POLICY_POLICY_TEST_UTIL_H_
#define MODELSEAL_TESTS_POLICY_POLICY_TEST_UTIL_H_

#include <sys/wait.h>

#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "modelseal/crypto.h"
#include "modelseal/env.h"
#include "modelseal/model_signing.h"
#include "modelseal/model_walk.h"
#include "modelseal/policy.h"
#include "modelseal/release_log.h"
#include "modelseal/signed_note.h"
#include "modelseal/transparency_log.h"
#include "tests/testing/temp_dir.h"

namespace modelseal::policy_testing {

// ---------------------------------------------------------------------------
// Small utilities
// ---------------------------------------------------------------------------

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

inline CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t read = 0;
  while ((read = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    result.output.append(buffer, read);
  }
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline std::string ReadFile(const std::string& path) {
  absl::StatusOr<std::string> text =
      Env::Default()->ReadFileToString(path, std::size_t{64} << 20);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

// "2026-11-30T12:00:00Z".
inline std::string Rfc3339(std::time_t time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromTimeT(time),
                          absl::UTCTimeZone());
}

// A YAML literal block scalar holding `text`, its lines indented by
// `indent` spaces: "|\n<indent>line\n...".
inline std::string BlockScalar(absl::string_view text, int indent) {
  std::string out = "|\n";
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    absl::StrAppend(&out, std::string(indent, ' '), line, "\n");
  }
  return out;
}

// A JSON string literal (quotes included).
inline std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out.push_back(c);
    }
  }
  out += "\"";
  return out;
}

// ---------------------------------------------------------------------------
// Keys, certificates, logs
// ---------------------------------------------------------------------------

struct TestKey {
  std::string private_pem;
  std::string public_pem;
  std::unique_ptr<Signer> signer;
  std::unique_ptr<Verifier> verifier;
  std::string hint;

  SigningIdentity Identity() const {
    SigningIdentity identity;
    identity.signer = signer.get();
    return identity;
  }
};

inline TestKey MakeKey(KeyType type = KeyType::kEcdsaP256) {
  TestKey key;
  absl::StatusOr<KeyPairPem> pair = GenerateKeyPair(type, std::nullopt);
  EXPECT_TRUE(pair.ok()) << pair.status();
  if (!pair.ok()) return key;
  key.private_pem = pair->private_pem.value();
  key.public_pem = pair->public_pem;
  key.signer = *LoadSigner(key.private_pem, std::nullopt);
  key.verifier = *LoadVerifier(key.public_pem);
  key.hint = key.verifier->Hint();
  return key;
}

// A CA made with the openssl command line, and leaf certificates it issues
// for keys made by MakeKey().
class TestCa {
 public:
  explicit TestCa(const std::string& name = "Alliance Test Root") {
    const std::string key = dir_.Join("root.key");
    Openssl("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
            key);
    Openssl("req -x509 -new -key " + key + " -subj '/CN=" + name +
            "' -days 30 -addext basicConstraints=critical,CA:TRUE -addext "
            "keyUsage=critical,keyCertSign -out " +
            dir_.Join("root.pem"));
    root_pem_ = ReadFile(dir_.Join("root.pem"));
  }

  const std::string& root_pem() const { return root_pem_; }

  // A leaf certificate (DER) for `key` with subject CN=`common_name` and,
  // when given, an email SAN.
  std::string Issue(const TestKey& key, const std::string& common_name,
                    const std::string& email_san) {
    const std::string name = absl::StrCat("leaf", ++serial_);
    const std::string key_file = dir_.Write(name + ".key", key.private_pem);
    Openssl("req -new -key " + key_file + " -subj '/CN=" + common_name +
            "' -out " + dir_.Join(name + ".csr"));
    std::string extensions = "keyUsage=critical,digitalSignature\n";
    if (!email_san.empty()) {
      absl::StrAppend(&extensions, "subjectAltName=email:", email_san, "\n");
    }
    Openssl("x509 -req -in " + dir_.Join(name + ".csr") + " -CA " +
            dir_.Join("root.pem") + " -CAkey " + dir_.Join("root.key") +
            " -set_serial " + std::to_string(serial_) + " -days 7 -extfile " +
            dir_.Write(name + ".ext", extensions) + " -out " +
            dir_.Join(name + ".pem"));
    absl::StatusOr<std::vector<std::string>> leaf =
        CertificatesFromPem(ReadFile(dir_.Join(name + ".pem")));
    EXPECT_TRUE(leaf.ok()) << leaf.status();
    return leaf.ok() ? (*leaf)[0] : "";
  }

 private:
  void Openssl(const std::string& arguments) {
    const CommandResult result = RunCommand("openssl " + arguments);
    EXPECT_EQ(result.exit_code, 0) << "openssl " << arguments << "\n"
                                   << result.output;
  }

  modelseal::testing::TempDir dir_;
  std::string root_pem_;
  int serial_ = 0;
};

// A transparency log in a temporary directory.
class TestLog {
 public:
  explicit TestLog(const std::string& origin) : origin_(origin) {
    absl::StatusOr<tlog::NoteKeyPair> keys = tlog::GenerateNoteKey(origin);
    EXPECT_TRUE(keys.ok()) << keys.status();
    signer_key_ = keys->signer_key.value();
    verifier_key_ = keys->verifier_key;
    const absl::Status created =
        tlog::CreateLog(*Env::Default(), dir_.Join("log"), origin, signer_key_);
    EXPECT_TRUE(created.ok()) << created;
  }

  const std::string& origin() const { return origin_; }
  const std::string& verifier_key() const { return verifier_key_; }

  // The bundles rewritten with their log entries, logged at
  // `integrated_time`.
  std::vector<std::string> Add(const std::vector<std::string>& bundles,
                               std::time_t integrated_time) {
    absl::StatusOr<std::unique_ptr<tlog::LogWriter>> writer =
        tlog::LogWriter::Open(*Env::Default(), dir_.Join("log"), signer_key_);
    EXPECT_TRUE(writer.ok()) << writer.status();
    if (!writer.ok()) return {};
    absl::StatusOr<std::vector<std::string>> logged = AddBundlesToLog(
        **writer, bundles, static_cast<std::uint64_t>(integrated_time));
    EXPECT_TRUE(logged.ok()) << logged.status();
    return logged.ok() ? *logged : std::vector<std::string>{};
  }
  std::string Add(const std::string& bundle, std::time_t integrated_time) {
    std::vector<std::string> logged = Add(std::vector{bundle}, integrated_time);
    return logged.empty() ? "" : logged[0];
  }

 private:
  modelseal::testing::TempDir dir_;
  std::string origin_;
  std::string signer_key_;
  std::string verifier_key_;
};

// ---------------------------------------------------------------------------
// Models and cards
// ---------------------------------------------------------------------------

// A card that satisfies StandardModelCardSection().
inline std::string GoodCard(const std::string& license = "apache-2.0",
                            const std::string& extra_front_matter = "") {
  return absl::StrCat(
      "---\nlicense: ", license,
      "\nlanguage: en\npipeline_tag: text-generation\n", extra_front_matter,
      "---\n"
      "# Model Details\n\nA small test model made by the policy tests.\n\n"
      "## Intended Uses\n\nReading the policy tests and nothing else.\n\n"
      "## Limitations\n\nIt knows nothing and says so.\n\n"
      "## Training Data\n\nNone at all; its weights are zero.\n\n"
      "## Evaluation\n\nNot evaluated, on purpose.\n");
}

// A tiny valid safetensors file: u64 LE header length, JSON header, no data.
inline std::string TinySafetensors() {
  const std::string header = R"({"__metadata__":{"format":"pt"}})";
  std::string out;
  std::uint64_t length = header.size();
  for (int i = 0; i < 8; ++i) {
    out.push_back(static_cast<char>(length & 0xff));
    length >>= 8;
  }
  return out + header;
}

// A protocol 4 pickle of the dict {"a": 1}, by hand: PROTO 4, FRAME,
// EMPTY_DICT, MEMOIZE, SHORT_BINUNICODE "a", MEMOIZE, BININT1 1, SETITEM,
// STOP.
inline std::string TinyPickle() {
  return std::string(
      "\x80\x04\x95\x0a\x00\x00\x00\x00\x00\x00\x00}\x94\x8c"
      "\x01"
      "a\x94K\x01s.",
      21);
}

inline SerializationOptions DefaultSerialization() {
  SerializationOptions options;
  options.ignore_paths = DefaultIgnorePaths();
  return options;
}

// ---------------------------------------------------------------------------
// Policy documents
// ---------------------------------------------------------------------------

// A policy document as YAML sections; Render() joins the ones that are set.
// Each section is the complete text of one top-level key, e.g.
// "thresholds:\n  - min_signatures: 1\n".
struct PolicyText {
  std::string header = "apiVersion: modelseal.dev/v1\nkind: AlliancePolicy\n";
  std::string metadata =
      "metadata:\n  name: test-policy\n  version: 3\n"
      "  issued: \"2026-01-01T00:00:00Z\"\n"
      "  expires: \"2099-01-01T00:00:00Z\"\n";
  std::string organizations =
      "organizations:\n  - {id: ibm, name: IBM}\n  - {id: meta, name: Meta}\n";
  std::string signers;
  std::string revocations;
  std::string thresholds = "thresholds:\n  - min_signatures: 1\n";
  std::string transparency;
  std::string hashes;
  std::string model_card;
  std::string licenses;
  std::string artifacts;
  std::string verification;

  std::string Render() const {
    return absl::StrCat(header, metadata, organizations, signers, revocations,
                        thresholds, transparency, hashes, model_card, licenses,
                        artifacts, verification);
  }
};

// One list item of `signers:` for a key signer.
inline std::string KeySigner(const std::string& id,
                             const std::string& organization,
                             const std::string& public_pem,
                             const std::string& extra = "") {
  return absl::StrCat("  - id: ", id, "\n    organization: ", organization,
                      "\n", extra,
                      "    public_key: ", BlockScalar(public_pem, 6));
}

// One list item of `signers:` for a CA signer.
inline std::string CaSigner(const std::string& id,
                            const std::string& organization,
                            const std::string& root_pem,
                            const std::string& subject,
                            const std::string& san) {
  std::string out = absl::StrCat(
      "  - id: ", id, "\n    organization: ", organization,
      "\n    certificate_authority:\n      root: ", BlockScalar(root_pem, 8));
  if (!subject.empty()) absl::StrAppend(&out, "      subject: ", subject, "\n");
  if (!san.empty()) absl::StrAppend(&out, "      san: ", san, "\n");
  return out;
}

inline std::string PinnedLog(const TestLog& log, bool require_inclusion) {
  return absl::StrCat("transparency:\n  require_inclusion: ",
                      require_inclusion ? "true" : "false",
                      "\n  logs:\n    - origin: ", log.origin(),
                      "\n      key: \"", log.verifier_key(), "\"\n");
}

inline std::string StandardModelCardSection() {
  return "model_card:\n"
         "  path: README.md\n"
         "  required_fields: [license, language]\n"
         "  required_sections:\n"
         "    - title: Model Details\n"
         "      aliases: [Model Description]\n"
         "    - title: Uses\n"
         "      aliases: [Intended Uses, Intended Use]\n"
         "    - title: Bias, Risks, and Limitations\n"
         "      aliases: [Limitations]\n"
         "    - Training Data\n"
         "    - title: Evaluation\n"
         "      min_words: 2\n"
         "  rules:\n"
         "    - when: {field: license, equals: other}\n"
         "      require_fields: [license_name]\n"
         "  forbidden_placeholders: [\"[More Information Needed]\", "
         "\"TODO\"]\n";
}

}  // namespace modelseal::policy_testing

#endif  // MODELSEAL_TESTS_POLICY_POLICY_TEST_UTIL_H_
