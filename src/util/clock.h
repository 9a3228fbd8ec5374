// Timestamps in the text form LaminDB's SQLite databases hold (UTC, "YYYY-MM-DD HH:MM:SS.ffffff",
// as Django writes them).
#pragma once

#include <optional>
#include <string>

namespace lamin::util {

std::string NowUtcText();
// Now as Python's str() of a naive UTC datetime writes it (real microseconds; none written when
// they are 0): what Python LaminDB sets from the process, such as a run's finished_at.
std::string NowUtcMicrosText();

// A timestamp read from either backend in that one form: PostgreSQL's "…+00" zone suffix
// dropped, the fraction written with 6 digits (SQLite defaults and Django write 3 or 6).
// Text that is not a timestamp is returned as it is.
std::string CanonicalTimestamp(const std::string& stored);

// A date or time given by a user (a filter value), in the form stored values compare with:
// "YYYY-MM-DD", or "YYYY-MM-DD HH:MM[:SS[.f]]" with ' ' or 'T', optionally "Z" / "+00:00".
// nullopt when `text` is none of these (or names an impossible date).
std::optional<std::string> ParseUserTimestamp(const std::string& text);

}  // namespace lamin::util
