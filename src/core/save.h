// The save protocol (docs/acid.md): the heart of lamin.
//
//   1. Prepare   stat and validate every input (and its annotation); hash every input, reading
//                it once (a large file's first and last 50 MiB only), and look the hashes up in
//                one query: content saved before is the existing artifact and nothing is written
//                for it; plan the uids of the rest (a new family, or a key's next version).
//   2. Journal   one short transaction records a "put" intent per object about to be written.
//   3. Stage     copy every new input next to its final key (".tmp-<token>"), hashing it again
//                in the same pass (a file that changed since step 1 is refused), on a bounded
//                pool of threads.
//   4. Dedup     look up the staged hashes again: content another writer committed meanwhile is
//                returned as that artifact and its staged copy dropped.
//   5. Publish   fsync and rename the new objects into place, fsync their folder.
//   6. Commit    one transaction re-checks hashes and keys, inserts every row, moves is_latest and
//                removes the intents. This is the moment the save happens.
//   7. Finish    drop the objects of content another writer committed first.
// Any failure before 6 completes discards what 3 and 5 wrote and removes the intents; a crash
// leaves the intents, and recovery (journal.h) removes their objects unless a row owns them.
//
// It keeps the invariants I1, I2, I3 and I5 written in core/journal.h (tests check them after
// every fault).
#pragma once

#include <vector>

#include "db/database.h"
#include "lamin/artifact.h"
#include "lamin/object_store.h"

namespace lamin::core {

struct StorageTarget {
  int64_t storage_id = 0;
  ObjectStore* store = nullptr;
  int64_t user_id = 0;
  std::string owner;  // the writer session recorded in the journal
};

Result<SaveReport> SaveBatch(db::Database& db, const StorageTarget& target,
                             const std::vector<SaveRequest>& requests, const SaveOptions& options);

// LaminDB's suffix of a path: compound suffixes it knows (".tar.gz", ".ome.zarr", ...), else the
// last one; a purely numeric suffix is no suffix.
std::string ExtractSuffix(const std::filesystem::path& path);

}  // namespace lamin::core
