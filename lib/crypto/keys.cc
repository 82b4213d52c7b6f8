// Key types, PEM, and the dispatch from an EVP_PKEY to its backend.
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "crypto/openssl_util.h"
#include "modelseal/crypto.h"
#include "modelseal/hex.h"
#include "modelseal/limits.h"
#include "modelseal/status.h"
#include "util/base64.h"

namespace modelseal {

using crypto_internal::BioPtr;
using crypto_internal::Bytes;
using crypto_internal::ClearOpenSslErrorsOnExit;
using crypto_internal::EvpPkeyCtxPtr;
using crypto_internal::EvpPkeyPtr;
using crypto_internal::OpenSslError;
using crypto_internal::PemBlock;

namespace crypto_internal {

absl::Status OpenSslError(absl::StatusCode code, absl::string_view what) {
  constexpr int kMaxReasons = 4;
  std::string reasons;
  int count = 0;
  for (unsigned long error = ERR_get_error();  // NOLINT(google-runtime-int)
       error != 0; error = ERR_get_error()) {
    if (count++ >= kMaxReasons) continue;
    char text[256];
    ERR_error_string_n(error, text, sizeof(text));
    absl::StrAppend(&reasons, reasons.empty() ? "" : "; ", text);
  }
  if (reasons.empty()) return absl::Status(code, what);
  return absl::Status(code, absl::StrCat(what, " (", reasons, ")"));
}

namespace {

constexpr absl::string_view kBeginPrefix = "-----BEGIN ";
constexpr absl::string_view kEndPrefix = "-----END ";
constexpr absl::string_view kBoundarySuffix = "-----";

absl::string_view StripTrailingWhitespace(absl::string_view line) {
  while (!line.empty() &&
         (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
    line.remove_suffix(1);
  }
  return line;
}

// The label of a "-----BEGIN label-----" line, or nullopt.
std::optional<std::string> BeginLabel(absl::string_view line) {
  if (line.size() <= kBeginPrefix.size() + kBoundarySuffix.size() ||
      !absl::StartsWith(line, kBeginPrefix) ||
      !absl::EndsWith(line, kBoundarySuffix)) {
    return std::nullopt;
  }
  line.remove_prefix(kBeginPrefix.size());
  line.remove_suffix(kBoundarySuffix.size());
  return std::string(line.data(), line.size());
}

}  // namespace

absl::StatusOr<std::vector<PemBlock>> ParsePemBlocks(absl::string_view input) {
  if (input.size() > limits::kMaxSmallFileBytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("PEM input of ", input.size(), " bytes exceeds the ",
                     limits::kMaxSmallFileBytes, "-byte limit"));
  }
  enum class State { kOutside, kFirstLine, kHeaders, kBody };
  State state = State::kOutside;
  std::vector<PemBlock> blocks;
  PemBlock block;
  std::size_t block_start = 0;
  std::size_t position = 0;
  while (position < input.size()) {
    std::size_t newline = input.find('\n', position);
    const std::size_t line_end =
        newline == absl::string_view::npos ? input.size() : newline;
    const absl::string_view line =
        StripTrailingWhitespace(input.substr(position, line_end - position));
    const std::size_t line_start = position;
    position = newline == absl::string_view::npos ? input.size() : newline + 1;

    if (state == State::kOutside) {
      if (std::optional<std::string> label = BeginLabel(line)) {
        block = PemBlock();
        block.label = *std::move(label);
        block_start = line_start;
        state = State::kFirstLine;
      }
      continue;
    }
    if (absl::StartsWith(line, "-----")) {
      if (line != absl::StrCat(kEndPrefix, block.label, kBoundarySuffix)) {
        return absl::InvalidArgumentError(
            absl::StrCat("malformed PEM: expected \"", kEndPrefix, block.label,
                         kBoundarySuffix, "\""));
      }
      if (state == State::kHeaders) {
        return absl::InvalidArgumentError(
            "malformed PEM: headers without a body");
      }
      if (block.body.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("malformed PEM: empty ", block.label, " block"));
      }
      block.text = input.substr(block_start, line_end - block_start);
      blocks.push_back(std::exchange(block, PemBlock()));
      state = State::kOutside;
      continue;
    }
    // RFC 1421 §4.4: headers (which base64 can never look like, since ':' is
    // not in its alphabet) come first and end with a blank line.
    const bool is_header = absl::StrContains(line, ':');
    switch (state) {
      case State::kFirstLine:
      case State::kHeaders:
        if (is_header) {
          block.headers.push_back(line);
          state = State::kHeaders;
          continue;
        }
        if (state == State::kHeaders) {
          if (!line.empty()) {
            return absl::InvalidArgumentError(
                "malformed PEM: headers must end with a blank line");
          }
          state = State::kBody;
          continue;
        }
        break;
      case State::kBody:
      case State::kOutside:
        break;
    }
    if (line.empty() || is_header) {
      return absl::InvalidArgumentError(absl::StrCat(
          "malformed PEM: unexpected line in the ", block.label, " body"));
    }
    block.body.push_back(line);
    state = State::kBody;
  }
  if (state != State::kOutside) {
    return absl::InvalidArgumentError(absl::StrCat("truncated PEM: no \"",
                                                   kEndPrefix, block.label,
                                                   kBoundarySuffix, "\" line"));
  }
  return blocks;
}

absl::StatusOr<PemBlock> ParseSinglePemBlock(absl::string_view input,
                                             absl::string_view what) {
  MODELSEAL_ASSIGN_OR_RETURN(std::vector<PemBlock> blocks,
                             ParsePemBlocks(input));
  if (blocks.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("no PEM block found where a ", what, " was expected"));
  }
  if (blocks.size() > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "expected one PEM block (", what, "), found ", blocks.size()));
  }
  const absl::string_view rest = input.substr(
      static_cast<std::size_t>(blocks[0].text.data() - input.data()) +
      blocks[0].text.size());
  if (!absl::StripAsciiWhitespace(rest).empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unexpected text after the ", what, " PEM block"));
  }
  return std::move(blocks[0]);
}

