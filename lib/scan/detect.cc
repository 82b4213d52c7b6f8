// Magic numbers: safetensors README (u64 length then '{'), ggml docs/gguf.md
// ("GGUF"), APPNOTE 4.3.7 ("PK\3\4"; "PK\5\6" for an empty archive), RFC 1952
// (gzip 1f 8b), RFC 1950 (zlib: CMF/FLG check, as joblib writes it), bzip2
// ("BZh1".."BZh9"), xz file format 1.0.4 (FD '7zXZ' 00), RFC 8878 (zstd
// 28 b5 2f fd), 7-Zip's 7zFormat.txt ('7z' BC AF 27 1C), POSIX ustar
// ("ustar" at 257), NumPy NEP 1 (93 'NUMPY'), HDF5 superblock (89 'HDF' 0d 0a
// 1a 0a), PyTorch torch/serialization.py (MAGIC_NUMBER 0x1950a86a20f9469cfc6c
// pickled first by the legacy format).
#include "scan/detect.h"

#include <cstdint>
#include <cstring>

#include "absl/strings/match.h"
#include "scan/json.h"

namespace modelseal::scan_internal {
namespace {

bool StartsWith(absl::string_view head, const char* magic, std::size_t size) {
  return head.size() >= size && std::memcmp(head.data(), magic, size) == 0;
}

// Opcodes a protocol 0 or 1 pickle can start with (pickletools.py).
bool IsPickleStartOpcode(unsigned char c) {
  switch (c) {
    case '(':
    case 'N':
    case 'I':
    case 'L':
    case 'F':
    case 'S':
    case 'V':
    case ']':
    case '}':
    case ')':
    case 'c':
    case 'i':
    case 'J':
    case 'K':
    case 'M':
    case 'G':
    case 'T':
    case 'U':
    case 'X':
    case 'B':
    case 'C':
    case 'P':
    case 'g':
    case 'h':
    case 'j':
      return true;
    default:
      return false;
  }
}

}  // namespace

bool LooksLikeText(absl::string_view head) {
  if (head.find('\0') != absl::string_view::npos) return false;
  // Allow a multi-byte sequence cut at the end of the sniffed bytes.
  for (std::size_t cut = 0; cut < 4 && cut <= head.size(); ++cut) {
    if (IsValidUtf8Text(head.substr(0, head.size() - cut))) return true;
  }
  return false;
}

Sniffed Sniff(absl::string_view head, absl::string_view name) {
  const auto byte = [&](std::size_t i) -> unsigned {
    return i < head.size() ? static_cast<unsigned char>(head[i]) : 0x100;
  };
  if (StartsWith(head, "GGUF", 4)) return Sniffed::kGguf;
  if (StartsWith(head, "PK\x03\x04", 4) || StartsWith(head, "PK\x05\x06", 4)) {
    return Sniffed::kZip;
  }
  if (StartsWith(head, "\x93NUMPY", 6)) return Sniffed::kNumpy;
  if (StartsWith(head, "\x89HDF\r\n\x1a\n", 8)) return Sniffed::kHdf5;
  if (StartsWith(head, "\x1f\x8b", 2)) return Sniffed::kGzipOrZlib;
  if (StartsWith(head, "BZh", 3) && byte(3) >= '1' && byte(3) <= '9') {
    return Sniffed::kBzip2;
  }
  if (StartsWith(head,
                 "\xfd"
                 "7zXZ\x00",
                 6))
    return Sniffed::kXz;
  if (StartsWith(head, "\x28\xb5\x2f\xfd", 4)) return Sniffed::kZstd;
  if (StartsWith(head, "7z\xbc\xaf\x27\x1c", 6)) return Sniffed::k7z;
  if (head.size() >= 262 && std::memcmp(head.data() + 257, "ustar", 5) == 0) {
    return Sniffed::kTar;
  }
  // safetensors: a plausible u64 header length, then '{'.
  if (head.size() >= 10 && byte(8) == '{') {
    std::uint64_t length = 0;
    for (int i = 7; i >= 0; --i) length = (length << 8) | byte(i);
    const unsigned next = byte(9);
    if (length >= 2 && length < (std::uint64_t{1} << 40) &&
        (next == '"' || next == '}' || next == ' ' || next == '\n')) {
      return Sniffed::kSafetensors;
    }
  }
  if (byte(0) == 0x80 && byte(1) <= 5) {
    static const unsigned char kLegacyMagic[] = {
        0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
    if (head.size() >= 14 &&
        std::memcmp(head.data() + 2, kLegacyMagic, sizeof(kLegacyMagic)) == 0) {
      return Sniffed::kPytorchLegacy;
    }
    return Sniffed::kPickle;
  }
  // Raw zlib (RFC 1950): deflate with a 32K window and no dictionary, at one
  // of the four levels zlib writes.
  if (byte(0) == 0x78 && (byte(1) == 0x01 || byte(1) == 0x5e ||
                          byte(1) == 0x9c || byte(1) == 0xda)) {
    return Sniffed::kGzipOrZlib;
  }
  if (absl::EndsWith(name, ".py")) return Sniffed::kPython;
  std::size_t first = 0;
  while (first < head.size() && (head[first] == ' ' || head[first] == '\t' ||
                                 head[first] == '\n' || head[first] == '\r')) {
    ++first;
  }
  if (first < head.size() && (head[first] == '{' || head[first] == '[') &&
      LooksLikeText(head)) {
    return Sniffed::kJson;
  }
  if (!head.empty() && IsPickleStartOpcode(byte(0)))
    return Sniffed::kMaybePickle;
  if (!head.empty() && LooksLikeText(head)) return Sniffed::kText;
  return Sniffed::kUnknown;
}

}  // namespace modelseal::scan_internal
