// Signed notes per c2sp.org/signed-note; key strings as Go's sumdb/note
// writes them, so keys and notes interoperate with the Go ecosystem.
//
// The parser is stricter than Go's in three ways, each to give every note one
// meaning: base64 must be canonical, key IDs lower-case hex, and a repeated
// signature by a known key is verified again rather than skipped.
#include "modelseal/signed_note.h"

#include <sodium.h>

#include <cstring>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "modelseal/limits.h"
#include "modelseal/status.h"
#include "tlog/sha256.h"
#include "util/base64.h"

namespace modelseal::tlog {
namespace {

using util::Base64Decode;
using util::Base64Encode;

constexpr std::uint8_t kEd25519Type = 0x01;
constexpr absl::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // U+2014, ' '
constexpr absl::string_view kSignerPrefix = "PRIVATE+KEY+";

absl::Status SodiumReady() {
  if (sodium_init() < 0) return absl::InternalError("libsodium init failed");
  return absl::OkStatus();
}

const unsigned char* Bytes(absl::string_view data) {
  return reinterpret_cast<const unsigned char*>(data.data());
}

// Decodes one UTF-8 code point at text[*pos], advancing *pos. Rejects
// overlong forms, surrogates and values above U+10FFFF.
bool NextCodePoint(absl::string_view text, std::size_t* pos,
                   std::uint32_t* code_point) {
  const auto byte = [&](std::size_t i) {
    return static_cast<std::uint8_t>(text[i]);
  };
  const std::size_t start = *pos;
  const std::uint8_t first = byte(start);
  std::size_t length;
  std::uint32_t value;
  std::uint32_t minimum;
  if (first < 0x80) {
    *code_point = first;
    *pos = start + 1;
    return true;
  } else if ((first & 0xE0) == 0xC0) {
    length = 2, value = first & 0x1F, minimum = 0x80;
  } else if ((first & 0xF0) == 0xE0) {
    length = 3, value = first & 0x0F, minimum = 0x800;
  } else if ((first & 0xF8) == 0xF0) {
    length = 4, value = first & 0x07, minimum = 0x10000;
  } else {
    return false;
  }
  if (text.size() - start < length) return false;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(start + i) & 0xC0) != 0x80) return false;
    value = (value << 6) | (byte(start + i) & 0x3F);
  }
  if (value < minimum || value > 0x10FFFF ||
      (value >= 0xD800 && value <= 0xDFFF)) {
    return false;
  }
  *code_point = value;
  *pos = start + length;
  return true;
}

// Go's unicode.IsSpace: the White_Space property.
bool IsUnicodeSpace(std::uint32_t c) {
  switch (c) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

// signed-note: valid UTF-8, no control characters other than newline.
absl::Status CheckNoteCharacters(absl::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::uint32_t c;
    if (!NextCodePoint(text, &pos, &c)) {
      return absl::InvalidArgumentError("note is not valid UTF-8");
    }
    if (c < 0x20 && c != '\n') {
      return absl::InvalidArgumentError(
          "note contains a control character other than newline");
    }
  }
  return absl::OkStatus();
}

std::uint32_t KeyId(absl::string_view name,
                    absl::string_view type_and_public_key) {
  const Hash digest = tlog_internal::Sha256({name, "\n", type_and_public_key});
  return (std::uint32_t{digest[0]} << 24) | (std::uint32_t{digest[1]} << 16) |
         (std::uint32_t{digest[2]} << 8) | std::uint32_t{digest[3]};
}

std::string KeyIdHex(std::uint32_t key_id) {
  return absl::StrFormat("%08x", key_id);
}

absl::StatusOr<std::uint32_t> ParseKeyIdHex(absl::string_view hex) {
  if (hex.size() != 8) {
    return absl::InvalidArgumentError("note key ID must be 8 hex digits");
  }
  std::uint32_t value = 0;
  for (char c : hex) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      return absl::InvalidArgumentError(
          "note key ID must be lower-case hex digits");
    }
    value = (value << 4) | static_cast<std::uint32_t>(digit);
  }
  return value;
}

// Splits "name+id+base64" into its three fields.
struct KeyFields {
  absl::string_view name;
  absl::string_view id;
  absl::string_view key;
};