absl::Status DecodePemBody(const PemBlock& block, std::string* der) {
  std::string text;
  for (absl::string_view line : block.body) absl::StrAppend(&text, line);
  absl::StatusOr<std::string> decoded = util::Base64Decode(text);
  if (!decoded.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "malformed PEM: ", decoded.status().message(), " in ", block.label));
  }
  if (der != nullptr) *der = *std::move(decoded);
  return absl::OkStatus();
}

absl::StatusOr<KeyType> KeyTypeOf(const EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "ED25519")) return KeyType::kEd25519;
  if (!EVP_PKEY_is_a(key, "EC")) {
    const char* name = EVP_PKEY_get0_type_name(key);
    return absl::InvalidArgumentError(absl::StrCat(
        "unsupported key type ", name == nullptr ? "(unknown)" : name,
        ": expected ECDSA P-256, P-384, P-521 or Ed25519"));
  }
  // Explicit curve parameters are refused even when they spell a named
  // curve: OMS verifiers expect named curves, and the hint must be stable.
  char encoding[32];
  std::size_t encoding_length = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_EC_ENCODING, encoding,
                                     sizeof(encoding), &encoding_length) != 1 ||
      absl::string_view(encoding, encoding_length) !=
          OSSL_PKEY_EC_ENCODING_GROUP) {
    ERR_clear_error();
    return absl::InvalidArgumentError(
        "EC keys with explicit curve parameters are not supported");
  }
  char group[64];
  std::size_t group_length = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof(group), &group_length) != 1) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        "EC key without a named curve");
  }
  switch (OBJ_sn2nid(group)) {
    case NID_X9_62_prime256v1:
      return KeyType::kEcdsaP256;
    case NID_secp384r1:
      return KeyType::kEcdsaP384;
    case NID_secp521r1:
      return KeyType::kEcdsaP521;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "unsupported EC curve ", group, ": expected P-256, P-384 or P-521"));
  }
}

