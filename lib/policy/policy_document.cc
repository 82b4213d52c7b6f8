// Reading the alliance policy document into a checked Policy. The document
// is closed: every mapping is read through a MappingReader that refuses
// keys nobody asked for, so a typo ("sigers:") is an error, never a rule
// silently skipped.
#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "modelseal/licenses.h"
#include "modelseal/limits.h"
#include "modelseal/model_card.h"
#include "modelseal/policy.h"
#include "modelseal/signed_note.h"
#include "modelseal/status.h"
#include "modelseal/yaml_tree.h"

namespace modelseal {
namespace {

class Reader {
 public:
  explicit Reader(absl::string_view source) : source_(source) {}

  absl::Status Error(const YamlNode& node, absl::string_view where,
                     absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat(source_, ":", node.mark.line, ":", node.mark.column, ": ",
                     where, where.empty() ? "" : ": ", what));
  }

  absl::StatusOr<std::string> String(const YamlNode& node,
                                     absl::string_view where) const {
    std::optional<std::string> value = node.AsString();
    if (!value.has_value()) {
      return Error(node, where,
                   absl::StrCat("expected a string, found ", node.KindName()));
    }
    if (value->empty()) return Error(node, where, "must not be empty");
    return *value;
  }

  absl::StatusOr<std::vector<std::string>> StringList(
      const YamlNode& node, absl::string_view where) const {
    if (!node.IsSequence()) {
      return Error(node, where,
                   absl::StrCat("expected a list, found ", node.KindName()));
    }
    std::vector<std::string> values;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < node.items.size(); ++i) {
      const std::string item_where = absl::StrCat(where, "[", i, "]");
      MODELSEAL_ASSIGN_OR_RETURN(std::string value,
                                 String(node.items[i], item_where));
      if (!seen.insert(value).second) {
        return Error(node.items[i], item_where,
                     absl::StrCat("'", value, "' is listed twice"));
      }
      values.push_back(std::move(value));
    }
    return values;
  }

  absl::StatusOr<bool> Bool(const YamlNode& node,
                            absl::string_view where) const {
    // Only true/false: "yes"/"on" spellings are YAML 1.1 traps in a
    // security document.
    if (node.IsScalar() && node.plain &&
        (node.scalar == "true" || node.scalar == "false")) {
      return node.scalar == "true";
    }
    return Error(node, where, "expected true or false");
  }

  absl::StatusOr<std::int64_t> Integer(const YamlNode& node,
                                       absl::string_view where,
                                       std::int64_t minimum,
                                       std::int64_t maximum) const {
    std::optional<std::int64_t> value = node.AsInt();
    if (!value.has_value() || !node.plain) {
      return Error(node, where, "expected an integer");
    }
    if (*value < minimum || *value > maximum) {
      return Error(node, where,
                   absl::StrCat("must be between ", minimum, " and ", maximum));
    }
    return *value;
  }

  // RFC 3339 date-time, or a plain date (midnight UTC).
  absl::StatusOr<std::time_t> Time(const YamlNode& node,
                                   absl::string_view where) const {
    MODELSEAL_ASSIGN_OR_RETURN(std::string text, String(node, where));
    absl::Time time;
    std::string ignored;
    if (absl::ParseTime(absl::RFC3339_full, text, &time, &ignored) ||
        absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &time,
                        &ignored)) {
      return absl::ToTimeT(time);
    }
    return Error(node, where,
                 absl::StrCat("'", text,
                              "' is not an RFC 3339 time "
                              "(2026-11-30T00:00:00Z) or a date (2026-11-30)"));
  }

 private:
  std::string source_;
};

// Reads one mapping; Finish() fails on any key that was not read.
class Mapping {
 public:
  static absl::StatusOr<Mapping> Open(const Reader& reader,
                                      const YamlNode& node, std::string where) {
    if (!node.IsMapping()) {
      return reader.Error(
          node, where,
          absl::StrCat("expected a mapping, found ", node.KindName()));
    }
    return Mapping(reader, node, std::move(where));
  }

  const YamlNode* Optional(absl::string_view key) {
    used_.insert(std::string(key));
    const YamlNode* value = node_->Find(key);
    if (value != nullptr && value->IsNull()) return nullptr;
    return value;
  }

  absl::StatusOr<const YamlNode*> Required(absl::string_view key) {
    const YamlNode* value = Optional(key);
    if (value == nullptr) {
      return reader_->Error(*node_, where_,
                            absl::StrCat("missing required key '", key, "'"));
    }
    return value;
  }

  absl::Status Finish() const {
    for (const auto& [key, value] : node_->members) {
      if (!used_.count(key)) {
        return reader_->Error(value, where_,
                              absl::StrCat("unknown key '", key, "'"));
      }
    }
    return absl::OkStatus();
  }

  std::string Child(absl::string_view key) const {
    return where_.empty() ? std::string(key) : absl::StrCat(where_, ".", key);
  }
  const YamlNode& node() const { return *node_; }

