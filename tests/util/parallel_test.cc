#include "util/parallel.h"

#include <atomic>
#include <chrono>
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

// Nested calls from inside tasks: every index of every level runs once, and
// the call returns although the pool's threads are all busy with the outer
// level (helpers no thread picked up are withdrawn).
TEST(ForEachConcurrentlyTest, NestedCallsFinishEvenWhenThePoolIsBusy) {
  constexpr std::size_t kOuter = 40;
  constexpr std::size_t kInner = 50;
  std::vector<std::atomic<int>> runs(kOuter * kInner);
  const absl::Status status =
      util::ForEachConcurrently(kOuter, kOuter, [&](std::size_t i) {
        return util::ForEachConcurrently(kInner, 8, [&](std::size_t j) {
          runs[i * kInner + j].fetch_add(1);
          return absl::OkStatus();
        });
      });
  EXPECT_TRUE(status.ok()) << status;
  for (std::size_t k = 0; k < runs.size(); ++k) {
    ASSERT_EQ(runs[k].load(), 1) << k;
  }
}

// Threads are kept between calls: a thousand calls of four threads each do
// not start thousands of threads. (A thread-local flag is fresh on each new
// thread only; thread ids would not tell, the C library reuses them.)
TEST(ForEachConcurrentlyTest, ReusesItsThreadsAcrossCalls) {
  std::atomic<int> new_threads{0};
  for (int call = 0; call < 1000; ++call) {
    ASSERT_TRUE(util::ForEachConcurrently(4, 4, [&](std::size_t) {
                  thread_local bool seen_before = false;
                  if (!seen_before) new_threads.fetch_add(1);
                  seen_before = true;
                  std::this_thread::sleep_for(std::chrono::microseconds(50));
                  return absl::OkStatus();
                }).ok());
  }
  EXPECT_LE(new_threads.load(), 65);  // at most 64 kept, plus the caller
}

}  // namespace
}  // namespace modelseal::util
