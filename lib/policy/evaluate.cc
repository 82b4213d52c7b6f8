// Policy evaluation: signatures → thresholds → contents → card → licenses →
// artifacts (see policy_evaluation.h for why in this order). Every check
// appends findings and carries on; only I/O and unreadable model trees stop
// the evaluation.
#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "modelseal/env.h"
#include "modelseal/hash.h"
#include "modelseal/hex.h"
#include "modelseal/limits.h"
#include "modelseal/oms_bundle.h"
#include "modelseal/policy_evaluation.h"
#include "modelseal/release_log.h"
#include "modelseal/scan.h"
#include "modelseal/signed_note.h"
#include "modelseal/sigstore.h"
#include "modelseal/status.h"

namespace modelseal {
namespace {

bool HasRole(const PolicySigner& signer,
             const std::vector<std::string>& roles) {
  if (roles.empty()) return true;
  for (const std::string& role : signer.roles) {
    if (std::find(roles.begin(), roles.end(), role) != roles.end()) return true;
  }
  return false;
}

std::string FormatTime(std::uint64_t seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                          absl::FromTimeT(static_cast<std::time_t>(seconds)),
                          absl::UTCTimeZone());
}

// One bundle against the policy's signers.
struct Candidate {
  SignatureOutcome outcome;
  std::string payload;  // authenticated payload, when a signer matched
  const PolicySigner* signer = nullptr;
};

class Evaluator {
 public:
  Evaluator(const Policy& policy, const std::string& model_path,
            const PolicyEvaluationOptions& options, PolicyEvaluation* result)
      : policy_(policy),
        model_path_(model_path),
        options_(options),
        result_(result) {
    for (const PolicyLog& log : policy.transparency.logs) {
      // ParsePolicy checked every key.
      log_keys_.push_back(*tlog::NoteVerifier::Parse(log.verifier_key));
    }
  }