absl::StatusOr<KeyFields> SplitKey(absl::string_view text) {
  const std::size_t first = text.find('+');
  if (first == absl::string_view::npos) {
    return absl::InvalidArgumentError("note key is not name+id+key");
  }
  const std::size_t second = text.find('+', first + 1);
  if (second == absl::string_view::npos) {
    return absl::InvalidArgumentError("note key is not name+id+key");
  }
  KeyFields fields{text.substr(0, first),
                   text.substr(first + 1, second - first - 1),
                   text.substr(second + 1)};
  if (!IsValidNoteKeyName(fields.name)) {
    return absl::InvalidArgumentError("note key has an invalid key name");
  }
  return fields;
}

}  // namespace

bool IsValidNoteKeyName(absl::string_view name) {
  if (name.empty() || name.size() > limits::kMaxNoteKeyNameBytes) return false;
  std::size_t pos = 0;
  while (pos < name.size()) {
    std::uint32_t c;
    if (!NextCodePoint(name, &pos, &c)) return false;
    if (c == '+' || IsUnicodeSpace(c) || c < 0x20) return false;
  }
  return true;
}

absl::StatusOr<NoteVerifier> NoteVerifier::Parse(
    absl::string_view verifier_key) {
  if (verifier_key.size() > limits::kMaxNoteKeyNameBytes + 64) {
    return absl::InvalidArgumentError("note verifier key is too long");
  }
  MODELSEAL_ASSIGN_OR_RETURN(KeyFields fields, SplitKey(verifier_key));
  MODELSEAL_ASSIGN_OR_RETURN(std::uint32_t key_id, ParseKeyIdHex(fields.id));
  absl::StatusOr<std::string> key = Base64Decode(fields.key);
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("note verifier key: ", key.status().message()));
  }
  if (key->empty() || static_cast<std::uint8_t>((*key)[0]) != kEd25519Type) {
    return absl::InvalidArgumentError(
        "note verifier key is not an Ed25519 key (type 0x01)");
  }
  if (key->size() != 1 + crypto_sign_PUBLICKEYBYTES) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Ed25519 note verifier key must be 33 bytes, got ", key->size()));
  }
  if (KeyId(fields.name, *key) != key_id) {
    return absl::InvalidArgumentError(
        "note verifier key ID does not match its name and public key");
  }
  std::array<std::uint8_t, 32> public_key;
  std::memcpy(public_key.data(), key->data() + 1, public_key.size());
  return NoteVerifier(std::string(fields.name), key_id, public_key);
}

std::string NoteVerifier::KeyString() const {
  std::string key(1, static_cast<char>(kEd25519Type));
  key.append(reinterpret_cast<const char*>(public_key_.data()),
             public_key_.size());
  return absl::StrCat(name_, "+", KeyIdHex(key_id_), "+", Base64Encode(key));
}

absl::Status NoteVerifier::Verify(absl::string_view text,
                                  absl::string_view signature) const {
  MODELSEAL_RETURN_IF_ERROR(SodiumReady());
  if (signature.size() != crypto_sign_BYTES ||
      crypto_sign_verify_detached(Bytes(signature), Bytes(text), text.size(),
                                  public_key_.data()) != 0) {
    return absl::UnauthenticatedError(absl::StrCat("note signature by ", name_,
                                                   "+", KeyIdHex(key_id_),
                                                   " does not verify"));
  }
  return absl::OkStatus();
}

