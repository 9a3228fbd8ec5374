// The managed layout of a storage location, defined once: what lamin (and LaminDB) keeps under
// "<root>/.lamindb/", and which of those names lamin may ever remove.
//
//   .lamindb/storage_uid.txt             the marker: the location belongs to one instance
//   .lamindb/lamin.db[-wal|-shm|-journal] the embedded SQLite database of the instance
//   .lamindb/<uid><suffix>               an object: 20-character uid (16 + version counter), or
//                                        a 16-character stem (LaminDB's _overwrite_versions)
//   .lamindb/<object>.tmp-<token>        a staging copy of an object being written
//   .lamindb/lamin.db.tmp-<token>[-wal|-shm|-journal]  the database of an init in progress
//
// Anything else below .lamindb/ (a user's backup, a folder of notes, another tool's files) is not
// lamin's: checks report it and never remove it.
// Thread-safety: stateless functions.
#pragma once

#include <string>

namespace lamin::storage {

inline constexpr const char* kManagedDir = ".lamindb";
inline constexpr const char* kMarkerName = "storage_uid.txt";
inline constexpr const char* kMarkerKey = ".lamindb/storage_uid.txt";
inline constexpr const char* kSqliteName = "lamin.db";
// What SQLite keeps beside its database file (WAL, shared memory, rollback journal).
inline constexpr const char* kSqliteSidecars[] = {"-wal", "-shm", "-journal"};
inline constexpr const char* kStagingInfix = ".tmp-";

// The key of a managed object: ".lamindb/<name><suffix>" (name: a uid or a stem).
std::string ManagedObjectKey(const std::string& name, const std::string& suffix);

// Whether `key` lies in the managed folder (".lamindb" itself or below it).
bool IsManagedKey(const std::string& key);

enum class ManagedEntry {
  kInstanceFile,  // the marker, the SQLite database and its sidecars
  kObject,        // a name made from a uid: owned by a row, else an orphan
  kStaging,       // a staging copy of an object (token set)
  kInitLeftover,  // the database of an init that did not finish
  kForeign,       // not a name lamin writes
};

// Classifies a name found directly below .lamindb/ (no '/'). For kStaging, `token` gets the
// staging token.
ManagedEntry ClassifyManagedEntry(const std::string& name, std::string* token = nullptr);

}  // namespace lamin::storage
