// Record layouts: PKWARE APPNOTE.TXT 6.3.x, sections 4.3.7 (local file
// header), 4.3.12 (central directory header), 4.3.14-16 (ZIP64 end of
// central directory record and locator, end of central directory) and
// 4.5.3 (ZIP64 extended information extra field, id 0x0001).
#include "scan/zip_reader.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "modelseal/limits.h"
#include "modelseal/status.h"

namespace modelseal::scan_internal {
namespace {

std::uint16_t U16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
std::uint32_t U32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) |
         (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) |
         (static_cast<std::uint32_t>(p[3]) << 24);
}
std::uint64_t U64(const std::uint8_t* p) {
  return U32(p) | (static_cast<std::uint64_t>(U32(p + 4)) << 32);
}

constexpr std::uint32_t kEocdSignature = 0x06054b50;
constexpr std::uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr std::uint32_t kZip64EocdSignature = 0x06064b50;
constexpr std::uint32_t kCentralSignature = 0x02014b50;
constexpr std::uint32_t kLocalSignature = 0x04034b50;
constexpr std::size_t kEocdSize = 22;
constexpr std::size_t kCentralSize = 46;
constexpr std::size_t kLocalSize = 30;

void Malformed(FindingSink& sink, const std::string& message,
               std::optional<std::uint64_t> offset = std::nullopt) {
  sink.Add("scan.zip.malformed", Severity::kError,
           absl::StrCat("zip archive: ", message,
                        "; what it hides cannot be checked"),
           offset);
}

struct Directory {
  std::uint64_t entries = 0;
  std::uint64_t size = 0;
  std::uint64_t offset = 0;
};

