#include "scan/json.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "util/utf8.h"

namespace modelseal::scan_internal {
namespace {

class Parser {
 public:
  Parser(absl::string_view text, std::size_t max_depth, bool reject_duplicates)
      : text_(text),
        max_depth_(max_depth),
        reject_duplicates_(reject_duplicates) {}

  absl::StatusOr<JsonValue> ParseDocument() {
    JsonValue value;
    SkipWhitespace();
    if (!ParseValue(value, 0)) return Error();
    SkipWhitespace();
    if (position_ != text_.size()) {
      error_ = "unexpected bytes after the JSON value";
      return Error();
    }
    return value;
  }

 private:
  absl::Status Error() const {
    return absl::InvalidArgumentError(
        absl::StrCat(error_, " at byte ", position_));
  }
  bool Fail(const char* message) {
    error_ = message;
    return false;
  }
  void SkipWhitespace() {
    while (position_ < text_.size()) {
      const char c = text_[position_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++position_;
    }
  }
  bool Literal(absl::string_view word) {
    if (text_.substr(position_, word.size()) != word) {
      return Fail("invalid literal");
    }
    position_ += word.size();
    return true;
  }

  bool ParseValue(JsonValue& value, std::size_t depth) {
    if (position_ >= text_.size()) return Fail("unexpected end of JSON");
    switch (text_[position_]) {
      case '{':
        return ParseObject(value, depth + 1);
      case '[':
        return ParseArray(value, depth + 1);
      case '"':
        value.type = JsonValue::Type::kString;
        return ParseString(value.text);
      case 't':
        value.type = JsonValue::Type::kBool;
        value.boolean = true;
        return Literal("true");
      case 'f':
        value.type = JsonValue::Type::kBool;
        return Literal("false");
      case 'n':
        value.type = JsonValue::Type::kNull;
        return Literal("null");
      default:
        value.type = JsonValue::Type::kNumber;
        return ParseNumber(value.text);
    }
  }

  bool ParseObject(JsonValue& value, std::size_t depth) {
    if (depth > max_depth_) return Fail("JSON nested too deeply");
    value.type = JsonValue::Type::kObject;
    ++position_;
    SkipWhitespace();
    absl::flat_hash_set<std::string> keys;
    if (position_ < text_.size() && text_[position_] == '}') {
      ++position_;
      return true;
    }
    while (true) {
      SkipWhitespace();
      if (position_ >= text_.size() || text_[position_] != '"') {
        return Fail("expected an object key");
      }
      std::string key;
      const std::size_t key_start = position_;
      if (!ParseString(key)) return false;
      if (reject_duplicates_ && !keys.insert(key).second) {
        position_ = key_start;
        duplicate_key_ = key;
        error_ = "duplicate key '" + key.substr(0, 200) + "'";
        return false;
      }
      SkipWhitespace();
      if (position_ >= text_.size() || text_[position_] != ':') {
        return Fail("expected ':'");
      }
      ++position_;
      SkipWhitespace();
      value.members.push_back(JsonMember{std::move(key), JsonValue()});
      if (!ParseValue(value.members.back().second, depth)) return false;
      SkipWhitespace();
      if (position_ >= text_.size()) return Fail("unexpected end of JSON");
      if (text_[position_] == ',') {
        ++position_;
        continue;
      }
      if (text_[position_] == '}') {
        ++position_;
        return true;
      }
      return Fail("expected ',' or '}'");
    }
  }

  bool ParseArray(JsonValue& value, std::size_t depth) {
    if (depth > max_depth_) return Fail("JSON nested too deeply");
    value.type = JsonValue::Type::kArray;
    ++position_;
    SkipWhitespace();
    if (position_ < text_.size() && text_[position_] == ']') {
      ++position_;
      return true;
    }
    while (true) {
      SkipWhitespace();
      value.items.emplace_back();
      if (!ParseValue(value.items.back(), depth)) return false;
      SkipWhitespace();
      if (position_ >= text_.size()) return Fail("unexpected end of JSON");
      if (text_[position_] == ',') {
        ++position_;
        continue;
      }
      if (text_[position_] == ']') {
        ++position_;
        return true;
      }
      return Fail("expected ',' or ']'");
    }
  }

  bool ParseNumber(std::string& out) {
    const std::size_t start = position_;
    auto digits = [&] {
      const std::size_t from = position_;
      while (position_ < text_.size() && text_[position_] >= '0' &&
             text_[position_] <= '9') {
        ++position_;
      }
      return position_ - from;
    };
    if (position_ < text_.size() && text_[position_] == '-') ++position_;
    if (position_ < text_.size() && text_[position_] == '0') {
      ++position_;
    } else if (digits() == 0) {
      return Fail("invalid number");
    }
    if (position_ < text_.size() && text_[position_] == '.') {
      ++position_;
      if (digits() == 0) return Fail("invalid number");
    }
    if (position_ < text_.size() &&
        (text_[position_] == 'e' || text_[position_] == 'E')) {
      ++position_;
      if (position_ < text_.size() &&
          (text_[position_] == '+' || text_[position_] == '-')) {
        ++position_;
      }
      if (digits() == 0) return Fail("invalid number");
    }
    out.assign(text_.data() + start, position_ - start);
    return true;
  }

  int Hex4(std::size_t at) const {
    if (at + 4 > text_.size()) return -1;
    int value = 0;
    for (std::size_t i = at; i < at + 4; ++i) {
      const char c = text_[i];
      int d;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        d = c - 'A' + 10;
      } else {
        return -1;
      }
      value = value * 16 + d;
    }
    return value;
  }

