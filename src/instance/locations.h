// Storage locations as an instance names them: canonical roots, and the rule that locations do
// not nest. A location inside another (or inside a .lamindb/ folder) would let one instance's
// saves register, and its checks remove, what belongs to another.
// Thread-safety: stateless functions.
#pragma once

#include <string>
#include <vector>

#include "lamin/status.h"

namespace lamin::instance {

bool IsS3Url(const std::string& text);

// A storage root as lamindb_storage.root holds it: a local absolute path without trailing '/',
// or s3://bucket/prefix[?endpoint_url=...]. Result: InvalidArgument naming what is wrong.
Result<std::string> CanonicalRoot(const std::string& text);

// Whether location `inner` lies inside `outer` or is the same (both canonical roots).
bool LocationWithin(const std::string& inner, const std::string& outer);

// Checks that a new location `root` (canonical) may be registered beside `taken`, the canonical
// roots already in use: it must not lie inside a .lamindb/ folder, equal, lie inside or contain
// one of them, nor lie below a local folder that holds another instance's marker.
// Result: AlreadyExists (the same root), InvalidArgument naming the location it overlaps.
Status CheckLocationIsFree(const std::string& root, const std::vector<std::string>& taken);

}  // namespace lamin::instance
