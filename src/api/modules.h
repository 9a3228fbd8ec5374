// The capability modules of an instance, each over the instance's Context (context.h). A new
// capability is a new module here and a file of its own under src/api/.
#pragma once

#include <memory>

#include "api/context.h"
#include "lamin/annotations.h"
#include "lamin/collections.h"
#include "lamin/artifacts.h"
#include "lamin/lineage.h"
#include "lamin/records.h"
#include "lamin/storages.h"

namespace lamin::api {

std::unique_ptr<Artifacts> MakeArtifacts(Context& ctx);  // artifacts.cc
// A local path holding `a`'s data (a verified cached copy of remote data). Result: NotFound.
Result<std::filesystem::path> LoadArtifactData(Context& ctx, const Artifact& a);  // artifacts.cc
std::unique_ptr<Storages> MakeStorages(Context& ctx);    // storages.cc
std::unique_ptr<Records> MakeRecords(Context& ctx);      // records.cc
std::unique_ptr<Lineage> MakeLineage(Context& ctx);      // lineage.cc
std::unique_ptr<Annotations> MakeAnnotations(Context& ctx);  // annotations.cc
std::unique_ptr<Collections> MakeCollections(Context& ctx);  // collections.cc

}  // namespace lamin::api