  Candidate Check(const PolicyBundle& input) {
    Candidate candidate;
    SignatureOutcome& outcome = candidate.outcome;
    outcome.bundle_path = input.path;
    absl::StatusOr<Bundle> bundle = ParseBundle(input.json);
    // Keyless bundles carry a Fulcio certificate (and may be of an older
    // bundle version than OMS writes); telling them apart costs a full
    // parse, so only bundles that could be keyless pay for it.
    if ((!bundle.ok() || !bundle->certificate_chain_der.empty()) &&
        sigstore::IsKeylessBundle(input.json)) {
      CheckKeyless(input, &candidate);
      return candidate;
    }
    if (!bundle.ok()) {
      result_->malformed_input = true;
      outcome.problem =
          absl::StrCat("malformed bundle: ", bundle.status().message());
      Add(MakeFinding("signatures.malformed", Severity::kError, outcome.problem,
                      input.path, "signers"));
      return candidate;
    }
    // The signing time: the log's integrated time when a pinned log vouches
    // for this bundle, else now (which never helps an expired or revoked
    // signer).
    std::time_t signing_time = options_.now;
    std::string log_problem = "the policy pins no transparency log";
    if (!log_keys_.empty()) {
      absl::StatusOr<LogInclusion> inclusion =
          VerifyLogInclusion(*bundle, log_keys_);
      if (inclusion.ok() && PinnedOrigin(inclusion->origin)) {
        outcome.log_origin = inclusion->origin;
        outcome.log_index = inclusion->index;
        outcome.integrated_time = inclusion->integrated_time;
        signing_time = static_cast<std::time_t>(inclusion->integrated_time);
      } else {
        log_problem =
            inclusion.ok()
                ? absl::StrCat("the record is in log '", inclusion->origin,
                               "', which the policy does not pin")
                : std::string(inclusion.status().message());
      }
    }

    std::string last_problem;
    for (const PolicySigner& signer : policy_.signers) {
      if (signer.keyless.has_value()) continue;
      VerifyOptions verify;
      verify.now = signing_time;
      if (signer.public_key != nullptr) {
        if (!bundle->certificate_chain_der.empty()) continue;
        if (!bundle->public_key_hint.empty() &&
            bundle->public_key_hint != signer.key_hint) {
          continue;
        }
        verify.public_key = signer.public_key.get();
      } else {
        if (bundle->certificate_chain_der.empty()) continue;
        verify.ca_roots_der = signer.ca_roots_der;
      }
      absl::StatusOr<VerifiedSignature> verified =
          VerifyBundleSignature(*bundle, verify);
      if (!verified.ok()) {
        last_problem = std::string(verified.status().message());
        continue;
      }
      if (!verified->leaf_certificate_der.empty()) {
        absl::Status names = MatchCertificateNames(
            signer, verified->leaf_certificate_der, &outcome.identity);
        if (!names.ok()) {
          last_problem = std::string(names.message());
          continue;
        }
      } else {
        outcome.identity = absl::StrCat("key ", verified->key_hint);
      }
      outcome.signer_id = signer.id;
      outcome.organization = signer.organization;
      outcome.key_hint = verified->key_hint;
      candidate.payload = std::move(verified->payload);
      candidate.signer = &signer;
      break;
    }
    if (candidate.signer == nullptr) {
      outcome.problem =
          last_problem.empty()
              ? absl::StrCat("signed by ",
                             bundle->certificate_chain_der.empty()
                                 ? absl::StrCat("key ", bundle->public_key_hint)
                                 : std::string("a certificate"),
                             ", which no signer of the policy holds")
              : absl::StrCat("no signer of the policy verifies it: ",
                             last_problem);
      Add(MakeFinding("signatures.untrusted", Severity::kError, outcome.problem,
                      input.path, "signers"));
      return candidate;
    }
    CheckStanding(signing_time, &candidate);
    if (outcome.problem.empty() && policy_.transparency.require_inclusion &&
        outcome.log_origin.empty()) {
      outcome.problem =
          absl::StrCat("no verified record in a pinned log: ", log_problem);
      Add(MakeFinding(
          "transparency.not_logged", Severity::kError,
          absl::StrCat("signer '", candidate.signer->id, "': ", outcome.problem,
                       "; publish it with `modelseal sign --log` or "
                       "`modelseal log add`"),
          input.path, policy_.transparency.policy_ref));
    }
    outcome.counted = outcome.problem.empty();
    return candidate;
  }

  // Thresholds over the counted signatures: a key counts once, a policy
  // signer counts once, and with distinct_organizations each organisation
  // counts once.
  void CheckThresholds(const std::vector<Candidate>& counted) {
    for (const PolicyThreshold& threshold : policy_.thresholds) {
      std::set<std::string> keys;
      std::set<std::string> signers;
      std::set<std::string> organizations;
      std::vector<std::string> who;
      for (const Candidate& candidate : counted) {
        const PolicySigner& signer = *candidate.signer;
        if (!threshold.of_signers.empty() &&
            std::find(threshold.of_signers.begin(), threshold.of_signers.end(),
                      signer.id) == threshold.of_signers.end()) {
          continue;
        }
        if (!HasRole(signer, threshold.of_roles)) continue;
        if (!keys.insert(candidate.outcome.key_hint).second) continue;
        // A CA or keyless signer vouches for many keys (one per
        // certificate); it is still one of the policy's n signers.
        if (!signers.insert(signer.id).second) continue;
        if (threshold.distinct_organizations &&
            !organizations.insert(signer.organization).second) {
          continue;
        }
        who.push_back(signer.id);
      }
      if (who.size() >= threshold.min_signatures) continue;
      std::string scope;
      if (!threshold.of_signers.empty()) {
        scope = absl::StrCat(" of [", absl::StrJoin(threshold.of_signers, ", "),
                             "]");
      }
      if (!threshold.of_roles.empty()) {
        absl::StrAppend(&scope, " with role ",
                        absl::StrJoin(threshold.of_roles, " or "));
      }
      Add(MakeFinding(
          "thresholds.unmet", Severity::kError,
          absl::StrCat(
              "threshold '", threshold.name, "' needs ",
              threshold.min_signatures, " valid signature",
              threshold.min_signatures == 1 ? "" : "s", " by distinct ",
              threshold.distinct_organizations ? "organizations" : "keys",
              scope, "; found ", who.size(),
              who.empty() ? std::string()
                          : absl::StrCat(" (", absl::StrJoin(who, ", "), ")")),
          "", threshold.policy_ref));
    }
  }

