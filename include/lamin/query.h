// Queries over artifacts with Django-style filters, as in LaminDB: `FIELD__LOOKUP=VALUE`.
//
// Fields are the columns of lamindb_artifact (uid, key, suffix, size, hash, created_at, ...).
// Lookups: exact (the default), iexact, contains, icontains, startswith, istartswith, endswith,
// iendswith, in (comma-separated values), gt, gte, lt, lte, isnull (true/false).
// Values are always bound as SQL parameters. As in LaminDB, artifacts in the trash (branch -1)
// and the archive (0) are hidden unless a filter names id, uid, hash or branch_id.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lamin/status.h"

namespace lamin {

struct Filter {
  std::string field;            // e.g. "key"
  std::string lookup = "exact";
  std::string value;

  // Parses "field__lookup=value" (or "field=value"). Result: InvalidArgument without '='.
  static Result<Filter> Parse(const std::string& expression);
};

struct ArtifactQuery {
  std::vector<Filter> filters;
  // Field names, '-' in front for descending. Default: -created_at, then -id.
  std::vector<std::string> order_by;
  std::optional<int64_t> limit;
};

// The fields a filter or order may name, for error messages and completion.
const std::vector<std::string>& ArtifactFields();

}  // namespace lamin