// Finds the end-of-central-directory record (the last one, as readers
// search backwards) and the ZIP64 record when the fields overflow.
absl::StatusOr<bool> FindDirectory(const Source& source, FindingSink& sink,
                                   Directory* directory) {
  const std::uint64_t size = source.size();
  const std::uint64_t tail_length =
      std::min<std::uint64_t>(size, kEocdSize + 0xFFFF);
  MODELSEAL_ASSIGN_OR_RETURN(
      std::string tail,
      source.ReadString(size - tail_length,
                        static_cast<std::size_t>(tail_length)));
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(tail.data());
  std::int64_t found = -1;
  for (std::int64_t i = static_cast<std::int64_t>(tail.size()) - kEocdSize;
       i >= 0; --i) {
    if (U32(bytes + i) == kEocdSignature) {
      found = i;
      break;
    }
  }
  if (found < 0) {
    Malformed(sink, "no end-of-central-directory record");
    return false;
  }
  const std::uint8_t* eocd = bytes + found;
  const std::uint64_t eocd_offset = size - tail_length + found;
  directory->entries = U16(eocd + 10);
  directory->size = U32(eocd + 12);
  directory->offset = U32(eocd + 16);
  const bool zip64 = directory->entries == 0xFFFF ||
                     directory->size == 0xFFFFFFFF ||
                     directory->offset == 0xFFFFFFFF;
  if (zip64 || eocd_offset >= 20) {
    std::uint8_t locator[20];
    if (eocd_offset >= 20) {
      MODELSEAL_RETURN_IF_ERROR(
          source.ReadExactly(eocd_offset - 20, locator, sizeof(locator)));
    }
    if (eocd_offset >= 20 && U32(locator) == kZip64LocatorSignature) {
      const std::uint64_t record_offset = U64(locator + 8);
      std::uint8_t record[56];
      if (record_offset > size || size - record_offset < sizeof(record)) {
        Malformed(sink, "the ZIP64 end record lies outside the file");
        return false;
      }
      MODELSEAL_RETURN_IF_ERROR(
          source.ReadExactly(record_offset, record, sizeof(record)));
      if (U32(record) != kZip64EocdSignature) {
        Malformed(sink, "the ZIP64 locator points at no ZIP64 end record",
                  record_offset);
        return false;
      }
      directory->entries = U64(record + 32);
      directory->size = U64(record + 40);
      directory->offset = U64(record + 48);
    } else if (zip64) {
      Malformed(sink, "ZIP64 sizes without a ZIP64 end record", eocd_offset);
      return false;
    }
  }
  if (directory->offset > size || directory->size > size - directory->offset) {
    Malformed(sink, "the central directory lies outside the file");
    return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::vector<ZipMember>> ReadZipDirectory(const Source& source,
                                                        FindingSink& sink) {
  std::vector<ZipMember> members;
  Directory directory;
  MODELSEAL_ASSIGN_OR_RETURN(bool found,
                             FindDirectory(source, sink, &directory));
  if (!found) return members;
  if (directory.entries > limits::kMaxScanArchiveMembers) {
    sink.Add(
        "scan.limit", Severity::kError,
        absl::StrCat("zip archive lists ", directory.entries,
                     " members, more than the limit of ",
                     limits::kMaxScanArchiveMembers, "; it was not scanned"));
    return members;
  }
  if (directory.size > limits::kMaxScanZipCentralDirectoryBytes) {
    sink.Add("scan.limit", Severity::kError,
             absl::StrCat("zip central directory of ", directory.size,
                          " bytes is over the limit; it was not scanned"));
    return members;
  }
  MODELSEAL_ASSIGN_OR_RETURN(
      std::string central,
      source.ReadString(directory.offset,
                        static_cast<std::size_t>(directory.size)));
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(central.data());
  std::size_t position = 0;
  absl::flat_hash_set<std::string> names;
  for (std::uint64_t index = 0; index < directory.entries; ++index) {
    const std::uint64_t here = directory.offset + position;
    if (central.size() - position < kCentralSize ||
        U32(bytes + position) != kCentralSignature) {
      Malformed(sink,
                absl::StrCat("central directory entry ", index,
                             " is truncated or has a bad signature"),
                here);
      break;
    }
    const std::uint8_t* entry = bytes + position;
    ZipMember member;
    member.flags = U16(entry + 8);
    member.method = U16(entry + 10);
    member.compressed_size = U32(entry + 20);
    member.uncompressed_size = U32(entry + 24);
    const std::size_t name_length = U16(entry + 28);
    const std::size_t extra_length = U16(entry + 30);
    const std::size_t comment_length = U16(entry + 32);
    member.local_header_offset = U32(entry + 42);
    const std::size_t record =
        kCentralSize + name_length + extra_length + comment_length;
    if (central.size() - position < record) {
      Malformed(sink,
                absl::StrCat("central directory entry ", index,
                             " runs past the directory"),
                here);
      break;
    }
    member.name.assign(reinterpret_cast<const char*>(entry + kCentralSize),
                       name_length);
    // ZIP64 extended information: only the fields that overflowed, in order.
    const std::uint8_t* extra = entry + kCentralSize + name_length;
    for (std::size_t e = 0; e + 4 <= extra_length;) {
      const std::uint16_t id = U16(extra + e);
      const std::uint16_t length = U16(extra + e + 2);
      if (e + 4 + length > extra_length) break;
      if (id == 0x0001) {
        const std::uint8_t* field = extra + e + 4;
        std::size_t left = length;
        auto take = [&](std::uint64_t* value) {
          if (*value != 0xFFFFFFFF) return;
          if (left < 8) return;
          *value = U64(field);
          field += 8;
          left -= 8;
        };
        take(&member.uncompressed_size);
        take(&member.compressed_size);
        take(&member.local_header_offset);
      }
      e += 4 + length;
    }
    position += record;
    if (!names.insert(member.name).second) {
      sink.Add("scan.zip.duplicate_name", Severity::kError,
               absl::StrCat("zip archive has two members named '",
                            member.name.substr(0, 200),
                            "'; loaders disagree on which one they read "
                            "(both are scanned)"),
               here);
    }
    // Locate the data through the local header.
    std::uint8_t local[kLocalSize];
    if (member.local_header_offset > source.size() ||
        source.size() - member.local_header_offset < kLocalSize) {
      Malformed(sink,
                absl::StrCat("member '", member.name.substr(0, 200),
                             "' has its header outside the file"),
                here);
      continue;
    }
    MODELSEAL_RETURN_IF_ERROR(
        source.ReadExactly(member.local_header_offset, local, kLocalSize));
    if (U32(local) != kLocalSignature) {
      Malformed(sink,
                absl::StrCat("member '", member.name.substr(0, 200),
                             "' points at no local header"),
                member.local_header_offset);
      continue;
    }
    member.data_offset = member.local_header_offset + kLocalSize +
                         U16(local + 26) + U16(local + 28);
    if (member.data_offset > source.size() ||
        member.compressed_size > source.size() - member.data_offset) {
      Malformed(sink,
                absl::StrCat("member '", member.name.substr(0, 200),
                             "' runs past the end of the file"),
                member.local_header_offset);
      continue;
    }
    members.push_back(std::move(member));
  }
  // Overlapping members: the classic non-recursive zip bomb, and a way to
  // show different readers different bytes.
  std::vector<const ZipMember*> by_offset;
  by_offset.reserve(members.size());
  for (const ZipMember& member : members) by_offset.push_back(&member);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const ZipMember* a, const ZipMember* b) {
              return a->local_header_offset < b->local_header_offset;
            });
  for (std::size_t i = 1; i < by_offset.size(); ++i) {
    const ZipMember& previous = *by_offset[i - 1];
    if (by_offset[i]->local_header_offset <
        previous.data_offset + previous.compressed_size) {
      sink.Add("scan.zip.overlap", Severity::kError,
               absl::StrCat("zip members '", previous.name.substr(0, 200),
                            "' and '", by_offset[i]->name.substr(0, 200),
                            "' overlap (a zip bomb or a parser confusion "
                            "trick)"),
               by_offset[i]->local_header_offset);
      break;
    }
  }
  return members;
}

ZipMemberReader OpenZipMember(const Source& archive, const ZipMember& member,
                              ExpansionBudget& budget) {
  ZipMemberReader reader;
  reader.range = std::make_unique<SubSource>(archive, member.data_offset,
                                             member.compressed_size);
  reader.raw = std::make_unique<SourceStream>(*reader.range);
  switch (member.method) {
    case 0:
      break;
    case 8:
      reader.stream =
          NewDecompressingStream(Compression::kDeflateRaw, *reader.raw, budget);
      break;
    case 12:
      reader.stream =
          NewDecompressingStream(Compression::kBzip2, *reader.raw, budget);
      break;
    default:
      break;
  }
  return reader;
}

}  // namespace modelseal::scan_internal
