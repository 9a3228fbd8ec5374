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

}  // namespace lamin::util
