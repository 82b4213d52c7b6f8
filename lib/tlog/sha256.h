// SHA-256 for the transparency log (internal to lib/tlog).
//
// Merkle hashing calls SHA-256 on tiny inputs millions of times, so the EVP
// digest is fetched once and each thread reuses one context.
#ifndef MODELSEAL_TLOG_SHA256_H_
#define MODELSEAL_TLOG_SHA256_H_

#include <initializer_list>

#include "absl/strings/string_view.h"
#include "modelseal/merkle.h"

namespace modelseal::tlog_internal {

// SHA-256 of the concatenation of `parts`. Never fails: if OpenSSL cannot
// provide a context, libsodium's portable SHA-256 computes the same digest.
tlog::Hash Sha256(std::initializer_list<absl::string_view> parts);

}  // namespace modelseal::tlog_internal

#endif  // MODELSEAL_TLOG_SHA256_H_