 private:
  Mapping(const Reader& reader, const YamlNode& node, std::string where)
      : reader_(&reader), node_(&node), where_(std::move(where)) {}

  const Reader* reader_;
  const YamlNode* node_;
  std::string where_;
  std::set<std::string> used_;
};

absl::Status ReadMetadata(const Reader& reader, const YamlNode& node,
                          PolicyMetadata* metadata) {
  MODELSEAL_ASSIGN_OR_RETURN(Mapping map,
                             Mapping::Open(reader, node, "metadata"));
  MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* name, map.Required("name"));
  MODELSEAL_ASSIGN_OR_RETURN(metadata->name,
                             reader.String(*name, map.Child("name")));
  MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* version, map.Required("version"));
  MODELSEAL_ASSIGN_OR_RETURN(
      metadata->version,
      reader.Integer(*version, map.Child("version"), 1, std::int64_t{1} << 53));
  MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* issued, map.Required("issued"));
  MODELSEAL_ASSIGN_OR_RETURN(metadata->issued,
                             reader.Time(*issued, map.Child("issued")));
  MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* expires, map.Required("expires"));
  MODELSEAL_ASSIGN_OR_RETURN(metadata->expires,
                             reader.Time(*expires, map.Child("expires")));
  if (metadata->expires <= metadata->issued) {
    return reader.Error(*expires, map.Child("expires"),
                        "must be later than metadata.issued");
  }
  if (const YamlNode* description = map.Optional("description")) {
    MODELSEAL_ASSIGN_OR_RETURN(
        metadata->description,
        reader.String(*description, map.Child("description")));
  }
  return map.Finish();
}

absl::Status ReadOrganizations(const Reader& reader, const YamlNode& node,
                               std::vector<PolicyOrganization>* out) {
  if (!node.IsSequence()) {
    return reader.Error(node, "organizations", "expected a list");
  }
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    MODELSEAL_ASSIGN_OR_RETURN(
        Mapping map, Mapping::Open(reader, node.items[i],
                                   absl::StrCat("organizations[", i, "]")));
    PolicyOrganization organization;
    MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* id, map.Required("id"));
    MODELSEAL_ASSIGN_OR_RETURN(organization.id,
                               reader.String(*id, map.Child("id")));
    MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* name, map.Required("name"));
    MODELSEAL_ASSIGN_OR_RETURN(organization.name,
                               reader.String(*name, map.Child("name")));
    MODELSEAL_RETURN_IF_ERROR(map.Finish());
    for (const PolicyOrganization& other : *out) {
      if (other.id == organization.id) {
        return reader.Error(*id, map.Child("id"),
                            absl::StrCat("organization '", organization.id,
                                         "' is defined twice"));
      }
    }
    out->push_back(std::move(organization));
  }
  return absl::OkStatus();
}

absl::Status ReadKeyless(const Reader& reader, const YamlNode& node,
                         const std::string& where, KeylessIdentity* keyless) {
  MODELSEAL_ASSIGN_OR_RETURN(Mapping map, Mapping::Open(reader, node, where));
  const YamlNode* issuer = map.Optional("issuer");
  const YamlNode* issuer_regexp = map.Optional("issuer_regexp");
  const YamlNode* subject = map.Optional("subject");
  const YamlNode* subject_regexp = map.Optional("subject_regexp");
  if ((issuer == nullptr) == (issuer_regexp == nullptr)) {
    return reader.Error(node, where,
                        "needs exactly one of issuer or issuer_regexp");
  }
  if ((subject == nullptr) == (subject_regexp == nullptr)) {
    return reader.Error(node, where,
                        "needs exactly one of subject or subject_regexp");
  }
  if (issuer != nullptr) {
    MODELSEAL_ASSIGN_OR_RETURN(keyless->issuer,
                               reader.String(*issuer, map.Child("issuer")));
  } else {
    MODELSEAL_ASSIGN_OR_RETURN(
        keyless->issuer_regexp,
        reader.String(*issuer_regexp, map.Child("issuer_regexp")));
  }
  if (subject != nullptr) {
    MODELSEAL_ASSIGN_OR_RETURN(keyless->subject,
                               reader.String(*subject, map.Child("subject")));
  } else {
    MODELSEAL_ASSIGN_OR_RETURN(
        keyless->subject_regexp,
        reader.String(*subject_regexp, map.Child("subject_regexp")));
  }
  return map.Finish();
}

