// Parses arbitrary checkpoint bodies. Nothing may crash, and every body that
// parses must format back to exactly the same bytes: each tree head has one
// spelling.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "modelseal/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  auto checkpoint = modelseal::tlog::ParseCheckpoint(input);
  if (checkpoint.ok()) {
    auto text = modelseal::tlog::FormatCheckpoint(*checkpoint);
    if (!text.ok() || *text != input) std::abort();
  }
  return 0;
}
