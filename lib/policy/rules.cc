// The catalog of policy rule ids. Ids are stable (reports, SARIF and CI
// filters key on them); docs/policy.md describes each one.
#include "modelseal/policy.h"

namespace modelseal {

const std::vector<RuleDescription>& PolicyRuleCatalog() {
  static const std::vector<RuleDescription>* const kRules =
      new std::vector<RuleDescription>{
          {"signatures.malformed", "A signature bundle cannot be parsed",
           "Re-download the bundle or ask the publisher for a valid one."},
          {"signatures.untrusted",
           "A signature is not made by any signer the policy lists",
           "Check that the bundle comes from an alliance signer, or add the "
           "signer to the policy."},
          {"signatures.statement_mismatch",
           "Signatures cover different statements",
           "Co-signers must sign the same payload: modelseal sign --cosign."},
          {"signatures.none_counted", "No signature counts under the policy",
           "Nothing about the model is trusted; fix the signature findings."},
          {"signers.outside_validity",
           "A signer signed outside its validity window",
           "Re-sign with a current signer, or update the policy's window."},
          {"signers.revoked", "A signer or key was revoked before it signed",
           "Re-sign with a key that is not revoked."},
          {"transparency.not_logged",
           "A signature has no verified record in a pinned transparency log",
           "Publish the bundle: modelseal sign --log or modelseal log add."},
          {"thresholds.unmet", "Too few valid signatures for a threshold",
           "Collect co-signatures from the required signers or roles."},
          {"hashes.not_allowed",
           "The model is hashed with a disallowed algorithm",
           "Sign again with --hash set to an algorithm the policy allows."},
          {"verification.partial_not_allowed",
           "Partial verification (--only) is not allowed by the policy",
           "Verify the whole model, or have the policy set "
           "verification.allow_partial: true."},
          {"verification.partial",
           "Only some signed files were checked (--only)",
           "The files listed as not checked were not verified; verify the "
           "whole model before trusting them."},
          {"model.changed", "A file differs from its signed digest",
           "The download is corrupt or tampered with: fetch it again."},
          {"model.missing", "A signed file is missing",
           "Fetch the whole model, or verify with --only if the policy "
           "allows partial verification."},
          {"model.unsigned", "A file is not covered by the signature",
           "Remove the file or have the publisher sign the model again."},
          {"model_card.unsigned",
           "The model card is not covered by a signature",
           "Sign the model together with its README.md."},
          {"model_card.missing", "The signed model card is missing",
           "Fetch README.md with the model."},
          {"model_card.changed", "The model card was edited after signing",
           "Use the card as published, or have it signed again."},
          {"model_card.malformed", "The model card cannot be parsed",
           "Fix its YAML front matter (see the message for the line)."},
          {"model_card.field_missing", "A required card field is missing",
           "Add the field to the card's YAML front matter."},
          {"model_card.section_missing", "A required card section is missing",
           "Add a heading with the section's title (or an alias)."},
          {"model_card.section_empty", "A required card section is too short",
           "Write the section's content."},
          {"model_card.conditional_field_missing",
           "A field required by another field's value is missing",
           "E.g. license: other needs license_name (and license_link)."},
          {"model_card.placeholder", "The card still has template placeholders",
           "Replace the placeholders with real information."},
          {"licenses.missing", "The card names no license",
           "Add license: <Hub or SPDX id> to the front matter."},
          {"licenses.denied", "The license is on the policy's deny list",
           "The model may not be used under this policy."},
          {"licenses.review", "The license needs a review",
           "Have the license reviewed (fails only with --strict)."},
          {"licenses.unknown", "The license is in none of the policy's lists",
           "Ask the alliance to classify it."},
          {"artifacts.forbidden_format",
           "A file is in a format the policy forbids (detected by content)",
           "Publish the weights as safetensors or GGUF instead."},
          {"artifacts.format_not_allowed",
           "A file is in a format outside the policy's allow-list",
           "Convert the file or ask the alliance to allow the format."},
      };
  return *kRules;
}

}  // namespace modelseal
