// Keyless verification on arbitrary bundle bytes against the embedded
// public-good root: never crash, never hang, and never accept (no input can
// carry a valid Fulcio certificate, SCT and Rekor proof for this identity
// without the real keys; a crash or an OK is a bug).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "modelseal/sigstore.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  static const modelseal::sigstore::TrustedRoot* root = [] {
    auto parsed = modelseal::sigstore::TrustedRoot::PublicGood();
    if (!parsed.ok()) std::abort();
    return new modelseal::sigstore::TrustedRoot(*parsed);
  }();
  const std::string input(reinterpret_cast<const char*>(data), size);
  (void)modelseal::sigstore::IsKeylessBundle(input);
  const modelseal::sigstore::CertificateIdentity identity{
      "fuzzer@invalid.test", "", "https://issuer.invalid.test", ""};
  auto verified = modelseal::sigstore::VerifyKeylessBundle(
      input, *root, identity, std::string(32, '\x5a'));
  if (verified.ok()) std::abort();
  return 0;
}
