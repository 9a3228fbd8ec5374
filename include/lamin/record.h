// Record: one row of any registry (artifact, collection, transform, run, ulabel, feature,
// schema, record, project, reference, storage, user, branch, space, jsonvalue), its fields read
// by column name, as LaminDB stores them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace lamin {

// NULL, an integer, a real, a boolean, or text (JSON columns hold their JSON text).
using FieldValue = std::variant<std::monostate, int64_t, double, bool, std::string>;

struct Record {
  std::string registry;  // "ulabel"
  std::vector<std::pair<std::string, FieldValue>> fields;  // in the table's column order

  const FieldValue* Get(std::string_view field) const;
  std::optional<std::string> Text(std::string_view field) const;
  std::optional<int64_t> Int(std::string_view field) const;
};

// How to name one record: by uid (of a versioned registry, 16 or 12 characters name a family:
// its latest version), by key (artifact, collection, transform: the latest version), or by its
// name field (ulabel and others: name; user: handle; storage: root).
struct RecordRef {
  std::optional<std::string> uid;
  std::optional<std::string> key;
  std::optional<std::string> name;
  std::string ToString() const;
};

}  // namespace lamin
