// Builds against an installed modelseal through find_package(modelseal).
#include <iostream>

#include "modelseal/hash.h"
#include "modelseal/hex.h"

int main() {
  // BLAKE3 of the empty input (official test vector).
  const std::string digest = modelseal::HexEncode(
      modelseal::HashBytes(modelseal::HashAlgorithm::kBlake3, ""));
  std::cout << digest << "\n";
  return digest ==
                 "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f"
                 "3262"
             ? 0
             : 1;
}
