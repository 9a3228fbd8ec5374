// Artifacts: the capability of an instance that saves, finds, loads and deletes artifacts
// (Instance::artifacts()). Every save follows the protocol of docs/acid.md: objects are written
// (temp, fsync, rename) before one transaction commits the batch's rows; a failure removes what
// was written. Thread-safety: as its Instance.
#pragma once

#include <filesystem>
#include <vector>

#include "lamin/artifact.h"
#include "lamin/query.h"
#include "lamin/status.h"

namespace lamin {

class Artifacts {
 public:
  virtual ~Artifacts() = default;

  // Saves files and folders, one artifact each, as one batch (see SaveOptions).
  // Result: the first failure of an all-or-nothing batch (nothing saved); InvalidArgument for a
  // bad path or key before anything is written.
  virtual Result<SaveReport> Save(const std::vector<SaveRequest>& requests,
                                  const SaveOptions& options = {}) = 0;
  // The artifact a reference names. Result: NotFound, InvalidArgument.
  virtual Result<Artifact> Get(const ArtifactRef& ref) = 0;
  // Artifacts matching a query (query.h: paths across relations, lookups, visibility).
  // Result: InvalidArgument naming an unknown field, relation or lookup.
  virtual Result<std::vector<Artifact>> List(const Query& query) = 0;
  // A local path holding the artifact's data. Result: NotFound (no artifact, a missing object,
  // or data that a newer version overwrote in place).
  virtual Result<std::filesystem::path> Load(const ArtifactRef& ref) = 0;
  // Moves to the trash, or with `permanent` removes row and object for good (LaminDB's
  // delete(permanent=True)). Deleting the latest version makes the previous one latest.
  // Returns the artifact as it was before the delete.
  virtual Result<Artifact> Delete(const ArtifactRef& ref, bool permanent) = 0;
  // Brings an artifact back from the trash. Result: NotFound, InvalidArgument (not in trash).
  virtual Result<Artifact> Restore(const ArtifactRef& ref) = 0;
};

}  // namespace lamin
