#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "modelseal/checksum_file.h"
#include "modelseal/hex.h"
#include "modelseal/limits.h"
#include "modelseal/status.h"

namespace modelseal {
namespace {

absl::StatusOr<std::string> Unescape(absl::string_view path, std::size_t line) {
  std::string out;
  out.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '\\') {
      out.push_back(path[i]);
      continue;
    }
    if (i + 1 == path.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line, ": path ends in a lone backslash"));
    }
    const char next = path[++i];
    if (next == '\\') {
      out.push_back('\\');
    } else if (next == 'n') {
      out.push_back('\n');
    } else if (next == 'r') {
      out.push_back('\r');
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", line, ": unknown escape '\\", std::string(1, next), "'"));
    }
  }
  return out;
}

}  // namespace

std::string FormatChecksumLine(absl::Span<const std::uint8_t> digest,
                               absl::string_view path) {
  // '\r' is escaped too (as coreutils 9 does): a path ending in it would
  // otherwise read back without it, since readers accept CRLF line ends.
  const bool escape = path.find_first_of("\\\n\r") != absl::string_view::npos;
  std::string line = escape ? "\\" : "";
  absl::StrAppend(&line, HexEncode(digest), "  ");
  for (char c : path) {
    if (escape && c == '\\') {
      line += "\\\\";
    } else if (escape && c == '\n') {
      line += "\\n";
    } else if (escape && c == '\r') {
      line += "\\r";
    } else {
      line.push_back(c);
    }
  }
  line.push_back('\n');
  return line;
}

absl::StatusOr<std::vector<ChecksumLine>> ParseChecksumFile(
    absl::string_view contents, std::size_t digest_bytes) {
  if (contents.size() > limits::kMaxCheckFileBytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "checksum file is larger than ", limits::kMaxCheckFileBytes, " bytes"));
  }
  if (contents.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError("checksum file contains a NUL byte");
  }
  std::vector<ChecksumLine> lines;
  std::size_t number = 0;
  for (absl::string_view text : absl::StrSplit(contents, '\n')) {
    ++number;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.empty()) continue;
    const bool escaped = text.front() == '\\';
    if (escaped) text.remove_prefix(1);
    const std::size_t hex_length = digest_bytes * 2;
    if (text.size() < hex_length + 3 || text[hex_length] != ' ' ||
        (text[hex_length + 1] != ' ' && text[hex_length + 1] != '*')) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", number, ": expected '<", hex_length,
                       " hex digits>  <path>' (is the --algorithm right?)"));
    }
    auto digest = HexDecode(text.substr(0, hex_length));
    if (!digest.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", number, ": ", digest.status().message()));
    }
    absl::string_view path = text.substr(hex_length + 2);
    ChecksumLine line;
    line.digest = *std::move(digest);
    if (escaped) {
      MODELSEAL_ASSIGN_OR_RETURN(line.path, Unescape(path, number));
    } else {
      line.path = std::string(path);
    }
    lines.push_back(std::move(line));
  }
  if (lines.empty())
    return absl::InvalidArgumentError("no checksum line found");
  return lines;
}

}  // namespace modelseal
