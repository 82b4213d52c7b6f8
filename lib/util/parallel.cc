#include "util/parallel.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace modelseal::util {
namespace {

// Threads are kept and reused: a log server makes a few parallel syncs per
// batch, hundreds of batches a second, and starting threads for each was a
// measurable share of its CPU. At most this many are kept.
constexpr std::size_t kMaxPoolThreads = 64;

// One call's worker, shared by the pool threads that pick it up.
struct Job {
  explicit Job(absl::FunctionRef<void()> worker_in) : worker(worker_in) {}
  absl::FunctionRef<void()> worker;
  std::size_t running = 0;  // copies being run by pool threads
  std::condition_variable idle;
};

class Pool {
 public:
  // Never destroyed: its threads wait until the process exits. A child of
  // fork() has none of the parent's threads (and maybe a lock held by one
  // of them): it gets a pool of its own and leaves the old one alone.
  static Pool& Get() {
    static std::once_flag once;
    std::call_once(once, [] {
      current_ = new Pool();
      pthread_atfork(nullptr, nullptr, [] { current_ = new Pool(); });
    });
    return *current_;
  }

  // Runs `worker` on the calling thread and on up to `helpers` pool threads
  // at once; returns when every copy that started has finished. Copies no
  // thread has picked up by the time the caller's own copy returns are
  // withdrawn, so a nested call never waits for a busy pool.
  void Run(std::size_t helpers, absl::FunctionRef<void()> worker) {
    Job job(worker);
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (std::size_t i = 0; i < helpers; ++i) queue_.push_back(&job);
      while (idle_threads_ < queue_.size() && threads_ < kMaxPoolThreads) {
        try {
          std::thread([this] { Serve(); }).detach();
        } catch (const std::system_error&) {
          break;  // the caller and the running threads do the work
        }
        ++threads_;
        ++idle_threads_;
      }
    }
    ready_.notify_all();
    worker();
    std::unique_lock<std::mutex> lock(mu_);
    queue_.erase(std::remove(queue_.begin(), queue_.end(), &job), queue_.end());
    job.idle.wait(lock, [&] { return job.running == 0; });
  }

 private:
  void Serve() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      ready_.wait(lock, [this] { return !queue_.empty(); });
      Job* job = queue_.front();
      queue_.pop_front();
      --idle_threads_;
      ++job->running;
      lock.unlock();
      job->worker();
      lock.lock();
      ++idle_threads_;
      if (--job->running == 0) job->idle.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<Job*> queue_;
  std::size_t threads_ = 0;
  std::size_t idle_threads_ = 0;
  static Pool* current_;
};

Pool* Pool::current_ = nullptr;

// Runs `worker` on `threads` threads, the calling thread among them; if a
// thread cannot be had, the others do its share.
void RunOnThreads(std::size_t threads, absl::FunctionRef<void()> worker) {
  if (threads <= 1) {
    worker();
    return;
  }
  Pool::Get().Run(threads - 1, worker);
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
