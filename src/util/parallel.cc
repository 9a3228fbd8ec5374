#include "util/parallel.h"

#include <cstdlib>
#include <string>

namespace lamin::util {

size_t DefaultParallelism() {
  if (const char* env = std::getenv("LAMIN_THREADS")) {
    try {
      long v = std::stol(env);
      if (v > 0) return static_cast<size_t>(v);
    } catch (...) {
      // Fall through to the default: a bad value must not stop a save.
    }
  }
  return std::max<size_t>(2, 2 * std::thread::hardware_concurrency());
}

StreamingFor::StreamingFor(size_t threads, std::function<void(size_t)> fn) : fn_(std::move(fn)) {
  threads = std::max<size_t>(1, threads);
  pool_.reserve(threads);
  for (size_t t = 0; t < threads; ++t) pool_.emplace_back([this] { Work(); });
}

void StreamingFor::Release(size_t n) {
  {
    std::lock_guard lock(mu_);
    ready_ = std::max(ready_, n);
  }
  cv_.notify_all();
}

void StreamingFor::Finish() {
  {
    std::lock_guard lock(mu_);
    finishing_ = true;
  }
  cv_.notify_all();
  pool_.clear();  // joins
}

void StreamingFor::Work() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return next_ < ready_ || finishing_; });
    if (next_ >= ready_) return;  // finishing, and nothing is left
    const size_t i = next_++;
    lock.unlock();
    fn_(i);
    lock.lock();
  }
}

}  // namespace lamin::util
