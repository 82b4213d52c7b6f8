// `modelseal log`: create, append to, prove from, audit and serve a
// transparency log of signed releases.
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/log_serve.h"
#include "cli/log_support.h"
#include "cli/progress.h"
#include "modelseal/checkpoint.h"
#include "modelseal/env.h"
#include "modelseal/limits.h"
#include "modelseal/log_client.h"
#include "modelseal/release_log.h"
#include "modelseal/signed_note.h"
#include "modelseal/status.h"
#include "modelseal/transparency_log.h"
#include "util/json_writer.h"
#include "util/parallel.h"

namespace modelseal::cli {

absl::StatusOr<std::vector<std::string>> ReadVerifierKeys(
    const std::vector<std::string>& given) {
  std::vector<std::string> keys;
  for (const std::string& value : given) {
    // A key string, or a file holding one per line.
    if (tlog::NoteVerifier::Parse(value).ok()) {
      keys.push_back(value);
      continue;
    }
    MODELSEAL_ASSIGN_OR_RETURN(
        std::string contents,
        Env::Default()->ReadFileToString(value, limits::kMaxSmallFileBytes));
    for (absl::string_view line :
         absl::StrSplit(contents, '\n', absl::SkipWhitespace())) {
      std::string key(absl::StripAsciiWhitespace(line));
      MODELSEAL_RETURN_IF_ERROR(
          Annotate(tlog::NoteVerifier::Parse(key).status(),
                   absl::StrCat(value, ": log key")));
      keys.push_back(key);
    }
  }
  if (keys.empty())
    return absl::InvalidArgumentError("no log verifier key given");
  return keys;
}

namespace {

std::uint64_t Now() { return static_cast<std::uint64_t>(std::time(nullptr)); }

struct LogFlags {
  std::string dir;
  std::string origin;
  std::string key;
  std::vector<std::string> bundles;
  std::vector<std::string> vkeys;
  std::string since;
  std::string state_dir;
  std::int64_t index = -1;
  std::int64_t size = -1;
  std::int64_t old_size = -1;
  std::string format = "text";
};

int RunInit(const LogFlags& flags) {
  Env& env = *Env::Default();
  const std::string key_path =
      flags.key.empty() ? DefaultLogKeyPath(flags.dir) : flags.key;
  if (env.LinkStat(key_path).ok()) {
    return ReportError(absl::AlreadyExistsError(absl::StrCat(
        key_path, " already exists; refusing to overwrite a log key")));
  }
  auto pair = tlog::GenerateNoteKey(flags.origin);
  if (!pair.ok()) return UsageError(std::string(pair.status().message()));
  // The key is written first and outside the log directory (never served);
  // a log without its key would be unusable.
  absl::Status status = env.WriteFileAtomically(
      key_path, pair->signer_key.value() + "\n", 0600, false);
  if (!status.ok()) return ReportError(status);
  status =
      tlog::CreateLog(env, flags.dir, flags.origin, pair->signer_key.value());
  if (!status.ok()) {
    (void)env.DeleteFile(key_path);
    return ReportError(status);
  }
  const std::string vkey_path =
      key_path.substr(
          0, key_path.size() - (absl::EndsWith(key_path, ".key") ? 4 : 0)) +
      ".vkey";
  (void)env.WriteFileAtomically(vkey_path, pair->verifier_key + "\n", 0644,
                                true);
  std::cerr << "modelseal: created log " << flags.dir << " (origin "
            << flags.origin << "); signer key " << key_path
            << " (mode 0600), verifier key " << vkey_path << "\n";
  std::cout << pair->verifier_key << "\n";
  return kExitOk;
}

int RunAdd(const LogFlags& flags) {
  Env& env = *Env::Default();
  // Reading is a few system calls per bundle: on every core.
  std::vector<absl::StatusOr<std::string>> read(flags.bundles.size());
  util::ForEachInParallel(read.size(), 256, [&](std::size_t i) {
    read[i] = env.ReadFileToString(flags.bundles[i], limits::kMaxBundleBytes);
  });
  std::vector<std::string> jsons;
  jsons.reserve(read.size());
  for (absl::StatusOr<std::string>& json : read) {
    if (!json.ok()) return ReportError(json.status());
    jsons.push_back(*std::move(json));
  }
  auto writer = OpenLogWriter(flags.dir, flags.key);
  if (!writer.ok()) return ReportError(writer.status());
  auto appended = AppendBundlesToLog(**writer, jsons, Now(), flags.bundles);
  if (!appended.ok()) return ReportError(appended.status());
  jsons.clear();
  jsons.shrink_to_fit();
  // Every bundle is replaced atomically, the syncs grouped; each is made
  // with its log entry just before it is written.
  const absl::Status written = env.WriteGeneratedFilesAtomically(
      flags.bundles, [&](std::size_t i) { return appended->Attach(i); }, 0644);
  if (!written.ok()) return ReportError(written);
  std::cerr << "modelseal: logged " << flags.bundles.size()
            << " bundle(s); tree size now " << (*writer)->size() << "\n";
  return kExitOk;
}

absl::StatusOr<std::unique_ptr<tlog::LogClient>> OpenClient(
    const LogFlags& flags, Progress* progress = nullptr) {
  tlog::LogClientOptions options;
  if (progress != nullptr) {
    options.entries_done = progress->done();
    options.entries_total = progress->total();
  }
  MODELSEAL_ASSIGN_OR_RETURN(options.verifier_keys,
                             ReadVerifierKeys(flags.vkeys));
  options.state_dir = flags.state_dir;
  return tlog::LogClient::Open(*Env::Default(), flags.dir, options);
}

int RunProve(const LogFlags& flags) {
  auto client = OpenClient(flags);
  if (!client.ok()) return ReportError(client.status());
  const tlog::Checkpoint& checkpoint = (*client)->checkpoint();
  const std::uint64_t size = flags.size >= 0 ? flags.size : checkpoint.size;
  JsonWriter json;
  json.BeginObject();
  json.Key("origin").String(checkpoint.origin);
  absl::StatusOr<std::vector<tlog::Hash>> proof;
  if (flags.index >= 0) {
    proof = (*client)->InclusionProof(flags.index, size);
    json.Key("type").String("inclusion").Key("index").Number(flags.index);
  } else if (flags.old_size >= 0) {
    proof = (*client)->ConsistencyProof(flags.old_size, size);
    json.Key("type")
        .String("consistency")
        .Key("old_size")
        .Number(flags.old_size);
  } else {
    return UsageError("log prove needs --index N or --old-size N");
  }
  if (!proof.ok()) return ReportError(proof.status());
  json.Key("tree_size").Number(size);
  json.Key("hashes").BeginArray();
  for (const tlog::Hash& hash : *proof)
    json.String(absl::Base64Escape(tlog::HashBytes(hash)));
  json.EndArray();
  json.Key("checkpoint").String((*client)->checkpoint_note());
  json.EndObject();
  std::cout << json.text() << "\n";
  return kExitOk;
}

// `log verify --format json` (schemas/log-verify-report.schema.json): the
// audit's figures, or ok false with the reason (also on stderr).
int VerifyLogJson(const std::string& origin,
                  const absl::StatusOr<tlog::AuditReport>& report, bool since) {
  JsonWriter json;
  json.BeginObject();
  json.Key("ok").Bool(report.ok());
  json.Key("origin").String(origin);
  json.Key("error").String(
      report.ok() ? std::string() : std::string(report.status().message()));
  json.Key("tree_size").Number(report.ok() ? report->tree_size : 0);
  json.Key("entries_checked").Number(report.ok() ? report->entries_checked : 0);
  json.Key("tiles_checked").Number(report.ok() ? report->tiles_checked : 0);
  json.Key("consistent_with_since").Bool(report.ok() && since);
  json.EndObject();
  std::cout << json.text() << "\n";
  if (!report.ok()) return ReportError(report.status());
  return kExitOk;
}

int RunVerifyLog(const LogFlags& flags) {
  if (flags.format != "text" && flags.format != "json") {
    return UsageError("--format must be text or json");
  }
  const bool json = flags.format == "json";
  // A line on a terminal while the entries are re-hashed (never under CI).
  std::optional<Progress> progress;
  progress.emplace(!json, Progress::Unit::kEntries, "auditing");
  auto client = OpenClient(flags, &*progress);
  if (!client.ok()) {
    return json ? VerifyLogJson("", client.status(), false)
                : ReportError(client.status());
  }
  const std::string origin = (*client)->checkpoint().origin;
  std::string older;
  if (!flags.since.empty()) {
    auto note = Env::Default()->ReadFileToString(flags.since,
                                                 limits::kMaxSmallFileBytes);
    if (!note.ok()) {
      return json ? VerifyLogJson(origin, note.status(), false)
                  : ReportError(note.status());
    }
    older = *std::move(note);
  }
  auto report = (*client)->Audit(older);
  progress.reset();
  if (json) return VerifyLogJson(origin, report, !older.empty());
  if (!report.ok()) return ReportError(report.status());
  std::cout << "OK: log " << (*client)->checkpoint().origin << " at size "
            << report->tree_size << ": " << report->entries_checked
            << " entries and " << report->tiles_checked
            << " hash tiles re-derived and matching the signed checkpoint"
            << (older.empty() ? "" : "; consistent with --since") << "\n";
  return kExitOk;
}

}  // namespace

void RegisterLogCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<LogFlags>();
  CLI::App* log = app.add_subcommand(
      "log",
      "A transparency log of signed releases: an append-only RFC 6962 Merkle "
      "tree stored as C2SP tlog-tiles (any static web server can publish it), "
      "with Ed25519-signed checkpoints (C2SP signed-note).");
  log->require_subcommand(1);