absl::Status ReadSigners(const Reader& reader, const YamlNode& node,
                         const std::vector<PolicyOrganization>& organizations,
                         std::vector<PolicySigner>* out) {
  if (!node.IsSequence() || node.items.empty()) {
    return reader.Error(node, "signers", "expected a non-empty list");
  }
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    PolicySigner signer;
    signer.policy_ref = absl::StrCat("signers[", i, "]");
    MODELSEAL_ASSIGN_OR_RETURN(
        Mapping map, Mapping::Open(reader, node.items[i], signer.policy_ref));
    MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* id, map.Required("id"));
    MODELSEAL_ASSIGN_OR_RETURN(signer.id, reader.String(*id, map.Child("id")));
    MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* organization,
                               map.Required("organization"));
    MODELSEAL_ASSIGN_OR_RETURN(
        signer.organization,
        reader.String(*organization, map.Child("organization")));
    if (std::none_of(organizations.begin(), organizations.end(),
                     [&](const PolicyOrganization& known) {
                       return known.id == signer.organization;
                     })) {
      return reader.Error(*organization, map.Child("organization"),
                          absl::StrCat("'", signer.organization,
                                       "' is not an id in organizations"));
    }
    if (const YamlNode* roles = map.Optional("roles")) {
      MODELSEAL_ASSIGN_OR_RETURN(signer.roles,
                                 reader.StringList(*roles, map.Child("roles")));
    }
    if (const YamlNode* from = map.Optional("valid_from")) {
      MODELSEAL_ASSIGN_OR_RETURN(signer.valid_from,
                                 reader.Time(*from, map.Child("valid_from")));
    }
    if (const YamlNode* until = map.Optional("valid_until")) {
      MODELSEAL_ASSIGN_OR_RETURN(signer.valid_until,
                                 reader.Time(*until, map.Child("valid_until")));
    }
    const YamlNode* public_key = map.Optional("public_key");
    const YamlNode* ca = map.Optional("certificate_authority");
    const YamlNode* keyless = map.Optional("keyless");
    const int ways =
        (public_key != nullptr) + (ca != nullptr) + (keyless != nullptr);
    if (ways != 1) {
      return reader.Error(node.items[i], signer.policy_ref,
                          "needs exactly one of public_key, "
                          "certificate_authority or keyless");
    }
    if (public_key != nullptr) {
      MODELSEAL_ASSIGN_OR_RETURN(
          std::string pem, reader.String(*public_key, map.Child("public_key")));
      absl::StatusOr<std::unique_ptr<Verifier>> verifier = LoadVerifier(pem);
      if (!verifier.ok()) {
        return reader.Error(*public_key, map.Child("public_key"),
                            absl::StrCat("not an inline public key PEM: ",
                                         verifier.status().message()));
      }
      signer.key_hint = (*verifier)->Hint();
      signer.public_key = std::move(*verifier);
    } else if (ca != nullptr) {
      const std::string where = map.Child("certificate_authority");
      MODELSEAL_ASSIGN_OR_RETURN(Mapping ca_map,
                                 Mapping::Open(reader, *ca, where));
      MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* root, ca_map.Required("root"));
      MODELSEAL_ASSIGN_OR_RETURN(std::string pem,
                                 reader.String(*root, ca_map.Child("root")));
      absl::StatusOr<std::vector<std::string>> roots = CertificatesFromPem(pem);
      if (!roots.ok()) {
        return reader.Error(*root, ca_map.Child("root"),
                            absl::StrCat("not an inline certificate PEM: ",
                                         roots.status().message()));
      }
      signer.ca_roots_der = *std::move(roots);
      if (const YamlNode* subject = ca_map.Optional("subject")) {
        MODELSEAL_ASSIGN_OR_RETURN(
            signer.expected_subject,
            reader.String(*subject, ca_map.Child("subject")));
      }
      if (const YamlNode* san = ca_map.Optional("san")) {
        MODELSEAL_ASSIGN_OR_RETURN(signer.expected_san,
                                   reader.String(*san, ca_map.Child("san")));
      }
      if (signer.expected_subject.empty() && signer.expected_san.empty()) {
        // A CA vouches for many keys: without a name to match, any
        // certificate it ever issued would count as this signer.
        return reader.Error(*ca, where, "needs a subject or a san to match");
      }
      MODELSEAL_RETURN_IF_ERROR(ca_map.Finish());
    } else {
      KeylessIdentity identity;
      MODELSEAL_RETURN_IF_ERROR(
          ReadKeyless(reader, *keyless, map.Child("keyless"), &identity));
      signer.keyless = std::move(identity);
    }
    MODELSEAL_RETURN_IF_ERROR(map.Finish());
    if (signer.valid_from && signer.valid_until &&
        *signer.valid_until <= *signer.valid_from) {
      return reader.Error(node.items[i], signer.policy_ref,
                          "valid_until must be later than valid_from");
    }
    for (const PolicySigner& other : *out) {
      if (other.id == signer.id) {
        return reader.Error(
            *id, map.Child("id"),
            absl::StrCat("signer '", signer.id, "' is defined twice"));
      }
    }
    out->push_back(std::move(signer));
  }
  return absl::OkStatus();
}

