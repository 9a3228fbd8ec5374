// The registries of a LaminDB instance, described once: each is a table of schema/ (its fields
// are that table's columns) plus what Django's models add on top: the name a record goes by,
// its uid's shape, whether it is versioned and hidden in the trash, and its relations with
// Django's names (foreign keys, the reverse of foreign keys, many-to-many through link tables).
// The query compiler (query.h), the row mapping and the command line read these declarations;
// a new registry is a new entry here, not an edit elsewhere.
// Thread-safety: immutable after first use.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "schema/table_def.h"

namespace lamin::registry {

enum class RelationKind {
  kForeignKey,         // this table's `column` holds the target's id ("run" of an artifact)
  kReverseForeignKey,  // the target's `column` holds this row's id ("output_artifacts" of a run)
  kManyToMany,         // rows of `link_table` pair this row and the target ("ulabels")
};

struct RelationDef {
  std::string name;  // Django's name
  RelationKind kind;
  std::string target;  // the registry it leads to
  std::string column;  // kForeignKey: on this table; kReverseForeignKey: on the target's
  std::string link_table;
  std::string link_self;    // the link's column holding this row's id
  std::string link_target;  // the link's column holding the target's id
};

struct RegistryDef {
  std::string name;  // "artifact"
  const schema::TableDef* table = nullptr;
  std::string name_field;  // what a record is named by: key, name, handle, root, value
  int uid_length = 0;      // 0: the registry has no uid
  int stem_length = 0;     // versioned registries: uid = stem + 4-character counter
  std::vector<RelationDef> relations;

  bool versioned() const { return stem_length > 0; }
  // Rows of branch -1 (trash) and 0 (archive) are hidden unless a filter names one of
  // HiddenUnless().
  bool has_branch() const { return Column("branch_id") != nullptr; }
  const schema::ColumnDef* Column(std::string_view name) const;
  const RelationDef* Relation(std::string_view name) const;
  // Sorted, for messages: the fields, and the relations.
  std::vector<std::string> FieldNames() const;
  std::vector<std::string> RelationNames() const;
};

// The fields whose filters show rows of every branch (LaminDB's rule).
const std::vector<std::string>& HiddenUnless();

// Every registry, in a fixed order.
const std::vector<RegistryDef>& Registries();
// A registry by name ("artifact"; a plural such as "artifacts" too). nullptr when unknown.
const RegistryDef* FindRegistry(std::string_view name);
// The names of every registry, for messages.
std::string RegistryNames();

}  // namespace lamin::registry
