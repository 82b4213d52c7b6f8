// Keyless overhead (DESIGN §5: ≤ 5 ms over key-based verification). A
// key-based verifier of the same bundle does the DSSE signature check; keyless
// adds parsing, identity, chain, SCT, Rekor body/SET/proof/checkpoint (and
// for Rekor v2 the RFC 3161 timestamp). Bundles come from the fake Sigstore
// instance of the tests (made once, at start-up); the trusted root is parsed
// once per process, as the CLI does, and timed on its own.
#include <benchmark/benchmark.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "modelseal/crypto.h"
#include "modelseal/oms_bundle.h"
#include "modelseal/sigstore.h"
#include "tests/sigstore/fake_sigstore.h"

namespace modelseal::sigstore {
namespace {

struct Fixture {
  std::unique_ptr<testing::FakeSigstore> fake = testing::FakeSigstore::Create();
  testing::BundleOptions options;
  v1::sigstore::Bundle bundle;
  std::string bundle_json;
  std::string root_json;
  std::unique_ptr<TrustedRoot> root;

  explicit Fixture(bool rekor_v2) {
    options.rekor_v2 = rekor_v2;
    bundle = fake->MakeBundle(options);
    bundle_json = testing::ToJson(bundle);
    root_json = testing::ToJson(fake->MakeTrustedRoot());
    auto parsed = TrustedRoot::Parse(root_json);
    if (!parsed.ok()) std::abort();
    root = std::make_unique<TrustedRoot>(*parsed);
  }
};

Fixture& V1() {
  static Fixture* fixture = new Fixture(false);
  return *fixture;
}
Fixture& V2() {
  static Fixture* fixture = new Fixture(true);
  return *fixture;
}

const CertificateIdentity kIdentity{testing::kTestIdentity, "",
                                    testing::kTestIssuer, ""};

// Key-based baseline: what `--key` verification of the same bundle costs,
// the DSSE signature over the PAE with the signer's public key.
void BM_KeyBasedDsseSignature(benchmark::State& state) {
  Fixture& fixture = V1();
  const std::string& leaf_der = fixture.fake->last_leaf_der();
  const unsigned char* cursor =
      reinterpret_cast<const unsigned char*>(leaf_der.data());
  X509* leaf = d2i_X509(nullptr, &cursor, static_cast<long>(leaf_der.size()));
  unsigned char* spki = nullptr;
  const int spki_length = i2d_PUBKEY(X509_get0_pubkey(leaf), &spki);
  auto verifier = VerifierFromSpkiDer(std::string(
      reinterpret_cast<char*>(spki), static_cast<std::size_t>(spki_length)));
  OPENSSL_free(spki);
  X509_free(leaf);
  if (!verifier.ok()) std::abort();
  const auto& envelope = fixture.bundle.dsse_envelope();
  const std::string pae = DssePae(envelope.payload_type(), envelope.payload());
  for (auto _ : state) {
    absl::Status verified =
        (*verifier)->Verify(pae, envelope.signatures(0).sig());
    if (!verified.ok()) std::abort();
    benchmark::DoNotOptimize(verified);
  }
}
BENCHMARK(BM_KeyBasedDsseSignature)->Unit(benchmark::kMicrosecond);

void BM_VerifyKeylessRekorV1(benchmark::State& state) {
  Fixture& fixture = V1();
  for (auto _ : state) {
    auto result = VerifyKeylessBundle(
        fixture.bundle_json, *fixture.root, kIdentity,
        testing::FakeSigstore::ArtifactSha256(fixture.options));
    if (!result.ok()) std::abort();
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_VerifyKeylessRekorV1)->Unit(benchmark::kMicrosecond);

void BM_VerifyKeylessRekorV2WithTimestamp(benchmark::State& state) {
  Fixture& fixture = V2();
  for (auto _ : state) {
    auto result = VerifyKeylessBundle(
        fixture.bundle_json, *fixture.root, kIdentity,
        testing::FakeSigstore::ArtifactSha256(fixture.options));
    if (!result.ok()) std::abort();
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_VerifyKeylessRekorV2WithTimestamp)->Unit(benchmark::kMicrosecond);

void BM_ParsePublicGoodTrustedRoot(benchmark::State& state) {
  for (auto _ : state) {
    auto root = TrustedRoot::PublicGood();
    if (!root.ok()) std::abort();
    benchmark::DoNotOptimize(root);
  }
}
BENCHMARK(BM_ParsePublicGoodTrustedRoot)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace modelseal::sigstore
