// The SQL of lamindb_collection and its links, rows as Python LaminDB 2.6 writes them (LAYER2
// §4): uid 16 + 4, is_latest written, _aux SQL NULL, timestamps from the database's default,
// members as lamindb_collectionartifact rows in list order (collection CASCADE, artifact
// PROTECT).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "db/database.h"
#include "lamin/collections.h"

namespace lamin::registry {

// LaminDB's hash_set: hash_string(":".join(sorted(set(hashes)))), NULL hashes left out.
std::string CollectionHash(const std::vector<std::optional<std::string>>& member_hashes);

// The first collection outside the trash with `hash`, whatever its key.
Result<std::optional<Collection>> CollectionWithHash(db::Database& db, const std::string& hash);
// The collection `ref` names (key: the latest version outside the trash). Result: NotFound,
// InvalidArgument.
Result<Collection> ResolveCollection(db::Database& db, const CollectionRef& ref);
Result<std::optional<Collection>> CollectionById(db::Database& db, int64_t id);
// The highest uid of a stem (for the next version counter).
Result<std::string> HighestCollectionUid(db::Database& db, const std::string& stem);
// Every version of a stem, oldest first.
Result<std::vector<Collection>> CollectionVersions(db::Database& db, const std::string& stem);
Result<std::vector<Collection>> QueryCollections(db::Database& db, const lamin::Query& query);

// Inserts the row (is_latest taken from the other versions of its stem) and its members in
// their order, each once. REQUIRES: in a transaction.
Result<Collection> InsertCollection(db::Database& db, const Collection& c,
                                    const std::vector<int64_t>& member_ids, int64_t user_id);
// The ids of a collection's members, in link order.
Result<std::vector<int64_t>> MemberIds(db::Database& db, int64_t collection_id);
// Key and description as given to a constructor that found the collection by its hash.
// REQUIRES: in a transaction.
Status UpdateCollectionNames(db::Database& db, int64_t id, const std::string& key,
                             const std::optional<std::string>& description);
// Found again inside a run: its run when it has none, else a recreating run (LAYER2 §1.6).
Status LinkCollectionRun(db::Database& db, const Collection& c, int64_t run_id);
// The collection as an input of a run, once. REQUIRES: in a transaction.
Status LinkCollectionInput(db::Database& db, int64_t collection_id, int64_t run_id);
// Trash (branch -1) and the latest version re-elected. REQUIRES: in a transaction.
Status TrashCollection(db::Database& db, const Collection& c);
// For good: its links go (member links, labels, runs), the artifacts stay; refused while a
// record's value refers to it. `tables`: those that exist. REQUIRES: in a transaction.
Status DeleteCollectionRows(db::Database& db, const Collection& c,
                            const std::set<std::string>& tables);

}  // namespace lamin::registry