absl::Status ReadRevocations(const Reader& reader, const YamlNode& node,
                             const std::vector<PolicySigner>& signers,
                             std::vector<PolicyRevocation>* out) {
  if (!node.IsSequence())
    return reader.Error(node, "revocations", "expected a list");
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    PolicyRevocation revocation;
    revocation.policy_ref = absl::StrCat("revocations[", i, "]");
    MODELSEAL_ASSIGN_OR_RETURN(
        Mapping map,
        Mapping::Open(reader, node.items[i], revocation.policy_ref));
    const YamlNode* signer = map.Optional("signer");
    const YamlNode* key_id = map.Optional("key_id");
    if ((signer == nullptr) == (key_id == nullptr)) {
      return reader.Error(node.items[i], revocation.policy_ref,
                          "needs exactly one of signer or key_id");
    }
    if (signer != nullptr) {
      MODELSEAL_ASSIGN_OR_RETURN(revocation.signer,
                                 reader.String(*signer, map.Child("signer")));
      if (std::none_of(signers.begin(), signers.end(),
                       [&](const PolicySigner& known) {
                         return known.id == revocation.signer;
                       })) {
        return reader.Error(
            *signer, map.Child("signer"),
            absl::StrCat("'", revocation.signer, "' is not an id in signers"));
      }
    } else {
      MODELSEAL_ASSIGN_OR_RETURN(std::string hint,
                                 reader.String(*key_id, map.Child("key_id")));
      hint = absl::AsciiStrToLower(hint);
      if (hint.size() != 64 ||
          hint.find_first_not_of("0123456789abcdef") != std::string::npos) {
        return reader.Error(*key_id, map.Child("key_id"),
                            "expected 64 hex digits (the key's SHA-256 hint)");
      }
      revocation.key_hint = std::move(hint);
    }
    MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* date, map.Required("date"));
    MODELSEAL_ASSIGN_OR_RETURN(revocation.date,
                               reader.Time(*date, map.Child("date")));
    if (const YamlNode* reason = map.Optional("reason")) {
      MODELSEAL_ASSIGN_OR_RETURN(revocation.reason,
                                 reader.String(*reason, map.Child("reason")));
    }
    MODELSEAL_RETURN_IF_ERROR(map.Finish());
    out->push_back(std::move(revocation));
  }
  return absl::OkStatus();
}

absl::Status ReadThresholds(const Reader& reader, const YamlNode& node,
                            const std::vector<PolicySigner>& signers,
                            std::vector<PolicyThreshold>* out) {
  if (!node.IsSequence())
    return reader.Error(node, "thresholds", "expected a list");
  std::set<std::string> roles;
  for (const PolicySigner& signer : signers) {
    roles.insert(signer.roles.begin(), signer.roles.end());
  }
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    PolicyThreshold threshold;
    threshold.policy_ref = absl::StrCat("thresholds[", i, "]");
    MODELSEAL_ASSIGN_OR_RETURN(
        Mapping map,
        Mapping::Open(reader, node.items[i], threshold.policy_ref));
    if (const YamlNode* name = map.Optional("name")) {
      MODELSEAL_ASSIGN_OR_RETURN(threshold.name,
                                 reader.String(*name, map.Child("name")));
    } else {
      threshold.name = threshold.policy_ref;
    }
    MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* minimum,
                               map.Required("min_signatures"));
    MODELSEAL_ASSIGN_OR_RETURN(
        std::int64_t min_signatures,
        reader.Integer(*minimum, map.Child("min_signatures"), 1,
                       static_cast<std::int64_t>(signers.size())));
    threshold.min_signatures = static_cast<std::size_t>(min_signatures);
    if (const YamlNode* of_signers = map.Optional("of_signers")) {
      MODELSEAL_ASSIGN_OR_RETURN(
          threshold.of_signers,
          reader.StringList(*of_signers, map.Child("of_signers")));
      // An empty list would read as "any signer": say so by leaving it out.
      if (threshold.of_signers.empty()) {
        return reader.Error(*of_signers, map.Child("of_signers"),
                            "must not be empty (leave it out for any signer)");
      }
      for (std::size_t k = 0; k < threshold.of_signers.size(); ++k) {
        const std::string& id = threshold.of_signers[k];
        if (std::none_of(signers.begin(), signers.end(),
                         [&](const PolicySigner& s) { return s.id == id; })) {
          return reader.Error(
              of_signers->items[k], map.Child("of_signers"),
              absl::StrCat("'", id, "' is not an id in signers"));
        }
      }
      // Each listed signer counts at most once: more than the list holds
      // can never be met.
      if (!threshold.of_signers.empty() &&
          threshold.min_signatures > threshold.of_signers.size()) {
        return reader.Error(
            *minimum, map.Child("min_signatures"),
            absl::StrCat(threshold.min_signatures, " is more than the ",
                         threshold.of_signers.size(),
                         " signer(s) in of_signers"));
      }
    }
    if (const YamlNode* of_roles = map.Optional("of_roles")) {
      MODELSEAL_ASSIGN_OR_RETURN(
          threshold.of_roles,
          reader.StringList(*of_roles, map.Child("of_roles")));
      if (threshold.of_roles.empty()) {
        return reader.Error(*of_roles, map.Child("of_roles"),
                            "must not be empty (leave it out for any role)");
      }
      for (std::size_t k = 0; k < threshold.of_roles.size(); ++k) {
        if (!roles.count(threshold.of_roles[k])) {
          return reader.Error(of_roles->items[k], map.Child("of_roles"),
                              absl::StrCat("no signer has the role '",
                                           threshold.of_roles[k], "'"));
        }
      }
    }
    if (const YamlNode* distinct = map.Optional("distinct_organizations")) {
      MODELSEAL_ASSIGN_OR_RETURN(
          threshold.distinct_organizations,
          reader.Bool(*distinct, map.Child("distinct_organizations")));
    }
    MODELSEAL_RETURN_IF_ERROR(map.Finish());
    out->push_back(std::move(threshold));
  }
  return absl::OkStatus();
}

