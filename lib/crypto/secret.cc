#include <sodium.h>

#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "modelseal/crypto.h"

namespace modelseal {
namespace {

// Zeroes the whole buffer, not just size(): a string that shrank, or that
// handed its heap buffer away in a move, may still hold bytes past size() in
// its capacity (or in its small-string buffer).
void Wipe(std::string& value) {
  value.resize(value.capacity());
  sodium_memzero(value.data(), value.size());
  value.clear();
}

}  // namespace

SecretString::SecretString(std::string&& value) : value_(std::move(value)) {
  Wipe(value);
}

SecretString::~SecretString() { Wipe(value_); }

SecretString::SecretString(SecretString&& other) noexcept
    : value_(std::move(other.value_)) {
  Wipe(other.value_);
}

SecretString& SecretString::operator=(SecretString&& other) noexcept {
  if (this != &other) {
    Wipe(value_);
    value_ = std::move(other.value_);
    Wipe(other.value_);
  }
  return *this;
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace modelseal