absl::StatusOr<NoteSigner> NoteSigner::Parse(absl::string_view signer_key) {
  MODELSEAL_RETURN_IF_ERROR(SodiumReady());
  if (signer_key.substr(0, kSignerPrefix.size()) != kSignerPrefix) {
    return absl::InvalidArgumentError(
        "note signer key does not start with PRIVATE+KEY+");
  }
  if (signer_key.size() > limits::kMaxNoteKeyNameBytes + 128) {
    return absl::InvalidArgumentError("note signer key is too long");
  }
  MODELSEAL_ASSIGN_OR_RETURN(KeyFields fields,
                             SplitKey(signer_key.substr(kSignerPrefix.size())));
  MODELSEAL_ASSIGN_OR_RETURN(std::uint32_t key_id, ParseKeyIdHex(fields.id));
  absl::StatusOr<std::string> decoded = Base64Decode(fields.key);
  if (!decoded.ok()) {
    return absl::InvalidArgumentError("note signer key is not valid base64");
  }
  const SecretString key(std::move(*decoded));
  if (key.value().size() != 1 + crypto_sign_SEEDBYTES ||
      static_cast<std::uint8_t>(key.value()[0]) != kEd25519Type) {
    return absl::InvalidArgumentError(
        "note signer key is not an Ed25519 seed (type 0x01, 32 bytes)");
  }
  std::array<std::uint8_t, 32> public_key;
  std::string secret(crypto_sign_SECRETKEYBYTES, '\0');
  if (crypto_sign_seed_keypair(public_key.data(),
                               reinterpret_cast<unsigned char*>(secret.data()),
                               Bytes(key.value()) + 1) != 0) {
    sodium_memzero(secret.data(), secret.size());
    return absl::InternalError("cannot derive the Ed25519 key pair");
  }
  SecretString secret_key(std::move(secret));
  std::string typed_public_key(1, static_cast<char>(kEd25519Type));
  typed_public_key.append(reinterpret_cast<const char*>(public_key.data()),
                          public_key.size());
  if (KeyId(fields.name, typed_public_key) != key_id) {
    return absl::InvalidArgumentError(
        "note signer key ID does not match its name and public key");
  }
  return NoteSigner(NoteVerifier(std::string(fields.name), key_id, public_key),
                    std::move(secret_key));
}

std::string NoteSigner::Sign(absl::string_view text) const {
  std::string signature(crypto_sign_BYTES, '\0');
  // Cannot fail with a well-formed secret key, which Parse() guarantees.
  crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()),
                       nullptr, Bytes(text), text.size(),
                       Bytes(secret_key_.value()));
  return signature;
}

absl::StatusOr<NoteKeyPair> GenerateNoteKey(absl::string_view name) {
  MODELSEAL_RETURN_IF_ERROR(SodiumReady());
  if (!IsValidNoteKeyName(name)) {
    return absl::InvalidArgumentError(
        "note key name must be non-empty without spaces or '+'");
  }
  std::string seed(1 + crypto_sign_SEEDBYTES, '\0');
  seed[0] = static_cast<char>(kEd25519Type);
  randombytes_buf(seed.data() + 1, crypto_sign_SEEDBYTES);
  const SecretString typed_seed(std::move(seed));
  std::array<std::uint8_t, 32> public_key;
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret;
  const int result = crypto_sign_seed_keypair(public_key.data(), secret.data(),
                                              Bytes(typed_seed.value()) + 1);
  sodium_memzero(secret.data(), secret.size());
  if (result != 0) return absl::InternalError("Ed25519 key generation failed");
  std::string typed_public_key(1, static_cast<char>(kEd25519Type));
  typed_public_key.append(reinterpret_cast<const char*>(public_key.data()),
                          public_key.size());
  const std::string id = KeyIdHex(KeyId(name, typed_public_key));
  const SecretString encoded_seed(Base64Encode(typed_seed.value()));
  NoteKeyPair pair;
  pair.signer_key = SecretString(
      absl::StrCat(kSignerPrefix, name, "+", id, "+", encoded_seed.value()));
  pair.verifier_key =
      absl::StrCat(name, "+", id, "+", Base64Encode(typed_public_key));
  return pair;
}

absl::StatusOr<std::string> SignNote(
    absl::string_view text, absl::Span<const NoteSigner* const> signers) {
  if (text.empty() || text.back() != '\n') {
    return absl::InvalidArgumentError("note text must end with a newline");
  }
  if (signers.empty()) {
    return absl::InvalidArgumentError("a note needs at least one signer");
  }
  if (signers.size() > limits::kMaxNoteSignatures) {
    return absl::ResourceExhaustedError("too many note signers");
  }
  MODELSEAL_RETURN_IF_ERROR(CheckNoteCharacters(text));
  std::string note(text);
  note.push_back('\n');
  for (const NoteSigner* signer : signers) {
    const std::uint32_t id = signer->key_id();
    std::string payload = {
        static_cast<char>(id >> 24), static_cast<char>((id >> 16) & 0xff),
        static_cast<char>((id >> 8) & 0xff), static_cast<char>(id & 0xff)};
    payload += signer->Sign(text);
    absl::StrAppend(&note, kSignaturePrefix, signer->name(), " ",
                    Base64Encode(payload), "\n");
  }
  if (note.size() > limits::kMaxSignedNoteBytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("signed note would be ", note.size(), " bytes, more than ",
                     limits::kMaxSignedNoteBytes));
  }
  return note;
}

