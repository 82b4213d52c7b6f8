#include "modelseal/licenses.h"

#include <array>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace modelseal {
namespace {

struct HubLicense {
  absl::string_view hub;
  absl::string_view spdx;  // empty: no SPDX id (LicenseRef-hf-<hub>)
  bool ambiguous = false;
};

// Source: the Hugging Face Hub license list (huggingface/hub-docs,
// docs/hub/repositories-licenses.md, including the later llama3*, eupl-1.2
// and apple-* additions), mapped to SPDX License List ids by hand. The
// GNU ids map to their "-only" forms, which is what the Hub's full names
// ("GNU General Public License v3.0") denote.
constexpr std::array<HubLicense, 81> kHubLicenses = {{
    {"apache-2.0", "Apache-2.0"},
    {"mit", "MIT"},
    {"openrail", "", true},
    {"bigscience-openrail-m", ""},
    {"creativeml-openrail-m", ""},
    {"bigscience-bloom-rail-1.0", ""},
    {"bigcode-openrail-m", ""},
    {"afl-3.0", "AFL-3.0"},
    {"artistic-2.0", "Artistic-2.0"},
    {"bsl-1.0", "BSL-1.0"},
    {"bsd", "", true},
    {"bsd-2-clause", "BSD-2-Clause"},
    {"bsd-3-clause", "BSD-3-Clause"},
    {"bsd-3-clause-clear", "BSD-3-Clause-Clear"},
    {"c-uda", "C-UDA-1.0"},
    {"cc", "", true},
    {"cc0-1.0", "CC0-1.0"},
    {"cc-by-2.0", "CC-BY-2.0"},
    {"cc-by-2.5", "CC-BY-2.5"},
    {"cc-by-3.0", "CC-BY-3.0"},
    {"cc-by-4.0", "CC-BY-4.0"},
    {"cc-by-sa-3.0", "CC-BY-SA-3.0"},
    {"cc-by-sa-4.0", "CC-BY-SA-4.0"},
    {"cc-by-nc-2.0", "CC-BY-NC-2.0"},
    {"cc-by-nc-3.0", "CC-BY-NC-3.0"},
    {"cc-by-nc-4.0", "CC-BY-NC-4.0"},
    {"cc-by-nd-4.0", "CC-BY-ND-4.0"},
    {"cc-by-nc-nd-3.0", "CC-BY-NC-ND-3.0"},
    {"cc-by-nc-nd-4.0", "CC-BY-NC-ND-4.0"},
    {"cc-by-nc-sa-2.0", "CC-BY-NC-SA-2.0"},
    {"cc-by-nc-sa-3.0", "CC-BY-NC-SA-3.0"},
    {"cc-by-nc-sa-4.0", "CC-BY-NC-SA-4.0"},
    {"cdla-sharing-1.0", "CDLA-Sharing-1.0"},
    {"cdla-permissive-1.0", "CDLA-Permissive-1.0"},
    {"cdla-permissive-2.0", "CDLA-Permissive-2.0"},
    {"wtfpl", "WTFPL"},
    {"ecl-2.0", "ECL-2.0"},
    {"epl-1.0", "EPL-1.0"},
    {"epl-2.0", "EPL-2.0"},
    {"etalab-2.0", "etalab-2.0"},
    {"eupl-1.1", "EUPL-1.1"},
    {"eupl-1.2", "EUPL-1.2"},
    {"agpl-3.0", "AGPL-3.0-only"},
    {"gfdl", "", true},
    {"gpl", "", true},
    {"gpl-2.0", "GPL-2.0-only"},
    {"gpl-3.0", "GPL-3.0-only"},
    {"lgpl", "", true},
    {"lgpl-2.1", "LGPL-2.1-only"},
    {"lgpl-3.0", "LGPL-3.0-only"},
    {"isc", "ISC"},
    {"h-research", ""},
    {"intel-research", ""},
    {"lppl-1.3c", "LPPL-1.3c"},
    {"ms-pl", "MS-PL"},
    {"apple-ascl", ""},
    {"apple-amlr", ""},
    {"mpl-2.0", "MPL-2.0"},
    {"odc-by", "ODC-By-1.0"},
    {"odbl", "ODbL-1.0"},
    {"openmdw-1.0", ""},
    {"openrail++", ""},
    {"osl-3.0", "OSL-3.0"},
    {"postgresql", "PostgreSQL"},
    {"ofl-1.1", "OFL-1.1"},
    {"ncsa", "NCSA"},
    {"unlicense", "Unlicense"},
    {"zlib", "Zlib"},
    {"pddl", "PDDL-1.0"},
    {"lgpl-lr", ""},
    {"deepfloyd-if-license", ""},
    {"fair-noncommercial-research-license", ""},
    {"llama2", ""},
    {"llama3", ""},
    {"llama3.1", ""},
    {"llama3.2", ""},
    {"llama3.3", ""},
    {"llama4", ""},
    {"gemma", ""},
    {"unknown", "", true},
    {"other", "", true},
}};

std::string Canonical(const HubLicense& license) {
  if (!license.spdx.empty()) return std::string(license.spdx);
  return absl::StrCat("LicenseRef-hf-", license.hub);
}

}  // namespace

LicenseId ResolveLicense(absl::string_view id) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(id);
  for (const HubLicense& license : kHubLicenses) {
    if (absl::EqualsIgnoreCase(trimmed, license.hub) ||
        (!license.spdx.empty() &&
         absl::EqualsIgnoreCase(trimmed, license.spdx)) ||
        absl::EqualsIgnoreCase(trimmed, Canonical(license))) {
      return LicenseId{Canonical(license), true, license.ambiguous};
    }
  }
  return LicenseId{std::string(trimmed), false, false};
}

bool SameLicense(absl::string_view a, absl::string_view b) {
  return absl::EqualsIgnoreCase(a, b);
}

}  // namespace modelseal
