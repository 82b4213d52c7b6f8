// Strict bundle parsing on arbitrary bytes: never crash; whatever parses
// must write back to a bundle that parses to the same contents.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "modelseal/oms_bundle.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  auto bundle = modelseal::ParseBundle(input);
  if (!bundle.ok()) return 0;
  auto again = modelseal::ParseBundle(modelseal::WriteBundle(*bundle));
  if (!again.ok() || again->payload != bundle->payload ||
      again->signature != bundle->signature ||
      again->certificate_chain_der != bundle->certificate_chain_der ||
      again->tlog_entries_json != bundle->tlog_entries_json) {
    std::abort();
  }
  (void)modelseal::ParseStatement(bundle->payload);
  return 0;
}
