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

// Size of one read issued by the hashing engine. Each worker owns a small
// fixed number of buffers of this size, so peak memory is bounded by
// threads x kHashReadBufferBytes x kHashBuffersPerWorker, never by model size.
inline constexpr std::size_t kHashReadBufferBytes = std::size_t{1} << 20;
inline constexpr std::size_t kHashBuffersPerWorker = 2;
// How far ahead of its reads a worker asks the kernel to read
// (posix_fadvise WILLNEED). Page cache, not process memory.
inline constexpr std::uint64_t kHashPrefetchBytes = std::uint64_t{32} << 20;
// Where files can be memory-mapped, each large piece is a window of this size
// mapped read-only (no copy out of the page cache; unmapped after use), so
// mapped file pages in the process stay under threads x 2 x this.
inline constexpr std::size_t kHashMapWindowBytes = std::size_t{16} << 20;
// Units with less than this left are read with pread() instead.
inline constexpr std::uint64_t kHashMapMinimumBytes = std::uint64_t{8} << 20;
// Worker threads the engine will start at most, whatever --threads says.
inline constexpr unsigned kMaxHashThreads = 256;
// BLAKE3 files at least this large are split into power-of-two subtrees that
// are hashed in parallel. Must be a power of two and a multiple of 1 KiB.
inline constexpr std::uint64_t kBlake3SubtreeBytes = std::uint64_t{1} << 24;

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

}  // namespace modelseal::limits

#endif  // MODELSEAL_LIMITS_H_
