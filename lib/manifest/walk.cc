#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "modelseal/limits.h"
#include "modelseal/model_walk.h"
#include "modelseal/status.h"
#include "util/parallel.h"
#include "util/utf8.h"

namespace modelseal {

std::vector<std::string> DefaultIgnorePaths() {
  return {".git", ".gitattributes", ".github", ".gitignore"};
}

absl::StatusOr<std::string> NormalizeIgnorePath(absl::string_view entry) {
  absl::string_view trimmed = entry;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.remove_suffix(1);
  if (trimmed.empty() || trimmed.front() == '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("ignore path '", entry,
                     "' must be a non-empty path relative to the model root"));
  }
  for (absl::string_view part : absl::StrSplit(trimmed, '/')) {
    if (part.empty() || part == "." || part == "..") {
      return absl::InvalidArgumentError(absl::StrCat(
          "ignore path '", entry, "' has an empty, '.' or '..' component"));
    }
  }
  return std::string(trimmed);
}

bool IsIgnored(absl::string_view name,
               const std::vector<std::string>& entries) {
  for (const std::string& entry : entries) {
    if (name == entry) return true;
    if (name.size() > entry.size() && absl::StartsWith(name, entry) &&
        name[entry.size()] == '/') {
      return true;
    }
  }
  return false;
}

