// Statement parsing on arbitrary bytes: never crash; an accepted statement
// has safe resource names and a root digest that matches its resources, and
// re-encoding it gives a statement that parses the same.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/str_split.h"
#include "modelseal/oms_bundle.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  auto statement = modelseal::ParseStatement(input);
  if (!statement.ok()) return 0;
  if (statement->resources.empty()) std::abort();
  if (modelseal::ComputeRootDigest(statement->resources) !=
      statement->subject_digest)
    std::abort();
  for (const auto& resource : statement->resources) {
    if (resource.name.empty() || resource.name[0] == '/') std::abort();
    for (absl::string_view part : absl::StrSplit(resource.name, '/')) {
      if (part.empty() || part == "..") std::abort();
    }
  }
  modelseal::ModelDigest digest;
  digest.model_name = statement->subject_name;
  digest.options = statement->serialization;
  digest.resources = statement->resources;
  digest.root_digest = statement->subject_digest;
  auto again =
      modelseal::ParseStatement(modelseal::BuildStatementPayload(digest));
  if (!again.ok() || again->resources.size() != statement->resources.size())
    std::abort();
  return 0;
}
