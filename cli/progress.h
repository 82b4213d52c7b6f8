// A progress line on stderr (bytes, rate, ETA) for long hashing runs.
#ifndef MODELSEAL_CLI_PROGRESS_H_
#define MODELSEAL_CLI_PROGRESS_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace modelseal::cli {

// Shown only when stderr is a terminal, `enabled` is true, not under CI, and
// the total (once known) is at least 256 MiB (or 10,000 entries). Stops and
// erases its line on destruction.
class Progress {
 public:
  // What done() and total() count.
  enum class Unit { kBytes, kEntries };
  explicit Progress(bool enabled, Unit unit = Unit::kBytes,
                    const char* verb = "hashing");
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  std::atomic<std::uint64_t>* done() { return &done_; }
  std::atomic<std::uint64_t>* total() { return &total_; }

 private:
  void Loop();

  Unit unit_;
  const char* verb_;
  std::atomic<std::uint64_t> done_{0};
  std::atomic<std::uint64_t> total_{0};
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool drew_ = false;
  std::thread thread_;
};

}  // namespace modelseal::cli

#endif  // MODELSEAL_CLI_PROGRESS_H_
