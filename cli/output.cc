#include "output.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <vector>

#include "util/encoding.h"

namespace lamin::cli {

namespace {
std::string Text(const std::optional<std::string>& v) { return v ? Printable(*v) : "-"; }

std::string ValueText(const FieldValue& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return "-";
        } else if constexpr (std::is_same_v<T, bool>) {
          return x ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::string>) {
          return Printable(x);
        } else {
          return fmt::format("{}", x);
        }
      },
      v);
}
}  // namespace

std::string Printable(std::string_view text) { return util::EscapeControl(text); }

std::string DescribeText(const Artifact& a) {
  const char* branch = a.branch_id == kBranchTrash     ? "trash"
                       : a.branch_id == kBranchArchive ? "archive"
                                                       : "main";
  std::string out = fmt::format("Artifact {}{}\n", a.uid, a.is_latest ? " (latest)" : "");
  out += fmt::format("  key:         {}\n", Text(a.key));
  out += fmt::format("  description: {}\n", Text(a.description));
  out += fmt::format("  suffix:      {}\n", a.suffix.empty() ? "-" : Printable(a.suffix));
  out += fmt::format("  size:        {} bytes{}\n", a.size.value_or(0),
                     a.n_files ? fmt::format(" in {} files", *a.n_files) : "");
  out += fmt::format("  hash:        {} ({})\n", Text(a.hash), Text(a.hash_type));
  out += fmt::format("  branch:      {}\n", branch);
  out += fmt::format("  storage:     {}/{}\n", Printable(a.storage_root), Printable(a.StorageKey()));
  out += fmt::format("  created:     {} by {}\n", a.created_at, Printable(a.created_by_handle));
  return out;
}

namespace {

std::string RunList(const std::vector<Run>& runs) {
  constexpr size_t kShown = 5;
  std::string out;
  for (size_t i = 0; i < runs.size() && i < kShown; ++i) {
    out += (i ? ", " : "") + runs[i].uid;
  }
  if (runs.size() > kShown) out += fmt::format(" and {} more", runs.size() - kShown);
  return out;
}

}  // namespace

std::string DescribeText(const Artifact& a, const ArtifactLineage& lineage) {
  std::string out = DescribeText(a);
  if (lineage.run) {
    out += fmt::format("  run:         {} ({}, started {})\n", lineage.run->uid,
                       RunStatusName(lineage.run->status), lineage.run->started_at);
  }
  if (lineage.run_report) {
    out += fmt::format("  run's log:   {} (lamin load --uid {})\n", lineage.run_report->uid,
                       lineage.run_report->uid);
  }
  if (lineage.transform) {
    out += fmt::format("  transform:   {} ({} {})\n", Printable(lineage.transform->key),
                       lineage.transform->kind, lineage.transform->uid);
  }
  if (!lineage.read_by.empty()) {
    out += fmt::format("  read by:     {}\n", RunList(lineage.read_by));
  }
  if (!lineage.recreated_by.empty()) {
    out += fmt::format("  recreated:   {}\n", RunList(lineage.recreated_by));
  }
  return out;
}

std::string DescribeText(const Collection& c, const std::vector<Artifact>& members,
                         const std::vector<Collection>& versions) {
  std::string out = fmt::format("Collection {}{}\n", c.uid, c.is_latest ? " (latest)" : "");
  out += fmt::format("  key:         {}\n", Printable(c.key));
  out += fmt::format("  description: {}\n", Text(c.description));
  out += fmt::format("  hash:        {}\n", Text(c.hash));
  out += fmt::format("  branch:      {}\n", c.branch_id == kBranchTrash ? "trash" : "main");
  out += fmt::format("  created:     {}\n", c.created_at);
  out += fmt::format("  members ({}):\n", members.size());
  for (const auto& a : members) out += "    " + SummaryLine(a) + "\n";
  out += fmt::format("  versions ({}):\n", versions.size());
  for (const auto& v : versions) {
    out += fmt::format("    {}{}{}\n", v.uid, v.is_latest ? "  latest" : "",
                       v.branch_id == kBranchTrash ? "  (trash)" : "");
  }
  return out;
}

std::string AnnotationsText(const ArtifactAnnotations& an) {
  std::string out;
  // Labels by registry, as Python's describe(): ".ulabels  ULabel  a, b".
  std::map<std::string, std::vector<std::string>> by_registry;
  for (const auto& l : an.labels) {
    auto& names = by_registry[l.registry];
    if (std::find(names.begin(), names.end(), l.name) == names.end()) names.push_back(l.name);
  }
  if (!by_registry.empty()) {
    out += "  Labels\n";
    for (const auto& [registry, names] : by_registry) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + Printable(n);
      const char* cls = registry == "ulabel" ? "ULabel" : registry == "project" ? "Project" : "Record";
      out += fmt::format("    {:<12} {:<8} {}\n", "." + registry + "s", cls, list);
    }
  }
  if (!an.features.empty()) {
    size_t width = 0, dtype_width = 0;
    for (const auto& f : an.features) {
      width = std::max(width, f.feature.size());
      dtype_width = std::max(dtype_width, f.dtype.size());
    }
    out += "  Features\n";
    for (const auto& f : an.features) {
      std::string list;
      for (const auto& v : f.values) list += (list.empty() ? "" : ", ") + Printable(v);
      out += fmt::format("    {:<{}}  {:<{}}  {}\n", Printable(f.feature), width,
                         Printable(f.dtype), dtype_width, list);
    }
  }
  if (an.schema) out += fmt::format("  schema:      {}\n", Printable(*an.schema));
  return out;
}

std::string SummaryLine(const Artifact& a) {
  return fmt::format("{}  {}  {} bytes  {}", a.uid, a.key ? Text(a.key) : Text(a.description),
                     a.size.value_or(0), Text(a.hash));
}

std::string SummaryLine(const Record& r) {
  std::string head = r.Text("uid").value_or(r.Text("id").value_or("-"));
  std::string line = head;
  if (r.registry == "run") {  // a run has no name to show: its state and start
    if (auto code = r.Int("_status_code")) {
      line += std::string("  ") + RunStatusName(static_cast<RunStatus>(*code));
    }
    if (auto started = r.Text("started_at")) line += "  " + *started;
  }
  for (const char* field : {"key", "name", "handle", "root", "value", "kind", "description"}) {
    if (const FieldValue* v = r.Get(field); v && !std::holds_alternative<std::monostate>(*v)) {
      line += "  " + ValueText(*v);
    }
  }
  return line;
}

std::string DescribeText(const Record& r) {
  std::string out = fmt::format("{} {}\n", r.registry, r.Text("uid").value_or(r.Text("id").value_or("")));
  size_t width = 0;
  for (const auto& [name, value] : r.fields) width = std::max(width, name.size());
  for (const auto& [name, value] : r.fields) {
    out += fmt::format("  {:<{}}  {}\n", name + ":", width + 1, ValueText(value));
  }
  return out;
}

}  // namespace lamin::cli
