#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "modelseal/env.h"
#include "modelseal/status.h"

namespace modelseal {

absl::StatusOr<std::string> Env::ReadFileToString(const std::string& path,
                                                  std::size_t max_bytes) {
  MODELSEAL_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file,
                             OpenForRead(path));
  MODELSEAL_ASSIGN_OR_RETURN(FileInfo info, file->Stat());
  if (info.size > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat(path, ": file is ", info.size, " bytes, more than the ",
                     max_bytes, "-byte limit"));
  }
  // Read one byte past the limit so a file that grew after fstat is caught.
  std::string contents(std::min<std::uint64_t>(info.size, max_bytes) + 1, '\0');
  std::size_t total = 0;
  while (total < contents.size()) {
    MODELSEAL_ASSIGN_OR_RETURN(
        std::size_t n,
        file->ReadAt(
            total, absl::MakeSpan(
                       reinterpret_cast<std::uint8_t*>(contents.data()) + total,
                       contents.size() - total)));
    if (n == 0) break;
    total += n;
  }
  if (total > max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        path, ": file is larger than the ", max_bytes, "-byte limit"));
  }
  contents.resize(total);
  return contents;
}

absl::Status Env::WriteFilesAtomically(absl::Span<const FileToWrite> files,
                                       std::uint32_t mode) {
  for (const FileToWrite& file : files) {
    MODELSEAL_RETURN_IF_ERROR(
        WriteFileAtomically(file.path, file.contents, mode, true));
  }
  return absl::OkStatus();
}

absl::Status Env::WriteGeneratedFilesAtomically(
    absl::Span<const std::string> paths,
    absl::FunctionRef<absl::StatusOr<std::string>(std::size_t)> generate,
    std::uint32_t mode) {
  std::vector<std::string> contents;
  contents.reserve(paths.size());
  std::vector<FileToWrite> files;
  files.reserve(paths.size());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    MODELSEAL_ASSIGN_OR_RETURN(std::string made, generate(i));
    contents.push_back(std::move(made));
  }
  for (std::size_t i = 0; i < paths.size(); ++i) {
    files.push_back({paths[i], contents[i]});
  }
  return WriteFilesAtomically(files, mode);
}

absl::Status Env::WriteFilesThenCommit(absl::Span<const FileToWrite> files,
                                       const FileToWrite& commit,
                                       std::uint32_t mode) {
  for (const FileToWrite& file : files) {
    MODELSEAL_RETURN_IF_ERROR(
        WriteFileAtomically(file.path, file.contents, mode, true));
  }
  return WriteFileAtomically(commit.path, commit.contents, mode, true);
}

absl::Status Env::WriteFilesUnsynced(absl::Span<const FileToWrite> files,
                                     std::uint32_t mode) {
  return WriteFilesAtomically(files, mode);
}

absl::Status Env::WriteFilesThenCommitUnsynced(
    absl::Span<const FileToWrite> files, const FileToWrite& commit,
    std::uint32_t mode) {
  return WriteFilesThenCommit(files, commit, mode);
}

absl::StatusOr<std::unique_ptr<AppendFile>> Env::OpenForAppend(
    const std::string& path) {
  return absl::UnimplementedError(
      absl::StrCat(path, ": this Env cannot append to files"));
}

absl::Status Env::SyncFileSystem(const std::string& dir) {
  return absl::UnimplementedError(
      absl::StrCat(dir, ": this Env cannot sync a file system"));
}

absl::Status Env::DeleteDirectory(const std::string& path) {
  return absl::UnimplementedError(
      absl::StrCat(path, ": this Env cannot delete directories"));
}

absl::StatusOr<std::unique_ptr<FileLock>> Env::LockFile(
    const std::string& path) {
  return absl::UnimplementedError(
      absl::StrCat(path, ": this Env cannot lock files"));
}

absl::Status Env::CreateDirectories(const std::string& path,
                                    std::uint32_t mode) {
  // Walk up to the deepest existing ancestor, then create downwards: the
  // common case (everything exists) costs one stat.
  std::vector<std::string> missing;
  std::string current = path;
  while (!current.empty()) {
    absl::StatusOr<FileInfo> info = Stat(current);
    if (info.ok()) {
      if (info->type != FileType::kDirectory) {
        return absl::FailedPreconditionError(
            absl::StrCat(current, ": exists and is not a directory"));
      }
      break;
    }
    if (!absl::IsNotFound(info.status())) return info.status();
    missing.push_back(current);
    const std::size_t slash = current.find_last_of('/');
    if (slash == std::string::npos || slash == 0) break;
    current.resize(slash);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    absl::Status status = CreateDirectory(*it, mode);
    // Another process may have created it meanwhile; that is fine.
    if (!status.ok() && !absl::IsAlreadyExists(status)) return status;
  }
  return absl::OkStatus();
}

std::string JoinPath(absl::string_view base, absl::string_view relative) {
  if (base.empty()) return std::string(relative);
  if (relative.empty()) return std::string(base);
  while (base.size() > 1 && base.back() == '/') base.remove_suffix(1);
  while (!relative.empty() && relative.front() == '/')
    relative.remove_prefix(1);
  if (base == "/") return absl::StrCat("/", relative);
  return absl::StrCat(base, "/", relative);
}

absl::string_view Basename(absl::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path == "/") return "";
  const std::size_t slash = path.rfind('/');
  return slash == absl::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace modelseal
