// A bounded parallel-for: the pool that hashes and copies a batch's inputs.
// Why not a library: the work is one flat loop per batch; std::jthread and an atomic cursor do it
// without a task-queue dependency.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace lamin::util {

// The default degree of parallelism for I/O-bound batches: LAMIN_THREADS if set, else
// 2 x hardware threads (copies wait on the disk as much as they hash), at least 2.
size_t DefaultParallelism();

// Calls fn(i) for every i in [0, n) on up to `threads` threads (the caller's among them) and
// returns when all calls have returned. fn must be safe to call concurrently for distinct i.
inline void ParallelFor(size_t n, size_t threads, const std::function<void(size_t)>& fn) {
  threads = std::max<size_t>(1, std::min(threads, n));
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  std::vector<std::jthread> pool;
  pool.reserve(threads - 1);
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
}

// Calls fn(i) for i = 0, 1, 2, ... on `threads` threads of its own as Release makes them
// available, for work whose inputs become ready in order (a batch's chunks, hashed one after
// another). Finish waits until every released i was called; the destructor finishes too.
// fn must be safe to call concurrently for distinct i; what the caller wrote before Release(n)
// is visible to fn(i) for i < n.
class StreamingFor {
 public:
  StreamingFor(size_t threads, std::function<void(size_t)> fn);
  ~StreamingFor() { Finish(); }
  StreamingFor(const StreamingFor&) = delete;
  StreamingFor& operator=(const StreamingFor&) = delete;

  // Makes [0, n) available (n never decreases).
  void Release(size_t n);
  void Finish();

 private:
  void Work();

  std::function<void(size_t)> fn_;
  std::mutex mu_;
  std::condition_variable cv_;
  size_t ready_ = 0;  // guarded by mu_
  size_t next_ = 0;   // guarded by mu_
  bool finishing_ = false;  // guarded by mu_
  std::vector<std::jthread> pool_;
};

}  // namespace lamin::util