absl::Status ReadTransparency(const Reader& reader, const YamlNode& node,
                              PolicyTransparency* out) {
  MODELSEAL_ASSIGN_OR_RETURN(Mapping map,
                             Mapping::Open(reader, node, "transparency"));
  if (const YamlNode* require = map.Optional("require_inclusion")) {
    MODELSEAL_ASSIGN_OR_RETURN(
        out->require_inclusion,
        reader.Bool(*require, map.Child("require_inclusion")));
  }
  if (const YamlNode* logs = map.Optional("logs")) {
    if (!logs->IsSequence()) {
      return reader.Error(*logs, map.Child("logs"), "expected a list");
    }
    for (std::size_t i = 0; i < logs->items.size(); ++i) {
      const std::string where = absl::StrCat("transparency.logs[", i, "]");
      MODELSEAL_ASSIGN_OR_RETURN(Mapping log_map,
                                 Mapping::Open(reader, logs->items[i], where));
      PolicyLog log;
      MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* origin,
                                 log_map.Required("origin"));
      MODELSEAL_ASSIGN_OR_RETURN(
          log.origin, reader.String(*origin, log_map.Child("origin")));
      MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* key, log_map.Required("key"));
      MODELSEAL_ASSIGN_OR_RETURN(log.verifier_key,
                                 reader.String(*key, log_map.Child("key")));
      absl::StatusOr<tlog::NoteVerifier> verifier =
          tlog::NoteVerifier::Parse(log.verifier_key);
      if (!verifier.ok()) {
        return reader.Error(*key, log_map.Child("key"),
                            absl::StrCat("not a note verifier key: ",
                                         verifier.status().message()));
      }
      // A log's checkpoints are signed under its origin's name; a key of
      // another name could never vouch for this log.
      if (verifier->name() != log.origin) {
        return reader.Error(
            *key, log_map.Child("key"),
            absl::StrCat("the key is named '", verifier->name(),
                         "', not the log origin '", log.origin, "'"));
      }
      MODELSEAL_RETURN_IF_ERROR(log_map.Finish());
      out->logs.push_back(std::move(log));
    }
  }
  if (out->require_inclusion && out->logs.empty()) {
    return reader.Error(node, "transparency",
                        "require_inclusion needs at least one pinned log");
  }
  return map.Finish();
}

absl::Status ReadHashes(const Reader& reader, const YamlNode& node,
                        std::vector<HashAlgorithm>* out) {
  MODELSEAL_ASSIGN_OR_RETURN(Mapping map,
                             Mapping::Open(reader, node, "hashes"));
  MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* allowed, map.Required("allowed"));
  MODELSEAL_ASSIGN_OR_RETURN(std::vector<std::string> names,
                             reader.StringList(*allowed, map.Child("allowed")));
  if (names.empty()) {
    return reader.Error(*allowed, map.Child("allowed"), "must not be empty");
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    absl::StatusOr<HashAlgorithm> algorithm = ParseHashAlgorithm(names[i]);
    if (!algorithm.ok()) {
      return reader.Error(allowed->items[i], map.Child("allowed"),
                          absl::StrCat("unknown hash '", names[i],
                                       "' (sha256, blake2b or blake3)"));
    }
    out->push_back(*algorithm);
  }
  return map.Finish();
}

absl::Status ReadVerification(const Reader& reader, const YamlNode& node,
                              PolicyVerification* out) {
  MODELSEAL_ASSIGN_OR_RETURN(Mapping map,
                             Mapping::Open(reader, node, "verification"));
  if (const YamlNode* partial = map.Optional("allow_partial")) {
    MODELSEAL_ASSIGN_OR_RETURN(
        out->allow_partial, reader.Bool(*partial, map.Child("allow_partial")));
  }
  return map.Finish();
}