  void StartEarlyWalk() {
    early_walk_ = modelseal::StartEarlyWalk(model_path_, ContentOptions());
  }

  // Re-hashes the model once against the agreed statement.
  absl::Status CheckContents(const std::string& payload, Statement* statement) {
    VerifyOptions verify = ContentOptions();
    verify.early_walk = early_walk_.get();
    VerifyReport& report = result_->contents;
    MODELSEAL_ASSIGN_OR_RETURN(*statement, ParseStatement(payload));
    const absl::Status status =
        VerifyModelStatement(model_path_, *statement, verify, &report);
    result_->contents_checked = true;
    if (!status.ok() && status.code() != absl::StatusCode::kUnauthenticated) {
      return status;
    }
    for (const std::string& path : report.changed) {
      Add(MakeFinding("model.changed", Severity::kError,
                      "the file differs from the signed digest", path,
                      "signers"));
    }
    if (report.partial) {
      Add(MakeFinding(
          "verification.partial", Severity::kInfo,
          absl::StrCat("only ", report.files_checked, " of ",
                       report.files_checked + report.not_checked.size(),
                       " signed files were checked (--only); ",
                       report.not_checked.size(),
                       " were NOT verified and must not be trusted"),
          "", "verification.allow_partial"));
    }
    for (const std::string& path : report.missing) {
      Add(MakeFinding("model.missing", Severity::kError,
                      "the signed file is missing", path, "signers"));
    }
    for (const std::string& path : report.extra) {
      Add(MakeFinding("model.unsigned", Severity::kError,
                      "the file is not covered by the signature; remove it "
                      "or sign the model again",
                      path, "signers"));
    }
    if (!policy_.allowed_hashes.empty() &&
        std::find(policy_.allowed_hashes.begin(), policy_.allowed_hashes.end(),
                  statement->serialization.hash) ==
            policy_.allowed_hashes.end()) {
      std::vector<std::string> names;
      for (HashAlgorithm allowed : policy_.allowed_hashes) {
        names.emplace_back(HashAlgorithmName(allowed));
      }
      Add(MakeFinding(
          "hashes.not_allowed", Severity::kError,
          absl::StrCat("the model is hashed with ",
                       HashAlgorithmName(statement->serialization.hash),
                       "; the policy allows ", absl::StrJoin(names, ", ")),
          "", "hashes.allowed"));
    }
    return absl::OkStatus();
  }