// RFC 8410 §4: an Ed25519 SubjectPublicKeyInfo has one DER form, this
// 12-byte prefix followed by the 32-byte key.
constexpr absl::string_view kEd25519SpkiPrefix(
    "\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00", 12);

std::string Ed25519PublicKeyPem(absl::string_view raw) {
  const std::string body =
      absl::Base64Escape(absl::StrCat(kEd25519SpkiPrefix, raw));
  std::string pem = "-----BEGIN PUBLIC KEY-----\n";
  for (std::size_t at = 0; at < body.size(); at += 64) {
    absl::StrAppend(&pem, body.substr(at, 64), "\n");
  }
  pem += "-----END PUBLIC KEY-----\n";
  return pem;
}

absl::StatusOr<std::string> PublicKeyPem(const EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), key) != 1) {
    return OpenSslError(absl::StatusCode::kInternal,
                        "cannot write the public key PEM");
  }
  char* data = nullptr;
  const auto length = BIO_get_mem_data(bio.get(), &data);
  if (length <= 0 || data == nullptr) {
    return OpenSslError(absl::StatusCode::kInternal,
                        "cannot read the public key PEM");
  }
  return std::string(data, static_cast<std::size_t>(length));
}

absl::StatusOr<std::unique_ptr<Verifier>> VerifierFromKey(EvpPkeyPtr key) {
  MODELSEAL_ASSIGN_OR_RETURN(const KeyType type, KeyTypeOf(key.get()));
  // Point on the curve, not the identity, in the right subgroup.
  EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (check == nullptr || EVP_PKEY_public_check(check.get()) != 1) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        "invalid public key");
  }
  MODELSEAL_ASSIGN_OR_RETURN(std::string pem, PublicKeyPem(key.get()));
  if (type == KeyType::kEd25519) {
    return NewEd25519Verifier(*key, std::move(pem));
  }
  return NewEcdsaVerifier(std::move(key), type, std::move(pem));
}

}  // namespace crypto_internal

namespace {

struct KeyTypeEntry {
  KeyType type;
  absl::string_view name;
  const char* openssl_group;  // nullptr for Ed25519
};

constexpr std::array<KeyTypeEntry, 4> kKeyTypes = {{
    {KeyType::kEcdsaP256, "ecdsa-p256", "P-256"},
    {KeyType::kEcdsaP384, "ecdsa-p384", "P-384"},
    {KeyType::kEcdsaP521, "ecdsa-p521", "P-521"},
    {KeyType::kEd25519, "ed25519", nullptr},
}};

const KeyTypeEntry& EntryFor(KeyType type) {
  for (const KeyTypeEntry& entry : kKeyTypes) {
    if (entry.type == type) return entry;
  }
  return kKeyTypes[0];  // unreachable for a valid enum value
}

absl::Status CheckPassphraseLength(const SecretString& passphrase) {
  if (passphrase.value().size() > crypto_internal::kMaxPassphraseBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("passphrase longer than ",
                     crypto_internal::kMaxPassphraseBytes, " bytes"));
  }
  return absl::OkStatus();
}

// OpenSSL's password callback. Without a passphrase it refuses, which also
// keeps OpenSSL from ever prompting on the terminal.
int PassphraseCallback(char* buffer, int size, int /*rwflag*/, void* user) {
  const auto* passphrase = static_cast<const SecretString*>(user);
  if (passphrase == nullptr || size <= 0) return -1;
  const std::string& value = passphrase->value();
  if (value.size() >= static_cast<std::size_t>(size)) return -1;
  std::copy_n(value.data(), value.size(), buffer);
  return static_cast<int>(value.size());
}

