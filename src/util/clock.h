// Timestamps in the text form LaminDB's SQLite databases hold (UTC, "YYYY-MM-DD HH:MM:SS.ffffff",
// as Django writes them).
#pragma once

#include <string>

namespace lamin::util {

std::string NowUtcText();

}  // namespace lamin::util
