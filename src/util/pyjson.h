// JSON text exactly as Python's json.dumps writes it (default arguments): ", " and ": " as
// separators, non-ASCII characters as \uXXXX escapes (surrogate pairs above U+FFFF), object keys
// in the order given. LaminDB stores JSON columns this way on SQLite and compares them as text,
// so other text would make Python's exact lookups miss lamin's rows.
// Deviation: an integer beyond 64 bits is read as a float (nlohmann keeps no wider integers),
// where Python would keep every digit.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "lamin/status.h"

namespace lamin::util {

std::string PythonJsonDumps(const nlohmann::ordered_json& value);
// Parses `text` (any JSON) and writes it as json.dumps would. Result: InvalidArgument.
Result<std::string> PythonJsonText(std::string_view text);

}  // namespace lamin::util
