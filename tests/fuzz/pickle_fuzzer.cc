// The pickle disassembler on arbitrary bytes: it must never crash, hang or
// grow without bound, and it must never consume more bytes than it was
// given. The first byte chooses how many pickles to read (0 = all).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "scan/io.h"
#include "scan/pickle.h"
#include "scan/sink.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace modelseal::scan_internal;
  if (size == 0) return 0;
  MemorySource source(
      std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  SourceStream stream(source);
  FindingSink sink("fuzz.pkl");
  PickleScanOptions options;
  options.max_pickles = data[0] % 8;
  absl::StatusOr<PickleScanResult> result =
      ScanPickleStream(stream, options, sink);
  if (!result.ok()) std::abort();  // memory never fails with an I/O error
  if (result->bytes > size - 1) std::abort();
  // Anything that is not a complete parse must say so.
  if (!result->complete && sink.findings().empty()) std::abort();
  return 0;
}
