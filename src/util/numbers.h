// Numbers parsed from text that lamin did not write (server replies, file names, user input):
// whole-string, range-checked, never throwing.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace lamin::util {

// A decimal integer filling all of `text` (an optional leading '-'); nullopt when it is empty,
// holds anything else, or does not fit.
std::optional<int64_t> ParseInt64(std::string_view text);
// The same for a non-negative integer up to 2^64 - 1.
std::optional<uint64_t> ParseUint64(std::string_view text);

}  // namespace lamin::util