  CLI::App* init = log->add_subcommand(
      "init",
      "Create an empty log in DIR. Writes the signer key to DIR.key "
      "(mode 0600, outside the served directory) and the verifier key "
      "to DIR.vkey, and prints the verifier key.");
  init->add_option("dir", flags->dir, "Log directory")->required();
  init->add_option("--origin", flags->origin,
                   "The log's name, e.g. example.com/models")
      ->required();
  init->add_option("--log-signer-key", flags->key,
                   "Where to write the signer key (default DIR.key)");
  init->callback([flags, exit_code] { *exit_code = RunInit(*flags); });

  CLI::App* add = log->add_subcommand(
      "add",
      "Append signature bundles to the log (one batch, durable) and "
      "write each bundle back with its tlogEntries item: the entry, an "
      "inclusion proof and the signed checkpoint.");
  add->add_option("dir", flags->dir, "Log directory")->required();
  add->add_option("bundles", flags->bundles,
                  "Bundles to log (rewritten in place)")
      ->required();
  add->add_option("--log-signer-key", flags->key,
                  "The log's signer key (default DIR.key)");
  add->callback([flags, exit_code] { *exit_code = RunAdd(*flags); });

  CLI::App* prove = log->add_subcommand(
      "prove",
      "Print an inclusion proof (--index) or consistency proof "
      "(--old-size) from the log's tiles, as JSON, after verifying its "
      "checkpoint.");
  prove->add_option("log", flags->dir, "Log directory or http(s) URL")
      ->required();
  prove
      ->add_option("--vkey", flags->vkeys,
                   "Pinned verifier key(s), or files of them")
      ->required();
  prove->add_option("--index", flags->index,
                    "Entry index for an inclusion proof");
  prove->add_option("--old-size", flags->old_size,
                    "Older tree size for a consistency proof");
  prove->add_option("--size", flags->size,
                    "Tree size (default: the checkpoint's)");
  prove->callback([flags, exit_code] { *exit_code = RunProve(*flags); });

  CLI::App* verify = log->add_subcommand(
      "verify",
      "Audit a log: verify its checkpoint, re-derive every hash tile "
      "from the entries, and with --since check consistency with an "
      "older checkpoint. --state-dir remembers checkpoints between runs.");
  verify->add_option("log", flags->dir, "Log directory or http(s) URL")
      ->required();
  verify
      ->add_option("--vkey", flags->vkeys,
                   "Pinned verifier key(s), or files of them")
      ->required();
  verify->add_option("--since", flags->since,
                     "An older checkpoint (signed note file)");
  verify->add_option("--state-dir", flags->state_dir,
                     "Directory remembering the last checkpoint seen");
  verify->add_option("--format", flags->format,
                     "text (default) or json "
                     "(schemas/log-verify-report.schema.json)");
  verify->callback([flags, exit_code] { *exit_code = RunVerifyLog(*flags); });

  AddLogServeCommand(*log, exit_code);
}

}  // namespace modelseal::cli