  static void Append(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool ParseString(std::string& out) {
    ++position_;  // opening quote
    out.clear();
    const std::size_t run_start = position_;
    // Fast path: no escapes.
    while (position_ < text_.size()) {
      const unsigned char c = static_cast<unsigned char>(text_[position_]);
      if (c == '"') {
        const absl::string_view run =
            text_.substr(run_start, position_ - run_start);
        if (!IsValidUtf8Text(run)) return Fail("string is not valid UTF-8");
        out.assign(run.data(), run.size());
        ++position_;
        return true;
      }
      if (c == '\\' || c < 0x20) break;
      ++position_;
    }
    position_ = run_start;
    std::size_t plain_start = position_;
    auto flush = [&]() -> bool {
      const absl::string_view run =
          text_.substr(plain_start, position_ - plain_start);
      if (!IsValidUtf8Text(run)) return Fail("string is not valid UTF-8");
      out.append(run.data(), run.size());
      return true;
    };
    while (true) {
      if (position_ >= text_.size()) return Fail("unterminated string");
      const unsigned char c = static_cast<unsigned char>(text_[position_]);
      if (c < 0x20) return Fail("control character in string");
      if (c == '"') {
        if (!flush()) return false;
        ++position_;
        return true;
      }
      if (c != '\\') {
        ++position_;
        continue;
      }
      if (!flush()) return false;
      if (++position_ >= text_.size()) return Fail("unterminated string");
      const char e = text_[position_++];
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          int unit = Hex4(position_);
          if (unit < 0) return Fail("bad \\u escape");
          position_ += 4;
          std::uint32_t cp = static_cast<std::uint32_t>(unit);
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (text_.substr(position_, 2) != "\\u") {
              return Fail("unpaired surrogate");
            }
            const int low = Hex4(position_ + 2);
            if (low < 0xDC00 || low > 0xDFFF) return Fail("unpaired surrogate");
            position_ += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) +
                 (static_cast<std::uint32_t>(low) - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return Fail("unpaired surrogate");
          }
          Append(out, cp);
          break;
        }
        default:
          return Fail("invalid escape");
      }
      plain_start = position_;
    }
  }

  absl::string_view text_;
  std::size_t max_depth_;
  bool reject_duplicates_;
  std::size_t position_ = 0;
  std::string error_;
  std::string duplicate_key_;
};

}  // namespace

const JsonValue* JsonValue::Find(absl::string_view key) const {
  for (const auto& [name, value] : members) {
    if (name == key) return &value;
  }
  return nullptr;
}

std::optional<std::uint64_t> JsonValue::AsUint64() const {
  if (type != Type::kNumber || text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

absl::StatusOr<JsonValue> ParseJson(absl::string_view text,
                                    std::size_t max_depth,
                                    bool reject_duplicate_keys) {
  Parser parser(text, max_depth, reject_duplicate_keys);
  return parser.ParseDocument();
}

bool IsValidUtf8Text(absl::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = util::Utf8SequenceLength(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

}  // namespace modelseal::scan_internal