  // Reads the card once, checks those exact bytes against the signed
  // digest(s), and only then parses them.
  absl::Status CheckCard(const Statement& statement) {
    const std::string& card_path = policy_.model_card.present
                                       ? policy_.model_card.path
                                       : std::string("README.md");
    const std::string policy_ref =
        policy_.model_card.present ? "model_card" : "licenses";
    const SerializationOptions& serialization = statement.serialization;
    std::vector<const ResourceDigest*> signed_parts;
    for (const ResourceDigest& resource : statement.resources) {
      const std::string file =
          serialization.method == SerializationMethod::kFiles
              ? resource.name
              : ParseShardName(resource.name)->path;
      if (file == card_path) signed_parts.push_back(&resource);
    }
    if (signed_parts.empty()) {
      Add(MakeFinding("model_card.unsigned", Severity::kError,
                      "the model card is not covered by the signature, so it "
                      "cannot be trusted; sign the model with its card",
                      card_path, policy_ref));
      return absl::OkStatus();
    }
    const auto& changed = result_->contents.changed;
    const auto& missing = result_->contents.missing;
    if (std::find(missing.begin(), missing.end(), card_path) != missing.end()) {
      Add(MakeFinding("model_card.missing", Severity::kError,
                      "the signed model card is missing", card_path,
                      policy_ref));
      return absl::OkStatus();
    }
    if (std::find(changed.begin(), changed.end(), card_path) != changed.end()) {
      Add(MakeFinding("model_card.changed", Severity::kError,
                      "the model card was edited after signing; its rules are "
                      "not checked on unsigned text",
                      card_path, policy_ref));
      return absl::OkStatus();
    }
    Env& env =
        options_.run.env != nullptr ? *options_.run.env : *Env::Default();
    absl::StatusOr<FileInfo> info = env.Stat(model_path_);
    const std::string file_path =
        info.ok() && info->type == FileType::kDirectory
            ? JoinPath(model_path_, card_path)
            : model_path_;
    MODELSEAL_ASSIGN_OR_RETURN(
        std::string bytes,
        env.ReadFileToString(file_path, limits::kMaxModelCardBytes));
    bool matches = true;
    for (const ResourceDigest* part : signed_parts) {
      absl::string_view range = bytes;
      if (serialization.method == SerializationMethod::kShards) {
        const ShardName shard = *ParseShardName(part->name);
        if (shard.end > bytes.size()) {
          matches = false;
          break;
        }
        range = range.substr(shard.start, shard.end - shard.start);
      }
      if (HashBytes(serialization.hash, range) != part->digest) matches = false;
    }
    if (!matches) {
      Add(MakeFinding("model_card.changed", Severity::kError,
                      "the model card changed while it was being checked",
                      card_path, policy_ref));
      return absl::OkStatus();
    }
    absl::StatusOr<ModelCard> card = ParseModelCard(bytes, card_path);
    if (!card.ok()) {
      result_->malformed_input = true;
      // The finding carries the path; the message keeps line and column.
      absl::string_view message = card.status().message();
      const bool located = absl::ConsumePrefix(&message, card_path + ":");
      Add(MakeFinding("model_card.malformed", Severity::kError,
                      absl::StrCat(located ? "at " : "", message), card_path,
                      policy_ref));
      return absl::OkStatus();
    }
    if (policy_.model_card.present) {
      for (Finding& finding :
           EvaluateCardRules(*card, bytes, policy_.model_card, card_path)) {
        Add(std::move(finding));
      }
    }
    if (policy_.licenses.present) {
      for (Finding& finding : EvaluateLicense(*card, policy_.licenses,
                                              card_path, &result_->license)) {
        Add(std::move(finding));
      }
    }
    result_->card = *std::move(card);
    return absl::OkStatus();
  }