absl::Status ReadModelCard(const Reader& reader, const YamlNode& node,
                           PolicyModelCard* out) {
  MODELSEAL_ASSIGN_OR_RETURN(Mapping map,
                             Mapping::Open(reader, node, "model_card"));
  out->present = true;
  if (const YamlNode* path = map.Optional("path")) {
    MODELSEAL_ASSIGN_OR_RETURN(out->path,
                               reader.String(*path, map.Child("path")));
    // The card is a file of the model: a relative path with no way out.
    bool safe = out->path.front() != '/';
    for (absl::string_view part : absl::StrSplit(out->path, '/')) {
      if (part.empty() || part == "." || part == "..") safe = false;
    }
    if (!safe) {
      return reader.Error(*path, map.Child("path"),
                          "must be a relative path inside the model (no '..', "
                          "'.' or empty components)");
    }
  }
  if (const YamlNode* severity = map.Optional("severity")) {
    MODELSEAL_ASSIGN_OR_RETURN(std::string name,
                               reader.String(*severity, map.Child("severity")));
    if (name != "error" && name != "warning") {
      return reader.Error(*severity, map.Child("severity"),
                          "expected error or warning");
    }
    out->severity = name == "error" ? Severity::kError : Severity::kWarning;
  }
  if (const YamlNode* fields = map.Optional("required_fields")) {
    MODELSEAL_ASSIGN_OR_RETURN(
        out->required_fields,
        reader.StringList(*fields, map.Child("required_fields")));
  }
  if (const YamlNode* sections = map.Optional("required_sections")) {
    if (!sections->IsSequence()) {
      return reader.Error(*sections, map.Child("required_sections"),
                          "expected a list");
    }
    for (std::size_t i = 0; i < sections->items.size(); ++i) {
      CardSectionRule rule;
      rule.policy_ref = absl::StrCat("model_card.required_sections[", i, "]");
      const YamlNode& item = sections->items[i];
      if (item.IsScalar()) {
        MODELSEAL_ASSIGN_OR_RETURN(rule.title,
                                   reader.String(item, rule.policy_ref));
      } else {
        MODELSEAL_ASSIGN_OR_RETURN(
            Mapping rule_map, Mapping::Open(reader, item, rule.policy_ref));
        MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* title,
                                   rule_map.Required("title"));
        MODELSEAL_ASSIGN_OR_RETURN(
            rule.title, reader.String(*title, rule_map.Child("title")));
        if (const YamlNode* aliases = rule_map.Optional("aliases")) {
          MODELSEAL_ASSIGN_OR_RETURN(
              rule.aliases,
              reader.StringList(*aliases, rule_map.Child("aliases")));
        }
        if (const YamlNode* words = rule_map.Optional("min_words")) {
          MODELSEAL_ASSIGN_OR_RETURN(
              std::int64_t min_words,
              reader.Integer(*words, rule_map.Child("min_words"), 0, 100000));
          rule.min_words = static_cast<std::size_t>(min_words);
        }
        MODELSEAL_RETURN_IF_ERROR(rule_map.Finish());
      }
      out->required_sections.push_back(std::move(rule));
    }
  }
  if (const YamlNode* rules = map.Optional("rules")) {
    if (!rules->IsSequence()) {
      return reader.Error(*rules, map.Child("rules"), "expected a list");
    }
    for (std::size_t i = 0; i < rules->items.size(); ++i) {
      CardConditionalRule rule;
      rule.policy_ref = absl::StrCat("model_card.rules[", i, "]");
      MODELSEAL_ASSIGN_OR_RETURN(
          Mapping rule_map,
          Mapping::Open(reader, rules->items[i], rule.policy_ref));
      MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* when,
                                 rule_map.Required("when"));
      MODELSEAL_ASSIGN_OR_RETURN(
          Mapping when_map,
          Mapping::Open(reader, *when, rule_map.Child("when")));
      MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* field,
                                 when_map.Required("field"));
      MODELSEAL_ASSIGN_OR_RETURN(
          rule.field, reader.String(*field, when_map.Child("field")));
      MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* equals,
                                 when_map.Required("equals"));
      MODELSEAL_ASSIGN_OR_RETURN(
          rule.equals, reader.String(*equals, when_map.Child("equals")));
      MODELSEAL_RETURN_IF_ERROR(when_map.Finish());
      MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* require,
                                 rule_map.Required("require_fields"));
      MODELSEAL_ASSIGN_OR_RETURN(
          rule.require_fields,
          reader.StringList(*require, rule_map.Child("require_fields")));
      if (rule.require_fields.empty()) {
        return reader.Error(*require, rule_map.Child("require_fields"),
                            "must not be empty");
      }
      MODELSEAL_RETURN_IF_ERROR(rule_map.Finish());
      out->rules.push_back(std::move(rule));
    }
  }
  if (const YamlNode* placeholders = map.Optional("forbidden_placeholders")) {
    MODELSEAL_ASSIGN_OR_RETURN(
        out->forbidden_placeholders,
        reader.StringList(*placeholders, map.Child("forbidden_placeholders")));
  }
  return map.Finish();
}

