// C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, in the key
// formats of Go's golang.org/x/mod/sumdb/note.
//
// A note is a text ending in a newline, a blank line, then one or more
// signature lines `— <key name> <base64(key ID || signature)>` (U+2014 em
// dash). For Ed25519 (signature type 0x01):
//   key ID        = SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian
//   verifier key  = name+<8 lower-case hex key ID>+base64(0x01 || public key)
//   signer key    = PRIVATE+KEY+name+<key ID>+base64(0x01 || 32-byte seed)
//
// Parsing is strict: a note must be valid UTF-8 without control characters
// other than '\n', at most limits::kMaxSignedNoteBytes long with at most
// limits::kMaxNoteSignatures signature lines, and every signature line must
// be well formed (even for unknown keys). Base64 must be canonical and padded.
//
// Opening a note: signatures by unknown keys are ignored (they may belong to
// witnesses or a rotated key); every signature by a known key must verify;
// at least one must. Errors: kInvalidArgument for malformed notes and keys,
// kUnauthenticated for a failed signature or when no known key signed,
// kResourceExhausted for a limit.
//
// All types are immutable after creation and thread-safe. Private key bytes
// live only in SecretString and are wiped on destruction.
#ifndef MODELSEAL_SIGNED_NOTE_H_
#define MODELSEAL_SIGNED_NOTE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "modelseal/crypto.h"

namespace modelseal::tlog {

// True when `name` can be a note key name: non-empty, valid UTF-8, at most
// limits::kMaxNoteKeyNameBytes, no Unicode white space and no '+'.
bool IsValidNoteKeyName(absl::string_view name);

// The public half of a note key.
class NoteVerifier {
 public:
  // Parses a verifier key string. The key ID must match the one computed
  // from the name and public key.
  static absl::StatusOr<NoteVerifier> Parse(absl::string_view verifier_key);

  const std::string& name() const { return name_; }
  std::uint32_t key_id() const { return key_id_; }
  // The verifier key string, re-encoded (equal to what Parse() accepted).
  std::string KeyString() const;
  // OK when `signature` (64 bytes, without the key ID) is a valid Ed25519
  // signature of `text`; kUnauthenticated otherwise.
  absl::Status Verify(absl::string_view text,
                      absl::string_view signature) const;

 private:
  friend class NoteSigner;
  NoteVerifier(std::string name, std::uint32_t key_id,
               const std::array<std::uint8_t, 32>& public_key)
      : name_(std::move(name)), key_id_(key_id), public_key_(public_key) {}

  std::string name_;
  std::uint32_t key_id_;
  std::array<std::uint8_t, 32> public_key_;
};

// The private half of a note key. Move-only.
class NoteSigner {
 public:
  // Parses a signer key string; the key ID must match the public key derived
  // from the seed. Errors never echo key material.
  static absl::StatusOr<NoteSigner> Parse(absl::string_view signer_key);

  NoteSigner(NoteSigner&&) = default;
  NoteSigner& operator=(NoteSigner&&) = default;

  const std::string& name() const { return verifier_.name(); }
  std::uint32_t key_id() const { return verifier_.key_id(); }
  // The matching verifier.
  const NoteVerifier& verifier() const { return verifier_; }
  // Ed25519 signature (64 bytes) of `text`. Deterministic.
  std::string Sign(absl::string_view text) const;

 private:
  NoteSigner(NoteVerifier verifier, SecretString secret_key)
      : verifier_(std::move(verifier)), secret_key_(std::move(secret_key)) {}

  NoteVerifier verifier_;
  SecretString secret_key_;  // libsodium's 64-byte secret key (seed || pk)
};

struct NoteKeyPair {
  SecretString signer_key;   // PRIVATE+KEY+name+id+base64(0x01 || seed)
  std::string verifier_key;  // name+id+base64(0x01 || public key)
};

// A fresh Ed25519 note key for `name` (kInvalidArgument for an invalid name).
absl::StatusOr<NoteKeyPair> GenerateNoteKey(absl::string_view name);

// Returns `text` signed by each of `signers` (in order): text, blank line,
// one signature line per signer. `text` must end in '\n' and be valid note
// text (kInvalidArgument otherwise); at least one signer is required.
absl::StatusOr<std::string> SignNote(
    absl::string_view text, absl::Span<const NoteSigner* const> signers);

// One signature line of a note.
struct NoteSignature {
  std::string name;
  std::uint32_t key_id = 0;
  std::string base64;  // base64(key ID || signature), as in the note
};

// A note split into its text and signature lines, with no signature checked:
// for signature types this file does not verify (e.g. Rekor's ECDSA
// checkpoints, where the key ID is not derived from the name). Same parsing
// rules and errors as OpenNote.
struct ParsedNoteSignature {
  std::string name;
  std::uint32_t key_id = 0;
  std::string base64;     // base64(key ID || signature), as in the note
  std::string signature;  // the decoded signature, without the key ID
};
struct ParsedNote {
  std::string text;                             // including its final '\n'
  std::vector<ParsedNoteSignature> signatures;  // in note order
};
absl::StatusOr<ParsedNote> ParseNote(absl::string_view note);

// A note whose known signatures all verified.
struct OpenedNote {
  std::string text;                     // including its final '\n'
  std::vector<NoteSignature> verified;  // by known keys, in note order
  std::vector<NoteSignature> unknown;   // by keys not in the set
};

// Parses `note` and checks its signatures against `known`. Two verifiers in
// `known` with the same name and key ID are kInvalidArgument (ambiguous).
absl::StatusOr<OpenedNote> OpenNote(absl::string_view note,
                                    absl::Span<const NoteVerifier> known);

}  // namespace modelseal::tlog

#endif  // MODELSEAL_SIGNED_NOTE_H_