  absl::Status CheckArtifacts(const Statement& statement) {
    std::vector<std::string> files;
    std::set<std::string> seen;
    const auto& changed = result_->contents.changed;
    const auto& missing = result_->contents.missing;
    for (const ResourceDigest& resource : statement.resources) {
      std::string file =
          statement.serialization.method == SerializationMethod::kFiles
              ? resource.name
              : ParseShardName(resource.name)->path;
      // Files already reported as changed or missing are not the signed
      // bytes; scanning them would judge something else.
      const auto& not_checked = result_->contents.not_checked;
      if (std::find(changed.begin(), changed.end(), file) != changed.end() ||
          std::find(missing.begin(), missing.end(), file) != missing.end() ||
          std::find(not_checked.begin(), not_checked.end(), file) !=
              not_checked.end()) {
        continue;
      }
      if (seen.insert(file).second) files.push_back(std::move(file));
    }
    ScanOptions scan;
    scan.threads = options_.run.threads;
    scan.env = options_.run.env;
    absl::StatusOr<ScanReport> report = [&]() -> absl::StatusOr<ScanReport> {
      // A one-file model's resource is ".": scan the file itself.
      if (files.size() == 1 && files[0] == ".") {
        return ScanPaths({model_path_}, scan);
      }
      return ScanModelFiles(model_path_, files, scan);
    }();
    if (!report.ok()) return report.status();
    const PolicyArtifacts& artifacts = policy_.artifacts;
    const auto listed = [](const std::vector<std::string>& list,
                           const std::string& format) {
      return std::find(list.begin(), list.end(), format) != list.end();
    };
    for (const ScannedFile& file : report->files) {
      result_->artifact_formats.emplace_back(file.path, file.format);
      std::vector<std::string> formats = {file.format};
      formats.insert(formats.end(), file.inner_formats.begin(),
                     file.inner_formats.end());
      for (const std::string& format : formats) {
        if (listed(artifacts.forbidden_formats, format)) {
          Add(MakeFinding(
              "artifacts.forbidden_format", Severity::kError,
              absl::StrCat("the file is ",
                           format == file.format ? "" : "or contains ", "'",
                           format,
                           "', a format the policy forbids (detected by "
                           "content)"),
              file.path, "artifacts.forbidden_formats"));
        } else if (!artifacts.allowed_formats.empty() &&
                   !listed(artifacts.allowed_formats, format)) {
          Add(MakeFinding(
              "artifacts.format_not_allowed", Severity::kError,
              absl::StrCat("the file is ",
                           format == file.format ? "" : "or contains ", "'",
                           format,
                           "', which is not in the policy's allowed formats"),
              file.path, "artifacts.allowed_formats"));
        }
      }
    }
    for (Finding finding : report->findings) {
      if (finding.severity < artifacts.fail_on) {
        finding.severity = Severity::kInfo;
      }
      finding.policy_ref = "artifacts";
      Add(std::move(finding));
    }
    return absl::OkStatus();
  }

 private:
  void Add(Finding finding) { result_->findings.push_back(std::move(finding)); }

  // How the model's contents are checked (CheckContents).
  VerifyOptions ContentOptions() const {
    VerifyOptions verify;
    verify.extra_ignore_paths = options_.extra_ignore_paths;
    verify.run = options_.run;
    // The policy decides on unsigned files (a finding), so the content check
    // must list them rather than stop at them.
    verify.ignore_unsigned_files = true;
    verify.only = options_.only;
    return verify;
  }

  bool PinnedOrigin(const std::string& origin) const {
    for (const PolicyLog& log : policy_.transparency.logs) {
      if (log.origin == origin) return true;
    }
    return false;
  }

  absl::Status MatchCertificateNames(const PolicySigner& signer,
                                     const std::string& leaf_der,
                                     std::string* identity) {
    MODELSEAL_ASSIGN_OR_RETURN(CertificateNames names,
                               ReadCertificateNames(leaf_der));
    if (!signer.expected_subject.empty() &&
        names.subject != signer.expected_subject) {
      return absl::UnauthenticatedError(
          absl::StrCat("the certificate subject '", names.subject, "' is not '",
                       signer.expected_subject, "' (", signer.id, ")"));
    }
    if (!signer.expected_san.empty()) {
      bool found = false;
      for (const auto* list :
           {&names.email_sans, &names.uri_sans, &names.dns_sans}) {
        for (const std::string& san : *list) {
          if (san == signer.expected_san) found = true;
        }
      }
      if (!found) {
        return absl::UnauthenticatedError(
            absl::StrCat("the certificate has no SAN '", signer.expected_san,
                         "' (", signer.id, ")"));
      }
    }
    *identity = absl::StrCat("certificate '", names.subject, "'");
    return absl::OkStatus();
  }

