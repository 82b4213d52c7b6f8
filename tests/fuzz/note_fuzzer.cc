// Opens arbitrary notes against fixed trusted keys (the Go sumdb/note test
// keys). Nothing may crash; a note that opens must have a verified signature
// by one of those keys, and its text must be exactly the bytes before the
// last blank line.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "modelseal/signed_note.h"

namespace {

const modelseal::tlog::NoteVerifier* Verifiers() {
  static const auto* const verifiers = [] {
    auto* list = new std::vector<modelseal::tlog::NoteVerifier>;
    for (const char* key :
         {"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
          "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"}) {
      auto verifier = modelseal::tlog::NoteVerifier::Parse(key);
      if (!verifier.ok()) std::abort();
      list->push_back(*verifier);
    }
    return list;
  }();
  return verifiers->data();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  auto opened =
      modelseal::tlog::OpenNote(input, absl::MakeConstSpan(Verifiers(), 2));
  if (opened.ok()) {
    if (opened->verified.empty()) std::abort();
    const std::size_t split = input.rfind("\n\n");
    if (split == absl::string_view::npos ||
        opened->text != input.substr(0, split + 1)) {
      std::abort();
    }
  }
  // Key parsers see the same bytes.
  (void)modelseal::tlog::NoteVerifier::Parse(input);
  (void)modelseal::tlog::NoteSigner::Parse(input);
  return 0;
}