absl::Status ReadLicenses(const Reader& reader, const YamlNode& node,
                          PolicyLicenses* out) {
  MODELSEAL_ASSIGN_OR_RETURN(Mapping map,
                             Mapping::Open(reader, node, "licenses"));
  out->present = true;
  std::set<std::string> seen;
  for (auto [key, list] :
       {std::pair{"allow", &out->allow}, std::pair{"review", &out->review},
        std::pair{"deny", &out->deny}}) {
    const YamlNode* value = map.Optional(key);
    if (value == nullptr) continue;
    MODELSEAL_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                               reader.StringList(*value, map.Child(key)));
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const std::string canonical = ResolveLicense(ids[i]).spdx;
      if (!seen.insert(absl::AsciiStrToLower(canonical)).second) {
        return reader.Error(value->items[i], map.Child(key),
                            absl::StrCat("license '", ids[i],
                                         "' appears in more than one list"));
      }
      list->push_back(canonical);
    }
  }
  if (const YamlNode* unknown = map.Optional("unknown")) {
    MODELSEAL_ASSIGN_OR_RETURN(std::string value,
                               reader.String(*unknown, map.Child("unknown")));
    if (value == "deny") {
      out->unknown = UnknownLicense::kDeny;
    } else if (value == "review") {
      out->unknown = UnknownLicense::kReview;
    } else if (value == "allow") {
      out->unknown = UnknownLicense::kAllow;
    } else {
      return reader.Error(*unknown, map.Child("unknown"),
                          "expected deny, review or allow");
    }
  }
  return map.Finish();
}

// The format names ScannedFile::format and inner_formats use (scan.h). A
// name outside them would silently match nothing: a typo in
// forbidden_formats must not let a pickle through.
constexpr absl::string_view kScanFormats[] = {
    "safetensors", "gguf",  "pickle",    "pytorch-zip", "pytorch-legacy",
    "joblib",      "numpy", "numpy-zip", "keras",       "hdf5",
    "zip",         "gzip",  "bzip2",     "xz",          "zstd",
    "7z",          "tar",   "json",      "python",      "text",
    "unknown"};