  void CheckKeyless(const PolicyBundle& input, Candidate* candidate) {
    SignatureOutcome& outcome = candidate->outcome;
    absl::StatusOr<sigstore::TrustedRoot> root =
        options_.trusted_root != nullptr
            ? absl::StatusOr<sigstore::TrustedRoot>(*options_.trusted_root)
            : sigstore::TrustedRoot::PublicGood();
    std::string last_problem = "the policy has no keyless signer";
    for (const PolicySigner& signer : policy_.signers) {
      if (!signer.keyless.has_value() || !root.ok()) continue;
      sigstore::CertificateIdentity identity;
      identity.issuer = signer.keyless->issuer;
      identity.issuer_regexp = signer.keyless->issuer_regexp;
      identity.subject = signer.keyless->subject;
      identity.subject_regexp = signer.keyless->subject_regexp;
      absl::StatusOr<sigstore::KeylessVerification> verified =
          sigstore::VerifyKeylessBundle(input.json, *root, identity);
      if (!verified.ok()) {
        last_problem = std::string(verified.status().message());
        if (verified.status().code() == absl::StatusCode::kInvalidArgument) {
          result_->malformed_input = true;
        }
        continue;
      }
      if (verified->payload_type != kInTotoPayloadType) {
        last_problem = "the bundle does not carry an in-toto statement";
        continue;
      }
      outcome.signer_id = signer.id;
      outcome.organization = signer.organization;
      // Keyless keys are ephemeral: the identity is what a threshold counts.
      outcome.key_hint =
          absl::StrCat("keyless:", verified->issuer, "|", verified->san);
      outcome.identity =
          absl::StrCat(verified->san, " (issuer ", verified->issuer, ")");
      outcome.log_index = verified->log_index;
      outcome.integrated_time = static_cast<std::uint64_t>(
          std::max<std::int64_t>(0, verified->signing_time));
      // Rekor's verified entry is the keyless signature's log record.
      outcome.log_origin = "rekor";
      candidate->payload = std::move(verified->payload);
      candidate->signer = &signer;
      break;
    }
    if (!root.ok()) last_problem = std::string(root.status().message());
    if (candidate->signer == nullptr) {
      outcome.problem = absl::StrCat(
          "keyless signature not accepted by any keyless signer of the "
          "policy: ",
          last_problem);
      Add(MakeFinding("signatures.untrusted", Severity::kError, outcome.problem,
                      input.path, "signers"));
      return;
    }
    CheckStanding(static_cast<std::time_t>(outcome.integrated_time), candidate);
    outcome.counted = outcome.problem.empty();
  }

  // Validity window and revocations of the matched signer, at signing time.
  void CheckStanding(std::time_t signing_time, Candidate* candidate) {
    const PolicySigner& signer = *candidate->signer;
    SignatureOutcome& outcome = candidate->outcome;
    if ((signer.valid_from && signing_time < *signer.valid_from) ||
        (signer.valid_until && signing_time > *signer.valid_until)) {
      outcome.problem = absl::StrCat(
          "signer '", signer.id, "' is valid ",
          signer.valid_from
              ? absl::StrCat("from ", FormatTime(*signer.valid_from))
              : std::string(),
          signer.valid_from && signer.valid_until ? " " : "",
          signer.valid_until
              ? absl::StrCat("until ", FormatTime(*signer.valid_until))
              : std::string(),
          ", not at the signing time ", FormatTime(signing_time));
      Add(MakeFinding("signers.outside_validity", Severity::kError,
                      outcome.problem, outcome.bundle_path, signer.policy_ref));
      return;
    }
    for (const PolicyRevocation& revocation : policy_.revocations) {
      const bool applies =
          (!revocation.signer.empty() && revocation.signer == signer.id) ||
          (!revocation.key_hint.empty() &&
           revocation.key_hint == outcome.key_hint);
      if (!applies || signing_time < revocation.date) continue;
      outcome.problem =
          absl::StrCat("signer '", signer.id, "' was revoked on ",
                       FormatTime(revocation.date),
                       revocation.reason.empty()
                           ? ""
                           : absl::StrCat(" (", revocation.reason, ")"),
                       ", before the signing time ", FormatTime(signing_time));
      Add(MakeFinding("signers.revoked", Severity::kError, outcome.problem,
                      outcome.bundle_path, revocation.policy_ref));
      return;
    }
  }

