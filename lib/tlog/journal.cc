#include "tlog/journal.h"

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "modelseal/limits.h"
#include "tlog/sha256.h"

namespace modelseal::tlog_internal {
namespace {

constexpr std::size_t kLengthBytes = 4;
constexpr std::size_t kChecksumBytes = 32;
constexpr char kBaseKind = 'B';
constexpr char kBatchKind = 'E';

void PutLittleEndian(std::string* out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) {
    out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}

std::uint64_t GetLittleEndian(absl::string_view data, int bytes) {
  std::uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) {
    value = (value << 8) | static_cast<unsigned char>(data[i]);
  }
  return value;
}

void AppendRecord(std::string* out, absl::string_view body) {
  PutLittleEndian(out, body.size(), kLengthBytes);
  out->append(body.data(), body.size());
  const tlog::Hash sum = Sha256({body});
  out->append(reinterpret_cast<const char*>(sum.data()), sum.size());
}

absl::Status Malformed(std::uint64_t offset, absl::string_view why) {
  return absl::DataLossError(
      absl::StrCat("log journal: the record at byte ", offset, " ", why));
}

absl::StatusOr<JournalBatch> ParseBatchBody(absl::string_view body,
                                            std::uint64_t offset) {
  // Kind, first index, count.
  constexpr std::size_t kFixed = 1 + 8 + 4;
  if (body.size() < kFixed) return Malformed(offset, "is too short");
  JournalBatch batch;
  batch.first_index = GetLittleEndian(body.substr(1), 8);
  const std::uint64_t count = GetLittleEndian(body.substr(9), 4);
  if (count == 0 || count > limits::kMaxLogAppendBatchEntries) {
    return Malformed(offset, absl::StrCat("has ", count, " entries"));
  }
  if (batch.first_index > limits::kMaxLogTreeSize - count) {
    return Malformed(offset, "lies beyond the log's size limit");
  }
  body.remove_prefix(kFixed);
  // Every entry takes at least its length field.
  if (count > body.size() / kLengthBytes) {
    return Malformed(offset, "is shorter than its entry count");
  }
  batch.entries.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    if (body.size() < kLengthBytes) {
      return Malformed(offset, "ends inside an entry length");
    }
    const std::uint64_t length = GetLittleEndian(body, kLengthBytes);
    body.remove_prefix(kLengthBytes);
    if (length > limits::kMaxLogEntryBytes || length > body.size()) {
      return Malformed(offset, absl::StrCat("has an entry of ", length,
                                            " bytes that does not fit"));
    }
    batch.entries.emplace_back(body.substr(0, length));
    body.remove_prefix(length);
  }
  if (!body.empty()) {
    return Malformed(offset, "has bytes after its last entry");
  }
  return batch;
}

}  // namespace

std::string FormatJournalHeader(absl::string_view base_checkpoint) {
  std::string out(kJournalMagic);
  std::string body(1, kBaseKind);
  body.append(base_checkpoint.data(), base_checkpoint.size());
  AppendRecord(&out, body);
  return out;
}

std::string FormatJournalBatch(std::uint64_t first_index,
                               const std::vector<std::string>& entries) {
  std::size_t size = 1 + 8 + 4;
  for (const std::string& entry : entries) size += kLengthBytes + entry.size();
  std::string body;
  body.reserve(size);
  body.push_back(kBatchKind);
  PutLittleEndian(&body, first_index, 8);
  PutLittleEndian(&body, entries.size(), 4);
  for (const std::string& entry : entries) {
    PutLittleEndian(&body, entry.size(), kLengthBytes);
    body += entry;
  }
  std::string out;
  out.reserve(kLengthBytes + body.size() + kChecksumBytes);
  AppendRecord(&out, body);
  return out;
}

absl::StatusOr<Journal> ParseJournal(absl::string_view data) {
  Journal journal;
  if (data.size() < kJournalMagic.size()) {
    // A journal cut short while its header was written.
    if (kJournalMagic.substr(0, data.size()) == data) return journal;
    return absl::DataLossError("log journal: not a modelseal log journal");
  }
  if (data.substr(0, kJournalMagic.size()) != kJournalMagic) {
    return absl::DataLossError("log journal: not a modelseal log journal");
  }
  std::uint64_t offset = kJournalMagic.size();
  bool have_base = false;
  while (offset < data.size()) {
    const absl::string_view rest = data.substr(offset);
    const std::uint64_t length =
        rest.size() >= kLengthBytes ? GetLittleEndian(rest, kLengthBytes) : 0;
    const bool complete = rest.size() >= kLengthBytes &&
                          length <= rest.size() - kLengthBytes &&
                          rest.size() - kLengthBytes - length >= kChecksumBytes;
    absl::string_view body;
    if (complete) {
      body = rest.substr(kLengthBytes, length);
      const tlog::Hash sum = Sha256({body});
      if (std::memcmp(sum.data(), rest.data() + kLengthBytes + length,
                      kChecksumBytes) != 0 ||
          body.empty()) {
        body = absl::string_view();
      }
    }
    if (body.empty()) {
      // Cut short or not what was written: the interrupted last batch.
      journal.torn_bytes = rest.size();
      break;
    }
    if (body[0] == kBaseKind) {
      if (have_base) return Malformed(offset, "is a second base record");
      journal.base_checkpoint = std::string(body.substr(1));
      if (journal.base_checkpoint.empty() ||
          journal.base_checkpoint.size() > limits::kMaxSignedNoteBytes) {
        return Malformed(offset, "holds no usable base checkpoint");
      }
      have_base = true;
    } else if (body[0] == kBatchKind) {
      if (!have_base) return Malformed(offset, "comes before the base record");
      absl::StatusOr<JournalBatch> batch = ParseBatchBody(body, offset);
      if (!batch.ok()) return batch.status();
      journal.batches.push_back(*std::move(batch));
    } else {
      return Malformed(offset, "is of an unknown kind");
    }
    offset += kLengthBytes + length + kChecksumBytes;
  }
  if (!have_base && !journal.batches.empty()) {
    return absl::DataLossError("log journal: batches without a base record");
  }
  return journal;
}

}  // namespace modelseal::tlog_internal
