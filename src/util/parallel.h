// A bounded parallel-for: the pool that hashes and copies a batch's inputs.
// Why not a library: the work is one flat loop per batch; std::jthread and an atomic cursor do it
// without a task-queue dependency.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
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

}  // namespace lamin::util
