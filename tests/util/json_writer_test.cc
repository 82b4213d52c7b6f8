// JsonWriter: escaping (every ASCII byte, against a byte-at-a-time
// reference), runs before, between and after escapes, UTF-8 passed through,
// and the structure of objects and arrays.
#include "util/json_writer.h"

#include <string>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"

namespace modelseal {
namespace {

// The escaping JSON needs, one byte at a time (RFC 8259 section 7).
std::string ReferenceQuote(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20) {
      out += absl::StrFormat("\\u%04x", byte);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Quote(const std::string& value) {
  JsonWriter writer;
  writer.String(value);
  return writer.text();
}

TEST(JsonWriterTest, EscapesExactlyWhatJsonRequires) {
  EXPECT_EQ(Quote(""), "\"\"");
  EXPECT_EQ(Quote("plain"), "\"plain\"");
  EXPECT_EQ(Quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Quote("\n\r\t"), "\"\\n\\r\\t\"");
  EXPECT_EQ(Quote(std::string("\0\x1f", 2)), "\"\\u0000\\u001f\"");
  EXPECT_EQ(Quote("\x7f/"), "\"\x7f/\"");  // DEL and '/' need no escape
  EXPECT_EQ(Quote("caf\xc3\xa9 \xe2\x9c\x93"), "\"caf\xc3\xa9 \xe2\x9c\x93\"");
}

TEST(JsonWriterTest, EveryAsciiByteInEveryPositionMatchesTheReference) {
  for (int byte = 0; byte < 0x80; ++byte) {
    const std::string c(1, static_cast<char>(byte));
    for (const std::string& value :
         {c, c + "tail", "head" + c, "head" + c + "tail", c + c + "x" + c}) {
      EXPECT_EQ(Quote(value), ReferenceQuote(value)) << "byte " << byte;
    }
  }
}

TEST(JsonWriterTest, WritesObjectsAndArraysWithCommasOnlyBetweenValues) {
  JsonWriter writer;
  writer.BeginObject()
      .Key("a")
      .Number(1)
      .Key("b")
      .BeginArray()
      .String("x")
      .Bool(true)
      .Raw("{}")
      .EndArray()
      .Key("c")
      .BeginObject()
      .EndObject()
      .EndObject();
  EXPECT_EQ(writer.text(), R"({"a":1,"b":["x",true,{}],"c":{}})");
}

}  // namespace
}  // namespace modelseal
