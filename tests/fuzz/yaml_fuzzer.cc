// Parses arbitrary bytes as YAML under small limits. Nothing may crash or
// leak; a tree that parses must respect the limits it was given, and every
// node must carry a position inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "modelseal/yaml_tree.h"

namespace {

constexpr modelseal::YamlLimits kLimits = {
    .max_input_bytes = 1 << 16,
    .max_depth = 16,
    .max_nodes = 2000,
    .max_scalar_bytes = 4096,
};

// Returns the number of nodes under (and including) `node`, aborting when a
// bound is broken.
std::size_t Check(const modelseal::YamlNode& node, std::size_t depth) {
  if (node.mark.line == 0 || node.mark.column == 0) std::abort();
  if (node.IsScalar()) {
    if (node.scalar.size() > kLimits.max_scalar_bytes) std::abort();
    (void)node.AsBool();
    (void)node.AsInt();
    (void)node.AsString();
    return 1;
  }
  if (depth >= kLimits.max_depth) std::abort();
  std::size_t count = 1;
  for (const modelseal::YamlNode& item : node.items) {
    count += Check(item, depth + 1);
  }
  for (const auto& [key, value] : node.members) {
    if (node.Find(key) == nullptr) std::abort();
    count += 1 + Check(value, depth + 1);
  }
  return count;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  auto doc = modelseal::ParseYaml(input, "fuzz.yaml", kLimits, 3);
  if (doc.ok()) {
    if (Check(*doc, 0) > kLimits.max_nodes) std::abort();
    if (doc->mark.line < 4) std::abort();
  } else if (!absl::StartsWith(doc.status().message(), "fuzz.yaml:")) {
    std::abort();
  }
  return 0;
}