absl::StatusOr<EvpPkeyPtr> GenerateKey(KeyType type) {
  const KeyTypeEntry& entry = EntryFor(type);
  EvpPkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(
      nullptr, type == KeyType::kEd25519 ? "ED25519" : "EC", nullptr));
  if (context == nullptr || EVP_PKEY_keygen_init(context.get()) != 1) {
    return OpenSslError(absl::StatusCode::kInternal,
                        "cannot set up key generation");
  }
  if (type != KeyType::kEd25519 &&
      EVP_PKEY_CTX_set_group_name(context.get(), entry.openssl_group) != 1) {
    return OpenSslError(
        absl::StatusCode::kInternal,
        absl::StrCat("cannot select curve ", entry.openssl_group));
  }
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_generate(context.get(), &key) != 1 || key == nullptr) {
    EVP_PKEY_free(key);
    return OpenSslError(absl::StatusCode::kInternal, "key generation failed");
  }
  return EvpPkeyPtr(key);
}

// The private key as PKCS#8 PEM. A secmem BIO cleanses its buffers when it
// grows or is freed, so OpenSSL leaves no plaintext copy behind.
absl::StatusOr<SecretString> PrivateKeyPem(
    const EVP_PKEY* key, const std::optional<SecretString>& passphrase) {
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (bio == nullptr) {
    return OpenSslError(absl::StatusCode::kInternal, "BIO_new failed");
  }
  int written = 0;
  if (passphrase.has_value()) {
    // AES-256-CBC under PBES2; OpenSSL 3 derives the key with PBKDF2.
    written = PEM_write_bio_PKCS8PrivateKey(
        bio.get(), key, EVP_aes_256_cbc(), passphrase->value().data(),
        static_cast<int>(passphrase->value().size()), nullptr, nullptr);
  } else {
    written = PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0,
                                            nullptr, nullptr);
  }
  if (written != 1) {
    return OpenSslError(absl::StatusCode::kInternal,
                        "cannot write the private key PEM");
  }
  char* data = nullptr;
  const auto length = BIO_get_mem_data(bio.get(), &data);
  if (length <= 0 || data == nullptr) {
    return OpenSslError(absl::StatusCode::kInternal,
                        "cannot read the private key PEM");
  }
  return SecretString(std::string(data, static_cast<std::size_t>(length)));
}

absl::StatusOr<std::unique_ptr<Signer>> SignerFromKey(EvpPkeyPtr key) {
  MODELSEAL_ASSIGN_OR_RETURN(const KeyType type,
                             crypto_internal::KeyTypeOf(key.get()));
  // A traditional EC key carries its public point beside the scalar; a file
  // whose two halves disagree would sign with one key and name another.
  EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (check == nullptr || EVP_PKEY_check(check.get()) != 1) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        "private key fails its consistency check");
  }
  MODELSEAL_ASSIGN_OR_RETURN(std::string pem,
                             crypto_internal::PublicKeyPem(key.get()));
  if (type == KeyType::kEd25519) {
    return crypto_internal::NewEd25519Signer(*key, std::move(pem));
  }
  return crypto_internal::NewEcdsaSigner(std::move(key), type, std::move(pem));
}

}  // namespace

absl::string_view KeyTypeName(KeyType type) { return EntryFor(type).name; }

absl::StatusOr<KeyType> ParseKeyType(absl::string_view name) {
  for (const KeyTypeEntry& entry : kKeyTypes) {
    if (entry.name == name) return entry.type;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown key type \"", name,
                   "\": expected ecdsa-p256, ecdsa-p384, ecdsa-p521 or "
                   "ed25519"));
}

absl::Status Verifier::VerifyWithSha256(absl::string_view,
                                        absl::string_view) const {
  return absl::UnauthenticatedError(absl::StrCat(
      KeyTypeName(key_type()), " keys have no SHA-256 ECDSA variant"));
}

std::string Verifier::Hint() const {
  const std::string& pem = public_key_pem();
  std::array<std::uint8_t, crypto_hash_sha256_BYTES> digest;
  crypto_hash_sha256(digest.data(), Bytes(pem), pem.size());
  return HexEncode(digest);
}

