#include "util/parallel.h"

#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>
#include <vector>

namespace modelseal::util {

void ForEachInParallel(std::size_t count, std::size_t min_per_thread,
                       absl::FunctionRef<void(std::size_t)> task) {
  const std::size_t per_thread = std::max<std::size_t>(1, min_per_thread);
  const std::size_t threads =
      std::min<std::size_t>(std::max(1u, std::thread::hardware_concurrency()),
                            (count + per_thread - 1) / per_thread);
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < count;) task(i);
  };
  std::vector<std::thread> helpers;
  for (std::size_t t = 1; t < threads; ++t) {
    try {
      helpers.emplace_back(worker);
    } catch (const std::system_error&) {
      break;  // the calling thread still runs every task
    }
  }
  worker();
  for (std::thread& helper : helpers) helper.join();
}

}  // namespace modelseal::util
