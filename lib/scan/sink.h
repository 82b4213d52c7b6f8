// Where a scan's findings go (internal): the file being scanned, the
// archive members currently open, a bound on how many are kept, and the
// formats seen inside the file.
#ifndef MODELSEAL_SCAN_SINK_H_
#define MODELSEAL_SCAN_SINK_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "modelseal/finding.h"
#include "modelseal/limits.h"

namespace modelseal::scan_internal {

class FindingSink {
 public:
  explicit FindingSink(std::string path = "") : path_(std::move(path)) {}

  void Add(std::string rule, Severity severity, std::string message,
           std::optional<std::uint64_t> offset = std::nullopt) {
    if (findings_.size() >= limits::kMaxScanFindingsPerFile) {
      ++dropped_;
      return;
    }
    Finding finding;
    finding.rule = std::move(rule);
    finding.severity = severity;
    finding.message = std::move(message);
    finding.path = path_;
    finding.member = absl::StrJoin(members_, "!");
    finding.offset = offset;
    findings_.push_back(std::move(finding));
  }

  // A sink for the same file and member, with no findings yet.
  FindingSink Fork() const {
    FindingSink fork(path_);
    fork.members_ = members_;
    return fork;
  }

  void PushMember(std::string name) { members_.push_back(std::move(name)); }
  void PopMember() { members_.pop_back(); }
  std::size_t depth() const { return members_.size(); }

  void SawFormat(const std::string& format) {
    if (std::find(formats_.begin(), formats_.end(), format) == formats_.end()) {
      formats_.push_back(format);
    }
  }
  const std::vector<std::string>& formats() const { return formats_; }

  const std::vector<Finding>& findings() const { return findings_; }
  std::vector<Finding> Take() {
    if (dropped_ > 0) {
      Finding finding;
      finding.rule = "scan.limit";
      finding.severity = Severity::kError;
      finding.message = absl::StrCat(
          dropped_, " more findings in this file were not recorded (limit ",
          limits::kMaxScanFindingsPerFile, " per file)");
      finding.path = path_;
      findings_.push_back(std::move(finding));
      dropped_ = 0;
    }
    return std::move(findings_);
  }

 private:
  std::string path_;
  std::vector<std::string> members_;
  std::vector<Finding> findings_;
  std::vector<std::string> formats_;
  std::size_t dropped_ = 0;
};

// Opens a member for the lifetime of the scope.
class MemberScope {
 public:
  MemberScope(FindingSink& sink, std::string name) : sink_(sink) {
    sink_.PushMember(std::move(name));
  }
  ~MemberScope() { sink_.PopMember(); }
  MemberScope(const MemberScope&) = delete;
  MemberScope& operator=(const MemberScope&) = delete;

 private:
  FindingSink& sink_;
};

}  // namespace modelseal::scan_internal

#endif  // MODELSEAL_SCAN_SINK_H_
