#include "lamin/json.h"

#include "registry/registry_def.h"

namespace lamin {
namespace {

template <typename T>
nlohmann::json Opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json ToJson(const Artifact& a) {
  return {{"id", a.id},
          {"uid", a.uid},
          {"key", Opt(a.key)},
          {"description", Opt(a.description)},
          {"suffix", a.suffix},
          {"kind", Opt(a.kind)},
          {"otype", Opt(a.otype)},
          {"size", Opt(a.size)},
          {"hash", Opt(a.hash)},
          {"_hash_type", Opt(a.hash_type)},
          {"n_files", Opt(a.n_files)},
          {"version_tag", Opt(a.version_tag)},
          {"is_latest", a.is_latest},
          {"branch_id", a.branch_id},
          {"storage_id", a.storage_id},
          {"storage_root", a.storage_root},
          {"storage_key", a.StorageKey()},
          {"run_id", Opt(a.run_id)},
          {"created_by", a.created_by_handle},
          {"created_at", a.created_at},
          {"updated_at", a.updated_at}};
}

nlohmann::json ToJson(const Transform& t) {
  return {{"id", t.id},
          {"uid", t.uid},
          {"key", t.key},
          {"kind", t.kind},
          {"description", Opt(t.description)},
          {"hash", Opt(t.hash)},
          {"is_latest", t.is_latest},
          {"created_at", t.created_at}};
}

nlohmann::json ToJson(const Run& r) {
  return {{"id", r.id},
          {"uid", r.uid},
          {"transform_id", r.transform_id},
          {"status", RunStatusName(r.status)},
          {"_status_code", static_cast<int>(r.status)},
          {"started_at", r.started_at},
          {"finished_at", Opt(r.finished_at)},
          {"params", r.params ? nlohmann::json::parse(*r.params, nullptr, false) : nullptr},
          {"cli_args", Opt(r.cli_args)},
          {"entrypoint", Opt(r.entrypoint)},
          {"report_id", Opt(r.report_id)},
          {"environment_id", Opt(r.environment_id)},
          {"initiated_by_run_id", Opt(r.initiated_by_run_id)}};
}

nlohmann::json ToJson(const LineageGraph& g) {
  nlohmann::json nodes = nlohmann::json::array(), edges = nlohmann::json::array();
  for (const auto& n : g.nodes) {
    nlohmann::json j{{"id", n.id},
                     {"type", n.kind == LineageNode::Kind::kRun ? "run" : "artifact"},
                     {"uid", n.uid},
                     {"label", n.label},
                     {"distance", n.distance}};
    if (n.artifact) j["artifact"] = ToJson(*n.artifact);
    if (n.run) j["run"] = ToJson(*n.run);
    if (n.transform) j["transform"] = ToJson(*n.transform);
    if (n.report) j["report"] = ToJson(*n.report);
    nodes.push_back(std::move(j));
  }
  for (const auto& e : g.edges) edges.push_back({{"from", e.from}, {"to", e.to}});
  return {{"root", g.root}, {"nodes", std::move(nodes)}, {"edges", std::move(edges)}};
}

nlohmann::json ToJson(const SaveOutcome& outcome) {
  nlohmann::json j = ToJson(outcome.artifact);
  j["path"] = outcome.path.string();
  j["existed"] = outcome.existed;
  j["new_version"] = outcome.new_version;
  j["restored"] = outcome.restored;
  j["warnings"] = outcome.warnings;
  return j;
}

nlohmann::json ToJson(const Record& record) {
  const registry::RegistryDef* r = registry::FindRegistry(record.registry);
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, value] : record.fields) {
    const schema::ColumnDef* c = r ? r->Column(name) : nullptr;
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            j[name] = nullptr;
          } else if constexpr (std::is_same_v<T, std::string>) {
            // A JSON column's text is shown as the value it holds (text that does not parse
            // stays text).
            if (c && c->kind == schema::ColumnKind::kJson) {
              j[name] = nlohmann::json::parse(v, nullptr, /*allow_exceptions=*/false);
              if (j[name].is_discarded()) j[name] = v;
            } else {
              j[name] = v;
            }
          } else {
            j[name] = v;
          }
        },
        value);
  }
  return j;
}

nlohmann::json ToJson(const StorageInfo& st) {
  return {{"id", st.id},
          {"uid", st.uid},
          {"root", st.root},
          {"type", st.type},
          {"region", st.region},
          {"description", st.description},
          {"writable", st.writable},
          {"default", st.is_default}};
}

nlohmann::json ToJson(const InstanceInfo& info) {
  return {{"owner", info.owner},
          {"name", info.name},
          {"slug", info.slug},
          {"id", info.id},
          {"uid", info.uid},
          {"storage_root", info.storage_root},
          {"storage_uid", info.storage_uid},
          {"db", info.db},
          {"user", info.user_handle},
          {"n_artifacts", info.n_artifacts}};
}

nlohmann::json ToJson(const FsckReport& report) {
  nlohmann::json problems = nlohmann::json::array();
  for (const auto& p : report.problems) {
    problems.push_back({{"kind", p.kind},
                        {"uid", p.uid},
                        {"path", p.path},
                        {"message", p.message},
                        {"warning", p.warning},
                        {"repaired", p.repaired}});
  }
  return {{"artifacts_checked", report.artifacts_checked},
          {"objects_seen", report.objects_seen},
          {"open_intents", report.open_intents},
          {"unrepaired", report.unrepaired()},
          {"problems", problems}};
}

nlohmann::json ToJson(const Collection& c) {
  auto opt = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
  return {{"id", c.id},
          {"uid", c.uid},
          {"key", c.key},
          {"description", opt(c.description)},
          {"hash", opt(c.hash)},
          {"meta_artifact_id", opt(c.meta_artifact_id)},
          {"run_id", opt(c.run_id)},
          {"is_latest", c.is_latest},
          {"branch_id", c.branch_id},
          {"created_at", c.created_at}};
}

nlohmann::json ToJson(const ArtifactAnnotations& a) {
  nlohmann::json labels = nlohmann::json::array();
  for (const auto& l : a.labels) {
    labels.push_back({{"registry", l.registry},
                      {"uid", l.uid},
                      {"name", l.name},
                      {"feature", l.feature ? nlohmann::json(*l.feature) : nlohmann::json()}});
  }
  nlohmann::json features = nlohmann::json::object();
  for (const auto& f : a.features) {
    nlohmann::json values = nlohmann::json::array();
    for (const auto& text : f.json) {
      auto v = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
      values.push_back(v.is_discarded() ? nlohmann::json(text) : v);
    }
    features[f.feature] = values.size() == 1 ? values[0] : values;
  }
  return {{"labels", labels},
          {"features", features},
          {"schema", a.schema ? nlohmann::json(*a.schema) : nlohmann::json()}};
}

nlohmann::json ToJson(const Status& status) {
  return {{"code", StatusCodeName(status.code())}, {"message", status.message()}};
}

}  // namespace lamin
