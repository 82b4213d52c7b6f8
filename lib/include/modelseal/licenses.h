// License identifiers: the Hugging Face Hub's card ids mapped to SPDX.
//
//   LicenseId id = ResolveLicense("cc-by-nc-4.0");
//   // id.spdx == "CC-BY-NC-4.0", id.known == true
//
// Model cards name licenses by Hub id (`license: apache-2.0`); policies may
// name them by Hub id or SPDX id. Both are brought to one canonical form,
// the SPDX id where one exists, otherwise "LicenseRef-hf-<hub id>" (Hub
// licenses such as llama2 or openrail have no SPDX id), so that lists
// compare like with like. Comparison is case-insensitive, as SPDX ids are.
// The table is data: the Hub's license list (huggingface/hub-docs,
// docs/hub/repositories-licenses.md) and the SPDX License List 3.x.
#ifndef MODELSEAL_LICENSES_H_
#define MODELSEAL_LICENSES_H_

#include <string>

#include "absl/strings/string_view.h"

namespace modelseal {

struct LicenseId {
  std::string spdx;  // canonical id ("Apache-2.0", "LicenseRef-hf-llama2")
  // True for a Hub id or an SPDX id in the table; false for anything else,
  // which is kept as written (trimmed) so policies can still name it.
  bool known = false;
  // Hub ids that name a family rather than one license ("bsd", "gpl", "cc",
  // "openrail", "unknown", "other"): a card using them says too little for
  // an allow-list to accept it.
  bool ambiguous = false;
};

LicenseId ResolveLicense(absl::string_view id);

// Case-insensitive equality of two canonical ids.
bool SameLicense(absl::string_view a, absl::string_view b);

}  // namespace modelseal

#endif  // MODELSEAL_LICENSES_H_
