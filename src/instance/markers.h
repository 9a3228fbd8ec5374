// The marker of a storage location (.lamindb/storage_uid.txt, storage/layout.h): which
// instance a location belongs to, in lamindb-setup's text.
#pragma once

#include <string>

#include "instance/settings.h"
#include "lamin/object_store.h"

namespace lamin::instance {

std::string MarkerText(const std::string& storage_uid, const InstanceSettings& settings);

// Writes the marker through the store's own write path, which refuses a marker that exists: a
// location belongs to one instance. Result: AlreadyExists naming the marker, or the store's.
Status WriteStorageMarker(ObjectStore& store, const std::string& text);

}  // namespace lamin::instance
