// Every bound that modelseal enforces on untrusted input or on its own
// resource use, in one place so that reviewers can see them together.
//
// Inputs above a limit are rejected with absl::StatusCode::kResourceExhausted
// and a message naming the limit; nothing is truncated silently.
#ifndef MODELSEAL_LIMITS_H_
#define MODELSEAL_LIMITS_H_

#include <cstddef>
#include <cstdint>

namespace modelseal::limits {

// Files and directories a single model walk may visit. A model with more files
// than this is almost certainly a mistake (a dataset or a home directory).
inline constexpr std::size_t kMaxFilesPerModel = 1'000'000;
// Depth of nested directories below the model root.
inline constexpr std::size_t kMaxDirectoryDepth = 256;
// Bytes in one path relative to the model root (PATH_MAX on Linux).
inline constexpr std::size_t kMaxRelativePathBytes = 4096;

// Size of one read issued by the hashing engine (at most). Each worker owns
// at most kHashBuffersPerWorker buffers' worth of this size, so peak memory
// is bounded by threads x kHashReadBufferBytes x kHashBuffersPerWorker, never
// by model size.
inline constexpr std::size_t kHashReadBufferBytes = std::size_t{1} << 20;
// BLAKE3 and BLAKE2b workers use one buffer; SHA-256 workers all of them.
inline constexpr std::size_t kHashBuffersPerWorker = 4;
// SHA-256 streams one worker hashes at once (interleaved on one core): 16
// where the CPU has the AVX-512 kernel, else 4. They share the worker's
// buffers (and its kHashBuffersPerWorker mapped windows' worth, below):
// with 16 streams each reads 256 KiB at a time and maps 16 MiB windows.
inline constexpr std::size_t kSha256StreamsPerWorker = 16;
// How far ahead of its reads a worker asks the kernel to read
// (posix_fadvise WILLNEED). Page cache, not process memory.
inline constexpr std::uint64_t kHashPrefetchBytes = std::uint64_t{128} << 20;
// When the engine maps (HashEngineOptions::large_reads), each large piece is a
// window of up to this size mapped read-only (no copy out of the page cache;
// unmapped after use), so mapped file pages in the process stay under
// threads x kHashBuffersPerWorker x this.
inline constexpr std::size_t kHashMapWindowBytes = std::size_t{64} << 20;
// Units with less than this left are read with pread() even then.
inline constexpr std::uint64_t kHashMapMinimumBytes = std::uint64_t{256} << 10;
// HashEngineOptions::LargeReads::kProbe: each way of reading is timed on
// two pieces of up to this size (of the largest files) before a run whose
// runs of kHashMapMinimumBytes or more add up to at least
// kHashReadProbeAbove (below that, pread()).
inline constexpr std::size_t kHashReadProbeBytes = std::size_t{1} << 20;
inline constexpr std::uint64_t kHashReadProbeAbove = std::uint64_t{512} << 20;
// Worker threads the engine will start at most, whatever --threads says.
inline constexpr unsigned kMaxHashThreads = 256;
// BLAKE3 files are split into power-of-two subtrees of at most this size
// (and at least eight per thread), hashed in parallel: larger ones mean
// fewer windows to map and unmap, smaller ones a finer balance. Must be a
// power of two and a multiple of 1 KiB.
inline constexpr std::uint64_t kBlake3SubtreeBytes = std::uint64_t{1} << 26;

// Default and bounds of the OMS `shards` serialization.
inline constexpr std::uint64_t kDefaultShardSize = 1'000'000'000;
inline constexpr std::uint64_t kMinShardSize = 1;
inline constexpr std::uint64_t kMaxShardSize = std::uint64_t{1} << 40;

// A `--check` file (sha256sum / b3sum format) is read whole: bound it.
inline constexpr std::size_t kMaxCheckFileBytes = std::size_t{64} << 20;
// A signature bundle, checked before parsing (real ones are a few KiB; the
// protobuf JSON parser also bounds nesting depth).
inline constexpr std::size_t kMaxBundleBytes = std::size_t{4} << 20;

// Small text files the CLI reads whole (keys, policies, bundles).
inline constexpr std::size_t kMaxSmallFileBytes = std::size_t{16} << 20;

// ---------------------------------------------------------------------------
// Transparency log (lib/tlog)
// ---------------------------------------------------------------------------

// A whole signed note (C2SP signed-note), checked before parsing. Checkpoints
// are a few hundred bytes; the spec asks verifiers to accept at least 16
// signatures, and post-quantum ones can approach 5 KB each.
inline constexpr std::size_t kMaxSignedNoteBytes = std::size_t{256} << 10;
// Signature lines in one note (the spec's floor is 16).
inline constexpr std::size_t kMaxNoteSignatures = 100;
// A key name in a note key or signature line.
inline constexpr std::size_t kMaxNoteKeyNameBytes = 1024;
// A checkpoint's origin line and its extension lines.
inline constexpr std::size_t kMaxCheckpointOriginBytes = 1024;
inline constexpr std::size_t kMaxCheckpointExtensionLines = 64;
// Largest tree size accepted in a checkpoint or a proof request. Far above
// any real log, and low enough that tile index arithmetic cannot overflow.
inline constexpr std::uint64_t kMaxLogTreeSize = std::uint64_t{1} << 48;
// Hashes in one Merkle proof. An RFC 9162 proof for a tree of 2^64 leaves has
// at most 64 (inclusion) or 65 (consistency) hashes.
inline constexpr std::size_t kMaxMerkleProofHashes = 65;
// One log entry: entry bundles length-prefix entries with a uint16.
inline constexpr std::size_t kMaxLogEntryBytes = 65535;
// Entries in one LogWriter::Append batch.
inline constexpr std::size_t kMaxLogAppendBatchEntries = std::size_t{1} << 20;
// A log's write-ahead journal read back when the log is opened. A journaled
// writer restarts it at 8 MiB, so only a batch of this size can approach it.
inline constexpr std::size_t kMaxLogJournalBytes = std::size_t{1} << 30;
// A tile is at most 256 SHA-256 hashes; an entry bundle at most 256 entries.
inline constexpr std::size_t kMaxHashTileBytes = std::size_t{256} * 32;
inline constexpr std::size_t kMaxEntryBundleBytes =
    std::size_t{256} * (2 + 65535);
// Parsed tiles a writer or client keeps in memory (about 16 KiB each).
inline constexpr std::size_t kMaxCachedTiles = 256;
// Log client over HTTP(S): whole-request and connect timeouts, and redirects
// followed (only to the same scheme, host and port).
inline constexpr std::int64_t kLogHttpTimeoutMs = 30'000;
inline constexpr std::int64_t kLogHttpConnectTimeoutMs = 10'000;
inline constexpr int kMaxLogHttpRedirects = 3;
// Problems an audit lists before it stops looking for more.
inline constexpr std::size_t kMaxAuditProblems = 100;

// Keys and certificates.
// The longest passphrase OpenSSL hands back through a password callback when
// it decrypts a PEM key (its buffer is PEM_BUFSIZE = 1024 bytes with a NUL).
inline constexpr std::size_t kMaxPassphraseBytes = 1023;
// A DER ECDSA-Sig-Value for P-521 is at most 139 bytes; anything much longer
// is not a signature and is refused before OpenSSL parses it.
inline constexpr std::size_t kMaxEcdsaSignatureBytes = 256;
// Certificate chains: intermediates accepted, trust anchors accepted, and the
// longest path OpenSSL may build.
inline constexpr std::size_t kMaxIntermediateCertificates = 8;
inline constexpr std::size_t kMaxRootCertificates = 1024;
inline constexpr int kMaxCertificateChainDepth = 10;

// ---------------------------------------------------------------------------
// Scanner (lib/scan). Going past any of these is a finding (scan.limit or
// the format's own rule), never a silent truncation: the scanner fails
// closed. docs/scan.md explains each.
// ---------------------------------------------------------------------------

// Containers inside containers (a pickle in a zip in a gzip is depth 2).
inline constexpr std::size_t kMaxScanContainerDepth = 8;
// Members of one zip or tar archive.
inline constexpr std::size_t kMaxScanArchiveMembers = 100'000;
// A zip central directory, read whole.
inline constexpr std::size_t kMaxScanZipCentralDirectoryBytes = std::size_t{64}
                                                                << 20;
// Bytes decompressed (zip deflate, gzip, bzip2, xz, zstd) while scanning one
// top-level file, all members and nesting levels together.
inline constexpr std::uint64_t kMaxScanExpandedBytes = std::uint64_t{16} << 30;
// A compressed stream that expands more than this many times its
// compressed size (plus kScanBombSlackBytes) is a bomb. DEFLATE's own
// maximum is about 1032:1.
inline constexpr std::uint64_t kMaxScanCompressionRatio = 1100;
inline constexpr std::uint64_t kScanBombSlackBytes = std::uint64_t{1} << 20;
// A random-access format (zip, safetensors, GGUF…) found inside a
// compressed stream is decompressed into memory to be checked; at most this
// much.
inline constexpr std::size_t kMaxScanMaterializedBytes = std::size_t{64} << 20;
// Buffer of a streamed read (pickles, decompressors).
inline constexpr std::size_t kScanReadBufferBytes = std::size_t{256} << 10;
// Bytes looked at to detect a format.
inline constexpr std::size_t kScanSniffBytes = 4096;
// Findings kept per top-level file; past this one scan.limit finding says
// how many more were dropped.
inline constexpr std::size_t kMaxScanFindingsPerFile = 1000;
// Small whole-file reads: JSON (config.json, Keras configs), npy headers.
inline constexpr std::size_t kMaxScanJsonBytes = std::size_t{16} << 20;
inline constexpr std::size_t kMaxScanJsonDepth = 128;
inline constexpr std::size_t kMaxScanNumpyHeaderBytes = std::size_t{1} << 20;

// Pickle virtual machine emulation (no code runs; these bound memory).
inline constexpr std::size_t kMaxPickleStackItems = std::size_t{1} << 22;
inline constexpr std::size_t kMaxPickleMarks = std::size_t{1} << 16;
inline constexpr std::size_t kMaxPickleMemoEntries = std::size_t{1} << 22;
// Pickles in a row in one stream (each STOP ends one).
inline constexpr std::size_t kMaxPicklesPerStream = 4096;
// Strings longer than this are tracked as "long" (never a valid import
// operand), so a huge string costs no memory.
inline constexpr std::size_t kMaxPickleTrackedStringBytes = 1024;

// safetensors: the JSON header (the format's own bound, 100 MB) and tensors.
inline constexpr std::uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;
inline constexpr std::size_t kMaxSafetensorsTensors = std::size_t{1} << 20;

// GGUF header: counts, string sizes and array nesting.
inline constexpr std::uint64_t kMaxGgufTensors = std::uint64_t{1} << 20;
inline constexpr std::uint64_t kMaxGgufMetadataEntries = std::uint64_t{1} << 16;
inline constexpr std::uint64_t kMaxGgufArrayElements = std::uint64_t{1} << 26;
inline constexpr std::uint64_t kMaxGgufStringBytes = std::uint64_t{16} << 20;
inline constexpr std::size_t kMaxGgufArrayDepth = 4;
inline constexpr std::uint64_t kMaxGgufHeaderBytes = std::uint64_t{1} << 30;
inline constexpr std::uint32_t kMaxGgufAlignment = 1u << 20;

// Sigstore keyless verification (lib/sigstore): trusted root and bundle
// sizes, entry counts, and the certificate and body sizes inside them.
inline constexpr std::size_t kMaxTrustedRootBytes = std::size_t{4} << 20;
inline constexpr std::size_t kMaxTrustedRootEntries = 256;  // per list
inline constexpr std::size_t kMaxSigstoreTlogEntries = 8;
inline constexpr std::size_t kMaxSigstoreTimestamps = 8;
inline constexpr std::size_t kMaxSigstoreBundleCertificates = 8;
inline constexpr std::size_t kMaxRekorBodyBytes = std::size_t{1} << 20;
inline constexpr std::size_t kMaxRekorProofHashes = 64;
inline constexpr std::size_t kMaxIdentityPatternBytes = 1024;
// Clock skew tolerated for an integrated time "in the future".
inline constexpr std::int64_t kMaxSigstoreClockSkewSeconds = 60;

// ---------------------------------------------------------------------------
// Alliance policies (lib/policy)
// ---------------------------------------------------------------------------

// A policy document, checked before parsing (real ones are a few KiB, most
// of it inline PEM keys).
inline constexpr std::size_t kMaxPolicyBytes = std::size_t{1} << 20;
// Signature bundles one `verify --policy` run reads.
inline constexpr std::size_t kMaxPolicySignatures = 64;
// The rollback-protection state file (one small record per policy name).
inline constexpr std::size_t kMaxPolicyStateBytes = std::size_t{1} << 20;

// ---------------------------------------------------------------------------
// Model cards (lib/card)
// ---------------------------------------------------------------------------

// A model card (README.md), checked before parsing. Published cards are tens
// of KiB; the front matter inside is further bounded by YamlLimits
// (yaml_tree.h).
inline constexpr std::size_t kMaxModelCardBytes = std::size_t{2} << 20;
// cmark-gfm builds a node of a few hundred bytes per block and per inline
// delimiter, and Debian 12's version (0.29.0.gfm.6) predates the upstream
// fixes for its quadratic table cases, so the Markdown body is bounded by
// its work, not its bytes (docs/formats/model-card.md):
//  - line breaks plus ASCII punctuation (every block and inline starts with
//    one); real cards have a few thousand;
inline constexpr std::size_t kMaxCardMarkupCharacters = 128 * 1024;
//  - table cells the parser could create: per run of non-blank lines that
//    has a '|', lines x (most '|' on one line + 1) (GFM fills short rows up
//    to the header's width, so a few bytes can ask for many cells);
inline constexpr std::size_t kMaxCardTableCells = 100'000;
//  - '|' on one line (a row's cells cost quadratic time in gfm.6).
inline constexpr std::size_t kMaxCardTableColumns = 1000;

}  // namespace modelseal::limits

#endif  // MODELSEAL_LIMITS_H_
