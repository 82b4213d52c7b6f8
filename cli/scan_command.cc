// `modelseal scan`: the artifact safety scanner on files and folders.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/progress.h"
#include "modelseal/finding.h"
#include "modelseal/limits.h"
#include "modelseal/model_walk.h"
#include "modelseal/report.h"
#include "modelseal/scan.h"
#include "util/json_writer.h"

namespace modelseal::cli {
namespace {

struct ScanFlags {
  std::vector<std::string> paths;
  std::string format = "text";
  unsigned threads = 0;
  bool quiet = false;
  bool strict = false;
};

// Findings that say "this could not be checked" rather than "this is
// dangerous": when they are the only failing ones, the exit code is 3.
bool IsUnparseable(const Finding& finding) {
  return absl::EndsWith(finding.rule, ".malformed") ||
         finding.rule == "scan.limit" ||
         finding.rule == "scan.container.unsupported" ||
         finding.rule == "scan.zip.unsupported_method" ||
         finding.rule == "scan.safetensors.header" ||
         finding.rule == "scan.gguf.header";
}

bool Fails(const Finding& finding, bool strict) {
  return finding.severity >= Severity::kError ||
         (strict && finding.severity == Severity::kWarning);
}

// JSON strings must be UTF-8; a file name need not be.
std::string Utf8(const std::string& text) {
  if (IsValidUtf8(text)) return text;
  std::string out = text;
  for (char& c : out) {
    if (static_cast<unsigned char>(c) >= 0x80) c = '?';
  }
  return out;
}

std::string ScanJson(const ScanReport& report, bool ok) {
  JsonWriter json;
  json.BeginObject().Key("files").BeginArray();
  for (const ScannedFile& file : report.files) {
    json.BeginObject()
        .Key("path")
        .String(Utf8(file.path))
        .Key("format")
        .String(file.format)
        .Key("inner_formats")
        .BeginArray();
    for (const std::string& inner : file.inner_formats) json.String(inner);
    json.EndArray()
        .Key("size")
        .Number(file.size)
        .Key("bytes_read")
        .Number(file.bytes_read)
        .EndObject();
  }
  json.EndArray()
      .Key("findings")
      .Raw(FindingsToJsonArray(report.findings))
      .Key("ok")
      .Bool(ok)
      .EndObject();
  return json.text() + "\n";
}

int RunScan(const ScanFlags& flags) {
  absl::StatusOr<ReportFormat> format = ParseReportFormat(flags.format);
  if (!format.ok()) return UsageError(std::string(format.status().message()));
  if (flags.paths.empty()) return UsageError("scan needs at least one PATH");
  ScanOptions options;
  options.threads = flags.threads;
  absl::StatusOr<ScanReport> report;
  {
    // On a terminal only, never under CI (cli/progress.h).
    Progress progress(!flags.quiet, Progress::Unit::kBytes, "scanning");
    options.bytes_done = progress.done();
    options.bytes_total = progress.total();
    report = ScanPaths(flags.paths, options);
  }
  if (!report.ok()) {
    // The scan itself could not read a file: an I/O failure, exit 4 (a path
    // that does not exist included); a refused path shape is exit 3.
    std::cerr << "modelseal: " << report.status().message() << "\n";
    return report.status().code() == absl::StatusCode::kInvalidArgument
               ? kExitMalformedInput
               : kExitIoOrInternal;
  }
  bool dangerous = false, unparseable = false;
  for (const Finding& finding : report->findings) {
    if (!Fails(finding, flags.strict)) continue;
    (IsUnparseable(finding) ? unparseable : dangerous) = true;
  }
  const bool ok = !dangerous && !unparseable;

  std::string out;
  ReportInfo info;
  info.command = "scan";
  info.subject = flags.paths.size() == 1 ? flags.paths[0] : ".";
  info.rules = ScanRuleCatalog();
  switch (*format) {
    case ReportFormat::kJson:
      out = ScanJson(*report, ok);
      break;
    case ReportFormat::kText: {
      std::vector<Finding> shown;
      for (const Finding& finding : report->findings) {
        if (!flags.quiet || Fails(finding, flags.strict)) {
          shown.push_back(finding);
        }
      }
      info.color = StdoutIsTerminal();
      out = FindingsToText(shown, info.color);
      if (!flags.quiet) {
        const std::size_t count = report->files.size();
        out += std::to_string(count) + (count == 1 ? " file" : " files") +
               " scanned, " + std::to_string(report->findings.size()) +
               (report->findings.size() == 1 ? " finding" : " findings") +
               (ok ? ": ok\n" : ": FAILED\n");
      }
      break;
    }
    default:
      out = RenderFindings(report->findings, *format, info);
      break;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (std::fflush(stdout) != 0) return kExitIoOrInternal;
  if (dangerous) return kExitVerificationFailed;
  if (unparseable) return kExitMalformedInput;
  return kExitOk;
}

}  // namespace

void RegisterScanCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ScanFlags>();
  CLI::App* command = app.add_subcommand(
      "scan",
      "Scan model files by content for what could run code or crash a "
      "loader: pickle imports (torch, joblib, numpy object arrays) judged "
      "against an allow-list, safetensors and GGUF headers, zip/tar/gzip/"
      "bzip2/xz/zstd containers (bombs included), Keras Lambda layers, "
      "auto_map and *.py remote code. Nothing is loaded or executed. "
      "Folders are walked recursively; symlinks inside them are reported, "
      "never followed. Rules: docs/scan.md.\n"
      "Exit codes: 0 no finding at error or above (warnings print but pass; "
      "--strict fails on them too), 1 a dangerous or invalid artifact, 3 a "
      "file could not be fully parsed (and nothing worse was found), 4 a "
      "file could not be read.");
  command->add_option("paths", flags->paths, "Files or folders to scan")
      ->required();
  command
      ->add_option("--format", flags->format,
                   "text (default), json (schemas/scan-report.schema.json), "
                   "sarif (SARIF 2.1.0) or github (workflow annotations)")
      ->check(CLI::IsMember({"text", "json", "sarif", "github"}));
  command
      ->add_option("-t,--threads", flags->threads,
                   "Files scanned in parallel (default: one per CPU)")
      ->check(CLI::Range(1u, limits::kMaxHashThreads));
  command->add_flag("-q,--quiet", flags->quiet,
                    "Text format: print only failing findings, no summary");
  command->add_flag("--strict", flags->strict, "Fail (exit 1) on warnings too");
  command->callback([flags, exit_code] { *exit_code = RunScan(*flags); });
}

}  // namespace modelseal::cli
