// GGUF header checks on arbitrary bytes: never a crash, a hang or an
// allocation driven by a count in the file; a file without findings starts
// with the GGUF magic.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "scan/formats.h"
#include "scan/io.h"
#include "scan/sink.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace modelseal::scan_internal;
  std::string bytes = "GGUF";
  bytes.append(reinterpret_cast<const char*>(data), size);
  MemorySource source(bytes);
  FindingSink sink("fuzz.gguf");
  if (!CheckGguf(source, sink).ok()) std::abort();
  (void)FindTemplateInjection(
      std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