bool IsValidUtf8(absl::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = util::Utf8SequenceLength(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

namespace {

// Fewer entries than this in a directory are stated on one thread.
constexpr std::size_t kStatsPerThreadAtLeast = 32;
// The first entries of a level are stated on the calling thread and timed:
// the rest go to every core only if, at that pace, they would take longer
// than kStatsWorthThreads. On one machine measured a cached entry took
// 0.7-1.2 us (2,000 in about 1.5 ms) and spreading them over two cores made
// a cached verify 1 ms slower (waking the other thread costs more than it
// saves); on another each took about 5 us (10 ms on one thread).
constexpr std::size_t kStatsTimedFirst = 64;
constexpr std::chrono::nanoseconds kStatsWorthThreads{3'000'000};

class Walker {
 public:
  Walker(Env& env, std::string real_root, const WalkOptions& options,
         const std::atomic<bool>* cancel)
      : env_(env),
        real_root_(std::move(real_root)),
        options_(options),
        cancel_(cancel) {}

  // Walks the tree under `path` (named `name` in the model) level by level:
  // every directory of a level is listed, then all their entries are
  // stated at once on every core (one lstat per entry is most of a walk
  // whose files are already known, such as a cached verify), then visited
  // in order. The caller sorts the files.
  absl::Status Walk(const std::string& path, const std::string& name) {
    std::vector<Directory> level = {{path, name, 0}};
    while (!level.empty()) {
      std::vector<std::string> names;
      std::vector<std::string> paths;
      std::vector<std::size_t> depths;
      for (const Directory& directory : level) {
        MODELSEAL_RETURN_IF_ERROR(List(directory, &names, &paths, &depths));
      }
      // Default-constructed: an error without a message, so no allocation
      // per entry. Names that are not UTF-8 are not stated (Visit rejects
      // them).
      std::vector<absl::StatusOr<FileInfo>> infos(paths.size());
      const auto stat = [&](std::size_t i) {
        if (!IsValidUtf8(names[i])) return;
        infos[i] = env_.LinkStat(paths[i]);
      };
      const std::size_t timed = std::min(paths.size(), kStatsTimedFirst);
      const auto start = std::chrono::steady_clock::now();
      for (std::size_t i = 0; i < timed; ++i) stat(i);
      const auto spent = std::chrono::steady_clock::now() - start;
      const std::size_t rest = paths.size() - timed;
      if (rest > 0 && spent * rest / timed > kStatsWorthThreads) {
        util::ForEachInParallel(rest, kStatsPerThreadAtLeast,
                                [&](std::size_t i) { stat(timed + i); });
      } else {
        for (std::size_t i = timed; i < paths.size(); ++i) stat(i);
      }
      std::vector<Directory> next;
      for (std::size_t i = 0; i < names.size(); ++i) {
        MODELSEAL_RETURN_IF_ERROR(Visit(std::move(paths[i]),
                                        std::move(names[i]),
                                        std::move(infos[i]), depths[i], &next));
      }
      level = std::move(next);
    }
    return absl::OkStatus();
  }

  std::vector<ModelFile> TakeFiles() { return std::move(files_); }

 private:
  struct Directory {
    std::string path;
    std::string name;
    std::size_t depth;
  };

  // Appends the entries of `directory` that the ignore paths leave, sorted.
  absl::Status List(const Directory& directory, std::vector<std::string>* names,
                    std::vector<std::string>* paths,
                    std::vector<std::size_t>* depths) {
    if (cancel_ != nullptr && cancel_->load(std::memory_order_relaxed)) {
      return absl::CancelledError("the walk was abandoned");
    }
    if (directory.depth > limits::kMaxDirectoryDepth) {
      return absl::ResourceExhaustedError(
          absl::StrCat(directory.name, ": directories nested deeper than ",
                       limits::kMaxDirectoryDepth));
    }
    MODELSEAL_ASSIGN_OR_RETURN(std::vector<std::string> entries,
                               env_.ListDirectory(directory.path));
    std::sort(entries.begin(), entries.end());
    for (const std::string& entry : entries) {
      std::string child_name =
          directory.name.empty() ? entry : JoinPath(directory.name, entry);
      if (IsIgnored(child_name, options_.ignore_paths)) continue;
      names->push_back(std::move(child_name));
      paths->push_back(JoinPath(directory.path, entry));
      depths->push_back(directory.depth);
    }
    return absl::OkStatus();
  }

  // `info` is LinkStat(path), taken by the caller; a directory (also one a
  // symbolic link leads to) is queued in `next`, to be walked after this
  // level.
  absl::Status Visit(std::string path, std::string name,
                     absl::StatusOr<FileInfo> info, std::size_t depth,
                     std::vector<Directory>* next) {
    if (!IsValidUtf8(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "file name is not valid UTF-8: '", absl::CHexEscape(name), "'"));
    }
    if (name.size() > limits::kMaxRelativePathBytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat(name.substr(0, 64), "...: path longer than ",
                       limits::kMaxRelativePathBytes, " bytes"));
    }
    if (!info.ok()) {
      if (absl::IsNotFound(info.status())) {
        return absl::NotFoundError(absl::StrCat(
            name, ": disappeared while the model was being listed"));
      }
      return info.status();
    }
    switch (info->type) {
      case FileType::kRegular:
        return AddFile(std::move(name), std::move(path), *info);
      case FileType::kDirectory:
        next->push_back({std::move(path), std::move(name), depth + 1});
        return absl::OkStatus();
      case FileType::kSymlink:
        return VisitSymlink(path, name, depth, next);
      case FileType::kOther:
        break;
    }
    return absl::FailedPreconditionError(absl::StrCat(
        name,
        ": is a special file (FIFO, socket or device); only regular files "
        "can be part of a model"));
  }

  absl::Status VisitSymlink(const std::string& path, const std::string& name,
                            std::size_t depth, std::vector<Directory>* next) {
    if (!options_.allow_symlinks) {
      return absl::FailedPreconditionError(absl::StrCat(
          name,
          ": is a symbolic link; symbolic links are refused unless "
          "--allow-symlinks is given"));
    }
    auto target = env_.RealPath(path);
    if (!target.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          name,
          ": symbolic link cannot be resolved: ", target.status().message()));
    }
    if (*target != real_root_ && !absl::StartsWith(*target, real_root_ + "/")) {
      return absl::FailedPreconditionError(absl::StrCat(
          name, ": symbolic link points outside the model root (to ", *target,
          ")"));
    }
    MODELSEAL_ASSIGN_OR_RETURN(FileInfo info, env_.LinkStat(*target));
    if (info.type == FileType::kRegular) {
      return AddFile(name, *std::move(target), info);
    }
    if (info.type == FileType::kDirectory) {
      // A link back up the tree would make the walk endless.
      const auto key = std::make_pair(info.device, info.inode);
      if (!linked_directories_.insert(key).second ||
          absl::StartsWith(real_root_ + "/", *target + "/")) {
        return absl::FailedPreconditionError(
            absl::StrCat(name, ": symbolic link forms a directory cycle"));
      }
      next->push_back({*target, name, depth + 1});
      return absl::OkStatus();
    }
    return absl::FailedPreconditionError(
        absl::StrCat(name, ": symbolic link to a special file"));
  }

  absl::Status AddFile(std::string name, std::string path,
                       const FileInfo& info) {
    if (files_.size() >= limits::kMaxFilesPerModel) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "model has more than ", limits::kMaxFilesPerModel, " files"));
    }
    files_.push_back(ModelFile{std::move(name), std::move(path), info});
    return absl::OkStatus();
  }

  Env& env_;
  std::string real_root_;
  const WalkOptions& options_;
  const std::atomic<bool>* cancel_;  // may be null
  std::vector<ModelFile> files_;
  std::set<std::pair<std::uint64_t, std::uint64_t>> linked_directories_;
};