absl::Status CheckFormatNames(const Reader& reader, const YamlNode& list,
                              const std::vector<std::string>& formats,
                              absl::string_view where) {
  for (std::size_t i = 0; i < formats.size(); ++i) {
    if (std::find(std::begin(kScanFormats), std::end(kScanFormats),
                  formats[i]) == std::end(kScanFormats)) {
      return reader.Error(
          list.items[i], where,
          absl::StrCat("'", formats[i],
                       "' is not a format the scanner reports (",
                       absl::StrJoin(kScanFormats, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadArtifacts(const Reader& reader, const YamlNode& node,
                           PolicyArtifacts* out) {
  MODELSEAL_ASSIGN_OR_RETURN(Mapping map,
                             Mapping::Open(reader, node, "artifacts"));
  out->present = true;
  if (const YamlNode* forbidden = map.Optional("forbidden_formats")) {
    MODELSEAL_ASSIGN_OR_RETURN(
        out->forbidden_formats,
        reader.StringList(*forbidden, map.Child("forbidden_formats")));
    MODELSEAL_RETURN_IF_ERROR(CheckFormatNames(reader, *forbidden,
                                               out->forbidden_formats,
                                               map.Child("forbidden_formats")));
  }
  if (const YamlNode* allowed = map.Optional("allowed_formats")) {
    MODELSEAL_ASSIGN_OR_RETURN(
        out->allowed_formats,
        reader.StringList(*allowed, map.Child("allowed_formats")));
    MODELSEAL_RETURN_IF_ERROR(CheckFormatNames(
        reader, *allowed, out->allowed_formats, map.Child("allowed_formats")));
  }
  if (const YamlNode* fail_on = map.Optional("fail_on")) {
    MODELSEAL_ASSIGN_OR_RETURN(std::string name,
                               reader.String(*fail_on, map.Child("fail_on")));
    absl::StatusOr<Severity> severity = ParseSeverity(name);
    if (!severity.ok()) {
      return reader.Error(*fail_on, map.Child("fail_on"),
                          severity.status().message());
    }
    out->fail_on = *severity;
  }
  for (const std::string& format : out->forbidden_formats) {
    if (std::find(out->allowed_formats.begin(), out->allowed_formats.end(),
                  format) != out->allowed_formats.end()) {
      return reader.Error(
          node, "artifacts",
          absl::StrCat("format '", format, "' is both forbidden and allowed"));
    }
  }
  return map.Finish();
}

}  // namespace

const PolicySigner* Policy::FindSigner(absl::string_view id) const {
  for (const PolicySigner& signer : signers) {
    if (signer.id == id) return &signer;
  }
  return nullptr;
}

const PolicyOrganization* Policy::FindOrganization(absl::string_view id) const {
  for (const PolicyOrganization& organization : organizations) {
    if (organization.id == id) return &organization;
  }
  return nullptr;
}

absl::StatusOr<Policy> ParsePolicy(absl::string_view bytes,
                                   absl::string_view source) {
  if (bytes.size() > limits::kMaxPolicyBytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat(source, ": ", bytes.size(), " bytes exceed the ",
                     limits::kMaxPolicyBytes, "-byte limit for a policy"));
  }
  MODELSEAL_ASSIGN_OR_RETURN(YamlNode document, ParseYaml(bytes, source));
  const Reader reader(source);
  MODELSEAL_ASSIGN_OR_RETURN(Mapping map, Mapping::Open(reader, document, ""));
  Policy policy;
  MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* api, map.Required("apiVersion"));
  MODELSEAL_ASSIGN_OR_RETURN(std::string api_version,
                             reader.String(*api, "apiVersion"));
  if (api_version != kPolicyApiVersion) {
    return reader.Error(*api, "apiVersion",
                        absl::StrCat("'", api_version, "' is not supported (",
                                     kPolicyApiVersion, ")"));
  }
  MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* kind, map.Required("kind"));
  MODELSEAL_ASSIGN_OR_RETURN(std::string kind_name,
                             reader.String(*kind, "kind"));
  if (kind_name != kPolicyKind) {
    return reader.Error(*kind, "kind",
                        absl::StrCat("'", kind_name, "' is not ", kPolicyKind));
  }
  MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* metadata,
                             map.Required("metadata"));
  MODELSEAL_RETURN_IF_ERROR(ReadMetadata(reader, *metadata, &policy.metadata));
  MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* organizations,
                             map.Required("organizations"));
  MODELSEAL_RETURN_IF_ERROR(
      ReadOrganizations(reader, *organizations, &policy.organizations));
  MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* signers, map.Required("signers"));
  MODELSEAL_RETURN_IF_ERROR(
      ReadSigners(reader, *signers, policy.organizations, &policy.signers));
  if (const YamlNode* revocations = map.Optional("revocations")) {
    MODELSEAL_RETURN_IF_ERROR(ReadRevocations(
        reader, *revocations, policy.signers, &policy.revocations));
  }
  MODELSEAL_ASSIGN_OR_RETURN(const YamlNode* thresholds,
                             map.Required("thresholds"));
  MODELSEAL_RETURN_IF_ERROR(
      ReadThresholds(reader, *thresholds, policy.signers, &policy.thresholds));
  if (policy.thresholds.empty()) {
    return reader.Error(*thresholds, "thresholds",
                        "needs at least one threshold");
  }
  if (const YamlNode* transparency = map.Optional("transparency")) {
    MODELSEAL_RETURN_IF_ERROR(
        ReadTransparency(reader, *transparency, &policy.transparency));
  }
  if (const YamlNode* hashes = map.Optional("hashes")) {
    MODELSEAL_RETURN_IF_ERROR(
        ReadHashes(reader, *hashes, &policy.allowed_hashes));
  }
  if (const YamlNode* card = map.Optional("model_card")) {
    MODELSEAL_RETURN_IF_ERROR(ReadModelCard(reader, *card, &policy.model_card));
  }
  if (const YamlNode* licenses = map.Optional("licenses")) {
    MODELSEAL_RETURN_IF_ERROR(
        ReadLicenses(reader, *licenses, &policy.licenses));
  }
  if (const YamlNode* artifacts = map.Optional("artifacts")) {
    MODELSEAL_RETURN_IF_ERROR(
        ReadArtifacts(reader, *artifacts, &policy.artifacts));
  }
  if (const YamlNode* verification = map.Optional("verification")) {
    MODELSEAL_RETURN_IF_ERROR(
        ReadVerification(reader, *verification, &policy.verification));
  }
  MODELSEAL_RETURN_IF_ERROR(map.Finish());
  return policy;
}

PolicyModelCard DefaultModelCardRules() {
  PolicyModelCard card;
  card.present = true;
  card.required_fields = {"license"};
  const auto section = [](std::string title, std::vector<std::string> aliases,
                          std::size_t index) {
    CardSectionRule rule;
    rule.title = std::move(title);
    rule.aliases = std::move(aliases);
    rule.policy_ref = absl::StrCat("default.required_sections[", index, "]");
    return rule;
  };
  card.required_sections = {
      section("Model Details", {"Model Description", "Model Information"}, 0),
      section("Uses", {"Intended Use", "Intended Uses", "How to Use"}, 1),
      section("Bias, Risks, and Limitations",
              {"Limitations", "Risks and Limitations", "Bias",
               "Ethical Considerations and Limitations"},
              2),
      section("Training Details", {"Training Data", "Training"}, 3),
      section("Evaluation", {"Evaluation Results", "Results"}, 4)};
  CardConditionalRule other;
  other.field = "license";
  other.equals = "other";
  other.require_fields = {"license_name"};
  other.policy_ref = "default.rules[0]";
  card.rules = {other};
  card.forbidden_placeholders = {std::string(kCardPlaceholder)};
  return card;
}

}  // namespace modelseal
