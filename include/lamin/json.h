// The JSON form of every public record, in one place, for every front door (the command line
// now, the Python module and the web server later). Include it only where JSON is wanted: it
// brings nlohmann/json (Debian's nlohmann-json3-dev).
#pragma once

#include <nlohmann/json.hpp>

#include "lamin/annotations.h"
#include "lamin/artifact.h"
#include "lamin/collections.h"
#include "lamin/fsck.h"
#include "lamin/instance.h"
#include "lamin/lineage.h"
#include "lamin/record.h"
#include "lamin/status.h"
#include "lamin/storages.h"

namespace lamin {

// Fields as LaminDB names them, plus storage_root, storage_key and created_by (the handle).
nlohmann::json ToJson(const Artifact& a);
nlohmann::json ToJson(const Transform& t);
// A run's fields, its status by name too, params as a JSON value.
nlohmann::json ToJson(const Run& r);
// {"root", "nodes": [{id, type, uid, label, distance, artifact|run+transform}], "edges": [{from, to}]}.
nlohmann::json ToJson(const LineageGraph& g);
// A collection's fields as LaminDB names them.
nlohmann::json ToJson(const Collection& c);
// What a save did for one path: the artifact's fields plus path, existed, new_version, restored,
// warnings.
nlohmann::json ToJson(const SaveOutcome& outcome);
// Every field by name; JSON columns as JSON values (not text), booleans as booleans.
nlohmann::json ToJson(const Record& record);
nlohmann::json ToJson(const StorageInfo& storage);
nlohmann::json ToJson(const InstanceInfo& info);
nlohmann::json ToJson(const FsckReport& report);
// {"labels": [{registry, uid, name, feature}], "features": {NAME: value or [values]}, "schema"}:
// values decoded from their JSON (a categorical feature's label names; several values as a
// list, as Python's get_values gives a set).
nlohmann::json ToJson(const ArtifactAnnotations& annotations);
// {"code": "NotFound", "message": …}; `exit_code` added by front doors that have one.
nlohmann::json ToJson(const Status& status);

}  // namespace lamin
