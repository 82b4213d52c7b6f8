#include "util/parallel.h"

#include <atomic>
#include <cstddef>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace modelseal::util {
namespace {

TEST(ForEachInParallelTest, RunsEveryIndexExactlyOnce) {
  for (const std::size_t count : {0, 1, 2, 63, 64, 1000}) {
    SCOPED_TRACE(count);
    std::vector<std::atomic<int>> runs(count);
    ForEachInParallel(count, 1, [&](std::size_t i) { ++runs[i]; });
    for (std::size_t i = 0; i < count; ++i) EXPECT_EQ(runs[i].load(), 1);
  }
}

TEST(ForEachInParallelTest, SmallBatchesStayOnTheCallingThread) {
  std::mutex mu;
  std::set<std::thread::id> threads;
  ForEachInParallel(31, 32, [&](std::size_t) {
    std::lock_guard<std::mutex> lock(mu);
    threads.insert(std::this_thread::get_id());
  });
  ASSERT_EQ(threads.size(), 1u);
  EXPECT_EQ(*threads.begin(), std::this_thread::get_id());
}

TEST(ForEachConcurrentlyTest, ReturnsTheFirstErrorAndStartsNothingAfterIt) {
  std::atomic<int> ran{0};
  const absl::Status status = ForEachConcurrently(1000, 1, [&](std::size_t i) {
    ++ran;
    return i == 10 ? absl::DataLossError("task 10") : absl::OkStatus();
  });
  EXPECT_EQ(status, absl::DataLossError("task 10"));
  EXPECT_EQ(ran.load(), 11);  // one thread: tasks 0..10, then it stops
  std::vector<std::atomic<int>> runs(500);
  EXPECT_TRUE(ForEachConcurrently(500, 16, [&](std::size_t i) {
                ++runs[i];
                return absl::OkStatus();
              }).ok());
  for (const auto& count : runs) EXPECT_EQ(count.load(), 1);
}

}  // namespace
}  // namespace modelseal::util