absl::StatusOr<std::vector<ModelFile>> Walk(Env& env, const std::string& root,
                                            const WalkOptions& options,
                                            const std::atomic<bool>* cancel) {
  for (const std::string& entry : options.ignore_paths) {
    MODELSEAL_ASSIGN_OR_RETURN(std::string normalized,
                               NormalizeIgnorePath(entry));
    if (normalized != entry) {
      return absl::InvalidArgumentError(
          absl::StrCat("ignore path '", entry, "' is not normalized"));
    }
  }
  // The root itself may be reached through a symlink the user chose.
  MODELSEAL_ASSIGN_OR_RETURN(std::string real_root, env.RealPath(root));
  MODELSEAL_ASSIGN_OR_RETURN(FileInfo info, env.LinkStat(real_root));
  std::vector<ModelFile> files;
  if (info.type == FileType::kRegular) {
    files.push_back(ModelFile{".", real_root, info});
  } else if (info.type == FileType::kDirectory) {
    Walker walker(env, real_root, options, cancel);
    MODELSEAL_RETURN_IF_ERROR(walker.Walk(real_root, ""));
    files = walker.TakeFiles();
  } else {
    return absl::FailedPreconditionError(
        absl::StrCat(root, ": not a regular file or directory"));
  }
  if (files.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        root, ": the model is empty (no file left after the ignore paths)"));
  }
  // Directory order already sorts each level, but "a/b" vs "a.txt" needs a
  // global byte-order sort. The files often come out sorted already (one
  // level, or directories whose names sort alike either way), and checking
  // costs one comparison per file instead of a sort's dozen.
  const auto by_name = [](const ModelFile& a, const ModelFile& b) {
    return a.name < b.name;
  };
  if (!std::is_sorted(files.begin(), files.end(), by_name)) {
    std::sort(files.begin(), files.end(), by_name);
  }
  return files;
}

// Whether walks with `a` and `b` list the same files: the ignore paths are
// a set (a name is ignored when any entry matches it).
bool Equivalent(const WalkOptions& a, const WalkOptions& b) {
  if (a.allow_symlinks != b.allow_symlinks) return false;
  std::vector<std::string> x = a.ignore_paths;
  std::vector<std::string> y = b.ignore_paths;
  std::sort(x.begin(), x.end());
  x.erase(std::unique(x.begin(), x.end()), x.end());
  std::sort(y.begin(), y.end());
  y.erase(std::unique(y.begin(), y.end()), y.end());
  return x == y;
}

}  // namespace

absl::StatusOr<std::vector<ModelFile>> WalkModel(Env& env,
                                                 const std::string& root,
                                                 const WalkOptions& options) {
  return Walk(env, root, options, nullptr);
}

struct BackgroundWalk::Shared {
  const BackgroundWalk* owner;  // not movable, so stable
  std::atomic<bool> cancel{false};
  absl::StatusOr<std::vector<ModelFile>> result;
  pthread_t thread;
  bool joinable = false;

  static void* Run(void* self) {
    Shared& shared = *static_cast<Shared*>(self);
    const BackgroundWalk& walk = *shared.owner;
    shared.result = Walk(walk.env_, walk.root_, walk.guess_, &shared.cancel);
    return nullptr;
  }
  void Join() {
    if (joinable) pthread_join(thread, nullptr);
    joinable = false;
  }
};

BackgroundWalk::BackgroundWalk(Env& env, std::string root, WalkOptions guess)
    : env_(env), root_(std::move(root)), guess_(std::move(guess)) {
  // The CPUs this process may run on, less the one the caller is on now.
  cpu_set_t others;
  const int here = sched_getcpu();
  if (here < 0 || sched_getaffinity(0, sizeof others, &others) != 0 ||
      !CPU_ISSET(here, &others) || CPU_COUNT(&others) < 2) {
    return;  // one CPU (or unknown): Take() walks in line
  }
  CPU_CLR(here, &others);
  shared_ = std::make_unique<Shared>();
  shared_->owner = this;
  // A new thread often starts on its creator's CPU and waits there for the
  // next load balancing: on the 2-vCPU guest of docs/benchmarks.md that
  // took 1.3-3 ms in 20 runs of 25, as long as the walk. Created with the
  // other CPUs as its affinity, it started within 0.1-0.3 ms in 25 of 25.
  // The affinity is given at creation (pthread_attr_setaffinity_np), not
  // set afterwards: pthread_setaffinity_np on a thread that has already
  // finished applies, with glibc 2.36, to the calling thread instead.
  pthread_attr_t attributes;
  if (pthread_attr_init(&attributes) != 0) {
    shared_.reset();
    return;
  }
  bool started =
      pthread_attr_setaffinity_np(&attributes, sizeof others, &others) == 0 &&
      pthread_create(&shared_->thread, &attributes, &Shared::Run,
                     shared_.get()) == 0;
  pthread_attr_destroy(&attributes);
  if (!started) {
    // Without the affinity, then (a CPU set the kernel refuses).
    started = pthread_create(&shared_->thread, nullptr, &Shared::Run,
                             shared_.get()) == 0;
  }
  if (!started) {
    shared_.reset();  // no thread to be had: Take() walks in line
    return;
  }
  shared_->joinable = true;
}

BackgroundWalk::~BackgroundWalk() {
  if (shared_ != nullptr && shared_->joinable) {
    shared_->cancel.store(true, std::memory_order_relaxed);
    shared_->Join();
  }
}

absl::StatusOr<std::vector<ModelFile>> BackgroundWalk::Take(
    const WalkOptions& options) {
  used_background_ = false;
  if (shared_ != nullptr && shared_->joinable) {
    const bool same = Equivalent(options, guess_);
    if (!same) shared_->cancel.store(true, std::memory_order_relaxed);
    shared_->Join();
    if (same) {
      used_background_ = true;
      return std::move(shared_->result);
    }
  }
  return WalkModel(env_, root_, options);
}

}  // namespace modelseal