absl::StatusOr<ParsedNote> ParseNote(absl::string_view note) {
  if (note.size() > limits::kMaxSignedNoteBytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("signed note is ", note.size(), " bytes, more than ",
                     limits::kMaxSignedNoteBytes));
  }
  MODELSEAL_RETURN_IF_ERROR(CheckNoteCharacters(note));
  // The text ends at the last blank line; it keeps its final newline.
  const std::size_t split = note.rfind("\n\n");
  if (split == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        "note has no blank line before its signatures");
  }
  ParsedNote parsed;
  const absl::string_view text = note.substr(0, split + 1);
  absl::string_view signatures = note.substr(split + 2);
  if (signatures.empty() || signatures.back() != '\n') {
    return absl::InvalidArgumentError(
        "note signatures must be lines ending in a newline");
  }
  parsed.text = std::string(text);
  std::size_t count = 0;
  while (!signatures.empty()) {
    const std::size_t newline = signatures.find('\n');
    absl::string_view line = signatures.substr(0, newline);
    signatures.remove_prefix(newline + 1);
    if (++count > limits::kMaxNoteSignatures) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "note has more than ", limits::kMaxNoteSignatures, " signatures"));
    }
    if (line.substr(0, kSignaturePrefix.size()) != kSignaturePrefix) {
      return absl::InvalidArgumentError(
          "note signature line does not start with an em dash and a space");
    }
    line.remove_prefix(kSignaturePrefix.size());
    const std::size_t space = line.find(' ');
    if (space == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          "note signature line has no space between key name and signature");
    }
    ParsedNoteSignature signature;
    signature.name = std::string(line.substr(0, space));
    signature.base64 = std::string(line.substr(space + 1));
    if (!IsValidNoteKeyName(signature.name)) {
      return absl::InvalidArgumentError(
          "note signature line has an invalid key name");
    }
    absl::StatusOr<std::string> raw = Base64Decode(signature.base64);
    if (!raw.ok() || raw->size() < 5) {
      return absl::InvalidArgumentError(
          "note signature is not base64 of a key ID and a signature");
    }
    signature.key_id =
        (std::uint32_t{static_cast<std::uint8_t>((*raw)[0])} << 24) |
        (std::uint32_t{static_cast<std::uint8_t>((*raw)[1])} << 16) |
        (std::uint32_t{static_cast<std::uint8_t>((*raw)[2])} << 8) |
        std::uint32_t{static_cast<std::uint8_t>((*raw)[3])};
    signature.signature = raw->substr(4);
    parsed.signatures.push_back(std::move(signature));
  }
  return parsed;
}

absl::StatusOr<OpenedNote> OpenNote(absl::string_view note,
                                    absl::Span<const NoteVerifier> known) {
  if (note.size() > limits::kMaxSignedNoteBytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("signed note is ", note.size(), " bytes, more than ",
                     limits::kMaxSignedNoteBytes));
  }
  std::map<std::pair<std::string, std::uint32_t>, const NoteVerifier*> by_key;
  for (const NoteVerifier& verifier : known) {
    if (!by_key
             .emplace(std::make_pair(verifier.name(), verifier.key_id()),
                      &verifier)
             .second) {
      return absl::InvalidArgumentError(
          absl::StrCat("two trusted note keys share the name and key ID ",
                       verifier.name(), "+", KeyIdHex(verifier.key_id())));
    }
  }
  MODELSEAL_ASSIGN_OR_RETURN(ParsedNote parsed, ParseNote(note));
  OpenedNote opened;
  opened.text = std::move(parsed.text);
  for (ParsedNoteSignature& parsed_signature : parsed.signatures) {
    NoteSignature signature;
    signature.name = std::move(parsed_signature.name);
    signature.key_id = parsed_signature.key_id;
    signature.base64 = std::move(parsed_signature.base64);
    auto verifier = by_key.find({signature.name, signature.key_id});
    if (verifier == by_key.end()) {
      opened.unknown.push_back(std::move(signature));
      continue;
    }
    MODELSEAL_RETURN_IF_ERROR(
        verifier->second->Verify(opened.text, parsed_signature.signature));
    opened.verified.push_back(std::move(signature));
  }
  if (opened.verified.empty()) {
    return absl::UnauthenticatedError("note has no signature by a trusted key");
  }
  return opened;
}

}  // namespace modelseal::tlog
