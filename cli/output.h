// Printing for the command line: artifacts as text or JSON, errors on stderr, exit codes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "lamin/artifact.h"
#include "lamin/status.h"

namespace lamin::cli {

// Exit codes (documented in the README):
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;       // internal or unexpected
inline constexpr int kExitUsage = 2;       // bad command line
inline constexpr int kExitNotFound = 3;    // no such artifact, instance or path
inline constexpr int kExitInvalid = 4;     // invalid input, or it exists already
inline constexpr int kExitNoInstance = 5;  // no instance, not a LaminDB instance, no credentials
inline constexpr int kExitIo = 6;          // storage or database failure; nothing changed
inline constexpr int kExitPartial = 7;     // --keep-successful: some saved, some failed
inline constexpr int kExitDamage = 8;      // fsck found damage (that it did not repair)

int ExitCodeFor(const Status& status);
// Prints "error: <message>" on stderr and returns the exit code for it.
int Fail(const Status& status);

nlohmann::json ArtifactJson(const Artifact& a);
// A few lines describing the artifact, for `describe`.
std::string DescribeText(const Artifact& a);
// One line: uid, key or description, size, hash.
std::string SummaryLine(const Artifact& a);

}  // namespace lamin::cli
