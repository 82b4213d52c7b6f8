#include "modelseal/report.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "util/json_writer.h"
#include "util/utf8.h"

namespace modelseal {
namespace {

// Most serious first; the original order within a severity.
std::vector<const Finding*> BySeverity(const std::vector<Finding>& findings) {
  std::vector<const Finding*> sorted;
  for (const Finding& finding : findings) sorted.push_back(&finding);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Finding* a, const Finding* b) {
                     return a->severity > b->severity;
                   });
  return sorted;
}

std::string Location(const Finding& finding) {
  std::string where = finding.path;
  if (!finding.member.empty()) absl::StrAppend(&where, "!", finding.member);
  if (finding.offset.has_value()) {
    absl::StrAppend(&where, "@", *finding.offset);
  }
  return where;
}

absl::string_view SarifLevel(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "note";
    case Severity::kWarning:
      return "warning";
    default:
      return "error";
  }
}

// RFC 3986 path characters stay; everything else is percent-encoded, so a
// file name with spaces or '#' is still one relative URI.
std::string RelativeUri(absl::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri;
  for (char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    const bool keep = (byte >= 'a' && byte <= 'z') ||
                      (byte >= 'A' && byte <= 'Z') ||
                      (byte >= '0' && byte <= '9') || c == '-' || c == '.' ||
                      c == '_' || c == '~' || c == '/';
    if (keep) {
      uri.push_back(c);
    } else {
      uri.push_back('%');
      uri.push_back(kHex[byte >> 4]);
      uri.push_back(kHex[byte & 0xf]);
    }
  }
  return uri;
}

