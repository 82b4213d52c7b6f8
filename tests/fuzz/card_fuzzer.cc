// Parses arbitrary bytes as a model card. Nothing may crash; a card that
// parses must give sections with sane levels and lines, a heading tree whose
// children come after their parent, and JSON that is valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "modelseal/model_card.h"
#include "modelseal/model_walk.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  auto card = modelseal::ParseModelCard(input, "README.md");
  if (!card.ok()) {
    if (!absl::StartsWith(card.status().message(), "README.md")) std::abort();
    return 0;
  }
  if (card->has_front_matter != card->front_matter.IsMapping()) std::abort();
  for (std::size_t i = 0; i < card->sections.size(); ++i) {
    const modelseal::CardSection& section = card->sections[i];
    if (section.level < 1 || section.level > 6) std::abort();
    if (section.line < card->body_first_line) std::abort();
    if (absl::StrContains(section.text, modelseal::kCardPlaceholder)) {
      std::abort();
    }
    for (std::size_t child : section.children) {
      if (child <= i || child >= card->sections.size() ||
          card->sections[child].level <= section.level) {
        std::abort();
      }
    }
    (void)card->SectionTextWithChildren(i);
  }
  (void)card->FindSection({"Uses", "Model Details"});
  (void)card->HasField("license");
  const std::string json = modelseal::ModelCardToJson(*card);
  if (json.empty() || json.front() != '{' || json.back() != '}' ||
      !modelseal::IsValidUtf8(json)) {
    std::abort();
  }
  return 0;
}
