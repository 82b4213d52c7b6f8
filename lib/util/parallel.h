// Runs independent tasks on the machine's cores (internal).
//
//   util::ForEachInParallel(paths.size(), 64, [&](std::size_t i) {
//     infos[i] = env.LinkStat(paths[i]);
//   });
//
// task(0) .. task(count - 1) each run exactly once, in no particular order,
// on up to one thread per core; the calling thread works too, and the call
// returns when every task has finished. Threads are only started when each
// gets at least `min_per_thread` tasks, so small batches run inline. The
// helper threads come from a process-wide pool and are kept for the next
// call (at most 64). If a thread cannot be had, the others run its share.
// `task` must be safe to call concurrently for different indexes and must not
// throw.
#ifndef MODELSEAL_UTIL_PARALLEL_H_
#define MODELSEAL_UTIL_PARALLEL_H_

#include <cstddef>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"

namespace modelseal::util {

void ForEachInParallel(std::size_t count, std::size_t min_per_thread,
                       absl::FunctionRef<void(std::size_t)> task);

// For tasks that mostly wait (syncs, directory operations): runs
// task(0) .. task(count - 1) on up to `threads` threads whatever the number
// of cores, the calling thread among them. After the first error no further
// task starts; that error is returned (tasks already running finish).
[[nodiscard]] absl::Status ForEachConcurrently(
    std::size_t count, std::size_t threads,
    absl::FunctionRef<absl::Status(std::size_t)> task);

}  // namespace modelseal::util

#endif  // MODELSEAL_UTIL_PARALLEL_H_
