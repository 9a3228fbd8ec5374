// Feature dtypes as LaminDB 2.x writes them in lamindb_feature._dtype_str, and feature values as
// it stores them (LAYER2 §3): the JSON text of json.dumps after LaminDB's conversions (dates as
// YYYY-MM-DD, datetimes as isoformat(), paths without a trailing '/'), and the hash
// hash_string(str(value)) (hash_dict, over json.dumps(sort_keys=True), for dicts).
// Pure functions: no database.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "lamin/status.h"

namespace lamin::registry {

struct Dtype {
  enum class Kind {
    kNum,
    kInt,
    kFloat,
    kStr,
    kBool,
    kDate,
    kDatetime,
    kDict,
    kPath,
    kUrl,
    kObject,
    kCategorical
  };
  Kind kind = Kind::kStr;
  bool is_list = false;
  // Categorical: the label registry (ulabel, record, project) and the type the labels must have:
  // `type_ref` as written inside the brackets (a type's uid in stored dtypes; a name too when a
  // user writes one, which CreateFeature turns into the uid).
  std::string label_registry;
  std::optional<std::string> type_ref;

  bool categorical() const { return kind == Kind::kCategorical; }
  bool numeric() const { return kind == Kind::kNum || kind == Kind::kInt || kind == Kind::kFloat; }
  // The _dtype_str (with `type_ref` as it is).
  std::string Text() const;
};

// Parses a dtype: num int float str bool date datetime dict path url object, list[<simple>],
// cat (= cat[ULabel]), cat[ULabel|Record|Project], cat[<R>[<type>]], list[cat[...]].
// Result: InvalidArgument listing the dtypes lamin writes (bionty and union dtypes are read
// by Python only).
Result<Dtype> ParseDtype(std::string_view text);

// A value for a feature of `dtype`, from text (the command line's NAME=VALUE) or JSON,
// converted as LaminDB converts it before storing. For a categorical dtype: a JSON array of the
// label names. Result: InvalidArgument naming `feature`, the value and what the dtype allows.
Result<nlohmann::ordered_json> ValueFromText(const Dtype& dtype, const std::string& feature,
                                             const std::string& text);
Result<nlohmann::ordered_json> ValueFromJson(const Dtype& dtype, const std::string& feature,
                                             const nlohmann::ordered_json& value);

// lamindb_jsonvalue's value text and hash of a (converted, non-categorical) value.
struct StoredValue {
  std::string json;
  std::string hash;
};
StoredValue StoreValue(const nlohmann::ordered_json& value);

// A date (YYYY-MM-DD) or naive datetime (YYYY-MM-DDTHH:MM:SS[.ffffff]) in Python's isoformat,
// from what a user writes (a space for the T; minutes without seconds). nullopt when invalid.
std::optional<std::string> IsoDate(std::string_view text);
std::optional<std::string> IsoDatetime(std::string_view text);

}  // namespace lamin::registry
