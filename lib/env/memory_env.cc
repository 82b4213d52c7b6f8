// In-memory Env for tests: a map from absolute path to node, one mutex.
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "modelseal/env.h"
#include "modelseal/status.h"

namespace modelseal {
namespace {

struct Node {
  FileType type = FileType::kRegular;
  std::shared_ptr<std::string> contents = std::make_shared<std::string>();
  std::string link_target;
  std::int64_t mtime_ns = 0;
  std::uint64_t inode = 0;
  std::uint32_t mode = 0644;
};

std::string Normalize(const std::string& path) {
  std::vector<std::string> parts;
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    if (part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.emplace_back(part);
  }
  std::string out;
  for (const std::string& part : parts) absl::StrAppend(&out, "/", part);
  return out.empty() ? "/" : out;
}

std::string Parent(const std::string& normalized) {
  const std::size_t slash = normalized.rfind('/');
  return slash == 0 ? "/" : normalized.substr(0, slash);
}

class MemoryFile final : public RandomAccessFile {
 public:
  MemoryFile(std::shared_ptr<const std::string> contents, FileInfo info)
      : contents_(std::move(contents)), info_(info) {}

  absl::StatusOr<std::size_t> ReadAt(
      std::uint64_t offset, absl::Span<std::uint8_t> buffer) const override {
    if (offset >= contents_->size()) return 0;
    const std::size_t n =
        std::min<std::size_t>(buffer.size(), contents_->size() - offset);
    std::copy_n(contents_->data() + offset, n, buffer.data());
    return n;
  }
  absl::StatusOr<FileInfo> Stat() const override { return info_; }

 private:
  std::shared_ptr<const std::string> contents_;
  FileInfo info_;
};

// Paths locked through MemoryEnv::LockFile. Shared with the lock objects so a
// lock may outlive its env without dangling.
struct LockTable {
  std::mutex mu;
  std::set<std::string> locked;
};

class MemoryFileLock final : public FileLock {
 public:
  MemoryFileLock(std::shared_ptr<LockTable> table, std::string path)
      : table_(std::move(table)), path_(std::move(path)) {}
  ~MemoryFileLock() override {
    std::lock_guard<std::mutex> lock(table_->mu);
    table_->locked.erase(path_);
  }

 private:
  std::shared_ptr<LockTable> table_;
  std::string path_;
};

}  // namespace

class MemoryEnv;

class MemoryAppendFile final : public AppendFile {
 public:
  MemoryAppendFile(MemoryEnv* env, std::string path)
      : env_(env), path_(std::move(path)) {}
  absl::Status Append(absl::string_view data) override;
  absl::Status Sync() override { return absl::OkStatus(); }

 private:
  MemoryEnv* const env_;
  const std::string path_;
};

class MemoryEnv final : public Env {
 public:
  MemoryEnv() {
    Node root;
    root.type = FileType::kDirectory;
    root.inode = next_inode_++;
    nodes_["/"] = root;
  }

