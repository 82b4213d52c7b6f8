// A small bounded ZIP reader (internal), reading archives the way PyTorch's
// loader does (caffe2/serialize/inline_container.cc over miniz):
// - the central directory is the truth: member names, methods, sizes and
//   local-header offsets come from it (ZIP64 records included); the local
//   header is read only for its name and extra lengths, to find the data;
// - general-purpose flag bits (encryption, data descriptors, UTF-8) are
//   ignored, and CRC-32 values are never checked.
// A scanner stricter than the loader is a bypass: a member with a bad CRC or
// an odd flag that the scanner refused to read, but PyTorch loads anyway,
// would go unchecked. So this reader reads every member PyTorch would, and
// reports structural problems (overlaps, members past the end, unsupported
// methods, too many members) as findings.
#ifndef MODELSEAL_SCAN_ZIP_READER_H_
#define MODELSEAL_SCAN_ZIP_READER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "scan/io.h"
#include "scan/sink.h"

namespace modelseal::scan_internal {

struct ZipMember {
  std::string name;
  std::uint16_t method = 0;  // 0 stored, 8 deflate, 12 bzip2, ...
  std::uint16_t flags = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t uncompressed_size = 0;
  std::uint64_t local_header_offset = 0;
  std::uint64_t data_offset = 0;  // where the (compressed) bytes start
};

// Lists the members whose data lies inside the archive. Problems with the
// directory or with single members are findings (rules scan.zip.*); a
// member that cannot be located is left out after its finding. A non-OK
// status is an I/O failure.
absl::StatusOr<std::vector<ZipMember>> ReadZipDirectory(const Source& source,
                                                        FindingSink& sink);

// A stream of a member's uncompressed bytes (stored, deflate or bzip2);
// nullptr for other methods. `holder` keeps the pieces alive.
struct ZipMemberReader {
  std::unique_ptr<Source> range;
  std::unique_ptr<Stream> raw;
  std::unique_ptr<Stream> stream;
};
ZipMemberReader OpenZipMember(const Source& archive, const ZipMember& member,
                              ExpansionBudget& budget);

}  // namespace modelseal::scan_internal

#endif  // MODELSEAL_SCAN_ZIP_READER_H_