  const Policy& policy_;
  const std::string& model_path_;
  const PolicyEvaluationOptions& options_;
  PolicyEvaluation* result_;
  std::vector<tlog::NoteVerifier> log_keys_;
  std::unique_ptr<BackgroundWalk> early_walk_;  // may be null
};

}  // namespace

absl::StatusOr<PolicyEvaluation> EvaluatePolicy(
    const Policy& policy, const std::string& model_path,
    const std::vector<PolicyBundle>& bundles,
    const PolicyEvaluationOptions& options) {
  if (bundles.empty()) {
    return absl::InvalidArgumentError("no signature bundle to evaluate");
  }
  // An unset clock (the options' default) would judge unlogged signatures
  // in 1970, before every revocation: refuse rather than fail open.
  if (options.now <= 0) {
    return absl::InvalidArgumentError(
        "policy evaluation needs the current time (options.now)");
  }
  if (bundles.size() > limits::kMaxPolicySignatures) {
    return absl::ResourceExhaustedError(
        absl::StrCat(bundles.size(), " signature bundles exceed the limit of ",
                     limits::kMaxPolicySignatures));
  }
  PolicyEvaluation result;
  if (!options.only.empty() && !policy.verification.allow_partial) {
    result.findings.push_back(MakeFinding(
        "verification.partial_not_allowed", Severity::kError,
        "the policy does not allow partial verification (--only): verify "
        "the whole model, or ask the alliance to set "
        "verification.allow_partial",
        "", "verification.allow_partial"));
  }
  Evaluator evaluator(policy, model_path, options, &result);
  // The model is listed on another core while the bundles are checked.
  evaluator.StartEarlyWalk();
  std::vector<Candidate> candidates;
  for (const PolicyBundle& bundle : bundles) {
    candidates.push_back(evaluator.Check(bundle));
  }

  // Counted signatures must agree on one statement. The statement most of
  // them signed wins; the others are findings and do not count.
  std::map<std::string, std::size_t> votes;
  for (const Candidate& candidate : candidates) {
    if (candidate.outcome.counted) ++votes[candidate.payload];
  }
  std::string agreed;
  std::size_t best = 0;
  for (const auto& [payload, count] : votes) {
    if (count > best) {
      best = count;
      agreed = payload;
    }
  }
  std::vector<Candidate> counted;
  for (Candidate& candidate : candidates) {
    if (!candidate.outcome.counted) continue;
    if (candidate.payload != agreed) {
      candidate.outcome.counted = false;
      candidate.outcome.problem =
          "it signs a different statement than the other signatures";
      result.findings.push_back(MakeFinding(
          "signatures.statement_mismatch", Severity::kError,
          absl::StrCat(candidate.outcome.problem,
                       "; co-signatures must cover the same payload bytes "
                       "(modelseal sign --cosign)"),
          candidate.outcome.bundle_path, "signers"));
      continue;
    }
    counted.push_back(candidate);
  }
  evaluator.CheckThresholds(counted);

  if (counted.empty()) {
    result.findings.push_back(MakeFinding(
        "signatures.none_counted", Severity::kError,
        "no signature counts under the policy, so no statement about the "
        "model is trusted; the files, card, license and artifacts were not "
        "checked",
        "", "signers"));
  } else {
    Statement statement;
    MODELSEAL_RETURN_IF_ERROR(evaluator.CheckContents(agreed, &statement));
    if (policy.model_card.present || policy.licenses.present) {
      MODELSEAL_RETURN_IF_ERROR(evaluator.CheckCard(statement));
    }
    if (policy.artifacts.present) {
      MODELSEAL_RETURN_IF_ERROR(evaluator.CheckArtifacts(statement));
    }
  }
  for (Candidate& candidate : candidates) {
    result.signatures.push_back(std::move(candidate.outcome));
  }
  return result;
}

}  // namespace modelseal
