// Listing the files of a model, as the OpenSSF Model Signing (OMS)
// serialization defines it.
//
// Every regular file below the root is listed, dot-files included, except
// paths matched by an ignore entry. An ignore entry is a path relative to the
// root; it matches that path and everything below it, component by component
// (".git" ignores ".git/config" but not ".gitkeep" or "sub/.git").
//
// Anything that is not a regular file or directory is an error: FIFOs,
// sockets and devices always; symbolic links unless `allow_symlinks`, and
// even then a link whose target leaves the model root is an error. Names
// must be valid UTF-8; the result is sorted by plain byte order.
//
// A single regular file as root is a one-file model whose only name is ".".
#ifndef MODELSEAL_MODEL_WALK_H_
#define MODELSEAL_MODEL_WALK_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "modelseal/env.h"

namespace modelseal {

struct WalkOptions {
  // Relative to the root, '/'-separated, no "." or ".." components.
  std::vector<std::string> ignore_paths;
  bool allow_symlinks = false;
};

struct ModelFile {
  // Name relative to the model root ("." for a one-file model).
  std::string name;
  // Path to open (the link target's real path for an allowed symlink).
  std::string path;
  // lstat() of `path` at listing time; the hashing engine checks it again.
  FileInfo info;
};

// The OMS default ignore list: top-level .git, .gitattributes, .github and
// .gitignore.
std::vector<std::string> DefaultIgnorePaths();

// Checks one ignore entry and returns it normalized (no trailing '/').
// Rejects empty, absolute, "." / ".." components and empty components.
absl::StatusOr<std::string> NormalizeIgnorePath(absl::string_view entry);

// True when `name` equals `entry` or lies below it.
bool IsIgnored(absl::string_view name, const std::vector<std::string>& entries);

// True for a string that is valid UTF-8 (no overlongs, no surrogates).
bool IsValidUtf8(absl::string_view text);

// Lists the model at `root`. Errors: kNotFound (root missing or a file
// vanished during the walk), kFailedPrecondition (special file, symlink not
// allowed or escaping the root), kInvalidArgument (non-UTF-8 name, empty
// model), kResourceExhausted (limits.h bounds).
absl::StatusOr<std::vector<ModelFile>> WalkModel(Env& env,
                                                 const std::string& root,
                                                 const WalkOptions& options);

// WalkModel started early on a thread of its own, for a caller that has
// other work to do first and learns the walk's options only at the end of
// it (verify: the signed statement names its ignore paths):
//
//   BackgroundWalk early(env, root, guess);      // starts listing now
//   ... read and check the signature, parse the statement ...
//   auto files = early.Take(statement_options);  // == WalkModel(env, root,
//                                                //    statement_options)
//
// Take() returns the background result when `options` are equivalent to
// the guess (the same set of ignore paths, in any order, and the same
// symlink rule), and otherwise abandons it and walks now; either way the
// result is what WalkModel(env, root, options) gives. Destroying an untaken
// BackgroundWalk stops the walk at its next directory and waits for it.
// With one CPU nothing runs in the background and Take() just walks.
class BackgroundWalk {
 public:
  BackgroundWalk(Env& env, std::string root, WalkOptions guess);
  ~BackgroundWalk();
  BackgroundWalk(const BackgroundWalk&) = delete;
  BackgroundWalk& operator=(const BackgroundWalk&) = delete;

  // At most once.
  absl::StatusOr<std::vector<ModelFile>> Take(const WalkOptions& options);

  // Whether the last Take() used the background result (for tests).
  bool used_background() const { return used_background_; }

 private:
  struct Shared;
  Env& env_;
  std::string root_;
  WalkOptions guess_;
  std::unique_ptr<Shared> shared_;  // null when nothing runs in background
  bool used_background_ = false;
};

}  // namespace modelseal

#endif  // MODELSEAL_MODEL_WALK_H_
