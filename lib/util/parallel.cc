#include "util/parallel.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace modelseal::util {
namespace {

// Runs `worker` on `threads` threads, the calling thread among them; if a
// thread cannot be started, the others do its share.
void RunOnThreads(std::size_t threads, absl::FunctionRef<void()> worker) {
  std::vector<std::thread> helpers;
  for (std::size_t t = 1; t < threads; ++t) {
    try {
      helpers.emplace_back([worker] { worker(); });
    } catch (const std::system_error&) {
      break;
    }
  }
  worker();
  for (std::thread& helper : helpers) helper.join();
}

}  // namespace

void ForEachInParallel(std::size_t count, std::size_t min_per_thread,
                       absl::FunctionRef<void(std::size_t)> task) {
  const std::size_t per_thread = std::max<std::size_t>(1, min_per_thread);
  const std::size_t threads =
      std::min<std::size_t>(std::max(1u, std::thread::hardware_concurrency()),
                            (count + per_thread - 1) / per_thread);
  std::atomic<std::size_t> next{0};
  RunOnThreads(threads, [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < count;) task(i);
  });
}

absl::Status ForEachConcurrently(
    std::size_t count, std::size_t threads,
    absl::FunctionRef<absl::Status(std::size_t)> task) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  absl::Status first_error;
  RunOnThreads(std::min(count, std::max<std::size_t>(1, threads)), [&] {
    for (std::size_t i; !failed.load() && (i = next.fetch_add(1)) < count;) {
      absl::Status status = task(i);
      if (!status.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (first_error.ok()) first_error = std::move(status);
        failed = true;
      }
    }
  });
  return first_error;
}

}  // namespace modelseal::util