  absl::StatusOr<std::unique_ptr<RandomAccessFile>> OpenForRead(
      const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    MODELSEAL_ASSIGN_OR_RETURN(std::string resolved, ResolveParents(path));
    auto it = nodes_.find(resolved);
    if (it == nodes_.end())
      return absl::NotFoundError(absl::StrCat(path, ": no such file"));
    if (it->second.type == FileType::kSymlink) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": is a symbolic link (open)"));
    }
    if (it->second.type != FileType::kRegular) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": not a regular file"));
    }
    return std::make_unique<MemoryFile>(it->second.contents,
                                        InfoOf(it->second));
  }

  absl::StatusOr<FileInfo> LinkStat(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    MODELSEAL_ASSIGN_OR_RETURN(std::string resolved, ResolveParents(path));
    auto it = nodes_.find(resolved);
    if (it == nodes_.end())
      return absl::NotFoundError(absl::StrCat(path, ": no such file"));
    return InfoOf(it->second);
  }

  absl::StatusOr<FileInfo> Stat(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    MODELSEAL_ASSIGN_OR_RETURN(std::string resolved, Resolve(path, 0));
    return InfoOf(nodes_.at(resolved));
  }

  absl::StatusOr<std::vector<std::string>> ListDirectory(
      const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    MODELSEAL_ASSIGN_OR_RETURN(std::string dir, ResolveParents(path));
    auto it = nodes_.find(dir);
    if (it == nodes_.end())
      return absl::NotFoundError(absl::StrCat(path, ": no such directory"));
    if (it->second.type != FileType::kDirectory) {
      return absl::NotFoundError(absl::StrCat(path, ": not a directory"));
    }
    std::vector<std::string> names;
    const std::string prefix = dir == "/" ? "/" : dir + "/";
    for (auto child = nodes_.upper_bound(prefix);
         child != nodes_.end() &&
         child->first.compare(0, prefix.size(), prefix) == 0;
         ++child) {
      const std::string rest = child->first.substr(prefix.size());
      if (!rest.empty() && rest.find('/') == std::string::npos)
        names.push_back(rest);
    }
    return names;
  }

  absl::StatusOr<std::string> ReadLink(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    MODELSEAL_ASSIGN_OR_RETURN(std::string resolved, ResolveParents(path));
    auto it = nodes_.find(resolved);
    if (it == nodes_.end() || it->second.type != FileType::kSymlink) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": not a symbolic link"));
    }
    return it->second.link_target;
  }

  absl::StatusOr<std::string> RealPath(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    return Resolve(path, 0);
  }

  absl::Status CreateDirectory(const std::string& path,
                               std::uint32_t mode) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string normalized = Normalize(path);
    if (nodes_.count(normalized)) return absl::AlreadyExistsError(path);
    if (!nodes_.count(Parent(normalized))) return absl::NotFoundError(path);
    Node node;
    node.type = FileType::kDirectory;
    node.mode = mode;
    node.inode = next_inode_++;
    nodes_[normalized] = node;
    return absl::OkStatus();
  }

  absl::Status WriteFileAtomically(const std::string& path,
                                   absl::string_view contents,
                                   std::uint32_t mode,
                                   bool overwrite) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string normalized = Normalize(path);
    if (!overwrite && nodes_.count(normalized)) {
      return absl::AlreadyExistsError(absl::StrCat(path, ": already exists"));
    }
    auto parent = nodes_.find(Parent(normalized));
    if (parent == nodes_.end() || parent->second.type != FileType::kDirectory) {
      return absl::NotFoundError(
          absl::StrCat(path, ": parent directory missing"));
    }
    Node node;
    node.contents = std::make_shared<std::string>(contents);
    node.mode = mode;
    node.mtime_ns = ++clock_;
    node.inode = next_inode_++;
    nodes_[normalized] = node;
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<AppendFile>> OpenForAppend(
      const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = nodes_.find(Normalize(path));
    if (it == nodes_.end()) {
      return absl::NotFoundError(absl::StrCat(path, ": no such file"));
    }
    if (it->second.type != FileType::kRegular) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": not a regular file"));
    }
    return std::unique_ptr<AppendFile>(
        new MemoryAppendFile(this, Normalize(path)));
  }

  // Nothing here is ever lost, so there is nothing to sync.
  absl::Status SyncFileSystem(const std::string& /*dir*/) override {
    return absl::OkStatus();
  }

  // Appends to the node at `normalized` (copy on write: readers keep their
  // snapshot).
  absl::Status AppendTo(const std::string& normalized, absl::string_view data) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = nodes_.find(normalized);
    if (it == nodes_.end() || it->second.type != FileType::kRegular) {
      return absl::NotFoundError(
          absl::StrCat(normalized, ": the file being appended to is gone"));
    }
    auto grown = std::make_shared<std::string>(*it->second.contents);
    grown->append(data.data(), data.size());
    it->second.contents = std::move(grown);
    it->second.mtime_ns = ++clock_;
    return absl::OkStatus();
  }

  absl::Status DeleteFile(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (nodes_.erase(Normalize(path)) == 0) return absl::NotFoundError(path);
    return absl::OkStatus();
  }

  absl::Status DeleteDirectory(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string normalized = Normalize(path);
    auto it = nodes_.find(normalized);
    if (it == nodes_.end()) return absl::NotFoundError(path);
    if (it->second.type != FileType::kDirectory || normalized == "/") {
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": not a removable directory"));
    }
    const auto child = nodes_.lower_bound(normalized + "/");
    if (child != nodes_.end() &&
        child->first.compare(0, normalized.size() + 1, normalized + "/") == 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": directory is not empty"));
    }
    nodes_.erase(it);
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(
      const std::string& path) override {
    const std::string normalized = Normalize(path);
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto parent = nodes_.find(Parent(normalized));
      if (parent == nodes_.end() ||
          parent->second.type != FileType::kDirectory) {
        return absl::NotFoundError(
            absl::StrCat(path, ": parent directory missing"));
      }
      if (!nodes_.count(normalized)) {
        Node node;
        node.inode = next_inode_++;
        node.mtime_ns = ++clock_;
        nodes_[normalized] = node;
      }
    }
    std::lock_guard<std::mutex> lock(locks_->mu);
    if (!locks_->locked.insert(normalized).second) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": log is locked by another writer"));
    }
    return std::unique_ptr<FileLock>(new MemoryFileLock(locks_, normalized));
  }

  absl::Status Add(const std::string& path, Node node) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string normalized = Normalize(path);
    std::string dir = Parent(normalized);
    std::vector<std::string> missing;
    while (!nodes_.count(dir)) {
      missing.push_back(dir);
      dir = Parent(dir);
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
      Node directory;
      directory.type = FileType::kDirectory;
      directory.inode = next_inode_++;
      nodes_[*it] = directory;
    }
    node.inode = next_inode_++;
    node.mtime_ns = ++clock_;
    nodes_[normalized] = std::move(node);
    return absl::OkStatus();
  }

 private:
  FileInfo InfoOf(const Node& node) const {
    FileInfo info;
    info.type = node.type;
    info.size = node.type == FileType::kSymlink ? node.link_target.size()
                                                : node.contents->size();
    info.mtime_ns = node.mtime_ns;
    info.ctime_ns = node.mtime_ns;
    info.inode = node.inode;
    info.device = 1;
    info.mode = node.mode;
    return info;
  }

  // Resolves symlinks in every component but the last.
  absl::StatusOr<std::string> ResolveParents(const std::string& path) {
    const std::string normalized = Normalize(path);
    if (normalized == "/") return normalized;
    MODELSEAL_ASSIGN_OR_RETURN(std::string parent,
                               Resolve(Parent(normalized), 0));
    return JoinPath(parent, Basename(normalized));
  }

  absl::StatusOr<std::string> Resolve(const std::string& path, int depth) {
    if (depth > 40)
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": too many symbolic links"));
    std::string current = "/";
    const std::string normalized = Normalize(path);
    for (absl::string_view part :
         absl::StrSplit(normalized, '/', absl::SkipEmpty())) {
      const std::string next = JoinPath(current, part);
      auto it = nodes_.find(next);
      if (it == nodes_.end())
        return absl::NotFoundError(absl::StrCat(path, ": no such file"));
      if (it->second.type == FileType::kSymlink) {
        const std::string& target = it->second.link_target;
        const std::string joined = !target.empty() && target[0] == '/'
                                       ? target
                                       : JoinPath(current, target);
        MODELSEAL_ASSIGN_OR_RETURN(current, Resolve(joined, depth + 1));
      } else {
        current = next;
      }
    }
    return current;
  }

  std::mutex mu_;
  std::shared_ptr<LockTable> locks_ = std::make_shared<LockTable>();
  std::map<std::string, Node> nodes_;
  std::uint64_t next_inode_ = 1;
  std::int64_t clock_ = 0;
};