absl::StatusOr<KeyPairPem> GenerateKeyPair(
    KeyType type, const std::optional<SecretString>& passphrase) {
  if (passphrase.has_value()) {
    if (passphrase->empty()) {
      return absl::InvalidArgumentError("empty passphrase");
    }
    MODELSEAL_RETURN_IF_ERROR(CheckPassphraseLength(*passphrase));
  }
  ClearOpenSslErrorsOnExit clear_errors;
  MODELSEAL_ASSIGN_OR_RETURN(EvpPkeyPtr key, GenerateKey(type));
  KeyPairPem pair;
  MODELSEAL_ASSIGN_OR_RETURN(pair.private_pem,
                             PrivateKeyPem(key.get(), passphrase));
  MODELSEAL_ASSIGN_OR_RETURN(pair.public_pem,
                             crypto_internal::PublicKeyPem(key.get()));
  return pair;
}

absl::StatusOr<std::unique_ptr<Signer>> LoadSigner(
    absl::string_view private_pem,
    const std::optional<SecretString>& passphrase) {
  MODELSEAL_ASSIGN_OR_RETURN(
      const PemBlock block,
      crypto_internal::ParseSinglePemBlock(private_pem, "private key"));
  bool encrypted = false;
  if (block.label == "ENCRYPTED PRIVATE KEY") {
    encrypted = true;
  } else if (block.label == "EC PRIVATE KEY") {
    // RFC 1421 encryption of a traditional key: "Proc-Type: 4,ENCRYPTED".
    for (absl::string_view header : block.headers) {
      if (header == "Proc-Type: 4,ENCRYPTED") encrypted = true;
    }
    if (!block.headers.empty() && !encrypted) {
      return absl::InvalidArgumentError(
          "unexpected headers in the EC private key PEM");
    }
  } else if (block.label == "PRIVATE KEY") {
    // Unencrypted PKCS#8.
  } else if (block.label == "PUBLIC KEY") {
    return absl::InvalidArgumentError(
        "expected a private key, found a public key");
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "unsupported private key PEM \"", block.label,
        "\": expected PRIVATE KEY, ENCRYPTED PRIVATE KEY or EC PRIVATE KEY"));
  }
  if (block.label != "EC PRIVATE KEY" && !block.headers.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unexpected headers in the ", block.label, " PEM"));
  }
  MODELSEAL_RETURN_IF_ERROR(crypto_internal::DecodePemBody(block, nullptr));
  if (encrypted && !passphrase.has_value()) {
    return absl::InvalidArgumentError(
        "the private key is encrypted: a passphrase is needed");
  }
  if (passphrase.has_value()) {
    MODELSEAL_RETURN_IF_ERROR(CheckPassphraseLength(*passphrase));
  }

  if (block.label == "PRIVATE KEY") {
    // An unencrypted Ed25519 PKCS#8 key (RFC 8410 §7, without the optional
    // public key) has one DER form: this 16-byte prefix, then the 32-byte
    // seed. Read here, like the public keys above, so that signing with
    // Ed25519 never pays for OpenSSL's provider start-up; anything else
    // goes to OpenSSL below.
    static constexpr unsigned char kEd25519Prefix[] = {
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
        0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
    std::string decoded;
    MODELSEAL_RETURN_IF_ERROR(crypto_internal::DecodePemBody(block, &decoded));
    const SecretString der(std::move(decoded));
    if (der.value().size() == sizeof(kEd25519Prefix) + 32 &&
        std::memcmp(der.value().data(), kEd25519Prefix,
                    sizeof(kEd25519Prefix)) == 0) {
      return crypto_internal::NewEd25519SignerFromSeed(
          absl::string_view(der.value()).substr(sizeof(kEd25519Prefix)));
    }
  }
  ClearOpenSslErrorsOnExit clear_errors;
  if (block.text.size() > static_cast<std::size_t>(INT_MAX)) {
    return absl::InvalidArgumentError("private key PEM too large");
  }
  BioPtr bio(
      BIO_new_mem_buf(block.text.data(), static_cast<int>(block.text.size())));
  if (bio == nullptr) {
    return OpenSslError(absl::StatusCode::kInternal, "BIO_new_mem_buf failed");
  }
  // The callback gets a const pointer back through a void*; it only reads.
  void* callback_data = passphrase.has_value()
                            ? const_cast<SecretString*>(&*passphrase)
                            : nullptr;
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr,
                                         &PassphraseCallback, callback_data));
  if (key == nullptr) {
    if (encrypted) {
      return OpenSslError(
          absl::StatusCode::kUnauthenticated,
          "cannot decrypt the private key: wrong passphrase or corrupted key");
    }
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        "cannot parse the private key");
  }
  return SignerFromKey(std::move(key));
}

