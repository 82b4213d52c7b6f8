// Keys, signers, verifiers and certificate chains: failure paths first, then
// round trips, interoperability with the `openssl` command line, and the real
// keys, certificates and bundle of sigstore/model-transparency.
#include "modelseal/crypto.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace modelseal {
namespace {

using ::modelseal::testing::IsOk;
using ::modelseal::testing::StatusIs;
using ::modelseal::testing::TempDir;
using ::testing::_;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr absl::StatusCode kInvalidArgument =
    absl::StatusCode::kInvalidArgument;
constexpr absl::StatusCode kUnauthenticated =
    absl::StatusCode::kUnauthenticated;

const std::string kVectors =
    MODELSEAL_TEST_VECTORS_DIR "/oms/model-transparency/";
const std::string kCertificates = kVectors + "keys/certificate/";

// From `openssl x509 -noout -dates` on the three certificates in
// keys/certificate/: all valid from May 2 23:36:28 2025 GMT to
// Apr 30 23:36:28 2035 GMT.
constexpr std::time_t kNotBefore = 1746228988;        // 2025-05-02 23:36:28 UTC
constexpr std::time_t kNotAfter = 2061588988;         // 2035-04-30 23:36:28 UTC
constexpr std::time_t kInsideValidity = 1893456000;   // 2030-01-01
constexpr std::time_t kBeforeNotBefore = 1735689600;  // 2025-01-01
constexpr std::time_t kAfterNotAfter = 2082758400;    // 2036-01-01

constexpr std::array<KeyType, 4> kAllKeyTypes = {
    KeyType::kEcdsaP256, KeyType::kEcdsaP384, KeyType::kEcdsaP521,
    KeyType::kEd25519};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

std::optional<SecretString> Passphrase(std::string text) {
  return SecretString(std::move(text));
}

std::string FlipBit(std::string bytes, std::size_t bit) {
  bytes[bit / 8] = static_cast<char>(bytes[bit / 8] ^ (1 << (bit % 8)));
  return bytes;
}

// The base64 body of a one-block PEM, decoded.
std::string PemToDer(const std::string& pem) {
  std::string base64;
  std::istringstream lines(pem);
  for (std::string line; std::getline(lines, line);) {
    if (!absl::StartsWith(line, "-----")) base64 += line;
  }
  std::string der;
  EXPECT_TRUE(absl::Base64Unescape(base64, &der));
  return der;
}

std::string DerToPem(absl::string_view label, absl::string_view der) {
  const std::string base64 = absl::Base64Escape(der);
  std::string pem = absl::StrCat("-----BEGIN ", label, "-----\n");
  for (std::size_t i = 0; i < base64.size(); i += 64) {
    absl::StrAppend(&pem, base64.substr(i, 64), "\n");
  }
  absl::StrAppend(&pem, "-----END ", label, "-----\n");
  return pem;
}

// DSSE v1 pre-authentication encoding.
std::string DssePae(absl::string_view type, absl::string_view payload) {
  return absl::StrCat("DSSEv1 ", type.size(), " ", type, " ", payload.size(),
                      " ", payload);
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CommandResult RunCommand(const std::string& command) {
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

// Runs `openssl <arguments>` and fails the test unless it exits with 0.
std::string Openssl(const std::string& arguments) {
  const CommandResult result = RunCommand("openssl " + arguments);
  EXPECT_EQ(result.exit_code, 0) << "openssl " << arguments << "\n"
                                 << result.output;
  return result.output;
}

KeyPairPem Generate(KeyType type,
                    const std::optional<SecretString>& passphrase = {}) {
  absl::StatusOr<KeyPairPem> pair = GenerateKeyPair(type, passphrase);
  EXPECT_THAT(pair, IsOk());
  if (!pair.ok()) return KeyPairPem();
  return *std::move(pair);
}

std::string DigestFlag(KeyType type) {
  switch (type) {
    case KeyType::kEcdsaP256:
      return "-sha256";
    case KeyType::kEcdsaP384:
      return "-sha384";
    case KeyType::kEcdsaP521:
      return "-sha512";
    case KeyType::kEd25519:
      break;
  }
  return "";
}

std::string OpensslCurve(KeyType type) {
  switch (type) {
    case KeyType::kEcdsaP256:
      return "P-256";
    case KeyType::kEcdsaP384:
      return "P-384";
    case KeyType::kEcdsaP521:
      return "P-521";
    case KeyType::kEd25519:
      break;
  }
  return "";
}

std::string GenpkeyArguments(KeyType type) {
  if (type == KeyType::kEd25519) return "genpkey -algorithm ed25519";
  return "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:" +
         OpensslCurve(type);
}

std::string TypeParamName(const ::testing::TestParamInfo<KeyType>& info) {
  return absl::StrReplaceAll(KeyTypeName(info.param), {{"-", "_"}});
}

// ---------------------------------------------------------------------------
// SecretString and ConstantTimeEquals

TEST(CryptoConstantTimeEqualsTest, StringsOfDifferentLengthsAreUnequal) {
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0", 2), "a"));
}

TEST(CryptoConstantTimeEqualsTest, AnySingleBitDifferenceIsUnequal) {
  const std::string base = ::modelseal::testing::PseudoRandomBytes(64, 7);
  for (std::size_t bit = 0; bit < base.size() * 8; ++bit) {
    EXPECT_FALSE(ConstantTimeEquals(base, FlipBit(base, bit))) << bit;
  }
}

TEST(CryptoConstantTimeEqualsTest, EqualStringsAreEqual) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(
      ConstantTimeEquals(std::string("\0x\0", 3), std::string("\0x\0", 3)));
  const std::string base = ::modelseal::testing::PseudoRandomBytes(1000, 3);
  EXPECT_TRUE(ConstantTimeEquals(base, std::string(base)));
}

TEST(CryptoSecretStringTest, IsEmptyByDefault) {
  SecretString secret;
  EXPECT_TRUE(secret.empty());
  EXPECT_EQ(secret.value(), "");
}

TEST(CryptoSecretStringTest, MoveConstructionTakesTheValueAndEmptiesTheSource) {
  for (const std::string& value :
       {std::string("short"), std::string(200, 'k')}) {
    SecretString source{std::string(value)};
    SecretString moved(std::move(source));
    EXPECT_EQ(moved.value(), value);
    EXPECT_TRUE(source.empty());  // NOLINT(bugprone-use-after-move)
  }
}

TEST(CryptoSecretStringTest, WipesTheStringItWasBuiltFrom) {
  for (std::size_t length : {std::size_t{5}, std::size_t{200}}) {
    std::string original(length, 'k');
    SecretString secret(std::move(original));
    EXPECT_EQ(secret.value(), std::string(length, 'k'));
    // NOLINTNEXTLINE(bugprone-use-after-move): checking what was left behind.
    EXPECT_TRUE(original.empty());
    EXPECT_EQ(std::string(original.data(),
                          original.data() + std::min<std::size_t>(
                                                length, original.capacity()))
                  .find('k'),
              std::string::npos);
  }
}

TEST(CryptoSecretStringTest,
     MoveAssignmentReplacesTheValueAndEmptiesTheSource) {
  for (const std::string& value :
       {std::string("short"), std::string(200, 'k')}) {
    SecretString target("previous secret value, long enough for the heap");
    SecretString source{std::string(value)};
    target = std::move(source);
    EXPECT_EQ(target.value(), value);
    EXPECT_TRUE(source.empty());  // NOLINT(bugprone-use-after-move)
  }
}

TEST(CryptoSecretStringTest, SelfMoveAssignmentKeepsTheValue) {
  SecretString secret("kept");
  SecretString& alias = secret;
  secret = std::move(alias);
  EXPECT_EQ(secret.value(), "kept");
}

// ---------------------------------------------------------------------------
// Key type names

TEST(CryptoKeyTypeTest, ParseRejectsUnknownNames) {
  for (const char* name :
       {"", "rsa", "ECDSA-P256", "ecdsa-p224", "ed25519 ", "ed448", "p256"}) {
    EXPECT_THAT(ParseKeyType(name), StatusIs(kInvalidArgument, _)) << name;
  }
}

TEST(CryptoKeyTypeTest, NamesRoundTrip) {
  EXPECT_EQ(KeyTypeName(KeyType::kEcdsaP256), "ecdsa-p256");
  EXPECT_EQ(KeyTypeName(KeyType::kEcdsaP384), "ecdsa-p384");
  EXPECT_EQ(KeyTypeName(KeyType::kEcdsaP521), "ecdsa-p521");
  EXPECT_EQ(KeyTypeName(KeyType::kEd25519), "ed25519");
  for (KeyType type : kAllKeyTypes) {
    absl::StatusOr<KeyType> parsed = ParseKeyType(KeyTypeName(type));
    ASSERT_THAT(parsed, IsOk());
    EXPECT_EQ(*parsed, type);
  }
}

// ---------------------------------------------------------------------------
// LoadVerifier and VerifierFromSpkiDer: what they refuse

class CryptoLoadVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    p256_ = Generate(KeyType::kEcdsaP256).public_pem;
    ed25519_ = Generate(KeyType::kEd25519).public_pem;
    ASSERT_FALSE(p256_.empty());
    ASSERT_FALSE(ed25519_.empty());
  }

