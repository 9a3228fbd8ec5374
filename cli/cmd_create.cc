// lamin create ulabel | project | record | feature | schema: registry records as Python's
// constructors make them; a name that exists (within its type) returns the existing record.
#include <fmt/format.h>

#include <iostream>

#include "lamin/json.h"
#include "output.h"
#include "session.h"

namespace lamin::cli {
namespace {

std::vector<std::string> SplitCommas(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const auto& item : items) {
    size_t start = 0;
    while (true) {
      size_t comma = item.find(',', start);
      std::string part = item.substr(start, comma == std::string::npos ? comma : comma - start);
      if (!part.empty()) out.push_back(part);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

int Report(Session& s, const std::string& registry, const Result<Created>& created) {
  if (!created.ok()) return s.Fail(created.status());
  const Record& r = created->record;
  if (s.json) {
    nlohmann::json j = ToJson(r);
    j["existed"] = created->existed;
    s.PrintJson(j);
    return kExitOk;
  }
  const std::string uid = r.Text("uid").value_or("");
  const std::string name = Printable(r.Text("name").value_or(""));
  std::cout << uid << "\n";
  if (created->existed) {
    std::cerr << fmt::format("{} '{}' exists ({}): returned it\n", registry, name, uid);
  } else {
    std::cerr << fmt::format("created {} '{}' ({})\n", registry, name, uid);
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> AddCreateCommands(CLI::App& app, Session& s) {
  struct Args {
    std::string name, type, description, dtype, unit;
    std::vector<std::string> parents, features, optional_features;
    bool is_type = false, minimal = false, maximal = false, ordered = false;
  };
  auto args = std::make_shared<Args>();
  auto* create = app.add_subcommand("create", "create a label, feature or schema");
  create->require_subcommand(1);
  std::vector<Command> commands;
  for (const char* registry : {"ulabel", "project", "record"}) {
    auto* cmd = create->add_subcommand(
        registry, fmt::format("create a {} (or return the one of that name and type)", registry));
    cmd->add_option("name", args->name, "its name")->required();
    cmd->add_option("--type", args->type, "the type it belongs to (a name or uid)");
    cmd->add_flag("--is-type", args->is_type, "make it a type that groups others");
    cmd->add_option("--parent", args->parents, "a parent of the same registry (repeatable)")
        ->allow_extra_args(false);
    cmd->add_option("--description", args->description, "a description");
    s.AddJsonFlag(cmd);
    std::string r = registry;
    commands.push_back({cmd, [args, &s, r] {
                          auto inst = s.OpenCurrent();
                          if (!inst.ok()) return s.Fail(inst.status());
                          LabelSpec spec;
                          spec.registry = r;
                          spec.name = args->name;
                          if (!args->type.empty()) spec.type = args->type;
                          spec.is_type = args->is_type;
                          spec.parents = args->parents;
                          if (!args->description.empty()) spec.description = args->description;
                          return Report(s, r, (*inst)->annotations().CreateLabel(spec));
                        }});
  }
  auto* feature = create->add_subcommand("feature", "create a feature (a typed dimension)");
  feature->add_option("name", args->name, "its name")->required();
  feature->add_option("--dtype", args->dtype,
                      "num int float str bool date datetime dict path url, list[...], "
                      "cat[ULabel], cat[ULabel[<type>]], cat[Record], cat[Project], "
                      "list[cat[...]]");
  feature->add_option("--unit", args->unit, "a unit, e.g. degC");
  feature->add_option("--description", args->description, "a description");
  feature->add_option("--type", args->type, "a feature type it belongs to");
  feature->add_flag("--is-type", args->is_type, "make it a feature type (no dtype)");
  s.AddJsonFlag(feature);
  commands.push_back({feature, [args, &s] {
                        auto inst = s.OpenCurrent();
                        if (!inst.ok()) return s.Fail(inst.status());
                        FeatureSpec spec;
                        spec.name = args->name;
                        spec.dtype = args->dtype;
                        if (!args->unit.empty()) spec.unit = args->unit;
                        if (!args->description.empty()) spec.description = args->description;
                        if (!args->type.empty()) spec.type = args->type;
                        spec.is_type = args->is_type;
                        return Report(s, "feature", (*inst)->annotations().CreateFeature(spec));
                      }});
  auto* schema = create->add_subcommand("schema", "create a schema (a set of features)");
  schema->add_option("name", args->name, "its name")->required();
  schema->add_option("--features", args->features, "required features, F1,F2 (in order)")
      ->required();
  schema->add_option("--optional", args->optional_features, "optional features, F3,F4");
  schema->add_flag("--minimal", args->minimal,
                   "the required features must be present (always so: LaminDB's default)");
  schema->add_flag("--maximal", args->maximal, "no features but the schema's may be present");
  schema->add_flag("--ordered", args->ordered, "the features must come in this order");
  schema->add_option("--description", args->description, "a description");
  s.AddJsonFlag(schema);
  commands.push_back({schema, [args, &s] {
                        auto inst = s.OpenCurrent();
                        if (!inst.ok()) return s.Fail(inst.status());
                        SchemaSpec spec;
                        spec.name = args->name;
                        spec.features = SplitCommas(args->features);
                        spec.optional_features = SplitCommas(args->optional_features);
                        spec.maximal = args->maximal;
                        spec.ordered = args->ordered;
                        if (!args->description.empty()) spec.description = args->description;
                        return Report(s, "schema", (*inst)->annotations().CreateSchema(spec));
                      }});
  return commands;
}

}  // namespace lamin::cli
