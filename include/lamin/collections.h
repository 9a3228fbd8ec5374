// Collections: versioned, ordered sets of artifacts (Instance::collections()), with the rows
// Python LaminDB 2.x writes (../shared/reference/LAMINDB_LAYER2.md §4):
//
//   auto& c = (*inst)->collections();
//   auto atlas = c.Create({.key = "atlas", .members = {ArtifactRef::ByKey("shard1.h5ad"),
//                                                      ArtifactRef::ByKey("shard2.h5ad")}});
//   auto next = c.Append(ArtifactRef::ByKey("atlas"), {ArtifactRef::ByKey("shard3.h5ad")});
//
// The hash is LaminDB's hash_set over the members' content hashes: the same members (in any
// order) are the collection saved before, whatever its key, as Python returns it; the same key
// with other members is the key's next version (is_latest moves). Members keep their order.
// A collection holds its members: an artifact cannot be deleted for good while one does.
// Thread-safety: as its Instance.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lamin/artifact.h"
#include "lamin/query.h"
#include "lamin/status.h"

namespace lamin {

struct Collection {
  int64_t id = 0;
  std::string uid;  // 16-character stem + 4-character version counter
  std::string key;
  std::optional<std::string> description;
  std::optional<std::string> hash;
  std::optional<int64_t> meta_artifact_id;
  std::optional<int64_t> run_id;
  bool is_latest = false;
  int branch_id = kBranchMain;
  std::string created_at;

  std::string stem() const { return uid.substr(0, 16); }
};

// Collections are named like artifacts: by key (the latest version) or by uid (16 characters:
// the family's latest version; 20: exactly that version).
using CollectionRef = ArtifactRef;

struct CollectionSpec {
  std::string key;
  std::vector<ArtifactRef> members;  // saved artifacts, in the order the collection keeps
  std::optional<std::string> description;
  std::optional<ArtifactRef> meta_artifact;  // an artifact describing the collection
  // Inside a run: the collection is its output (or, found again, its recreation) and the
  // members its inputs, as Python records them.
  std::optional<int64_t> run_id;
};

struct CollectionOutcome {
  Collection collection;
  bool existed = false;      // the same members were saved before: that collection
  bool new_version = false;  // a new version of an existing key
};

class Collections {
 public:
  virtual ~Collections() = default;

  // Result: InvalidArgument (no key, no members, a member in the trash or not found, a meta
  // artifact another collection has).
  virtual Result<CollectionOutcome> Create(const CollectionSpec& spec) = 0;
  // The next version of `ref`'s family: its latest version's members followed by `more`.
  virtual Result<CollectionOutcome> Append(const CollectionRef& ref,
                                           const std::vector<ArtifactRef>& more,
                                           std::optional<int64_t> run_id = std::nullopt) = 0;
  virtual Result<Collection> Get(const CollectionRef& ref) = 0;
  // Collections matching a query (query.h; the registry "collection").
  virtual Result<std::vector<Collection>> List(const Query& query) = 0;
  // Its members in their order.
  virtual Result<std::vector<Artifact>> Members(const Collection& collection) = 0;
  // Every version of its family, the first first.
  virtual Result<std::vector<Collection>> Versions(const Collection& collection) = 0;
  // Local paths of the members' data in their order (verified cached copies for remote data);
  // with `into`, also a new folder of links to them, named by the members' keys (uid + suffix
  // without a key). Inside a run, the collection becomes its input. Result: NotFound (a member's
  // data is gone), AlreadyExists (`into` is not an empty or missing folder), IOError.
  virtual Result<std::vector<std::filesystem::path>> Load(
      const Collection& collection, const std::optional<std::filesystem::path>& into,
      std::optional<int64_t> run_id = std::nullopt) = 0;
  // To the trash, or for good (its member links go; the artifacts stay). The previous version
  // becomes the latest.
  virtual Status Delete(const Collection& collection, bool permanent) = 0;
};

}  // namespace lamin
