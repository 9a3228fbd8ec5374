#include "core/annotate_save.h"

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <set>

#include "util/csv.h"
#include "util/pyjson.h"

namespace lamin::core {
namespace fs = std::filesystem;
namespace {

// LaminDB links the labels of a categorical column when it has at most this many distinct
// values (settings.annotation.n_max_records).
constexpr size_t kMaxLinkedLabels = 1000;
// Examples of bad cells shown per column.
constexpr size_t kExamples = 3;

std::optional<char> DelimiterOf(const fs::path& path) {
  std::string ext = path.extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".csv") return ',';
  if (ext == ".tsv") return '\t';
  return std::nullopt;
}

struct ColumnCheck {
  const registry::FeatureRow* feature = nullptr;
  registry::Dtype dtype;
  size_t index = 0;
  int64_t bad = 0;
  std::vector<std::string> examples;
  std::set<std::string> labels;  // categorical: the distinct names
  bool too_many_labels = false;
};

// The columns of a table against `schema`; categorical columns' labels become feature values.
Status CheckTable(registry::Resolver& resolver, const registry::SchemaRow& schema,
                  const fs::path& path, char delimiter, std::vector<Violation>* violations,
                  std::vector<FeatureValue>* categorical) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read table '" + path.string() + "'");
  util::DelimitedReader reader(in, delimiter);
  std::vector<std::string> header;
  LAMIN_ASSIGN_OR_RETURN(bool has_header, reader.Next(&header));
  if (!has_header) {
    violations->push_back({"", "table '" + path.filename().string() + "' is empty"});
    return Status::OK();
  }
  const std::string what = "schema '" + schema.name.value_or(schema.uid) + "'";
  std::map<std::string, size_t> column_at;
  for (size_t i = 0; i < header.size(); ++i) column_at.emplace(header[i], i);
  std::vector<ColumnCheck> checks;
  std::set<std::string> members;
  std::vector<size_t> member_positions;
  for (const auto& f : schema.members) {
    members.insert(f.name);
    auto at = column_at.find(f.name);
    if (at == column_at.end()) {
      if (schema.minimal && !schema.optional_uids.count(f.uid)) {
        violations->push_back({f.name, what + " requires column '" + f.name + "' (" +
                                           f.dtype.value_or("?") + "), which the table lacks"});
      }
      continue;
    }
    member_positions.push_back(at->second);
    auto dtype = registry::ParseDtype(f.dtype.value_or(""));
    if (!dtype.ok()) {
      violations->push_back({f.name, "column '" + f.name + "': " + dtype.status().message()});
      continue;
    }
    checks.push_back({&f, *dtype, at->second, 0, {}, {}, false});
  }
  if (schema.maximal) {
    for (const auto& h : header) {
      if (!members.count(h)) {
        violations->push_back(
            {h, what + " is a maximal set and has no feature for column '" + h + "'"});
      }
    }
  }
  if (schema.ordered && !std::is_sorted(member_positions.begin(), member_positions.end())) {
    violations->push_back({"", what + " is ordered: the table's columns must come in the order " +
                                   "of its features"});
  }
  std::vector<std::string> row;
  while (true) {
    LAMIN_ASSIGN_OR_RETURN(bool more, reader.Next(&row));
    if (!more) break;
    if (row.size() == 1 && row[0].empty()) continue;  // a blank line
    for (auto& c : checks) {
      if (c.index >= row.size()) {
        ++c.bad;
        if (c.examples.size() < kExamples) {
          c.examples.push_back(fmt::format("line {} has no such column", reader.line()));
        }
        continue;
      }
      const std::string& cell = row[c.index];
      if (cell.empty()) continue;  // a missing value: features are nullable, as Python's default
      auto value = registry::ValueFromText(c.dtype, c.feature->name, cell);
      if (!value.ok()) {
        ++c.bad;
        if (c.examples.size() < kExamples) {
          c.examples.push_back(fmt::format("line {}: {}", reader.line(),
                                           util::PythonJsonDumps(nlohmann::ordered_json(cell))));
        }
        continue;
      }
      if (c.dtype.categorical()) {
        for (const auto& item : *value) {
          const std::string name = item.get<std::string>();
          // Beyond ten times what is linked, further distinct labels are neither checked nor
          // linked (the table is then not a categorical column in LaminDB's sense either).
          if (c.labels.size() >= kMaxLinkedLabels * 10 && !c.labels.count(name)) {
            c.too_many_labels = true;
            continue;
          }
          c.labels.insert(name);
        }
      }
    }
  }
  for (auto& c : checks) {
    if (c.bad > 0) {
      std::string examples;
      for (const auto& e : c.examples) examples += (examples.empty() ? "" : "; ") + e;
      violations->push_back(
          {c.feature->name,
           fmt::format("column '{}' ({}): {} value{} not of the dtype ({})", c.feature->name,
                       c.dtype.Text(), c.bad, c.bad == 1 ? " is" : "s are", examples)});
    }
    if (!c.dtype.categorical() || c.labels.empty()) continue;
    nlohmann::ordered_json names = nlohmann::ordered_json::array();
    for (const auto& l : c.labels) names.push_back(l);
    LAMIN_RETURN_IF_ERROR(
        resolver.CategoricalLabels(*c.feature, c.dtype, names, violations).status());
    if (c.labels.size() <= kMaxLinkedLabels && !c.too_many_labels) {
      categorical->push_back(FeatureValue::Json(c.feature->name, util::PythonJsonDumps(names)));
    }
  }
  return Status::OK();
}

}  // namespace

