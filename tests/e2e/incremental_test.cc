// End-to-end: the digest cache, incremental signing (--reuse), partial
// verification (--only) and model_signing v0.2 bundles, through the binary.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/cli_runner.h"

namespace modelseal {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kReference =
    MODELSEAL_TEST_VECTORS_DIR "/oms/model-transparency/";

// A model, an Ed25519 key (deterministic signatures, so bundles over the
// same statement are byte-identical) and a private cache directory.
class Incremental : public ::testing::Test {
 protected:
  Incremental() {
    EXPECT_EQ(RunShell("cp -r " + Quote(kExample) + " " + Quote(Path("model")))
                  .exit_code,
              0);
    EXPECT_EQ(
        Run("keygen --type ed25519 --out " + Quote(Path("key"))).exit_code, 0);
    EXPECT_EQ(
        Run("keygen --type ed25519 --out " + Quote(Path("other"))).exit_code,
        0);
  }
  std::string Path(const std::string& relative) const {
    return dir_.Join(relative);
  }
  Result Run(const std::string& args) const {
    return RunShell("XDG_CACHE_HOME=" + Quote(Path("cache")) + " " +
                    kModelseal + " " + args);
  }
  Result Sign(const std::string& out, const std::string& extra = "",
              const std::string& key = "key") const {
    return Run("sign " + Quote(Path("model")) + " --key " +
               Quote(Path(key + ".key")) + " -o " + Quote(Path(out)) + " " +
               extra);
  }
  Result Verify(const std::string& bundle,
                const std::string& extra = "") const {
    return Run("verify " + Quote(Path("model")) + " --signature " +
               Quote(Path(bundle)) + " --key " + Quote(Path("key.pub")) + " " +
               extra);
  }
  // Files changed within the cache's 2 s safety margin are not recorded.
  static void LetTheFilesAge() {
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  }

