// Signing a model and verifying a signed model, in the OpenSSF Model Signing
// format (see oms_bundle.h for the wire format).
//
// Verification fails closed. Its order: parse the bundle strictly, establish
// the signer's key (a given public key whose hint must match the bundle's, or
// a certificate chain verified against given CA roots), verify the DSSE
// signature over the PAE of the exact payload bytes, and only then parse the
// statement (types, one subject, resources, root digest), walk the model
// with the signer's serialization and ignore paths, re-hash every signed
// file, and compare. Every extra, missing and changed file is reported.
#ifndef MODELSEAL_MODEL_SIGNING_H_
#define MODELSEAL_MODEL_SIGNING_H_

#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "modelseal/crypto.h"
#include "modelseal/model_serialization.h"
#include "modelseal/model_walk.h"
#include "modelseal/oms_bundle.h"

namespace modelseal {

struct SigningIdentity {
  const Signer* signer = nullptr;  // borrowed, required
  // Certificate method: DER chain, leaf first (its key must be the signer's),
  // root not included. Empty: key method (the bundle carries the key hint).
  std::vector<std::string> certificate_chain_der;
};

// Serializes the model, builds the statement and returns the bundle JSON.
absl::StatusOr<std::string> SignModel(const std::string& model_path,
                                      const SerializationOptions& options,
                                      const HashRunOptions& run,
                                      const SigningIdentity& identity);

// Builds the statement of an already computed digest and signs it (what
// SignModel does after hashing); for documents hashed in memory, such as
// policies.
absl::StatusOr<std::string> SignModelDigest(const ModelDigest& digest,
                                            const SigningIdentity& identity);

// A new bundle by another signer over the same payload bytes as
// `bundle_json` (no re-hashing). The existing bundle is parsed strictly;
// its signature is not re-checked here.
absl::StatusOr<std::string> CosignBundle(absl::string_view bundle_json,
                                         const SigningIdentity& identity);

// Incremental signing (sign --reuse OLD.sig). The previous bundle is
// authenticated before anything in it is used: its DSSE signature must
// verify with `key` (the key-hint form), or, for the certificate form, its
// leaf must be `certificate_chain_der[0]` and the signature must verify with
// `key`. Its statement must use the same method, hash and shard size as
// `options` (else its digests could never match). The digests then come
// from the digest cache (HashRunOptions::cache), which alone vouches that a
// file is unchanged; the previous statement is the record compared with.
absl::StatusOr<Statement> VerifyPreviousBundle(
    absl::string_view bundle_json, const Verifier& key,
    const std::vector<std::string>& certificate_chain_der,
    const SerializationOptions& options);

// How a new digest differs from the previous statement, file by file (a
// file counts as changed when any of its resources differs).
struct PreviousComparison {
  std::size_t unchanged = 0;
  std::vector<std::string> changed;
  std::vector<std::string> added;
  std::vector<std::string> removed;
};
PreviousComparison CompareWithPrevious(const Statement& previous,
                                       const ModelDigest& current);

struct VerifyOptions {
  // Exactly one of: a trusted public key, or CA roots (DER).
  const Verifier* public_key = nullptr;
  std::vector<std::string> ca_roots_der;
  // The time at which certificate validity is checked.
  std::time_t now = 0;
  // Added to the signer's ignore paths (normalized, relative to the root).
  std::vector<std::string> extra_ignore_paths;
  // Tolerate files on disk that the signature does not list.
  bool ignore_unsigned_files = false;
  // Partial verification: when not empty, only the signed files whose path
  // (relative to the model root) matches one of these fnmatch(3) globs are
  // hashed and compared ('*' also matches '/'; all shards of a file go
  // together). Every pattern must match at least one signed file, and every
  // selected file must be present and unchanged; unsigned files on disk
  // matching a pattern still count as extra. The other signed files are
  // listed in VerifyReport::not_checked, never as verified.
  std::vector<std::string> only;
  HashRunOptions run;
  // The model's listing, begun earlier by StartEarlyWalk (below) while the
  // caller read its bundles; used only if the statement's walk options turn
  // out to be the ones guessed. VerifyModel starts its own when this is
  // null. Taken at most once.
  BackgroundWalk* early_walk = nullptr;
};

struct VerifyReport {
  std::string model_name;  // subject name
  std::string root_digest_hex;
  SerializationOptions serialization;
  std::size_t resources = 0;
  std::uint64_t bytes_hashed = 0;  // checked, including bytes_from_cache
  // Of bytes_hashed, those whose digest the digest cache answered.
  std::uint64_t bytes_from_cache = 0;
  // Who signed: "key <hint>" or the leaf certificate subject.
  std::string signer;
  // File-level differences (paths relative to the model root).
  std::vector<std::string> missing;
  std::vector<std::string> extra;
  std::vector<std::string> changed;
  // Partial verification (VerifyOptions::only): the signed files that were
  // not checked, and how many were.
  bool partial = false;
  std::vector<std::string> not_checked;
  std::size_t files_checked = 0;
  // The statement was a model_signing v0.2 one (read for compatibility).
  bool legacy_v0_2 = false;
  double seconds = 0;
};

// OK when the signature verifies and the model matches. Otherwise:
// kInvalidArgument/kResourceExhausted for a malformed bundle or statement,
// kUnauthenticated for a bad signature, untrusted key or certificate, or a
// model that differs (the report lists the differences), and I/O errors as
// they come. `report` is filled as far as verification got.
// Equivalent to VerifyBundleSignature followed by VerifyModelContents.
absl::Status VerifyModel(const std::string& model_path,
                         absl::string_view bundle_json,
                         const VerifyOptions& options, VerifyReport* report);

// The two halves of VerifyModel, for callers that check several bundles
// over one statement (co-signatures, policies) and must hash the model once.

// What a verified signature establishes.
struct VerifiedSignature {
  std::string payload;   // the DSSE payload bytes, now authenticated
  std::string signer;    // "key <hint>" or "certificate (...)"
  std::string key_hint;  // hex SHA-256 of the signing key's SPKI PEM
  std::string leaf_certificate_der;  // certificate method only
  // The signature covers model_signing v0.2.0's encoding (LegacyV020Pae),
  // tried only for a payload naming kLegacyDigestsPredicateType; such a
  // payload must then parse as that legacy statement and nothing else.
  bool legacy_v0_2_pae = false;
};

// The statement of a verified signature: ParseStatement, or
// ParseLegacyDigestsStatement when the signature used the v0.2 encoding.
absl::StatusOr<Statement> ParseVerifiedStatement(
    const VerifiedSignature& verified);

// Checks the bundle's DSSE signature against the trust in `options`
// (public_key, or ca_roots_der at `now`); the model is not read.
// kUnauthenticated when the key or chain is not trusted or the signature
// does not verify.
absl::StatusOr<VerifiedSignature> VerifyBundleSignature(
    const Bundle& bundle, const VerifyOptions& options);

// Parses `verified_payload` (which the caller has authenticated) as an OMS
// statement, re-hashes the model with its serialization and compares. The
// report's signer is left as it is. Errors as for VerifyModel.
absl::Status VerifyModelContents(const std::string& model_path,
                                 absl::string_view verified_payload,
                                 const VerifyOptions& options,
                                 VerifyReport* report);

// The same for a statement the caller has already parsed (from a payload it
// authenticated): callers that need the statement themselves parse it once.
absl::Status VerifyModelStatement(const std::string& model_path,
                                  Statement statement,
                                  const VerifyOptions& options,
                                  VerifyReport* report);

// Starts listing `model_path` on another core as a statement with the
// default ignore paths (plus options.extra_ignore_paths) and no symlinks
// would have it listed, for a caller with bundles to read first:
//
//   auto early = StartEarlyWalk(model, options);
//   ... parse and check the bundles ...
//   options.early_walk = early.get();
//   VerifyModelStatement(model, statement, options, &report);
//
// Null when options.run.threads is 1.
std::unique_ptr<BackgroundWalk> StartEarlyWalk(const std::string& model_path,
                                               const VerifyOptions& options);

}  // namespace modelseal

#endif  // MODELSEAL_MODEL_SIGNING_H_