  // `pem` with `line` inserted before its END line.
  static std::string InsertBeforeEnd(const std::string& pem,
                                     const std::string& line) {
    const std::size_t end = pem.find("-----END");
    return pem.substr(0, end) + line + "\n" + pem.substr(end);
  }

  std::string p256_;
  std::string ed25519_;
};

TEST_F(CryptoLoadVerifierTest, RejectsEmptyInput) {
  EXPECT_THAT(LoadVerifier(""), StatusIs(kInvalidArgument, HasSubstr("PEM")));
  EXPECT_THAT(LoadVerifier("\n\n"), StatusIs(kInvalidArgument, _));
}

TEST_F(CryptoLoadVerifierTest, RejectsTextWithoutAPemBlock) {
  EXPECT_THAT(LoadVerifier("Public Key Information:\n\tsomething\n"),
              StatusIs(kInvalidArgument, HasSubstr("no PEM block")));
}

TEST_F(CryptoLoadVerifierTest, RejectsTruncatedPem) {
  for (std::size_t length : {std::size_t{20}, std::size_t{40}, p256_.size() / 2,
                             p256_.size() - 10}) {
    EXPECT_THAT(LoadVerifier(p256_.substr(0, length)),
                StatusIs(kInvalidArgument, _))
        << length;
  }
  EXPECT_THAT(LoadVerifier(p256_.substr(0, p256_.find("-----END"))),
              StatusIs(kInvalidArgument, HasSubstr("truncated")));
}

TEST_F(CryptoLoadVerifierTest, RejectsGarbageInsideTheBase64) {
  EXPECT_THAT(LoadVerifier(InsertBeforeEnd(p256_, "garbage!")),
              StatusIs(kInvalidArgument, HasSubstr("base64")));
  // Well-formed base64 that decodes to bytes after the SPKI.
  const std::string der = PemToDer(p256_);
  EXPECT_THAT(LoadVerifier(DerToPem("PUBLIC KEY", der + std::string(3, '\0'))),
              StatusIs(kInvalidArgument, HasSubstr("trailing")));
  // Base64 after the padding of the last quantum.
  ASSERT_TRUE(absl::StrContains(p256_, "=\n-----END"));
  EXPECT_THAT(LoadVerifier(InsertBeforeEnd(p256_, "AAAA")),
              StatusIs(kInvalidArgument, HasSubstr("padding")));
  // A blank line, a header-like line, and base64 without its padding.
  EXPECT_THAT(LoadVerifier(InsertBeforeEnd(p256_, "")),
              StatusIs(kInvalidArgument, _));
  EXPECT_THAT(LoadVerifier(InsertBeforeEnd(p256_, "Note: hi")),
              StatusIs(kInvalidArgument, _));
  EXPECT_THAT(
      LoadVerifier(absl::StrReplaceAll(p256_, {{"=\n-----END", "\n-----END"}})),
      StatusIs(kInvalidArgument, HasSubstr("base64")));
}

TEST_F(CryptoLoadVerifierTest, RejectsNonCanonicalBase64) {
  // The character before the padding carries bits that must be zero.
  static constexpr absl::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (const std::string* pem : {&p256_, &ed25519_}) {
    std::string changed = *pem;
    const std::size_t last = changed.find('=') - 1;
    changed[last] = kAlphabet[kAlphabet.find(changed[last]) ^ 1];
    EXPECT_THAT(LoadVerifier(changed),
                StatusIs(kInvalidArgument, HasSubstr("canonical")));
  }
}

TEST_F(CryptoLoadVerifierTest, RejectsMismatchedOrUnknownBoundaries) {
  EXPECT_THAT(LoadVerifier(absl::StrReplaceAll(
                  p256_, {{"END PUBLIC KEY", "END PRIVATE KEY"}})),
              StatusIs(kInvalidArgument, HasSubstr("END PUBLIC KEY")));
  EXPECT_THAT(LoadVerifier(absl::StrReplaceAll(
                  p256_, {{"PUBLIC KEY", "RSA PUBLIC KEY"}})),
              StatusIs(kInvalidArgument, HasSubstr("RSA PUBLIC KEY")));
}

TEST_F(CryptoLoadVerifierTest, RejectsTextOrASecondBlockAfterTheKey) {
  EXPECT_THAT(LoadVerifier(p256_ + "trailing words\n"),
              StatusIs(kInvalidArgument, HasSubstr("after")));
  EXPECT_THAT(LoadVerifier(p256_ + ed25519_),
              StatusIs(kInvalidArgument, HasSubstr("one PEM block")));
}

TEST_F(CryptoLoadVerifierTest, RejectsHeadersInAPublicKey) {
  const std::string with_headers = absl::StrReplaceAll(
      p256_, {{"-----BEGIN PUBLIC KEY-----\n",
               "-----BEGIN PUBLIC KEY-----\nProc-Type: 4,ENCRYPTED\n\n"}});
  EXPECT_THAT(LoadVerifier(with_headers),
              StatusIs(kInvalidArgument, HasSubstr("headers")));
}

TEST_F(CryptoLoadVerifierTest, RejectsACertificate) {
  EXPECT_THAT(LoadVerifier(ReadFile(kCertificates + "signing-key-cert.pem")),
              StatusIs(kInvalidArgument, HasSubstr("certificate")));
}

TEST_F(CryptoLoadVerifierTest, RejectsAPrivateKey) {
  const KeyPairPem pair = Generate(KeyType::kEcdsaP256);
  EXPECT_THAT(LoadVerifier(pair.private_pem.value()),
              StatusIs(kInvalidArgument, HasSubstr("PRIVATE KEY")));
}

TEST_F(CryptoLoadVerifierTest, AcceptsTextBeforeTheBlockAndCrlfLines) {
  absl::StatusOr<std::unique_ptr<Verifier>> plain = LoadVerifier(p256_);
  ASSERT_THAT(plain, IsOk());
  for (const std::string& variant :
       {"Public Key Info:\n\tsome: text\n\n" + p256_,
        absl::StrReplaceAll(p256_, {{"\n", "\r\n"}}), p256_ + "\n\n  \n"}) {
    absl::StatusOr<std::unique_ptr<Verifier>> verifier = LoadVerifier(variant);
    ASSERT_THAT(verifier, IsOk()) << variant;
    EXPECT_EQ((*verifier)->public_key_pem(), p256_);
    EXPECT_EQ((*verifier)->Hint(), (*plain)->Hint());
  }
}