  TempDir dir_;
};

TEST_F(Incremental, ReuseWritesExactlyWhatAFullSignWrites) {
  LetTheFilesAge();
  const Result first = Sign("old.sig", "--cache");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  dir_.Write("model/README.md", "# Tiny model\n\nUpdated card.\n");
  dir_.Write("model/added.txt", "new file\n");
  const Result reused = Sign("new.sig", "--reuse " + Quote(Path("old.sig")));
  ASSERT_EQ(reused.exit_code, 0) << reused.err;
  EXPECT_THAT(reused.err, HasSubstr("1 changed (README.md)"));
  EXPECT_THAT(reused.err, HasSubstr("1 added (added.txt)"));
  EXPECT_THAT(reused.err, Not(HasSubstr(" 0 digests from the cache")));
  const Result full =
      RunShell(kModelseal + " sign " + Quote(Path("model")) + " --key " +
               Quote(Path("key.key")) + " -o " + Quote(Path("full.sig")));
  ASSERT_EQ(full.exit_code, 0) << full.err;
  EXPECT_EQ(ReadAll(Path("new.sig")), ReadAll(Path("full.sig")));
  EXPECT_EQ(Verify("new.sig").exit_code, 0);
}

TEST_F(Incremental, ReuseRefusesATamperedOrForeignBundle) {
  ASSERT_EQ(Sign("old.sig").exit_code, 0);
  ASSERT_EQ(Sign("foreign.sig", "", "other").exit_code, 0);
  const Result foreign =
      Sign("new.sig", "--reuse " + Quote(Path("foreign.sig")));
  EXPECT_EQ(foreign.exit_code, 1) << foreign.err;
  EXPECT_THAT(foreign.err, HasSubstr("--reuse-key"));
  EXPECT_EQ(access(Path("new.sig").c_str(), F_OK), -1);
  // With the right key it is accepted.
  EXPECT_EQ(Sign("new.sig", "--reuse " + Quote(Path("foreign.sig")) +
                                " --reuse-key " + Quote(Path("other.pub")))
                .exit_code,
            0);

  // Flip one character inside the base64 payload.
  std::string bundle = ReadAll(Path("old.sig"));
  const std::size_t at = bundle.find("\"payload\":\"") + 40;
  bundle[at] = bundle[at] == 'A' ? 'B' : 'A';
  dir_.Write("tampered.sig", bundle);
  const Result tampered =
      Sign("new2.sig", "--reuse " + Quote(Path("tampered.sig")));
  EXPECT_NE(tampered.exit_code, 0);
  EXPECT_THAT(tampered.err, HasSubstr("--reuse"));
  EXPECT_EQ(access(Path("new2.sig").c_str(), F_OK), -1);
  // Another hash could never reuse a digest: say so.
  const Result other_hash =
      Sign("new3.sig", "--hash blake2b --reuse " + Quote(Path("old.sig")));
  EXPECT_EQ(other_hash.exit_code, 3) << other_hash.err;
  EXPECT_THAT(other_hash.err, HasSubstr("--hash"));
  EXPECT_EQ(
      Run("sign " + Quote(Path("model")) + " --key " + Quote(Path("key.key")) +
          " --reuse-key " + Quote(Path("key.pub")))
          .exit_code,
      2);
}

TEST_F(Incremental, TheCacheIsPrivateAndACachedVerifyStillCatchesChanges) {
  LetTheFilesAge();
  ASSERT_EQ(Sign("model.sig").exit_code, 0);
  const Result first = Verify("model.sig", "--cache");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("bytes re-hashed"));
  // The second run says the cache answered, in text and JSON, instead of
  // claiming the bytes were read again.
  const Result second = Verify("model.sig", "--cache");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.out, HasSubstr("of them by the digest cache"));
  EXPECT_THAT(second.out, Not(HasSubstr("re-hashed")));
  const Result json = Verify("model.sig", "--cache --format json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"bytes_from_cache\":\"16235\""));
  const Result uncached = Verify("model.sig", "--format json");
  EXPECT_THAT(uncached.out, HasSubstr("\"bytes_from_cache\":\"0\""));
  struct stat st;
  ASSERT_EQ(stat(Path("cache/modelseal").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(stat(Path("cache/modelseal/key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat(Path("cache/modelseal/digests").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // A change with the mtime put back is still seen (ctime moved).
  const std::string file = Path("model/config.json");
  struct stat before;
  ASSERT_EQ(stat(file.c_str(), &before), 0);
  std::string config = ReadAll(file);
  config[config.size() / 2] ^= 1;
  dir_.Write("model/config.json", config);
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(utimensat(AT_FDCWD, file.c_str(), times, 0), 0);
  const Result cached = RunShell(
      "MODELSEAL_CACHE=1 XDG_CACHE_HOME=" + Quote(Path("cache")) + " " +
      kModelseal + " verify " + Quote(Path("model")) + " --signature " +
      Quote(Path("model.sig")) + " --key " + Quote(Path("key.pub")));
  EXPECT_EQ(cached.exit_code, 1) << cached.out;
  EXPECT_THAT(cached.out, HasSubstr("changed: config.json"));
  // A cache open to others is not used, with a warning, and the result
  // stands.
  ASSERT_EQ(chmod(Path("cache/modelseal").c_str(), 0777), 0);
  const Result open_cache = Verify("model.sig", "--cache");
  EXPECT_EQ(open_cache.exit_code, 1);
  EXPECT_THAT(open_cache.err, HasSubstr("not using the digest cache"));
}

TEST_F(Incremental, OnlyChecksTheSelectionAndSaysWhatWasNot) {
  ASSERT_EQ(Sign("model.sig").exit_code, 0);
  dir_.Write("model/README.md", "changed, but not selected\n");
  const Result partial = Verify("model.sig", "--only 'config.json'");
  EXPECT_EQ(partial.exit_code, 0) << partial.out << partial.err;
  EXPECT_THAT(partial.out, HasSubstr("OK (partial)"));
  EXPECT_THAT(partial.out, HasSubstr("NOT checked"));
  EXPECT_THAT(partial.out, HasSubstr("not checked: README.md"));
  const Result json = Verify("model.sig", "--only 'config.json' --format json");
  EXPECT_EQ(json.exit_code, 0);
  EXPECT_THAT(json.out, HasSubstr("\"partial\":true"));
  EXPECT_THAT(json.out, HasSubstr("\"README.md\""));
  // A pattern that matches nothing, a changed selected file, a missing one.
  const Result none = Verify("model.sig", "--only '*.gguf'");
  EXPECT_EQ(none.exit_code, 3);
  EXPECT_THAT(none.err + none.out, HasSubstr("matches none"));
  EXPECT_EQ(Verify("model.sig", "--only README.md").exit_code, 1);
  ASSERT_EQ(unlink(Path("model/config.json").c_str()), 0);
  const Result missing = Verify("model.sig", "--only config.json");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.out, HasSubstr("missing: config.json"));
}

TEST_F(Incremental, ReadsAModelSigningV020Bundle) {
  const std::string model = kReference + "v0.2.0-certificate";
  const Result ok = Run("verify " + Quote(model) + " --signature " +
                        Quote(model + "/model.sig") + " --ca " +
                        Quote(kReference + "keys/certificate/ca-cert.pem"));
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("model_signing v0.2 bundle"));
  // Another root: refused.
  const Result other = Run(
      "verify " + Quote(model) + " --signature " + Quote(model + "/model.sig") +
      " --ca " + Quote(kReference + "keys/certificate/int-ca-cert.pem"));
  EXPECT_EQ(other.exit_code, 1);
}

}  // namespace
}  // namespace modelseal
