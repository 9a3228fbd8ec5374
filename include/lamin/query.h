// Queries with Django-style filters, as in LaminDB: `PATH__LOOKUP=VALUE`, where PATH is a field
// of the registry or a path across its relations with Django's names (`run__transform__key`,
// `created_by__handle`, `ulabels__name`, `input_of_runs__uid`, `collections__key`).
//
// Lookups: exact (the default), iexact, contains, icontains, startswith, istartswith, endswith,
// iendswith, in (comma-separated values), gt, gte, lt, lte, isnull (true/false). A path that
// ends at a relation compares the related row's id (`run=3`, `ulabels__isnull=true`).
// Values are always bound as SQL parameters; a relation's condition is an EXISTS, so a row
// appears once however many related rows match. As in LaminDB, rows in the trash (branch -1)
// and the archive (0) are hidden unless a filter names id, uid, hash or branch.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lamin/status.h"

namespace lamin {

struct Filter {
  std::string field;  // a field or a path across relations, e.g. "key" or "run__transform__key"
  std::string lookup = "exact";
  std::string value;

  // Parses "path__lookup=value" (or "path=value"). Result: InvalidArgument without '='.
  static Result<Filter> Parse(const std::string& expression);
};

struct Query {
  std::vector<Filter> filters;
  // Field names, '-' in front for descending. Default: -id (the newest first).
  std::vector<std::string> order_by;
  std::optional<int64_t> limit;
  std::optional<int64_t> offset;
};

// The lookups a filter may use, for messages and completion.
const std::vector<std::string>& Lookups();

}  // namespace lamin