absl::Status MemoryAppendFile::Append(absl::string_view data) {
  return env_->AppendTo(path_, data);
}

std::unique_ptr<Env> NewMemoryEnv() { return std::make_unique<MemoryEnv>(); }

namespace {
absl::StatusOr<MemoryEnv*> AsMemoryEnv(Env& env) {
  auto* memory = dynamic_cast<MemoryEnv*>(&env);
  if (memory == nullptr) return absl::InvalidArgumentError("not a memory env");
  return memory;
}
}  // namespace

absl::Status MemoryEnvAddFile(Env& env, const std::string& path,
                              absl::string_view contents) {
  MODELSEAL_ASSIGN_OR_RETURN(MemoryEnv * memory, AsMemoryEnv(env));
  Node node;
  node.contents = std::make_shared<std::string>(contents);
  return memory->Add(path, std::move(node));
}

absl::Status MemoryEnvAddSymlink(Env& env, const std::string& path,
                                 const std::string& target) {
  MODELSEAL_ASSIGN_OR_RETURN(MemoryEnv * memory, AsMemoryEnv(env));
  Node node;
  node.type = FileType::kSymlink;
  node.link_target = target;
  return memory->Add(path, std::move(node));
}

absl::Status MemoryEnvAddSpecialFile(Env& env, const std::string& path) {
  MODELSEAL_ASSIGN_OR_RETURN(MemoryEnv * memory, AsMemoryEnv(env));
  Node node;
  node.type = FileType::kOther;
  return memory->Add(path, std::move(node));
}

}  // namespace modelseal
