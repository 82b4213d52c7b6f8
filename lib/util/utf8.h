// UTF-8 well-formedness (RFC 3629), in one place for the walk (file names),
// the scanner (strings inside model files) and reports (names and messages
// quoted from hostile input) (internal to the library).
//
// Hand-written because abseil has no validator and the rules are few: no
// overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no
// truncated sequence.
#ifndef MODELSEAL_UTIL_UTF8_H_
#define MODELSEAL_UTIL_UTF8_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace modelseal::util {

// The length (1 to 4) of the well-formed UTF-8 sequence starting at
// text[at], or 0 when the bytes there do not start one. `at` < text.size().
std::size_t Utf8SequenceLength(absl::string_view text, std::size_t at);

}  // namespace modelseal::util

#endif  // MODELSEAL_UTIL_UTF8_H_
