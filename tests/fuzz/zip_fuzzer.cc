// The whole scanner (format detection, the zip reader, nested containers,
// decompressors, tar, npy, Keras, pickles) on an arbitrary file in a memory
// Env: never a crash or a hang, and every content problem is a finding, not
// a status error.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "modelseal/env.h"
#include "modelseal/scan.h"
#include "scan/io.h"
#include "scan/sink.h"
#include "scan/zip_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  // The zip directory reader alone, with its invariants.
  modelseal::scan_internal::MemorySource source(bytes);
  modelseal::scan_internal::FindingSink sink("fuzz.zip");
  auto members = modelseal::scan_internal::ReadZipDirectory(source, sink);
  if (!members.ok()) std::abort();
  for (const auto& member : *members) {
    if (member.data_offset > size ||
        member.compressed_size > size - member.data_offset) {
      std::abort();
    }
  }
  // The full scan through the public API.
  std::unique_ptr<modelseal::Env> env = modelseal::NewMemoryEnv();
  if (!modelseal::MemoryEnvAddFile(*env, "/model/file", bytes).ok()) {
    std::abort();
  }
  modelseal::ScanOptions options;
  options.env = env.get();
  options.threads = 1;
  auto report = modelseal::ScanPaths({"/model"}, options);
  if (!report.ok() || report->files.size() != 1) std::abort();
  return 0;
}
