// Feeds arbitrary bytes to every PEM and DER key and certificate parser.
// Nothing may crash, and a verifier that loads must produce a PEM that loads
// again to the same key.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "modelseal/crypto.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);

  auto verifier = modelseal::LoadVerifier(input);
  if (verifier.ok()) {
    auto again = modelseal::LoadVerifier((*verifier)->public_key_pem());
    if (!again.ok() ||
        (*again)->public_key_pem() != (*verifier)->public_key_pem()) {
      std::abort();
    }
    if ((*verifier)->Verify("data", input).ok()) std::abort();
  }

  (void)modelseal::LoadSigner(input, std::nullopt);
  (void)modelseal::LoadSigner(input,
                              modelseal::SecretString("fuzz passphrase"));
  (void)modelseal::CertificatesFromPem(input);
  (void)modelseal::VerifierFromSpkiDer(input);
  return 0;
}
