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

#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
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

}  // namespace modelseal

#endif  // MODELSEAL_MODEL_WALK_H_