// GitHub workflow-command escaping (the runner's toolkit rules): data
// escapes '%', CR and LF; property values also ':' and ','.
std::string GithubData(absl::string_view text) {
  std::string out;
  for (char c : ToValidUtf8(text)) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string GithubProperty(absl::string_view text) {
  std::string out;
  for (char c : GithubData(text)) {
    if (c == ':') {
      out += "%3A";
    } else if (c == ',') {
      out += "%2C";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void WriteFinding(JsonWriter& json, const Finding& finding) {
  json.BeginObject();
  json.Key("rule").String(ToValidUtf8(finding.rule));
  json.Key("severity").String(SeverityName(finding.severity));
  json.Key("message").String(ToValidUtf8(finding.message));
  if (!finding.path.empty()) json.Key("path").String(ToValidUtf8(finding.path));
  if (!finding.member.empty()) {
    json.Key("member").String(ToValidUtf8(finding.member));
  }
  if (finding.offset.has_value()) json.Key("offset").Number(*finding.offset);
  if (!finding.policy_ref.empty()) {
    json.Key("policy_ref").String(ToValidUtf8(finding.policy_ref));
  }
  json.EndObject();
}

}  // namespace

std::string ToValidUtf8(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = util::Utf8SequenceLength(text, i);
    if (length == 0) {
      out += "\xef\xbf\xbd";  // U+FFFD
      ++i;
    } else {
      out.append(text.data() + i, length);
      i += length;
    }
  }
  return out;
}

std::string ToPrintableText(absl::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : ToValidUtf8(text)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

absl::StatusOr<ReportFormat> ParseReportFormat(absl::string_view name) {
  if (name == "text") return ReportFormat::kText;
  if (name == "json") return ReportFormat::kJson;
  if (name == "sarif") return ReportFormat::kSarif;
  if (name == "github") return ReportFormat::kGithub;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown report format '", name, "' (text, json, sarif or github)"));
}

std::string FindingsToText(const std::vector<Finding>& findings, bool color) {
  std::string text;
  for (const Finding* finding : BySeverity(findings)) {
    absl::string_view start;
    if (color) {
      switch (finding->severity) {
        case Severity::kCritical:
          start = "\x1b[1;31m";
          break;
        case Severity::kError:
          start = "\x1b[31m";
          break;
        case Severity::kWarning:
          start = "\x1b[33m";
          break;
        case Severity::kInfo:
          start = "\x1b[36m";
          break;
      }
    }
    std::string severity(SeverityName(finding->severity));
    severity.resize(8, ' ');
    absl::StrAppend(&text, "  ", start, severity, color ? "\x1b[0m" : "", " ",
                    ToPrintableText(finding->rule));
    const std::string where = Location(*finding);
    if (!where.empty())
      absl::StrAppend(&text, "  ", ToPrintableText(where), ":");
    absl::StrAppend(&text, " ", ToPrintableText(finding->message));
    if (!finding->policy_ref.empty()) {
      absl::StrAppend(&text, " [policy: ", ToPrintableText(finding->policy_ref),
                      "]");
    }
    text.push_back('\n');
  }
  return text;
}

std::string FindingsToJsonArray(const std::vector<Finding>& findings) {
  JsonWriter json;
  json.BeginArray();
  for (const Finding& finding : findings) WriteFinding(json, finding);
  json.EndArray();
  return json.text();
}

std::string FindingsToSarif(const std::vector<Finding>& findings,
                            const ReportInfo& info) {
  // One reportingDescriptor per rule id: the catalog's, then any id only the
  // findings name, each once, so ruleIndex is stable for a given catalog.
  std::vector<RuleDescription> rules = info.rules;
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < rules.size(); ++i) index.emplace(rules[i].id, i);
  for (const Finding& finding : findings) {
    if (index.emplace(finding.rule, rules.size()).second) {
      rules.push_back(RuleDescription{finding.rule, finding.rule, ""});
    }
  }
  JsonWriter json;
  json.BeginObject();
  json.Key("$schema").String(
      "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
      "sarif-schema-2.1.0.json");
  json.Key("version").String("2.1.0");
  json.Key("runs").BeginArray().BeginObject();
  json.Key("tool").BeginObject().Key("driver").BeginObject();
  json.Key("name").String("modelseal");
  json.Key("version").String(ToValidUtf8(info.tool_version));
  json.Key("rules").BeginArray();
  for (const RuleDescription& rule : rules) {
    json.BeginObject();
    json.Key("id").String(ToValidUtf8(rule.id));
    json.Key("shortDescription").BeginObject();
    json.Key("text").String(ToValidUtf8(rule.summary));
    json.EndObject();
    if (!rule.help.empty()) {
      json.Key("help").BeginObject().Key("text").String(ToValidUtf8(rule.help));
      json.EndObject();
    }
    json.EndObject();
  }
  json.EndArray();
  json.EndObject().EndObject();  // driver, tool
  if (!info.command.empty() || !info.subject.empty()) {
    json.Key("invocations").BeginArray().BeginObject();
    json.Key("commandLine")
        .String(ToValidUtf8(
            absl::StrCat("modelseal ", info.command, " ", info.subject)));
    json.Key("executionSuccessful").Bool(true);
    json.EndObject().EndArray();
  }
  json.Key("results").BeginArray();
  for (const Finding& finding : findings) {
    json.BeginObject();
    json.Key("ruleId").String(ToValidUtf8(finding.rule));
    json.Key("ruleIndex").Number(index.at(finding.rule));
    json.Key("level").String(SarifLevel(finding.severity));
    json.Key("message").BeginObject();
    json.Key("text").String(ToValidUtf8(finding.message));
    json.EndObject();
    if (!finding.path.empty()) {
      json.Key("locations").BeginArray().BeginObject();
      json.Key("physicalLocation").BeginObject();
      json.Key("artifactLocation").BeginObject();
      json.Key("uri").String(RelativeUri(ToValidUtf8(finding.path)));
      json.EndObject();
      if (finding.offset.has_value() && finding.member.empty()) {
        json.Key("region").BeginObject();
        json.Key("byteOffset").Number(*finding.offset);
        json.EndObject();
      }
      json.EndObject().EndObject().EndArray();
    }
    json.Key("properties").BeginObject();
    json.Key("severity").String(SeverityName(finding.severity));
    if (!finding.member.empty()) {
      json.Key("member").String(ToValidUtf8(finding.member));
    }
    if (finding.offset.has_value()) json.Key("offset").Number(*finding.offset);
    if (!finding.policy_ref.empty()) {
      json.Key("policy_ref").String(ToValidUtf8(finding.policy_ref));
    }
    json.EndObject();
    json.EndObject();
  }
  json.EndArray();
  json.EndObject().EndArray();  // run, runs
  json.EndObject();
  return json.text() + "\n";
}

std::string FindingsToGithub(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& finding : findings) {
    absl::string_view command = "error";
    if (finding.severity == Severity::kInfo) command = "notice";
    if (finding.severity == Severity::kWarning) command = "warning";
    absl::StrAppend(&out, "::", command, " ");
    if (!finding.path.empty()) {
      absl::StrAppend(&out, "file=", GithubProperty(finding.path), ",");
    }
    absl::StrAppend(&out, "title=", GithubProperty(finding.rule), "::");
    std::string message = finding.message;
    const std::string where = Location(finding);
    if (!finding.member.empty() || finding.offset.has_value()) {
      message = absl::StrCat(where, ": ", message);
    }
    if (!finding.policy_ref.empty()) {
      absl::StrAppend(&message, " (policy: ", finding.policy_ref, ")");
    }
    absl::StrAppend(&out, GithubData(message), "\n");
  }
  return out;
}

std::string RenderFindings(const std::vector<Finding>& findings,
                           ReportFormat format, const ReportInfo& info) {
  switch (format) {
    case ReportFormat::kText:
      return FindingsToText(findings, info.color);
    case ReportFormat::kJson:
      return FindingsToJsonArray(findings) + "\n";
    case ReportFormat::kSarif:
      return FindingsToSarif(findings, info);
    case ReportFormat::kGithub:
      return FindingsToGithub(findings);
  }
  return FindingsToText(findings, false);
}

}  // namespace modelseal