Result<PlannedAnnotation> PlanAnnotation(registry::Resolver& resolver,
                                         const Annotation& request_annotation,
                                         const fs::path& path) {
  PlannedAnnotation plan;
  plan.annotation = request_annotation;
  if (request_annotation.empty()) return plan;
  std::vector<Violation> violations;
  LAMIN_ASSIGN_OR_RETURN(registry::ResolvedAnnotation resolved,
                         resolver.Resolve(request_annotation, &violations));
  if (resolved.schema) {
    const auto delimiter = DelimiterOf(path);
    if (delimiter && fs::is_regular_file(path)) {
      std::vector<FeatureValue> categorical;
      LAMIN_RETURN_IF_ERROR(
          CheckTable(resolver, *resolved.schema, path, *delimiter, &violations, &categorical));
      for (auto& v : categorical) plan.annotation.features.push_back(std::move(v));
      plan.otype = "DataFrame";
    } else {
      // Not a table: the schema describes the feature values given.
      std::vector<int64_t> ids;
      std::map<int64_t, std::string> names;
      for (const auto& fv : request_annotation.features) {
        LAMIN_ASSIGN_OR_RETURN(auto f, resolver.Feature(fv.feature, &violations));
        if (!f) continue;
        ids.push_back(f->first.id);
        names[f->first.id] = f->first.name;
      }
      registry::CheckSchemaMembers(*resolved.schema, ids, names, &violations);
    }
  }
  LAMIN_RETURN_IF_ERROR(
      registry::ViolationsStatus("'" + path.filename().string() + "' was not saved", violations));
  return plan;
}

Status ApplyPlannedAnnotation(db::Database& db, registry::Resolver& resolver,
                              const PlannedAnnotation& plan, int64_t artifact_id, int64_t user_id,
                              std::optional<int64_t> run_id, registry::JsonValueIds* values) {
  std::vector<Violation> violations;
  LAMIN_ASSIGN_OR_RETURN(registry::ResolvedAnnotation resolved,
                         resolver.Resolve(plan.annotation, &violations));
  // A label or feature deleted since the check: the save fails as a whole.
  LAMIN_RETURN_IF_ERROR(
      registry::ViolationsStatus("the annotation changed while saving", violations));
  LAMIN_RETURN_IF_ERROR(
      registry::ApplyAnnotation(db, artifact_id, resolved, user_id, run_id, values));
  if (resolved.schema) {
    LAMIN_RETURN_IF_ERROR(
        registry::SetArtifactSchema(db, artifact_id, resolved.schema->id, plan.otype));
  }
  return Status::OK();
}

}  // namespace lamin::core
