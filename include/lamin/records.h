// Records: every registry of an instance read through one interface (Instance::records()):
// the same queries as for artifacts (query.h), on artifact, collection, transform, run, ulabel,
// feature, schema, record, project, reference, storage, user, branch, space and jsonvalue.
// Thread-safety: as its Instance.
#pragma once

#include <string>
#include <vector>

#include "lamin/query.h"
#include "lamin/record.h"
#include "lamin/status.h"

namespace lamin {

struct SearchOptions {
  int64_t limit = 20;  // Python's default
  // Also the trash and the archive (Python's class-level Registry.search() shows them; its
  // Registry.filter().search() does not, which is lamin's default).
  bool include_hidden = false;
};

// A record and its rank: the sum, over the registry's text fields, of LaminDB's weights for how
// the query matches the field (200 the whole value or a '|'-separated synonym, 10 a word, 8 a
// synonym's start, 2 a word's start or end, 1 containing it).
struct SearchHit {
  Record record;
  int rank = 0;
};

class Records {
 public:
  virtual ~Records() = default;
  // Records of `registry` matching `query`. Result: InvalidArgument for an unknown registry
  // (listing them), field, relation or lookup.
  virtual Result<std::vector<Record>> List(const std::string& registry, const Query& query) = 0;
  // The record `ref` names. Result: NotFound, InvalidArgument (a reference this registry has no
  // field for).
  virtual Result<Record> Get(const std::string& registry, const RecordRef& ref) = 0;
  // LaminDB's search(): the records whose text fields contain `query` (case-insensitively),
  // ranked as Python ranks them, highest first (ties in id order), at most options.limit.
  // Result: InvalidArgument (unknown registry, an empty query).
  virtual Result<std::vector<SearchHit>> Search(const std::string& registry,
                                                const std::string& query,
                                                const SearchOptions& options = {}) = 0;
};

// The registries Records reads, in a fixed order.
std::vector<std::string> RegistryNames();

}  // namespace lamin
