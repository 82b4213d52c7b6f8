// End-to-end: keygen → sign → verify through the real binary, interop with
// the openssl command line and the OMS JSON Schemas, and every bad input.
#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/cli_runner.h"

namespace modelseal {
namespace {

using ::modelseal::testing::PseudoRandomBytes;
using ::testing::HasSubstr;

const std::string kSchemas =
    std::string(MODELSEAL_EXAMPLES_DIR) + "/../schemas";
const std::string kOmsSchemas =
    MODELSEAL_TEST_VECTORS_DIR "/oms/oms-spec/schemas/v1.0";
const std::string kKeys =
    MODELSEAL_TEST_VECTORS_DIR "/oms/model-transparency/keys/certificate";

// A copy of the example model in a temp dir, with a fresh key pair.
class Workspace {
 public:
  explicit Workspace(const std::string& type = "ecdsa-p256") {
    EXPECT_EQ(
        RunShell("cp -r " + Quote(kExample) + " " + Quote(dir_.Join("model")))
            .exit_code,
        0);
    const Result keygen = Modelseal("keygen --type " + type + " --out " +
                                    Quote(dir_.Join("key")));
    EXPECT_EQ(keygen.exit_code, 0) << keygen.err;
  }
  std::string Path(const std::string& relative) const {
    return dir_.Join(relative);
  }
  std::string model() const { return dir_.Join("model"); }
  std::string key() const { return dir_.Join("key.key"); }
  std::string pub() const { return dir_.Join("key.pub"); }
  const TempDir& dir() const { return dir_; }

  Result Sign(const std::string& extra = "") const {
    return Modelseal("sign " + Quote(model()) + " --key " + Quote(key()) +
                     " -o " + Quote(Path("model.sig")) + " " + extra);
  }
  Result Verify(const std::string& bundle,
                const std::string& extra = "") const {
    return Modelseal("verify " + Quote(model()) + " --signature " +
                     Quote(bundle) + " --key " + Quote(pub()) + " " + extra);
  }