TEST(CryptoVerifierFromSpkiDerTest, RejectsEmptyAndGarbageInput) {
  EXPECT_THAT(VerifierFromSpkiDer(""),
              StatusIs(kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(VerifierFromSpkiDer("not DER at all"),
              StatusIs(kInvalidArgument, _));
}

TEST(CryptoVerifierFromSpkiDerTest, RejectsTrailingBytesAndTruncation) {
  const std::string der = PemToDer(Generate(KeyType::kEcdsaP384).public_pem);
  EXPECT_THAT(VerifierFromSpkiDer(der + "x"),
              StatusIs(kInvalidArgument, HasSubstr("trailing")));
  EXPECT_THAT(VerifierFromSpkiDer(der.substr(0, der.size() - 1)),
              StatusIs(kInvalidArgument, _));
}

TEST(CryptoVerifierFromSpkiDerTest, RejectsBerLengthEncoding) {
  // The outer SEQUENCE length in long form: valid BER, not DER.
  const std::string der = PemToDer(Generate(KeyType::kEcdsaP256).public_pem);
  ASSERT_EQ(der[0], '\x30');
  ASSERT_LT(static_cast<unsigned char>(der[1]), 0x80);
  const std::string ber = der.substr(0, 1) + "\x81" + der.substr(1);
  EXPECT_THAT(VerifierFromSpkiDer(ber), StatusIs(kInvalidArgument, _));
}

TEST(CryptoVerifierFromSpkiDerTest, RejectsAPointOffTheCurve) {
  std::string der = PemToDer(Generate(KeyType::kEcdsaP256).public_pem);
  der.back() = static_cast<char>(der.back() ^ 1);  // last byte of y
  EXPECT_THAT(VerifierFromSpkiDer(der), StatusIs(kInvalidArgument, _));
}

TEST(CryptoVerifierFromSpkiDerTest, AcceptsTheDerOfEveryKeyType) {
  for (KeyType type : kAllKeyTypes) {
    const std::string pem = Generate(type).public_pem;
    absl::StatusOr<std::unique_ptr<Verifier>> verifier =
        VerifierFromSpkiDer(PemToDer(pem));
    ASSERT_THAT(verifier, IsOk()) << KeyTypeName(type);
    EXPECT_EQ((*verifier)->key_type(), type);
    EXPECT_EQ((*verifier)->public_key_pem(), pem);
  }
}

// ---------------------------------------------------------------------------
// LoadSigner and GenerateKeyPair: what they refuse

TEST(CryptoLoadSignerTest, RejectsEmptyAndTruncatedInput) {
  EXPECT_THAT(LoadSigner("", std::nullopt),
              StatusIs(kInvalidArgument, HasSubstr("PEM")));
  const KeyPairPem pair = Generate(KeyType::kEcdsaP256);
  const std::string& pem = pair.private_pem.value();
  EXPECT_THAT(LoadSigner(pem.substr(0, pem.size() / 2), std::nullopt),
              StatusIs(kInvalidArgument, HasSubstr("truncated")));
  // Whole base64 quanta missing: the PEM is well formed, the DER is not.
  const std::size_t end = pem.find("-----END");
  const std::size_t cut = pem.rfind('\n', end - 2) + 1;
  EXPECT_THAT(LoadSigner(pem.substr(0, cut) + pem.substr(end), std::nullopt),
              StatusIs(kInvalidArgument, _));
}

TEST(CryptoLoadSignerTest, RejectsAPublicKey) {
  EXPECT_THAT(LoadSigner(Generate(KeyType::kEd25519).public_pem, std::nullopt),
              StatusIs(kInvalidArgument, HasSubstr("public key")));
}

TEST(CryptoLoadSignerTest, RejectsAMissingPassphraseForAnEncryptedKey) {
  const KeyPairPem pair =
      Generate(KeyType::kEcdsaP256, Passphrase("correct horse"));
  EXPECT_THAT(LoadSigner(pair.private_pem.value(), std::nullopt),
              StatusIs(kInvalidArgument, HasSubstr("passphrase is needed")));
}

TEST(CryptoLoadSignerTest, RejectsAWrongPassphraseAsUnauthenticated) {
  for (KeyType type : kAllKeyTypes) {
    const KeyPairPem pair = Generate(type, Passphrase("correct horse"));
    EXPECT_THAT(LoadSigner(pair.private_pem.value(), Passphrase("wrong horse")),
                StatusIs(kUnauthenticated, HasSubstr("passphrase")))
        << KeyTypeName(type);
    EXPECT_THAT(LoadSigner(pair.private_pem.value(), Passphrase("")),
                StatusIs(kUnauthenticated, _));
  }
}

TEST(CryptoLoadSignerTest, RejectsAnOverlongPassphrase) {
  const KeyPairPem pair = Generate(KeyType::kEd25519, Passphrase("short"));
  EXPECT_THAT(
      LoadSigner(pair.private_pem.value(), Passphrase(std::string(5000, 'p'))),
      StatusIs(kInvalidArgument, HasSubstr("passphrase longer")));
}

TEST(CryptoLoadSignerTest, RejectsUnknownLabelsAndUnexpectedHeaders) {
  const KeyPairPem pair = Generate(KeyType::kEcdsaP256);
  const std::string& pem = pair.private_pem.value();
  EXPECT_THAT(
      LoadSigner(absl::StrReplaceAll(pem, {{"PRIVATE KEY", "RSA PRIVATE KEY"}}),
                 std::nullopt),
      StatusIs(kInvalidArgument, HasSubstr("RSA PRIVATE KEY")));
  EXPECT_THAT(
      LoadSigner(absl::StrReplaceAll(
                     pem, {{"-----BEGIN PRIVATE KEY-----\n",
                            "-----BEGIN PRIVATE KEY-----\nComment: x\n\n"}}),
                 std::nullopt),
      StatusIs(kInvalidArgument, HasSubstr("headers")));
}

TEST(CryptoLoadSignerTest, IgnoresAPassphraseForAnUnencryptedKey) {
  const KeyPairPem pair = Generate(KeyType::kEcdsaP384);
  EXPECT_THAT(LoadSigner(pair.private_pem.value(), Passphrase("unused")),
              IsOk());
}

TEST(CryptoGenerateKeyPairTest, RejectsAnEmptyPassphrase) {
  EXPECT_THAT(GenerateKeyPair(KeyType::kEcdsaP256, Passphrase("")),
              StatusIs(kInvalidArgument, HasSubstr("empty passphrase")));
}

TEST(CryptoGenerateKeyPairTest, WritesPkcs8AndSpkiPem) {
  for (KeyType type : kAllKeyTypes) {
    const KeyPairPem plain = Generate(type);
    EXPECT_THAT(plain.private_pem.value(),
                StartsWith("-----BEGIN PRIVATE KEY-----\n"));
    EXPECT_THAT(plain.public_pem, StartsWith("-----BEGIN PUBLIC KEY-----\n"));
    const KeyPairPem encrypted = Generate(type, Passphrase("pw"));
    EXPECT_THAT(encrypted.private_pem.value(),
                StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
  }
}

TEST(CryptoGenerateKeyPairTest, GeneratesADifferentKeyEachTime) {
  for (KeyType type : kAllKeyTypes) {
    EXPECT_NE(Generate(type).public_pem, Generate(type).public_pem);
  }
}

// ---------------------------------------------------------------------------
// Sign and verify, every key type

class CryptoSignVerifyTest : public ::testing::TestWithParam<KeyType> {
 protected:
  void SetUp() override {
    pair_ = Generate(GetParam());
    absl::StatusOr<std::unique_ptr<Signer>> signer =
        LoadSigner(pair_.private_pem.value(), std::nullopt);
    ASSERT_THAT(signer, IsOk());
    signer_ = *std::move(signer);
    absl::StatusOr<std::unique_ptr<Verifier>> verifier =
        LoadVerifier(pair_.public_pem);
    ASSERT_THAT(verifier, IsOk());
    verifier_ = *std::move(verifier);
    absl::StatusOr<std::string> signature = signer_->Sign(kData);
    ASSERT_THAT(signature, IsOk());
    signature_ = *std::move(signature);
  }

  static constexpr absl::string_view kData = "the bytes of a DSSE PAE";
  KeyPairPem pair_;
  std::unique_ptr<Signer> signer_;
  std::unique_ptr<Verifier> verifier_;
  std::string signature_;
};

TEST_P(CryptoSignVerifyTest, TamperedDataFailsAsUnauthenticated) {
  const std::string data(kData);
  for (std::size_t bit :
       {std::size_t{0}, data.size() * 4, data.size() * 8 - 1}) {
    EXPECT_THAT(verifier_->Verify(FlipBit(data, bit), signature_),
                StatusIs(kUnauthenticated, HasSubstr("does not verify")));
  }
  EXPECT_THAT(verifier_->Verify(data + "x", signature_),
              StatusIs(kUnauthenticated, _));
  EXPECT_THAT(verifier_->Verify("", signature_), StatusIs(kUnauthenticated, _));
}

TEST_P(CryptoSignVerifyTest, TamperedSignatureFailsAsUnauthenticated) {
  // The last byte is inside s for both DER ECDSA and Ed25519, so the
  // signature still parses and must fail verification.
  for (std::size_t bit = signature_.size() * 8 - 8; bit < signature_.size() * 8;
       ++bit) {
    EXPECT_THAT(verifier_->Verify(kData, FlipBit(signature_, bit)),
                StatusIs(kUnauthenticated, _))
        << bit;
  }
}

TEST_P(CryptoSignVerifyTest, AnotherKeysSignatureFailsAsUnauthenticated) {
  const KeyPairPem other = Generate(GetParam());
  absl::StatusOr<std::unique_ptr<Verifier>> other_verifier =
      LoadVerifier(other.public_pem);
  ASSERT_THAT(other_verifier, IsOk());
  EXPECT_THAT((*other_verifier)->Verify(kData, signature_),
              StatusIs(kUnauthenticated, _));
}

TEST_P(CryptoSignVerifyTest, EmptyOrTruncatedSignatureIsRejected) {
  EXPECT_THAT(verifier_->Verify(kData, ""), StatusIs(kInvalidArgument, _));
  EXPECT_THAT(verifier_->Verify(kData, signature_.substr(1)),
              StatusIs(kInvalidArgument, _));
  EXPECT_THAT(verifier_->Verify(kData, signature_ + '\0'),
              StatusIs(kInvalidArgument, _));
}

TEST_P(CryptoSignVerifyTest, SignatureVerifies) {
  MODELSEAL_EXPECT_OK(verifier_->Verify(kData, signature_));
  EXPECT_EQ(signer_->key_type(), GetParam());
  EXPECT_EQ(verifier_->key_type(), GetParam());
  EXPECT_EQ(signer_->public_key_pem(), pair_.public_pem);
  EXPECT_EQ(verifier_->public_key_pem(), pair_.public_pem);
  absl::StatusOr<std::unique_ptr<Verifier>> own = signer_->MakeVerifier();
  ASSERT_THAT(own, IsOk());
  MODELSEAL_EXPECT_OK((*own)->Verify(kData, signature_));
  EXPECT_EQ((*own)->Hint(), verifier_->Hint());
  EXPECT_EQ(verifier_->Hint().size(), 64u);
}

TEST_P(CryptoSignVerifyTest, EmptyAndLargeMessagesSignAndVerify) {
  for (const std::string& data :
       {std::string(), ::modelseal::testing::PseudoRandomBytes(1 << 20, 9)}) {
    absl::StatusOr<std::string> signature = signer_->Sign(data);
    ASSERT_THAT(signature, IsOk());
    MODELSEAL_EXPECT_OK(verifier_->Verify(data, *signature));
  }
}

TEST_P(CryptoSignVerifyTest, RoundTripsThroughAnEncryptedKey) {
  const KeyPairPem pair = Generate(GetParam(), Passphrase("s3cret pass"));
  absl::StatusOr<std::unique_ptr<Signer>> signer =
      LoadSigner(pair.private_pem.value(), Passphrase("s3cret pass"));
  ASSERT_THAT(signer, IsOk());
  EXPECT_EQ((*signer)->public_key_pem(), pair.public_pem);
  absl::StatusOr<std::string> signature = (*signer)->Sign(kData);
  ASSERT_THAT(signature, IsOk());
  absl::StatusOr<std::unique_ptr<Verifier>> verifier =
      LoadVerifier(pair.public_pem);
  ASSERT_THAT(verifier, IsOk());
  MODELSEAL_EXPECT_OK((*verifier)->Verify(kData, *signature));
  EXPECT_THAT(verifier_->Verify(kData, *signature),
              StatusIs(kUnauthenticated, _));
}

INSTANTIATE_TEST_SUITE_P(Crypto, CryptoSignVerifyTest,
                         ::testing::ValuesIn(kAllKeyTypes), TypeParamName);

TEST(CryptoCrossTypeTest, EcdsaVerifiersRejectRawEd25519Signatures) {
  KeyPairPem ed25519 = Generate(KeyType::kEd25519);
  absl::StatusOr<std::unique_ptr<Signer>> signer =
      LoadSigner(ed25519.private_pem.value(), std::nullopt);
  ASSERT_THAT(signer, IsOk());
  absl::StatusOr<std::string> signature = (*signer)->Sign("data");
  ASSERT_THAT(signature, IsOk());
  ASSERT_EQ(signature->size(), 64u);
  for (KeyType type :
       {KeyType::kEcdsaP256, KeyType::kEcdsaP384, KeyType::kEcdsaP521}) {
    absl::StatusOr<std::unique_ptr<Verifier>> verifier =
        LoadVerifier(Generate(type).public_pem);
    ASSERT_THAT(verifier, IsOk());
    EXPECT_THAT((*verifier)->Verify("data", *signature), Not(IsOk()));
  }
}

TEST(CryptoCrossTypeTest, Ed25519VerifiersRejectEcdsaSignatures) {
  KeyPairPem p384 = Generate(KeyType::kEcdsaP384);
  absl::StatusOr<std::unique_ptr<Signer>> signer =
      LoadSigner(p384.private_pem.value(), std::nullopt);
  ASSERT_THAT(signer, IsOk());
  absl::StatusOr<std::string> signature = (*signer)->Sign("data");
  ASSERT_THAT(signature, IsOk());
  absl::StatusOr<std::unique_ptr<Verifier>> verifier =
      LoadVerifier(Generate(KeyType::kEd25519).public_pem);
  ASSERT_THAT(verifier, IsOk());
  EXPECT_THAT((*verifier)->Verify("data", *signature),
              StatusIs(kInvalidArgument, HasSubstr("64 bytes")));
}

TEST(CryptoCrossTypeTest, EcdsaSignatureOfAnotherCurveFails) {
  KeyPairPem p256 = Generate(KeyType::kEcdsaP256);
  absl::StatusOr<std::unique_ptr<Signer>> signer =
      LoadSigner(p256.private_pem.value(), std::nullopt);
  ASSERT_THAT(signer, IsOk());
  absl::StatusOr<std::string> signature = (*signer)->Sign("data");
  ASSERT_THAT(signature, IsOk());
  absl::StatusOr<std::unique_ptr<Verifier>> verifier =
      LoadVerifier(Generate(KeyType::kEcdsaP384).public_pem);
  ASSERT_THAT(verifier, IsOk());
  EXPECT_THAT((*verifier)->Verify("data", *signature),
              StatusIs(kUnauthenticated, _));
}

TEST(CryptoCrossTypeTest, MalformedDerEcdsaSignaturesAreInvalidArguments) {
  KeyPairPem pair = Generate(KeyType::kEcdsaP256);
  absl::StatusOr<std::unique_ptr<Signer>> signer =
      LoadSigner(pair.private_pem.value(), std::nullopt);
  ASSERT_THAT(signer, IsOk());
  absl::StatusOr<std::unique_ptr<Verifier>> verifier =
      (*signer)->MakeVerifier();
  ASSERT_THAT(verifier, IsOk());
  absl::StatusOr<std::string> signature = (*signer)->Sign("data");
  ASSERT_THAT(signature, IsOk());
  ASSERT_LT(static_cast<unsigned char>((*signature)[1]), 0x80);
  const std::string ber_length =
      signature->substr(0, 1) + "\x81" + signature->substr(1);
  for (const std::string& bad :
       {std::string("\x30\x00", 2),
        std::string("\x30\x06\x02\x01\x01\x02\x01", 7), std::string(64, '\x30'),
        std::string(1000, 'A'), ber_length, FlipBit(*signature, 0)}) {
    EXPECT_THAT((*verifier)->Verify("data", bad),
                StatusIs(kInvalidArgument, HasSubstr("DER")));
  }
}

TEST(CryptoEd25519Test, SignsRfc8032TestVector1) {
  // RFC 8032 §7.1 TEST 1, wrapped in PKCS#8 and SPKI (RFC 8410 §7, §10.3).
  const std::string seed = absl::HexStringToBytes(
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  const std::string public_key = absl::HexStringToBytes(
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const std::string expected = absl::HexStringToBytes(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
      "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  const std::string pkcs8 =
      absl::HexStringToBytes("302e020100300506032b657004220420") + seed;
  const std::string spki =
      absl::HexStringToBytes("302a300506032b6570032100") + public_key;

  absl::StatusOr<std::unique_ptr<Signer>> signer =
      LoadSigner(DerToPem("PRIVATE KEY", pkcs8), std::nullopt);
  ASSERT_THAT(signer, IsOk());
  EXPECT_EQ((*signer)->public_key_pem(), DerToPem("PUBLIC KEY", spki));
  absl::StatusOr<std::string> signature = (*signer)->Sign("");
  ASSERT_THAT(signature, IsOk());
  EXPECT_EQ(absl::BytesToHexString(*signature),
            absl::BytesToHexString(expected));
  absl::StatusOr<std::unique_ptr<Verifier>> verifier =
      VerifierFromSpkiDer(spki);
  ASSERT_THAT(verifier, IsOk());
  MODELSEAL_EXPECT_OK((*verifier)->Verify("", expected));
  EXPECT_THAT((*verifier)->Verify("x", expected),
              StatusIs(kUnauthenticated, _));
}

// ---------------------------------------------------------------------------
// Interoperability with the openssl command line

class CryptoOpensslInteropTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_.Join(name); }
  std::string Write(const std::string& name, const std::string& contents) {
    return dir_.Write(name, contents);
  }

  // Signs `data` with our signer for `pair` and checks the signature with
  // the openssl CLI.
  void ExpectOpensslVerifiesOurSignature(
      KeyType type, const KeyPairPem& pair,
      const std::optional<SecretString>& passphrase) {
    absl::StatusOr<std::unique_ptr<Signer>> signer =
        LoadSigner(pair.private_pem.value(), passphrase);
    ASSERT_THAT(signer, IsOk());
    const std::string data = ::modelseal::testing::PseudoRandomBytes(5000, 11);
    absl::StatusOr<std::string> signature = (*signer)->Sign(data);
    ASSERT_THAT(signature, IsOk());
    const std::string pub = Write("pub.pem", pair.public_pem);
    const std::string sig = Write("sig", *signature);
    const std::string in = Write("data", data);
    if (type == KeyType::kEd25519) {
      const std::string output =
          Openssl("pkeyutl -verify -rawin -pubin -inkey " + pub + " -sigfile " +
                  sig + " -in " + in);
      EXPECT_THAT(output, HasSubstr("Signature Verified Successfully"));
    } else {
      const std::string output =
          Openssl("dgst " + DigestFlag(type) + " -verify " + pub +
                  " -signature " + sig + " " + in);
      EXPECT_THAT(output, HasSubstr("Verified OK"));
    }
    // The same signature over other data must fail in openssl too.
    const std::string other = Write("other", data + "!");
    const CommandResult rejected =
        type == KeyType::kEd25519
            ? RunCommand("openssl pkeyutl -verify -rawin -pubin -inkey " + pub +
                         " -sigfile " + sig + " -in " + other)
            : RunCommand("openssl dgst " + DigestFlag(type) + " -verify " +
                         pub + " -signature " + sig + " " + other);
    EXPECT_NE(rejected.exit_code, 0) << rejected.output;
  }

  TempDir dir_;
};

TEST_F(CryptoOpensslInteropTest, RsaKeysAreRejected) {
  const std::string key = Path("rsa.pem");
  Openssl("genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " + key);
  Openssl("pkey -in " + key + " -pubout -out " + Path("rsa-pub.pem"));
  Openssl("pkey -in " + key + " -traditional -out " + Path("rsa-trad.pem"));
  EXPECT_THAT(LoadSigner(ReadFile(key), std::nullopt),
              StatusIs(kInvalidArgument, HasSubstr("RSA")));
  EXPECT_THAT(LoadSigner(ReadFile(Path("rsa-trad.pem")), std::nullopt),
              StatusIs(kInvalidArgument, HasSubstr("RSA")));
  EXPECT_THAT(LoadVerifier(ReadFile(Path("rsa-pub.pem"))),
              StatusIs(kInvalidArgument, HasSubstr("RSA")));
}

TEST_F(CryptoOpensslInteropTest, OtherCurvesAreRejected) {
  for (const char* curve : {"secp256k1", "P-224", "brainpoolP256r1"}) {
    const std::string key = Path(std::string(curve) + ".pem");
    Openssl(std::string("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:") +
            curve + " -out " + key);
    Openssl("pkey -in " + key + " -pubout -out " + key + ".pub");
    EXPECT_THAT(LoadSigner(ReadFile(key), std::nullopt),
                StatusIs(kInvalidArgument, HasSubstr("curve")))
        << curve;
    EXPECT_THAT(LoadVerifier(ReadFile(key + ".pub")),
                StatusIs(kInvalidArgument, HasSubstr("curve")))
        << curve;
  }
}

TEST_F(CryptoOpensslInteropTest, ExplicitCurveParametersAreRejected) {
  const std::string key = Path("explicit.pem");
  Openssl(
      "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
      "-pkeyopt ec_param_enc:explicit -out " +
      key);
  Openssl("pkey -in " + key + " -pubout -out " + Path("explicit-pub.pem"));
  EXPECT_THAT(LoadSigner(ReadFile(key), std::nullopt),
              StatusIs(kInvalidArgument, HasSubstr("explicit")));
  EXPECT_THAT(LoadVerifier(ReadFile(Path("explicit-pub.pem"))),
              StatusIs(kInvalidArgument, HasSubstr("explicit")));
}

TEST_F(CryptoOpensslInteropTest, OurKeysAreReadableByOpensslPkey) {
  const std::string pass_file = Write("pass.txt", "pass phrase\n");
  const std::string wrong_file = Write("wrong.txt", "pass phrase?\n");
  for (KeyType type : kAllKeyTypes) {
    SCOPED_TRACE(KeyTypeName(type));
    const KeyPairPem plain = Generate(type);
    const std::string plain_key = Write("plain.pem", plain.private_pem.value());
    Openssl("pkey -in " + plain_key + " -pubout -out " + Path("plain-pub.pem"));
    EXPECT_EQ(ReadFile(Path("plain-pub.pem")), plain.public_pem);

    const KeyPairPem encrypted = Generate(type, Passphrase("pass phrase"));
    const std::string encrypted_key =
        Write("encrypted.pem", encrypted.private_pem.value());
    Openssl("pkey -in " + encrypted_key + " -passin file:" + pass_file +
            " -pubout -out " + Path("encrypted-pub.pem"));
    EXPECT_EQ(ReadFile(Path("encrypted-pub.pem")), encrypted.public_pem);
    EXPECT_NE(RunCommand("openssl pkey -noout -in " + encrypted_key +
                         " -passin file:" + wrong_file)
                  .exit_code,
              0);
  }
}

TEST_F(CryptoOpensslInteropTest, EncryptedKeysUsePbkdf2AndAes256Cbc) {
  const KeyPairPem pair = Generate(KeyType::kEcdsaP256, Passphrase("pw"));
  const std::string dump =
      Openssl("asn1parse -in " + Write("key.pem", pair.private_pem.value()));
  EXPECT_THAT(dump, HasSubstr("PBES2"));
  EXPECT_THAT(dump, HasSubstr("PBKDF2"));
  EXPECT_THAT(dump, HasSubstr("aes-256-cbc"));
}

TEST_F(CryptoOpensslInteropTest, PublicPemIsWhatOpensslPkeyPrints) {
  for (KeyType type : kAllKeyTypes) {
    const KeyPairPem pair = Generate(type);
    const std::string pub = Write("pub.pem", pair.public_pem);
    Openssl("pkey -pubin -in " + pub + " -outform PEM -out " +
            Path("again.pem"));
    EXPECT_EQ(ReadFile(Path("again.pem")), pair.public_pem)
        << KeyTypeName(type);
  }
}

TEST_F(CryptoOpensslInteropTest, OpensslVerifiesOurSignatures) {
  for (KeyType type : kAllKeyTypes) {
    SCOPED_TRACE(KeyTypeName(type));
    ExpectOpensslVerifiesOurSignature(type, Generate(type), std::nullopt);
    ExpectOpensslVerifiesOurSignature(type, Generate(type, Passphrase("pw")),
                                      Passphrase("pw"));
  }
}

TEST_F(CryptoOpensslInteropTest, OpensslKeysLoadAndTheirSignaturesVerify) {
  const std::string data_file =
      Write("data", ::modelseal::testing::PseudoRandomBytes(3000, 5));
  for (KeyType type : kAllKeyTypes) {
    SCOPED_TRACE(KeyTypeName(type));
    const std::string key = Path("key.pem");
    const std::string pub = Path("pub.pem");
    const std::string sig = Path("sig");
    Openssl(GenpkeyArguments(type) + " -out " + key);
    Openssl("pkey -in " + key + " -pubout -out " + pub);
    if (type == KeyType::kEd25519) {
      Openssl("pkeyutl -sign -rawin -inkey " + key + " -in " + data_file +
              " -out " + sig);
    } else {
      Openssl("dgst " + DigestFlag(type) + " -sign " + key + " -out " + sig +
              " " + data_file);
    }
    absl::StatusOr<std::unique_ptr<Signer>> signer =
        LoadSigner(ReadFile(key), std::nullopt);
    ASSERT_THAT(signer, IsOk());
    EXPECT_EQ((*signer)->key_type(), type);
    EXPECT_EQ((*signer)->public_key_pem(), ReadFile(pub));
    absl::StatusOr<std::unique_ptr<Verifier>> verifier =
        LoadVerifier(ReadFile(pub));
    ASSERT_THAT(verifier, IsOk());
    const std::string data = ReadFile(data_file);
    MODELSEAL_EXPECT_OK((*verifier)->Verify(data, ReadFile(sig)));
    EXPECT_THAT((*verifier)->Verify(data + "!", ReadFile(sig)),
                StatusIs(kUnauthenticated, _));
  }
}

TEST_F(CryptoOpensslInteropTest, OpensslEncryptedAndTraditionalKeysLoad) {
  const std::string pass_file = Write("pass.txt", "open sesame");
  for (KeyType type : kAllKeyTypes) {
    SCOPED_TRACE(KeyTypeName(type));
    const std::string key = Path("key.pem");
    Openssl(GenpkeyArguments(type) + " -out " + key);
    Openssl("pkey -in " + key + " -pubout -out " + Path("pub.pem"));
    const std::string expected_pub = ReadFile(Path("pub.pem"));

    Openssl("pkey -in " + key + " -aes256 -passout file:" + pass_file +
            " -out " + Path("pkcs8-enc.pem"));
    absl::StatusOr<std::unique_ptr<Signer>> signer =
        LoadSigner(ReadFile(Path("pkcs8-enc.pem")), Passphrase("open sesame"));
    ASSERT_THAT(signer, IsOk());
    EXPECT_EQ((*signer)->public_key_pem(), expected_pub);
    EXPECT_THAT(LoadSigner(ReadFile(Path("pkcs8-enc.pem")), std::nullopt),
                StatusIs(kInvalidArgument, HasSubstr("passphrase")));
    if (type == KeyType::kEd25519) continue;  // no traditional form

    Openssl("ec -in " + key + " -out " + Path("trad.pem"));
    ASSERT_THAT(ReadFile(Path("trad.pem")),
                StartsWith("-----BEGIN EC PRIVATE KEY-----"));
    signer = LoadSigner(ReadFile(Path("trad.pem")), std::nullopt);
    ASSERT_THAT(signer, IsOk());
    EXPECT_EQ((*signer)->public_key_pem(), expected_pub);

    Openssl("ec -in " + key + " -aes256 -passout file:" + pass_file + " -out " +
            Path("trad-enc.pem"));
    ASSERT_THAT(ReadFile(Path("trad-enc.pem")),
                HasSubstr("Proc-Type: 4,ENCRYPTED"));
    signer =
        LoadSigner(ReadFile(Path("trad-enc.pem")), Passphrase("open sesame"));
    ASSERT_THAT(signer, IsOk());
    EXPECT_EQ((*signer)->public_key_pem(), expected_pub);
    EXPECT_THAT(LoadSigner(ReadFile(Path("trad-enc.pem")), std::nullopt),
                StatusIs(kInvalidArgument, HasSubstr("passphrase")));
    EXPECT_THAT(
        LoadSigner(ReadFile(Path("trad-enc.pem")), Passphrase("open sesame!")),
        StatusIs(kUnauthenticated, _));
  }
}

TEST_F(CryptoOpensslInteropTest, CompressedPointKeysKeepTheirEncoding) {
  const KeyPairPem pair = Generate(KeyType::kEcdsaP256);
  const std::string pub = Write("pub.pem", pair.public_pem);
  Openssl("ec -pubin -in " + pub + " -conv_form compressed -pubout -out " +
          Path("compressed.pem"));
  Openssl("pkey -pubin -in " + Path("compressed.pem") + " -outform PEM -out " +
          Path("printed.pem"));
  absl::StatusOr<std::unique_ptr<Verifier>> verifier =
      LoadVerifier(ReadFile(Path("compressed.pem")));
  ASSERT_THAT(verifier, IsOk());
  EXPECT_EQ((*verifier)->public_key_pem(), ReadFile(Path("printed.pem")));
  absl::StatusOr<std::unique_ptr<Signer>> signer =
      LoadSigner(pair.private_pem.value(), std::nullopt);
  ASSERT_THAT(signer, IsOk());
  absl::StatusOr<std::string> signature = (*signer)->Sign("data");
  ASSERT_THAT(signature, IsOk());
  MODELSEAL_EXPECT_OK((*verifier)->Verify("data", *signature));
}

// ---------------------------------------------------------------------------
// The keys and bundle of sigstore/model-transparency

TEST(CryptoVectorTest, CerttoolPublicKeyLoadsAsAP384Verifier) {
  const std::string file = ReadFile(kCertificates + "signing-key-pub.pem");
  ASSERT_THAT(file, StartsWith("Public Key Information:"));
  absl::StatusOr<std::unique_ptr<Verifier>> verifier = LoadVerifier(file);
  ASSERT_THAT(verifier, IsOk());
  EXPECT_EQ((*verifier)->key_type(), KeyType::kEcdsaP384);
  EXPECT_EQ((*verifier)->public_key_pem(),
            file.substr(file.find("-----BEGIN PUBLIC KEY-----")));
}

TEST(CryptoVectorTest, HintMatchesTheReferenceBundle) {
  absl::StatusOr<std::unique_ptr<Verifier>> verifier =
      LoadVerifier(ReadFile(kCertificates + "signing-key-pub.pem"));
  ASSERT_THAT(verifier, IsOk());
  EXPECT_EQ((*verifier)->Hint(),
            "e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e");
}

TEST(CryptoVectorTest, CerttoolTraditionalPrivateKeyLoads) {
  absl::StatusOr<std::unique_ptr<Signer>> signer =
      LoadSigner(ReadFile(kCertificates + "signing-key.pem"), std::nullopt);
  ASSERT_THAT(signer, IsOk());
  EXPECT_EQ((*signer)->key_type(), KeyType::kEcdsaP384);
  absl::StatusOr<std::unique_ptr<Verifier>> verifier =
      LoadVerifier(ReadFile(kCertificates + "signing-key-pub.pem"));
  ASSERT_THAT(verifier, IsOk());
  EXPECT_EQ((*signer)->public_key_pem(), (*verifier)->public_key_pem());
  absl::StatusOr<std::string> signature = (*signer)->Sign("payload");
  ASSERT_THAT(signature, IsOk());
  MODELSEAL_EXPECT_OK((*verifier)->Verify("payload", *signature));
}

TEST(CryptoVectorTest, ReferenceBundleDsseSignatureVerifies) {
  using google::protobuf::Struct;
  Struct bundle;
  const auto parsed = google::protobuf::util::JsonStringToMessage(
      ReadFile(kVectors + "v1.1.0-elliptic-key/model.sig"), &bundle);
  ASSERT_TRUE(parsed.ok()) << parsed.ToString();
  const Struct& envelope = bundle.fields().at("dsseEnvelope").struct_value();
  const std::string& payload_type =
      envelope.fields().at("payloadType").string_value();
  const auto& signatures = envelope.fields().at("signatures").list_value();
  ASSERT_EQ(signatures.values_size(), 1);
  std::string payload;
  std::string signature;
  ASSERT_TRUE(absl::Base64Unescape(
      envelope.fields().at("payload").string_value(), &payload));
  ASSERT_TRUE(absl::Base64Unescape(
      signatures.values(0).struct_value().fields().at("sig").string_value(),
      &signature));
  EXPECT_EQ(bundle.fields()
                .at("verificationMaterial")
                .struct_value()
                .fields()
                .at("publicKey")
                .struct_value()
                .fields()
                .at("hint")
                .string_value(),
            "e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e");

  absl::StatusOr<std::unique_ptr<Verifier>> verifier =
      LoadVerifier(ReadFile(kCertificates + "signing-key-pub.pem"));
  ASSERT_THAT(verifier, IsOk());
  const std::string pae = DssePae(payload_type, payload);
  MODELSEAL_EXPECT_OK((*verifier)->Verify(pae, signature));
  EXPECT_THAT((*verifier)->Verify(FlipBit(pae, pae.size() * 8 - 20), signature),
              StatusIs(kUnauthenticated, HasSubstr("does not verify")));
  EXPECT_THAT(
      (*verifier)->Verify(pae, FlipBit(signature, signature.size() * 8 - 1)),
      StatusIs(kUnauthenticated, _));
  // The payload alone (no PAE) is not what was signed.
  EXPECT_THAT((*verifier)->Verify(payload, signature),
              StatusIs(kUnauthenticated, _));
}

// ---------------------------------------------------------------------------
// Certificates

class CryptoCertificateChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    leaf_ = Der("signing-key-cert.pem");
    intermediate_ = Der("int-ca-cert.pem");
    root_ = Der("ca-cert.pem");
  }

  static std::string Der(const std::string& name) {
    absl::StatusOr<std::vector<std::string>> certificates =
        CertificatesFromPem(ReadFile(kCertificates + name));
    EXPECT_THAT(certificates, IsOk());
    if (!certificates.ok() || certificates->size() != 1) return "";
    return (*certificates)[0];
  }

  std::string leaf_;
  std::string intermediate_;
  std::string root_;
};

TEST_F(CryptoCertificateChainTest, CertificatesFromPemRejectsInputWithoutOne) {
  EXPECT_THAT(CertificatesFromPem(""),
              StatusIs(kInvalidArgument, HasSubstr("no CERTIFICATE")));
  EXPECT_THAT(
      CertificatesFromPem(ReadFile(kCertificates + "signing-key-pub.pem")),
      StatusIs(kInvalidArgument, HasSubstr("no CERTIFICATE")));
}

TEST_F(CryptoCertificateChainTest, CertificatesFromPemRejectsMalformedBlocks) {
  const std::string pem = ReadFile(kCertificates + "ca-cert.pem");
  EXPECT_THAT(CertificatesFromPem(pem.substr(0, pem.size() / 2)),
              StatusIs(kInvalidArgument, HasSubstr("truncated")));
  EXPECT_THAT(CertificatesFromPem(DerToPem("CERTIFICATE", "not a certificate")),
              StatusIs(kInvalidArgument, HasSubstr("certificate 1")));
  EXPECT_THAT(CertificatesFromPem(
                  DerToPem("CERTIFICATE", root_ + std::string(1, '\0'))),
              StatusIs(kInvalidArgument, HasSubstr("trailing")));
}

TEST_F(CryptoCertificateChainTest, CertificatesFromPemReadsEveryBlockInOrder) {
  const std::string bundle = "subject=CN = intermediate-ca\n" +
                             ReadFile(kCertificates + "int-ca-cert.pem") +
                             "\nsubject=CN = root-ca\n" +
                             ReadFile(kCertificates + "ca-cert.pem");
  absl::StatusOr<std::vector<std::string>> certificates =
      CertificatesFromPem(bundle);
  ASSERT_THAT(certificates, IsOk());
  ASSERT_EQ(certificates->size(), 2u);
  EXPECT_EQ((*certificates)[0], intermediate_);
  EXPECT_EQ((*certificates)[1], root_);
  TempDir dir;
  Openssl("x509 -in " + kCertificates + "ca-cert.pem -outform DER -out " +
          dir.Join("ca.der"));
  EXPECT_EQ(root_, ReadFile(dir.Join("ca.der")));
}

TEST_F(CryptoCertificateChainTest, RejectsGarbageCertificatesAsInvalid) {
  EXPECT_THAT(
      VerifyCertificateChain("junk", {intermediate_}, {root_}, kInsideValidity),
      StatusIs(kInvalidArgument, HasSubstr("leaf")));
  EXPECT_THAT(VerifyCertificateChain(leaf_, {"junk"}, {root_}, kInsideValidity),
              StatusIs(kInvalidArgument, HasSubstr("intermediate")));
  EXPECT_THAT(
      VerifyCertificateChain(leaf_, {intermediate_}, {"junk"}, kInsideValidity),
      StatusIs(kInvalidArgument, HasSubstr("root")));
  EXPECT_THAT(
      VerifyCertificateChain(leaf_, {intermediate_}, {}, kInsideValidity),
      StatusIs(kInvalidArgument, HasSubstr("root")));
}

TEST_F(CryptoCertificateChainTest, FailsWithTheWrongRoot) {
  // Another self-signed root with the same name as the real one.
  TempDir dir;
  const std::string key = dir.Join("other.key");
  Openssl("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + key);
  Openssl("req -x509 -new -key " + key + " -subj /CN=root-ca -days 30 -out " +
          dir.Join("other.pem"));
  absl::StatusOr<std::vector<std::string>> other =
      CertificatesFromPem(ReadFile(dir.Join("other.pem")));
  ASSERT_THAT(other, IsOk());
  EXPECT_THAT(VerifyCertificateChain(leaf_, {intermediate_}, *other,
                                     std::time(nullptr)),
              StatusIs(kUnauthenticated, HasSubstr("does not verify")));
  // The leaf's own issuer chain given as roots in the wrong places.
  EXPECT_THAT(VerifyCertificateChain(leaf_, {root_}, {leaf_}, kInsideValidity),
              StatusIs(kUnauthenticated, _));
}

TEST_F(CryptoCertificateChainTest, FailsWithoutTheIntermediate) {
  EXPECT_THAT(VerifyCertificateChain(leaf_, {}, {root_}, kInsideValidity),
              StatusIs(kUnauthenticated, HasSubstr("issuer")));
}

TEST_F(CryptoCertificateChainTest, FailsWhenOnlyTheIntermediateIsTrusted) {
  // A partial chain ending at a non-self-signed trust anchor is refused.
  EXPECT_THAT(
      VerifyCertificateChain(leaf_, {}, {intermediate_}, kInsideValidity),
      StatusIs(kUnauthenticated, _));
}

TEST_F(CryptoCertificateChainTest, FailsOutsideTheValidityPeriod) {
  EXPECT_THAT(
      VerifyCertificateChain(leaf_, {intermediate_}, {root_}, kAfterNotAfter),
      StatusIs(kUnauthenticated, HasSubstr("expired")));
  EXPECT_THAT(
      VerifyCertificateChain(leaf_, {intermediate_}, {root_}, kNotAfter + 1),
      StatusIs(kUnauthenticated, HasSubstr("expired")));
  EXPECT_THAT(
      VerifyCertificateChain(leaf_, {intermediate_}, {root_}, kBeforeNotBefore),
      StatusIs(kUnauthenticated, HasSubstr("not yet valid")));
  EXPECT_THAT(
      VerifyCertificateChain(leaf_, {intermediate_}, {root_}, kNotBefore - 1),
      StatusIs(kUnauthenticated, HasSubstr("not yet valid")));
}

TEST_F(CryptoCertificateChainTest, VerifiesAtTheCurrentTimeAndInsideValidity) {
  // Check the dates the constants above were taken from.
  const std::string dates = Openssl("x509 -noout -dates -in " + kCertificates +
                                    "signing-key-cert.pem");
  EXPECT_THAT(dates, HasSubstr("notBefore=May  2 23:36:28 2025 GMT"));
  EXPECT_THAT(dates, HasSubstr("notAfter=Apr 30 23:36:28 2035 GMT"));

  absl::StatusOr<std::unique_ptr<Verifier>> expected =
      LoadVerifier(ReadFile(kCertificates + "signing-key-pub.pem"));
  ASSERT_THAT(expected, IsOk());
  // RFC 5280 makes notAfter itself valid; OpenSSL counts that second as
  // expired (X509_cmp_time treats equality as "before"), hence kNotAfter - 1.
  for (std::time_t at :
       {std::time(nullptr), kInsideValidity, kNotBefore, kNotAfter - 1}) {
    absl::StatusOr<std::unique_ptr<Verifier>> verifier =
        VerifyCertificateChain(leaf_, {intermediate_}, {root_}, at);
    ASSERT_THAT(verifier, IsOk()) << at;
    EXPECT_EQ((*verifier)->key_type(), KeyType::kEcdsaP384);
    EXPECT_EQ((*verifier)->public_key_pem(), (*expected)->public_key_pem());
  }
}

TEST_F(CryptoCertificateChainTest, LeafVerifierChecksSignaturesOfTheLeafKey) {
  absl::StatusOr<std::unique_ptr<Signer>> signer =
      LoadSigner(ReadFile(kCertificates + "signing-key.pem"), std::nullopt);
  ASSERT_THAT(signer, IsOk());
  absl::StatusOr<std::string> signature = (*signer)->Sign("model");
  ASSERT_THAT(signature, IsOk());
  absl::StatusOr<std::unique_ptr<Verifier>> verifier = VerifyCertificateChain(
      leaf_, {intermediate_}, {root_, intermediate_}, kInsideValidity);
  ASSERT_THAT(verifier, IsOk());
  MODELSEAL_EXPECT_OK((*verifier)->Verify("model", *signature));
  EXPECT_THAT((*verifier)->Verify("modem", *signature),
              StatusIs(kUnauthenticated, _));
}

// Certificates made with the openssl CLI: an EC root and leaves with chosen
// key usages and key types.
class CryptoCertificateKeyUsageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Openssl("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
            dir_.Join("root.key"));
    Openssl("req -x509 -new -key " + dir_.Join("root.key") +
            " -subj /CN=test-root -days 2 -addext "
            "basicConstraints=critical,CA:TRUE -addext "
            "keyUsage=critical,keyCertSign -out " +
            dir_.Join("root.pem"));
    absl::StatusOr<std::vector<std::string>> root =
        CertificatesFromPem(ReadFile(dir_.Join("root.pem")));
    ASSERT_THAT(root, IsOk());
    roots_ = *std::move(root);
  }

  // A leaf for a fresh key made by `genpkey_arguments`, signed by the root,
  // with `extensions` (an openssl extension file body; may be empty).
  std::string Leaf(const std::string& genpkey_arguments,
                   const std::string& extensions) {
    const std::string key = dir_.Join("leaf.key");
    Openssl(genpkey_arguments + " -out " + key);
    Openssl("req -new -key " + key + " -subj /CN=leaf -out " +
            dir_.Join("leaf.csr"));
    std::string command =
        "x509 -req -in " + dir_.Join("leaf.csr") + " -CA " +
        dir_.Join("root.pem") + " -CAkey " + dir_.Join("root.key") +
        " -set_serial 7 -days 1 -out " + dir_.Join("leaf.pem");
    if (!extensions.empty()) {
      command += " -extfile " + dir_.Write("leaf.ext", extensions + "\n");
    }
    Openssl(command);
    absl::StatusOr<std::vector<std::string>> leaf =
        CertificatesFromPem(ReadFile(dir_.Join("leaf.pem")));
    EXPECT_THAT(leaf, IsOk());
    return leaf.ok() ? (*leaf)[0] : "";
  }

  TempDir dir_;
  std::vector<std::string> roots_;
};

TEST_F(CryptoCertificateKeyUsageTest, RejectsALeafWithoutDigitalSignature) {
  const std::string leaf = Leaf(GenpkeyArguments(KeyType::kEcdsaP256),
                                "keyUsage=critical,keyAgreement");
  EXPECT_THAT(VerifyCertificateChain(leaf, {}, roots_, std::time(nullptr)),
              StatusIs(kUnauthenticated, HasSubstr("digitalSignature")));
}

TEST_F(CryptoCertificateKeyUsageTest, AcceptsALeafWithDigitalSignature) {
  const std::string leaf = Leaf(GenpkeyArguments(KeyType::kEd25519),
                                "keyUsage=critical,digitalSignature");
  absl::StatusOr<std::unique_ptr<Verifier>> verifier =
      VerifyCertificateChain(leaf, {}, roots_, std::time(nullptr));
  ASSERT_THAT(verifier, IsOk());
  EXPECT_EQ((*verifier)->key_type(), KeyType::kEd25519);
}

TEST_F(CryptoCertificateKeyUsageTest, AcceptsALeafWithoutKeyUsage) {
  const std::string leaf = Leaf(GenpkeyArguments(KeyType::kEcdsaP521), "");
  absl::StatusOr<std::unique_ptr<Verifier>> verifier =
      VerifyCertificateChain(leaf, {}, roots_, std::time(nullptr));
  ASSERT_THAT(verifier, IsOk());
  EXPECT_EQ((*verifier)->key_type(), KeyType::kEcdsaP521);
}

TEST_F(CryptoCertificateKeyUsageTest, RejectsALeafWithAnRsaKey) {
  const std::string leaf =
      Leaf("genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048",
           "keyUsage=critical,digitalSignature");
  EXPECT_THAT(VerifyCertificateChain(leaf, {}, roots_, std::time(nullptr)),
              StatusIs(kInvalidArgument, HasSubstr("RSA")));
}

}  // namespace
}  // namespace modelseal

