// LaminDB's search (models/query_manager.py, LAYER2 §6) for any registry, on both backends: the
// rows where some text field (every CharField and TextField, uid and hash included) contains the
// query without case, ranked as Python ranks them — for each field 200 for the whole value, 200
// for a '|'-separated synonym, 10 for a word (bounded by " |.,;:"), 8 for a synonym's start
// without a space after, 2 for a word's start, 2 for a word's end, 1 for containing it, summed
// — highest first, ties in id order (the order SQLite's stable sorter gives Python).
// The candidates come from one scan whose predicate is LaminDB's own (LIKE on SQLite, ILIKE on
// PostgreSQL); ranking then reads only the candidates.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "db/database.h"
#include "lamin/record.h"
#include "lamin/records.h"
#include "registry/registry_def.h"

namespace lamin::registry {

// The text fields Python searches for `r`.
std::vector<std::string> SearchFields(const RegistryDef& r);
// Python's rank of one field's value for the query `s` (already stripped).
int FieldRank(const std::string& value, const std::string& s);

// Opens another connection to the same database, for a scan split across threads (SQLite; a
// PostgreSQL server splits its scans itself).
using ReaderFactory = std::function<Result<std::unique_ptr<db::Database>>()>;

// Result: InvalidArgument for an empty query or a negative limit. With `open_reader`, a big
// table's scan runs on several connections at once, each over a range of ids.
Result<std::vector<SearchHit>> Search(db::Database& db, const RegistryDef& r,
                                      const std::string& query, const SearchOptions& options,
                                      const ReaderFactory& open_reader = {});

}  // namespace lamin::registry
