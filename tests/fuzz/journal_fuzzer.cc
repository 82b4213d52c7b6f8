// Parses arbitrary log journals. Nothing may crash; whatever parses must
// format back to the same bytes up to the torn tail it reported, since each
// record has one encoding.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "tlog/journal.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  auto journal = modelseal::tlog_internal::ParseJournal(input);
  if (!journal.ok() || journal->base_checkpoint.empty()) return 0;
  std::string again =
      modelseal::tlog_internal::FormatJournalHeader(journal->base_checkpoint);
  for (const auto& batch : journal->batches) {
    again += modelseal::tlog_internal::FormatJournalBatch(batch.first_index,
                                                          batch.entries);
  }
  if (journal->torn_bytes > input.size() ||
      again != input.substr(0, input.size() - journal->torn_bytes)) {
    std::abort();
  }
  return 0;
}