namespace modelseal {
namespace {

TEST(Ed25519DerTest, KeysReadWithoutOpenSslCarryItsPemAndWork) {
  // Ed25519 SPKIs and unencrypted PKCS#8 keys are read from their single
  // RFC 8410 DER form without OpenSSL. The verifier and signer must still
  // carry exactly the PEM OpenSSL writes (hints and pins are derived from
  // it), and signatures must verify (keys made by `openssl genpkey` are
  // covered by CryptoOpensslInteropTest).
  for (int i = 0; i < 16; ++i) {
    SCOPED_TRACE(i);
    absl::StatusOr<KeyPairPem> pair = GenerateKeyPair(KeyType::kEd25519, {});
    ASSERT_TRUE(pair.ok()) << pair.status();
    absl::StatusOr<std::unique_ptr<Verifier>> verifier =
        LoadVerifier(pair->public_pem);
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    EXPECT_EQ((*verifier)->public_key_pem(), pair->public_pem);
    EXPECT_EQ((*verifier)->key_type(), KeyType::kEd25519);
    absl::StatusOr<std::unique_ptr<Signer>> signer =
        LoadSigner(pair->private_pem.value(), {});
    ASSERT_TRUE(signer.ok()) << signer.status();
    EXPECT_EQ((*signer)->public_key_pem(), pair->public_pem);
    for (const char* message : {"message", "data"}) {
      absl::StatusOr<std::string> signature = (*signer)->Sign(message);
      ASSERT_TRUE(signature.ok()) << signature.status();
      EXPECT_TRUE((*verifier)->Verify(message, *signature).ok());
      EXPECT_FALSE((*verifier)->Verify("massage", *signature).ok());
    }
  }
}

}  // namespace
}  // namespace modelseal
