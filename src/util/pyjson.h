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
// json.dumps(value, sort_keys=True): what LaminDB's hash_dict hashes.
std::string PythonJsonDumpsSorted(const nlohmann::ordered_json& value);
// Python's str() of the value json.loads would give: text as it is, True/False/None, a float's
// repr, lists and dicts as their repr (['x', 'y'], {'a': 1}). LaminDB hashes feature values so.
std::string PythonStr(const nlohmann::ordered_json& value);
// Python's repr of a float (shortest round-trip digits, ".0" for whole numbers, e+XX outside
// 1e-4 .. 1e16).
std::string PythonFloatRepr(double d);
// Parses `text` (any JSON) and writes it as json.dumps would. Result: InvalidArgument.
Result<std::string> PythonJsonText(std::string_view text);

}  // namespace lamin::util
