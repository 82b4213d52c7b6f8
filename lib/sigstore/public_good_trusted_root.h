// The public-good trusted root JSON, embedded at build time from
// lib/sigstore/data/public_good_trusted_root.json (see docs/sigstore.md).
#ifndef MODELSEAL_SIGSTORE_PUBLIC_GOOD_TRUSTED_ROOT_H_
#define MODELSEAL_SIGSTORE_PUBLIC_GOOD_TRUSTED_ROOT_H_

#include "absl/strings/string_view.h"

namespace modelseal::sigstore::internal {

absl::string_view PublicGoodTrustedRootJson();

}  // namespace modelseal::sigstore::internal

#endif  // MODELSEAL_SIGSTORE_PUBLIC_GOOD_TRUSTED_ROOT_H_
