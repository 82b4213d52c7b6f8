// Trusted root parsing on arbitrary bytes: never crash; a root that parses
// must also survive being used for a (failing) verification.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "modelseal/sigstore.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  auto root = modelseal::sigstore::TrustedRoot::Parse(input);
  if (!root.ok()) return 0;
  const modelseal::sigstore::CertificateIdentity identity{
      "a@invalid.test", "", "https://issuer.invalid.test", ""};
  auto verified = modelseal::sigstore::VerifyKeylessBundle(
      R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json",)"
      R"("verificationMaterial":{"certificate":{"rawBytes":"MAA="}},)"
      R"("messageSignature":{"signature":"MAA="}})",
      *root, identity, std::string(32, '\x01'));
  if (verified.ok()) std::abort();
  return 0;
}
