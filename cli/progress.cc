#include "cli/progress.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "cli/common.h"

namespace modelseal::cli {
namespace {

constexpr std::uint64_t kMinimumBytes = std::uint64_t{256} << 20;
constexpr std::uint64_t kMinimumEntries = 10'000;

void PrintSize(char* out, std::size_t size, double bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  std::snprintf(out, size, "%.1f %s", bytes, kUnits[unit]);
}

}  // namespace

Progress::Progress(bool enabled, Unit unit, const char* verb)
    : unit_(unit), verb_(verb) {
  if (enabled && ::isatty(STDERR_FILENO) && !RunningUnderCi()) {
    thread_ = std::thread([this] { Loop(); });
  }
}

Progress::~Progress() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (drew_) std::fprintf(stderr, "\r\033[K");
}

void Progress::Loop() {
  const auto start = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, std::chrono::milliseconds(250),
                         [this] { return stop_; })) {
    const std::uint64_t total = total_.load(std::memory_order_relaxed);
    if (total < (unit_ == Unit::kBytes ? kMinimumBytes : kMinimumEntries)) {
      continue;
    }
    const std::uint64_t done = done_.load(std::memory_order_relaxed);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    const double rate = seconds > 0 ? done / seconds : 0;
    char done_text[32], total_text[32], rate_text[32];
    if (unit_ == Unit::kBytes) {
      PrintSize(done_text, sizeof(done_text), done);
      PrintSize(total_text, sizeof(total_text), total);
      PrintSize(rate_text, sizeof(rate_text), rate);
    } else {
      std::snprintf(done_text, sizeof(done_text), "%llu",
                    static_cast<unsigned long long>(done));
      std::snprintf(total_text, sizeof(total_text), "%llu entries",
                    static_cast<unsigned long long>(total));
      std::snprintf(rate_text, sizeof(rate_text), "%.0f", rate);
    }
    const double eta = rate > 0 && total > done ? (total - done) / rate : 0;
    std::fprintf(stderr, "\r\033[K%s %s / %s  %s/s  ETA %.0fs", verb_,
                 done_text, total_text, rate_text, eta);
    std::fflush(stderr);
    drew_ = true;
  }
}

}  // namespace modelseal::cli