absl::StatusOr<std::unique_ptr<Verifier>> VerifierFromSpkiDer(
    absl::string_view der) {
  if (der.empty()) {
    return absl::InvalidArgumentError("empty SubjectPublicKeyInfo");
  }
  // An Ed25519 SubjectPublicKeyInfo (its one DER form) is recognised here
  // rather than by OpenSSL, whose first use in a process (loading its
  // providers) costs a short command such as a cached verify milliseconds;
  // the PEM is the text PEM_write_bio_PUBKEY would print (tested against it).
  if (der.size() == crypto_internal::kEd25519SpkiPrefix.size() + 32 &&
      absl::StartsWith(der, crypto_internal::kEd25519SpkiPrefix)) {
    const absl::string_view raw =
        der.substr(crypto_internal::kEd25519SpkiPrefix.size());
    return crypto_internal::NewEd25519VerifierFromRaw(
        raw, crypto_internal::Ed25519PublicKeyPem(raw));
  }
  if (der.size() > limits::kMaxSmallFileBytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "SubjectPublicKeyInfo of ", der.size(), " bytes exceeds the ",
        limits::kMaxSmallFileBytes, "-byte limit"));
  }
  ClearOpenSslErrorsOnExit clear_errors;
  const unsigned char* cursor = Bytes(der);
  EvpPkeyPtr key(d2i_PUBKEY(nullptr, &cursor, crypto_internal::DerLength(der)));
  if (key == nullptr) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        "cannot parse the SubjectPublicKeyInfo");
  }
  if (cursor != Bytes(der) + der.size()) {
    return absl::InvalidArgumentError(
        "trailing bytes after the SubjectPublicKeyInfo");
  }
  // OpenSSL's ASN.1 reader accepts some BER; the key must be in the one DER
  // form so that its PEM (and so its hint) is what its owner published.
  unsigned char* reencoded = nullptr;
  const int reencoded_length = i2d_PUBKEY(key.get(), &reencoded);
  const bool canonical =
      reencoded_length > 0 &&
      static_cast<std::size_t>(reencoded_length) == der.size() &&
      std::memcmp(reencoded, der.data(), der.size()) == 0;
  OPENSSL_free(reencoded);
  if (!canonical) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        "SubjectPublicKeyInfo is not in DER form");
  }
  return crypto_internal::VerifierFromKey(std::move(key));
}

absl::StatusOr<std::unique_ptr<Verifier>> LoadVerifier(
    absl::string_view public_pem) {
  MODELSEAL_ASSIGN_OR_RETURN(
      const PemBlock block,
      crypto_internal::ParseSinglePemBlock(public_pem, "public key"));
  if (block.label == "CERTIFICATE") {
    return absl::InvalidArgumentError(
        "expected a public key, found a certificate (certificates are "
        "verified as a chain)");
  }
  if (block.label != "PUBLIC KEY") {
    return absl::InvalidArgumentError(absl::StrCat(
        "expected a PUBLIC KEY PEM block, found \"", block.label, "\""));
  }
  if (!block.headers.empty()) {
    return absl::InvalidArgumentError(
        "unexpected headers in the public key PEM");
  }
  std::string der;
  MODELSEAL_RETURN_IF_ERROR(crypto_internal::DecodePemBody(block, &der));
  return VerifierFromSpkiDer(der);
}

}  // namespace modelseal
