// The SQL of labels (lamindb_ulabel, lamindb_project, lamindb_record), features
// (lamindb_feature) and schemas (lamindb_schema, lamindb_schemafeature), rows as Python LaminDB
// 2.6 writes them (LAYER2 §0, §2, §3, §5): explicit branch/space/created_on/is_locked, _aux SQL
// NULL, timestamps from the database's default. No unique index keeps names unique: the
// get-or-create runs in a writer's transaction, which lamin writers hold one at a time.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.h"
#include "lamin/annotations.h"
#include "registry/dtype.h"

namespace lamin::registry {

// A label registry: its table, uid length, parents table and artifact link table.
struct LabelTable {
  std::string registry;  // ulabel
  std::string table;     // lamindb_ulabel
  int uid_length = 0;
  std::string parents_table, parents_from, parents_to;  // from = the child, to = the parent
  std::string artifact_link;                            // lamindb_artifactulabel
  std::string link_column;                              // ulabel_id
};
const std::vector<LabelTable>& LabelTables();
// nullptr for a registry that is not a label registry.
const LabelTable* FindLabelTable(std::string_view registry);

struct LabelRow {
  int64_t id = 0;
  std::string uid;
  std::string name;
  bool is_type = false;
  std::optional<int64_t> type_id;
};

// Labels named `ref` outside the trash: the one whose uid it is, else those with that name (of
// type `type_id` when given).
Result<std::vector<LabelRow>> FindLabels(db::Database& db, const LabelTable& t,
                                         const std::string& ref,
                                         std::optional<int64_t> type_id = std::nullopt,
                                         bool any_type = true);
// Inserts a label (parents as ids). REQUIRES: in a transaction.
Result<LabelRow> InsertLabel(db::Database& db, const LabelTable& t, const LabelSpec& spec,
                             std::optional<int64_t> type_id, const std::vector<int64_t>& parents,
                             int64_t user_id);

// Links `parents` to label `id` where not linked yet; true when a link was added.
// REQUIRES: in a transaction.
Result<bool> AddParents(db::Database& db, const LabelTable& t, int64_t id,
                        const std::vector<int64_t>& parents);

struct FeatureRow {
  int64_t id = 0;
  std::string uid;
  std::string name;
  std::optional<std::string> dtype;  // _dtype_str; none for a type
  bool is_type = false;
};
// Features named `ref` (uid or name) outside the trash.
Result<std::vector<FeatureRow>> FindFeatures(db::Database& db, const std::string& ref);
// REQUIRES: in a transaction; `dtype` already in its stored form.
Result<FeatureRow> InsertFeature(db::Database& db, const FeatureSpec& spec,
                                 const std::optional<std::string>& dtype,
                                 std::optional<int64_t> type_id, int64_t user_id);

struct SchemaRow {
  int64_t id = 0;
  std::string uid;
  std::optional<std::string> name;
  std::optional<std::string> hash;
  bool minimal = true, ordered = false, maximal = false;
  std::vector<FeatureRow> members;      // in member order
  std::set<std::string> optional_uids;  // members that are not required
};
// Python's schema hash of Feature members (LAYER2 §5).
std::string SchemaHash(const std::vector<FeatureRow>& members,
                       const std::set<std::string>& optional_uids, bool minimal, bool ordered,
                       bool maximal);
Result<std::optional<SchemaRow>> SchemaWithHash(db::Database& db, const std::string& hash);
// The schema `ref` (uid or name) names, with its members. Result: NotFound, InvalidArgument
// (a name several schemas share).
Result<SchemaRow> FindSchema(db::Database& db, const std::string& ref);
// Inserts a schema and its members. REQUIRES: in a transaction.
Result<SchemaRow> InsertSchema(db::Database& db, const SchemaSpec& spec,
                               const std::vector<FeatureRow>& members,
                               const std::set<std::string>& optional_uids, int64_t user_id);

}  // namespace lamin::registry

namespace lamin::registry {

// Deletes row `id` of `table` ("lamindb_ulabel", "lamindb_feature", "lamindb_schema", …) for
// good as Django's collector does (LAYER2 §7): the rows of the registry's own link tables go
// with it (a label's parents, a schema's members, a feature's unused values); any other row that
// refers to it refuses the delete, listing every table that does and how many rows (PROTECT).
// `tables`: those that exist. REQUIRES: in a transaction.
Status DeleteForGood(db::Database& db, const std::string& table, int64_t id,
                     const std::set<std::string>& tables, const std::string& what);

}  // namespace lamin::registry