 private:
  TempDir dir_;
};

TEST(CliKeygenTest, WritesAPrivateKeyReadableOnlyByItsOwnerAndNeverOverwrites) {
  for (const char* type :
       {"ecdsa-p256", "ecdsa-p384", "ecdsa-p521", "ed25519"}) {
    TempDir dir;
    const std::string out = dir.Join("k");
    ASSERT_EQ(
        Modelseal(absl::StrCat("keygen --type ", type, " --out ", Quote(out)))
            .exit_code,
        0);
    struct stat st;
    ASSERT_EQ(::stat((out + ".key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << type;
    const std::string before = ReadAll(out + ".key");
    const Result again =
        Modelseal(absl::StrCat("keygen --type ", type, " --out ", Quote(out)));
    EXPECT_NE(again.exit_code, 0);
    EXPECT_THAT(again.err, HasSubstr("refusing to overwrite"));
    EXPECT_EQ(ReadAll(out + ".key"), before);
    EXPECT_EQ(RunShell("openssl pkey -in " + Quote(out + ".key") + " -noout")
                  .exit_code,
              0)
        << type;
  }
  EXPECT_EQ(Modelseal("keygen --type rsa-2048 --out x").exit_code, 2);
}

TEST(CliKeygenTest, EncryptedKeysNeedTheirPassphraseAndOpenWithOpenssl) {
  Workspace ws;
  const std::string pass = ws.dir().Write("pass.txt", "correct horse\n");
  const std::string wrong = ws.dir().Write("wrong.txt", "battery staple\n");
  ASSERT_EQ(
      Modelseal("keygen --type ecdsa-p384 --out " + Quote(ws.Path("enc")) +
                " --passphrase-file " + Quote(pass))
          .exit_code,
      0);
  EXPECT_THAT(ReadAll(ws.Path("enc.key")), HasSubstr("ENCRYPTED PRIVATE KEY"));
  EXPECT_EQ(RunShell("openssl pkey -in " + Quote(ws.Path("enc.key")) +
                     " -passin pass:'correct horse' -noout")
                .exit_code,
            0);
  const std::string sign = "sign " + Quote(ws.model()) + " --key " +
                           Quote(ws.Path("enc.key")) + " -o " +
                           Quote(ws.Path("enc.sig"));
  Result result = Modelseal(sign);
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_THAT(result.err, HasSubstr("passphrase"));
  result = Modelseal(sign + " --passphrase-file " + Quote(wrong));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(ws.Path("enc.sig")));
  result = RunShell("PASS='correct horse' " + kModelseal + " " + sign +
                    " --passphrase-env PASS");
  EXPECT_EQ(result.exit_code, 0) << result.err;
}

TEST(CliSignVerifyTest, RoundTripsAndNamesEveryDifference) {
  Workspace ws;
  // The bundle inside the model folder is ignored automatically.
  const std::string inside = ws.model() + "/model.sig";
  Result sign = Modelseal("sign " + Quote(ws.model()) + " --key " +
                          Quote(ws.key()) + " -o " + Quote(inside));
  ASSERT_EQ(sign.exit_code, 0) << sign.err;
  Result verify = ws.Verify(inside);
  EXPECT_EQ(verify.exit_code, 0) << verify.err << verify.out;
  EXPECT_THAT(verify.out, HasSubstr("OK: "));
  EXPECT_THAT(verify.out, HasSubstr("model 'model'"));

  ws.dir().Write("model/config.json", "{\"tampered\": true}");
  ws.dir().Write("model/extra.pkl", "pickle");
  std::filesystem::remove(ws.model() + "/tokenizer.json");
  verify = ws.Verify(inside);
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_THAT(verify.out, HasSubstr("changed: config.json"));
  EXPECT_THAT(verify.out, HasSubstr("missing: tokenizer.json"));
  EXPECT_THAT(verify.out, HasSubstr("not signed: extra.pkl"));
}

TEST(CliSignVerifyTest, CosignedBundlesVerifyIndependently) {
  Workspace ws;
  ASSERT_EQ(ws.Sign().exit_code, 0);
  ASSERT_EQ(
      Modelseal("keygen --type ecdsa-p384 --out " + Quote(ws.Path("auditor")))
          .exit_code,
      0);
  const Result cosign = Modelseal(
      "sign --cosign " + Quote(ws.Path("model.sig")) + " --key " +
      Quote(ws.Path("auditor.key")) + " -o " + Quote(ws.Path("auditor.sig")));
  ASSERT_EQ(cosign.exit_code, 0) << cosign.err;
  const Result verify = Modelseal("verify " + Quote(ws.model()) + " -s " +
                                  Quote(ws.Path("auditor.sig")) + " --key " +
                                  Quote(ws.Path("auditor.pub")));
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_EQ(ws.Verify(ws.Path("auditor.sig")).exit_code, 1);
}

// Rebuilds the DSSE PAE from our bundle and checks the signature with the
// openssl command line alone.
TEST(CliInteropTest, BundlesVerifyWithTheOpensslCommandLine) {
  RequireTool("openssl");
  const std::pair<const char*, const char*> cases[] = {
      {"ecdsa-p256", "openssl dgst -sha256 -verify PUB -signature SIG PAE"},
      {"ecdsa-p384", "openssl dgst -sha384 -verify PUB -signature SIG PAE"},
      {"ecdsa-p521", "openssl dgst -sha512 -verify PUB -signature SIG PAE"},
      {"ed25519",
       "openssl pkeyutl -verify -rawin -pubin -inkey PUB -sigfile SIG -in "
       "PAE"}};
  for (const auto& [type, command] : cases) {
    Workspace ws(type);
    ASSERT_EQ(ws.Sign().exit_code, 0) << type;
    const Result split = RunShell(
        "/usr/bin/python3 -c 'import json,base64,sys; "
        "b=json.load(open(sys.argv[1])); "
        "e=b[\"dsseEnvelope\"]; p=base64.b64decode(e[\"payload\"]); "
        "t=e[\"payloadType\"].encode(); "
        "open(sys.argv[2],\"wb\").write(b\"DSSEv1 %d %s %d %s\" % (len(t), t, "
        "len(p), p)); "
        "open(sys.argv[3],\"wb\").write(base64.b64decode(e[\"signatures\"][0]["
        "\"sig\"]))' " +
        Quote(ws.Path("model.sig")) + " " + Quote(ws.Path("pae")) + " " +
        Quote(ws.Path("sig")));
    ASSERT_EQ(split.exit_code, 0) << split.err;
    std::string line = command;
    line.replace(line.find("PUB"), 3, Quote(ws.pub()));
    line.replace(line.find("SIG"), 3, Quote(ws.Path("sig")));
    line.replace(line.find("PAE"), 3, Quote(ws.Path("pae")));
    const Result verified = RunShell(line);
    EXPECT_EQ(verified.exit_code, 0)
        << type << ": " << verified.out << verified.err;
    // And openssl rejects it once the payload changes.
    ASSERT_EQ(RunShell("sh -c " + Quote("printf x >> " + Quote(ws.Path("pae"))))
                  .exit_code,
              0);
    EXPECT_NE(RunShell(line).exit_code, 0) << type;
  }
}

void ExpectOmsSchemaValid(const std::string& bundle_path) {
  TempDir dir;
  const std::string script = dir.Write(
      "check.py",
      "import json, base64, sys, os, jsonschema\n"
      "d = sys.argv[1]\n"
      "schemas = {n: json.load(open(os.path.join(d, n + '.schema.json'))) for "
      "n in "
      "('bundle', 'envelope', 'statement', 'predicate')}\n"
      "store = {s['$id']: s for s in schemas.values()}\n"
      "def check(name, doc):\n"
      "    resolver = jsonschema.RefResolver.from_schema(schemas[name], "
      "store=store)\n"
      "    jsonschema.Draft202012Validator(schemas[name], "
      "resolver=resolver).validate(doc)\n"
      "bundle = json.load(open(sys.argv[2]))\n"
      "check('bundle', bundle)\n"
      "check('statement', "
      "json.loads(base64.b64decode(bundle['dsseEnvelope']['payload'])))\n");
  const Result check = RunShell("/usr/bin/python3 " + Quote(script) + " " +
                                Quote(kOmsSchemas) + " " + Quote(bundle_path));
  EXPECT_EQ(check.exit_code, 0) << bundle_path << ": " << check.err;
}

TEST(CliInteropTest, BundlesValidateAgainstTheOmsJsonSchemas) {
  Workspace ws;
  ASSERT_EQ(ws.Sign().exit_code, 0);
  ExpectOmsSchemaValid(ws.Path("model.sig"));
  ASSERT_EQ(
      ws.Sign("--method shards --shard-size 4096 --hash blake2b").exit_code, 0);
  ExpectOmsSchemaValid(ws.Path("model.sig"));
  // The checker itself rejects what the specification calls invalid.
  const Result invalid =
      RunShell("cp " +
               Quote(std::string(MODELSEAL_TEST_VECTORS_DIR) +
                     "/oms/oms-spec/test-vectors/v1.0/invalid/"
                     "missing-envelope.bundle.json") +
               " " + Quote(ws.Path("bad.json")));
  ASSERT_EQ(invalid.exit_code, 0);
  const Result check = RunShell(
      "/usr/bin/python3 -c 'import json,sys,jsonschema; "
      "jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate("
      "json.load(open(sys.argv[2])))' " +
      Quote(kOmsSchemas + "/bundle.schema.json") + " " +
      Quote(ws.Path("bad.json")));
  EXPECT_NE(check.exit_code, 0);
}

TEST(CliInteropTest, Ed25519SignaturesAreDeterministic) {
  Workspace ws("ed25519");
  ASSERT_EQ(ws.Sign().exit_code, 0);
  const std::string first = ReadAll(ws.Path("model.sig"));
  ASSERT_EQ(ws.Sign().exit_code, 0);
  EXPECT_EQ(ReadAll(ws.Path("model.sig")), first);
}

TEST(CliInteropTest, ReferenceBundlesVerify) {
  Result result =
      Modelseal("verify " + Quote(kOms + "/v1.1.0-elliptic-key") + " -s " +
                Quote(kOms + "/v1.1.0-elliptic-key/model.sig") + " --key " +
                Quote(kKeys + "/signing-key-pub.pem"));
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  result = Modelseal("verify " + Quote(kOms + "/v1.1.0-certificate") + " -s " +
                     Quote(kOms + "/v1.1.0-certificate/model.sig") + " --ca " +
                     Quote(kKeys + "/ca-cert.pem"));
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  result = Modelseal("verify " + Quote(kOms + "/v1.0.0-elliptic-key/signme-1") +
                     " -s " + Quote(kOms + "/v1.0.0-elliptic-key/model.sig") +
                     " --key " + Quote(kKeys + "/signing-key-pub.pem"));
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  result = Modelseal("verify " + Quote(kOms + "/v1.1.0-certificate") + " -s " +
                     Quote(kOms + "/v1.1.0-certificate/model.sig") + " --ca " +
                     Quote(kKeys + "/int-ca-cert.pem"));
  EXPECT_EQ(result.exit_code, 1) << "an intermediate is not a trust root";
}

TEST(CliInteropTest, CertificateSigningRoundTrips) {
  TempDir dir;
  ASSERT_EQ(
      RunShell("cp -r " + Quote(kExample) + " " + Quote(dir.Join("model")))
          .exit_code,
      0);
  const Result sign = Modelseal(
      "sign " + Quote(dir.Join("model")) + " --key " +
      Quote(kKeys + "/signing-key.pem") + " --cert " +
      Quote(kKeys + "/signing-key-cert.pem") + " --cert-chain " +
      Quote(kKeys + "/int-ca-cert.pem") + " -o " + Quote(dir.Join("cert.sig")));
  ASSERT_EQ(sign.exit_code, 0) << sign.err;
  ExpectOmsSchemaValid(dir.Join("cert.sig"));
  const Result verify = Modelseal("verify " + Quote(dir.Join("model")) +
                                  " -s " + Quote(dir.Join("cert.sig")) +
                                  " --ca " + Quote(kKeys + "/ca-cert.pem"));
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST(CliVerifyTest, JsonReportValidatesAgainstItsSchema) {
  Workspace ws;
  ASSERT_EQ(ws.Sign().exit_code, 0);
  for (bool tamper : {false, true}) {
    if (tamper) ws.dir().Write("model/config.json", "{}");
    const Result result = ws.Verify(ws.Path("model.sig"), "--format json");
    EXPECT_EQ(result.exit_code, tamper ? 1 : 0) << result.err;
    const std::string file = ws.dir().Write("report.json", result.out);
    const Result check = RunShell(
        "/usr/bin/python3 -c 'import json,sys,jsonschema; "
        "jsonschema.validate(json.load(open(sys.argv[1])), "
        "json.load(open(sys.argv[2])))' " +
        Quote(file) + " " + Quote(kSchemas + "/verify-report.schema.json"));
    EXPECT_EQ(check.exit_code, 0) << check.err << result.out;
  }
}

TEST(CliVerifyTest, BadBundlesAndKeysFailClearlyWithTheirExitCodes) {
  Workspace ws;
  ASSERT_EQ(ws.Sign().exit_code, 0);
  const std::string good = ReadAll(ws.Path("model.sig"));
  ASSERT_EQ(Modelseal("keygen --out " + Quote(ws.Path("other"))).exit_code, 0);
  ws.dir().Write("empty.sig", "");
  ws.dir().Write("truncated.sig", good.substr(0, good.size() / 2));
  ws.dir().Write("notjson.sig", "hello");
  ws.dir().Write("unknown.sig", good.substr(0, good.size() - 1) + ",\"x\":1}");
  ws.dir().Write("deep.sig", std::string(50000, '[') + std::string(50000, ']'));
  ASSERT_EQ(RunShell("truncate -s 1G " + Quote(ws.Path("huge.sig"))).exit_code,
            0);
  ASSERT_EQ(
      RunShell(
          "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " +
          Quote(ws.Path("rsa.key")))
          .exit_code,
      0);
  struct Case {
    std::string args;
    int exit_code;
    std::string message;
  } cases[] = {
      {"verify " + Quote(ws.model()) + " -s " + Quote(ws.Path("empty.sig")) +
           " --key " + Quote(ws.pub()),
       3, "bundle"},
      {"verify " + Quote(ws.model()) + " -s " +
           Quote(ws.Path("truncated.sig")) + " --key " + Quote(ws.pub()),
       3, "bundle"},
      {"verify " + Quote(ws.model()) + " -s " + Quote(ws.Path("notjson.sig")) +
           " --key " + Quote(ws.pub()),
       3, "bundle"},
      {"verify " + Quote(ws.model()) + " -s " + Quote(ws.Path("unknown.sig")) +
           " --key " + Quote(ws.pub()),
       3, "x"},
      {"verify " + Quote(ws.model()) + " -s " + Quote(ws.Path("deep.sig")) +
           " --key " + Quote(ws.pub()),
       3, "bundle"},
      {"verify " + Quote(ws.model()) + " -s " + Quote(ws.Path("huge.sig")) +
           " --key " + Quote(ws.pub()),
       3, "limit"},
      {"verify " + Quote(ws.model()) + " -s " + Quote(ws.Path("missing.sig")) +
           " --key " + Quote(ws.pub()),
       4, "missing.sig"},
      {"verify " + Quote(ws.model()) + " -s " + Quote(ws.Path("model.sig")) +
           " --key " + Quote(ws.Path("other.pub")),
       1, "not by the trusted key"},
      {"verify " + Quote(ws.model()) + " -s " + Quote(ws.Path("model.sig")) +
           " --key " + Quote(ws.key()),
       3, ""},
      {"verify " + Quote(ws.model()) + " -s " + Quote(ws.Path("model.sig")) +
           " --key " + Quote(ws.pub()) + " --ca " + Quote(ws.pub()),
       2, "exactly one"},
      {"verify " + Quote(ws.model()) + " -s " + Quote(ws.Path("model.sig")), 2,
       "exactly one"},
      {"sign " + Quote(ws.model()) + " --key " + Quote(ws.Path("rsa.key")) +
           " -o " + Quote(ws.Path("rsa.sig")),
       3, ""},
      {"sign " + Quote(ws.model()) + " --key " + Quote(ws.pub()) + " -o " +
           Quote(ws.Path("x.sig")),
       3, ""},
  };
  for (const Case& c : cases) {
    const Result result = Modelseal(c.args);
    EXPECT_EQ(result.exit_code, c.exit_code) << c.args << "\n"
                                             << result.out << result.err;
    EXPECT_THAT(result.out + result.err, HasSubstr(c.message)) << c.args;
  }
  EXPECT_FALSE(std::filesystem::exists(ws.Path("rsa.sig")));
  EXPECT_FALSE(std::filesystem::exists(ws.Path("x.sig")));
}

}  // namespace
}  // namespace modelseal
