// c2sp.org/tlog-checkpoint bodies. Each value has exactly one accepted
// spelling (canonical decimal, canonical base64), so two different texts
// never describe the same tree head.
#include "modelseal/checkpoint.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "modelseal/limits.h"
#include "modelseal/status.h"
#include "util/base64.h"

namespace modelseal::tlog {
namespace {

absl::Status CheckLine(absl::string_view line, absl::string_view what) {
  if (line.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint ", what, " is empty"));
  }
  for (char c : line) {
    if (static_cast<unsigned char>(c) < 0x20) {
      return absl::InvalidArgumentError(
          absl::StrCat("checkpoint ", what, " contains a control character"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::uint64_t> ParseTreeSize(absl::string_view text) {
  if (text.empty() || text.size() > 20) {
    return absl::InvalidArgumentError("checkpoint tree size is malformed");
  }
  if (text.size() > 1 && text[0] == '0') {
    return absl::InvalidArgumentError(
        "checkpoint tree size has a leading zero");
  }
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return absl::InvalidArgumentError(
          "checkpoint tree size is not a decimal number");
    }
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) {
      return absl::ResourceExhaustedError("checkpoint tree size overflows");
    }
    value = value * 10 + digit;
  }
  if (value > limits::kMaxLogTreeSize) {
    return absl::ResourceExhaustedError(
        absl::StrCat("checkpoint tree size ", value, " is above the limit ",
                     limits::kMaxLogTreeSize));
  }
  return value;
}

}  // namespace

absl::StatusOr<std::string> FormatCheckpoint(const Checkpoint& checkpoint) {
  MODELSEAL_RETURN_IF_ERROR(CheckLine(checkpoint.origin, "origin"));
  if (checkpoint.origin.size() > limits::kMaxCheckpointOriginBytes) {
    return absl::InvalidArgumentError("checkpoint origin is too long");
  }
  if (checkpoint.size > limits::kMaxLogTreeSize) {
    return absl::InvalidArgumentError("checkpoint tree size is too large");
  }
  if (checkpoint.extensions.size() > limits::kMaxCheckpointExtensionLines) {
    return absl::InvalidArgumentError("too many checkpoint extension lines");
  }
  std::string text =
      absl::StrCat(checkpoint.origin, "\n", checkpoint.size, "\n",
                   util::Base64Encode(HashBytes(checkpoint.root)), "\n");
  for (const std::string& extension : checkpoint.extensions) {
    MODELSEAL_RETURN_IF_ERROR(CheckLine(extension, "extension line"));
    absl::StrAppend(&text, extension, "\n");
  }
  return text;
}

absl::StatusOr<Checkpoint> ParseCheckpoint(absl::string_view text) {
  if (text.size() > limits::kMaxSignedNoteBytes) {
    return absl::ResourceExhaustedError("checkpoint is too large");
  }
  if (text.empty() || text.back() != '\n') {
    return absl::InvalidArgumentError("checkpoint must end with a newline");
  }
  text.remove_suffix(1);
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  if (lines.size() < 3) {
    return absl::InvalidArgumentError(
        "checkpoint needs origin, tree size and root hash lines");
  }
  if (lines.size() - 3 > limits::kMaxCheckpointExtensionLines) {
    return absl::ResourceExhaustedError(
        absl::StrCat("checkpoint has more than ",
                     limits::kMaxCheckpointExtensionLines, " extension lines"));
  }
  Checkpoint checkpoint;
  MODELSEAL_RETURN_IF_ERROR(CheckLine(lines[0], "origin"));
  if (lines[0].size() > limits::kMaxCheckpointOriginBytes) {
    return absl::ResourceExhaustedError("checkpoint origin is too long");
  }
  checkpoint.origin = std::string(lines[0]);
  MODELSEAL_ASSIGN_OR_RETURN(checkpoint.size, ParseTreeSize(lines[1]));
  absl::StatusOr<std::string> root = util::Base64Decode(lines[2]);
  if (!root.ok() || root->size() != kHashBytes) {
    return absl::InvalidArgumentError(
        "checkpoint root hash is not base64 of 32 bytes");
  }
  MODELSEAL_ASSIGN_OR_RETURN(checkpoint.root, HashFromBytes(*root));
  for (std::size_t i = 3; i < lines.size(); ++i) {
    MODELSEAL_RETURN_IF_ERROR(CheckLine(lines[i], "extension line"));
    checkpoint.extensions.emplace_back(lines[i]);
  }
  return checkpoint;
}

absl::StatusOr<SignedCheckpoint> OpenCheckpoint(
    absl::string_view note, absl::Span<const NoteVerifier> known,
    absl::string_view expected_origin) {
  MODELSEAL_ASSIGN_OR_RETURN(OpenedNote opened, OpenNote(note, known));
  MODELSEAL_ASSIGN_OR_RETURN(Checkpoint checkpoint,
                             ParseCheckpoint(opened.text));
  if (!expected_origin.empty() && checkpoint.origin != expected_origin) {
    return absl::UnauthenticatedError(
        absl::StrCat("checkpoint is for log \"", checkpoint.origin,
                     "\", expected \"", expected_origin, "\""));
  }
  return SignedCheckpoint{std::move(checkpoint), std::string(note)};
}

}  // namespace modelseal::tlog
