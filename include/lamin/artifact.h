// Artifact: a file or folder kept in an instance's storage, with its metadata row in
// lamindb_artifact (LaminDB 2.x format), and the requests and reports of saving them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lamin/annotation.h"
#include "lamin/status.h"

namespace lamin {

// Branches as LaminDB numbers them.
inline constexpr int kBranchTrash = -1;
inline constexpr int kBranchArchive = 0;
inline constexpr int kBranchMain = 1;

struct Artifact {
  int64_t id = 0;
  std::string uid;  // 20 characters: 16-character stem + 4-character version counter
  std::optional<std::string> key;
  std::optional<std::string> real_key;
  std::optional<std::string> description;
  std::string suffix;
  std::optional<std::string> kind;
  std::optional<std::string> otype;
  std::optional<int64_t> size;
  std::optional<std::string> hash;
  std::optional<std::string> hash_type;
  std::optional<int64_t> n_files;
  std::optional<std::string> version_tag;
  bool is_latest = false;
  bool key_is_virtual = true;
  bool overwrite_versions = false;
  int branch_id = kBranchMain;
  int64_t storage_id = 0;
  std::string storage_root;
  int64_t created_by_id = 0;
  std::optional<int64_t> run_id;  // the run that created it (lineage.h)
  std::string created_by_handle;
  std::string created_at;
  std::string updated_at;

  std::string stem() const { return uid.substr(0, 16); }
  // The object's key relative to the storage root: the real key if registered in place, else
  // the auto-managed ".lamindb/{uid}{suffix}" (a folder that overwrites versions: the stem only).
  std::string StorageKey() const;
};

// How to name an artifact in get, load, delete and restore: by key (its latest version) or by
// uid (16 characters: the latest version of that stem; 20: exactly that version).
struct ArtifactRef {
  std::optional<std::string> key;
  std::optional<std::string> uid;

  static ArtifactRef ByKey(std::string k) { return {std::move(k), std::nullopt}; }
  static ArtifactRef ByUid(std::string u) { return {std::nullopt, std::move(u)}; }
  std::string ToString() const;
};

struct SaveRequest {
  // A local file or folder (copied into storage), or the URL of an object inside a registered
  // storage location, s3://bucket/prefix/some/key (registered in place, not copied).
  std::filesystem::path path;
  std::optional<std::string> key;
  std::optional<std::string> description;
  // LaminDB's kind ("dataset", "model", or "__lamindb_run__" for a run's report and
  // environment); none by default.
  std::optional<std::string> kind;
  // Labels, feature values and a schema, written in the save's own transaction (annotation.h):
  // a name that is not registered, a value not of its feature's dtype or a schema violation
  // fails the request before anything is written. Content saved before gets the annotation too.
  Annotation annotation;
};

struct SaveOptions {
  // LaminDB's behaviour: keep the artifacts that were written when others of the batch fail.
  // By default a batch is all or nothing.
  bool keep_successful = false;
  // Threads that copy and hash; 0: util default (LAMIN_THREADS or 2 x cores), more for S3.
  size_t parallelism = 0;
  // The storage location to save into: the root of a location registered in the instance
  // (lamin storage add). Empty: the instance's default.
  std::string storage;
  // The run the batch belongs to (lineage.h): new artifacts get it as their run, in the save's
  // own transaction; content that exists already gets it as its run when it has none, else
  // records it as a recreating run, as Python LaminDB does.
  std::optional<int64_t> run_id;
};

struct SaveOutcome {
  std::filesystem::path path;
  Artifact artifact;
  // The content was saved before: this is the existing artifact, nothing was written.
  bool existed = false;
  // The existing artifact was in the trash and was restored.
  bool restored = false;
  // The artifact is a new version of an existing key (its uid counter is above 0000).
  bool new_version = false;
  // What the caller should know although the save succeeded (e.g. an older version whose data
  // this one overwrote in place, entries of a folder that were skipped).
  std::vector<std::string> warnings;
};

struct SaveFailure {
  std::filesystem::path path;
  Status status;
};

struct SaveReport {
  std::vector<SaveOutcome> saved;   // in the order of the requests
  std::vector<SaveFailure> failed;  // only with keep_successful
};

}  // namespace lamin
