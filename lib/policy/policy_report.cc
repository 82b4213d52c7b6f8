#include "modelseal/policy_report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "modelseal/scan.h"
#include "util/json_writer.h"

namespace modelseal {
namespace {

struct Counts {
  std::size_t errors = 0;
  std::size_t warnings = 0;
  std::size_t infos = 0;
};

Counts CountFindings(const std::vector<Finding>& findings) {
  Counts counts;
  for (const Finding& finding : findings) {
    if (finding.severity >= Severity::kError) ++counts.errors;
    if (finding.severity == Severity::kWarning) ++counts.warnings;
    if (finding.severity == Severity::kInfo) ++counts.infos;
  }
  return counts;
}

std::vector<RuleDescription> AllRules() {
  std::vector<RuleDescription> rules = PolicyRuleCatalog();
  const std::vector<RuleDescription>& scan = ScanRuleCatalog();
  rules.insert(rules.end(), scan.begin(), scan.end());
  return rules;
}

std::string Text(const PolicyEvaluation& evaluation,
                 const PolicyReportContext& context) {
  const auto paint = [&](absl::string_view code, absl::string_view text) {
    return context.color ? absl::StrCat("\x1b[", code, "m", text, "\x1b[0m")
                         : std::string(text);
  };
  std::string out = absl::StrCat(
      "Policy: '", ToPrintableText(context.policy_name), "' version ",
      context.policy_version, " (", ToPrintableText(context.policy_path), "), ",
      ToPrintableText(context.policy_trust), "\n");
  absl::StrAppend(&out, "Signatures:\n");
  for (const SignatureOutcome& signature : evaluation.signatures) {
    absl::StrAppend(
        &out, "  ",
        signature.counted ? paint("32", "counts ") : paint("31", "refused"),
        " ", ToPrintableText(signature.bundle_path));
    if (!signature.signer_id.empty()) {
      absl::StrAppend(&out, ": ", ToPrintableText(signature.signer_id), " (",
                      ToPrintableText(signature.organization), ") ",
                      ToPrintableText(signature.identity));
    }
    if (!signature.log_origin.empty()) {
      absl::StrAppend(&out, "; logged in ",
                      ToPrintableText(signature.log_origin), " at index ",
                      signature.log_index);
    }
    if (!signature.problem.empty()) {
      absl::StrAppend(&out, "\n          ", ToPrintableText(signature.problem));
    }
    out.push_back('\n');
  }
  if (evaluation.contents_checked) {
    const VerifyReport& contents = evaluation.contents;
    absl::StrAppend(
        &out, "Model: '", ToPrintableText(contents.model_name), "' (",
        contents.resources, " resources, ",
        HashAlgorithmName(contents.serialization.hash), " ",
        SerializationMethodName(contents.serialization.method), ", ",
        contents.bytes_hashed,
        contents.bytes_from_cache == 0
            ? " bytes re-hashed"
            : absl::StrCat(" bytes checked, ", contents.bytes_from_cache,
                           " of them by the digest cache"),
        " in ", absl::StrFormat("%.2f", contents.seconds),
        "s) sha256:", contents.root_digest_hex, "\n");
    if (contents.partial) {
      absl::StrAppend(&out, "PARTIAL: only ", contents.files_checked, " of ",
                      contents.files_checked + contents.not_checked.size(),
                      " signed files were checked (--only); NOT checked:\n");
      for (const std::string& path : contents.not_checked) {
        absl::StrAppend(&out, "  not checked: ", ToPrintableText(path), "\n");
      }
    }
  }
  if (evaluation.card.has_value()) {
    const ModelCard& card = *evaluation.card;
    absl::StrAppend(
        &out, "Card: ", card.sections.size(), " sections",
        card.license
            ? absl::StrCat(", license ", ToPrintableText(*card.license))
            : std::string(", no license"),
        evaluation.license.empty()
            ? std::string()
            : absl::StrCat(" (", ToPrintableText(evaluation.license), ")"),
        "\n");
  }
  const Counts counts = CountFindings(evaluation.findings);
  if (!evaluation.findings.empty()) {
    absl::StrAppend(&out, "Findings (", counts.errors, " error",
                    counts.errors == 1 ? "" : "s", ", ", counts.warnings,
                    " warning", counts.warnings == 1 ? "" : "s", ", ",
                    counts.infos, " info):\n");
    out += FindingsToText(evaluation.findings, context.color);
  }
  if (PolicyPassed(evaluation, context.strict)) {
    absl::StrAppend(
        &out, paint("1;32", "PASSED"), ": the model meets policy '",
        ToPrintableText(context.policy_name), "'",
        counts.warnings > 0 ? " (with warnings; --strict fails them)" : "",
        "\n");
  } else {
    absl::StrAppend(
        &out, paint("1;31", "FAILED"), ": ", counts.errors, " error",
        counts.errors == 1 ? "" : "s",
        context.strict && counts.warnings > 0
            ? absl::StrCat(" and ", counts.warnings, " warning(s) (strict)")
            : std::string(),
        " under policy '", ToPrintableText(context.policy_name), "'\n");
  }
  return out;
}

std::string Json(const PolicyEvaluation& evaluation,
                 const PolicyReportContext& context) {
  JsonWriter json;
  json.BeginObject();
  json.Key("ok").Bool(PolicyPassed(evaluation, context.strict));
  json.Key("strict").Bool(context.strict);
  json.Key("malformed_input").Bool(evaluation.malformed_input);
  json.Key("model").String(ToValidUtf8(context.model_path));
  json.Key("policy").BeginObject();
  json.Key("path").String(ToValidUtf8(context.policy_path));
  json.Key("name").String(ToValidUtf8(context.policy_name));
  json.Key("version").Number(
      static_cast<std::uint64_t>(context.policy_version));
  json.Key("trust").String(ToValidUtf8(context.policy_trust));
  json.EndObject();
  json.Key("signatures").BeginArray();
  for (const SignatureOutcome& signature : evaluation.signatures) {
    json.BeginObject();
    json.Key("bundle").String(ToValidUtf8(signature.bundle_path));
    json.Key("counted").Bool(signature.counted);
    json.Key("signer").String(ToValidUtf8(signature.signer_id));
    json.Key("organization").String(ToValidUtf8(signature.organization));
    json.Key("identity").String(ToValidUtf8(signature.identity));
    json.Key("key_id").String(ToValidUtf8(signature.key_hint));
    if (!signature.log_origin.empty()) {
      json.Key("log").BeginObject();
      json.Key("origin").String(ToValidUtf8(signature.log_origin));
      json.Key("index").Number(signature.log_index);
      json.Key("integrated_time").Number(signature.integrated_time);
      json.EndObject();
    }
    if (!signature.problem.empty()) {
      json.Key("problem").String(ToValidUtf8(signature.problem));
    }
    json.EndObject();
  }
  json.EndArray();
  json.Key("contents").BeginObject();
  json.Key("checked").Bool(evaluation.contents_checked);
  if (evaluation.contents_checked) {
    const VerifyReport& contents = evaluation.contents;
    json.Key("model_name").String(ToValidUtf8(contents.model_name));
    json.Key("root_digest")
        .String(absl::StrCat("sha256:", contents.root_digest_hex));
    json.Key("hash_type")
        .String(HashAlgorithmName(contents.serialization.hash));
    json.Key("method").String(
        SerializationMethodName(contents.serialization.method));
    json.Key("resources").Number(contents.resources);
    json.Key("bytes_hashed").Number(contents.bytes_hashed);
    json.Key("bytes_from_cache").Number(contents.bytes_from_cache);
    json.Key("partial").Bool(contents.partial);
    json.Key("not_checked").BeginArray();
    for (const std::string& path : contents.not_checked) {
      json.String(ToValidUtf8(path));
    }
    json.EndArray();
  }
  json.EndObject();
  if (evaluation.card.has_value()) {
    json.Key("card").BeginObject();
    json.Key("license").String(
        ToValidUtf8(evaluation.card->license.value_or("")));
    json.Key("license_canonical").String(ToValidUtf8(evaluation.license));
    json.Key("sections").Number(evaluation.card->sections.size());
    json.EndObject();
  }
  json.Key("artifacts").BeginArray();
  for (const auto& [path, format] : evaluation.artifact_formats) {
    json.BeginObject();
    json.Key("path").String(ToValidUtf8(path));
    json.Key("format").String(ToValidUtf8(format));
    json.EndObject();
  }
  json.EndArray();
  const Counts counts = CountFindings(evaluation.findings);
  json.Key("summary").BeginObject();
  json.Key("errors").Number(counts.errors);
  json.Key("warnings").Number(counts.warnings);
  json.Key("infos").Number(counts.infos);
  json.EndObject();
  json.Key("findings").Raw(FindingsToJsonArray(evaluation.findings));
  json.EndObject();
  return json.text() + "\n";
}

}  // namespace

bool PolicyPassed(const PolicyEvaluation& evaluation, bool strict) {
  return !evaluation.malformed_input &&
         !FindingsFail(evaluation.findings, strict);
}

std::string RenderPolicyReport(const PolicyEvaluation& evaluation,
                               const PolicyReportContext& context,
                               ReportFormat format) {
  switch (format) {
    case ReportFormat::kText:
      return ToValidUtf8(Text(evaluation, context));
    case ReportFormat::kJson:
      return Json(evaluation, context);
    case ReportFormat::kSarif: {
      ReportInfo info;
      info.command = "verify --policy";
      info.subject = context.model_path;
      info.rules = AllRules();
      return FindingsToSarif(evaluation.findings, info);
    }
    case ReportFormat::kGithub: {
      // The verdict goes through the same escaping as every finding.
      std::vector<Finding> lines = evaluation.findings;
      Finding verdict;
      verdict.rule = "modelseal.verdict";
      verdict.severity = Severity::kInfo;
      verdict.message = absl::StrCat(
          PolicyPassed(evaluation, context.strict) ? "the model meets policy '"
                                                   : "the model FAILS policy '",
          context.policy_name, "' version ", context.policy_version);
      lines.push_back(std::move(verdict));
      std::string out = FindingsToGithub(lines);
      return out;
    }
  }
  return Text(evaluation, context);
}

}  // namespace modelseal
