// The artifact safety scanner: inspects model files by their content and
// reports what could execute code or crash a loader, without loading
// anything.
//
//   ScanOptions options;                       // Env::Default(), all cores
//   absl::StatusOr<ScanReport> report = ScanPaths({"models/llama"}, options);
//   if (!report.ok()) ...                      // I/O failure of the scan
//   bool fail = FindingsFail(report->findings, /*strict=*/false);
//
// Contract:
// - Formats are detected by magic bytes, never by file name (the one
//   exception: `*.py` files are reported as remote code by name, since that
//   is how loaders find them). Containers (zip, tar, gzip, bzip2, xz, zstd,
//   npy with an object dtype) are opened recursively within the bounds of
//   limits.h ("Scanner"); going past a bound is a finding, never a hang.
// - Pickles are disassembled, never executed; imports are judged against an
//   allow-list of what tensor checkpoints use, and anything the scanner
//   cannot fully parse is a finding ("fail closed"). docs/scan.md lists
//   every rule.
// - Everything about a file's *contents* is a Finding. A non-OK status means
//   the scan itself could not read: a path is missing (kNotFound), unreadable
//   (kUnavailable), or changed while read (kDataLoss). Symlinks, FIFOs and
//   devices inside a scanned folder are findings (scan.file.special), never
//   followed; a symlink named on the command line is followed.
// - Memory is bounded by threads x (read buffers + the limits.h bounds on
//   what is held in memory), whatever the file sizes.
// - Results are deterministic: files in input order (folders sorted by byte
//   order), findings in file order, then in the order they were found.
// Thread-safe: concurrent calls are fine.
#ifndef MODELSEAL_SCAN_H_
#define MODELSEAL_SCAN_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "modelseal/env.h"
#include "modelseal/finding.h"

namespace modelseal {

struct ScanOptions {
  // Files scanned in parallel; 0 means one per CPU.
  unsigned threads = 0;
  // nullptr means Env::Default(). Limits come from limits.h.
  Env* env = nullptr;
  // For a progress display: set once to the total size of the files to
  // scan, and advanced by each file's size when its scan ends (a header-only
  // format counts whole at once). Relaxed atomics; may be null.
  std::atomic<std::uint64_t>* bytes_done = nullptr;
  std::atomic<std::uint64_t>* bytes_total = nullptr;
};

struct ScannedFile {
  // As given (ScanPaths: the argument, joined with the path inside a
  // folder; ScanModelFiles: relative to the root).
  std::string path;
  // The detected format of the file itself, one stable name (docs/scan.md):
  // safetensors, gguf, pickle, pytorch-zip, pytorch-legacy, joblib, numpy,
  // numpy-zip, keras, hdf5, zip, gzip, bzip2, xz, zstd, 7z, tar, json,
  // python, text, unknown. Symlinks and special files found in a folder are
  // listed as "unknown" (and carry a scan.file.special finding).
  std::string format;
  // Formats found inside it (archive members, decompressed streams), each
  // name once, innermost first (the order their checks finished); "unknown" and
  // "text" (tensor storages, version files) are not listed. A gzip-wrapped
  // pickle has format "gzip" and inner_formats {"pickle"}. Policies that forbid
  // a format should look at both.
  std::vector<std::string> inner_formats;
  // Bytes the scanner read from disk for this file (a safetensors or GGUF
  // file costs its header only).
  std::uint64_t bytes_read = 0;
  // File size on disk.
  std::uint64_t size = 0;
};

struct ScanReport {
  std::vector<ScannedFile> files;
  std::vector<Finding> findings;
};

// Scans files or folders. Folders are walked recursively, every regular
// file (dot-files too); symlinks and special files inside them are findings
// and are never followed. Finding paths are the scanned file paths as above.
absl::StatusOr<ScanReport> ScanPaths(const std::vector<std::string>& paths,
                                     const ScanOptions& options);

// Scans the given files of one model: `relative_paths` are relative to
// `root` (what the verifier already walked) and are not re-walked; finding
// and file paths are relative to `root`. A relative path with "..", an
// empty component or a leading '/' is refused with kInvalidArgument before
// anything is opened.
absl::StatusOr<ScanReport> ScanModelFiles(
    const std::string& root, const std::vector<std::string>& relative_paths,
    const ScanOptions& options);

// Every rule id the scanner can report, with a summary and what to do about
// it (for SARIF's rule list and for docs/scan.md).
const std::vector<RuleDescription>& ScanRuleCatalog();

}  // namespace modelseal

#endif  // MODELSEAL_SCAN_H_
