// lamin get | describe [REGISTRY] and lamin load: one record (an artifact by default), its
// description, the local path of an artifact's data.
#include <fmt/format.h>

#include <iostream>

#include "lamin/json.h"
#include "output.h"
#include "session.h"

namespace lamin::cli {

std::vector<Command> AddGetCommands(CLI::App& app, Session& s) {
  struct Args {
    std::string registry = "artifact";
    RefArgs ref;
    std::string name;
  };
  auto args = std::make_shared<Args>();
  std::vector<CLI::App*> shows;
  for (const char* verb : {"get", "describe"}) {
    auto* cmd = app.add_subcommand(verb, std::string(verb) == "get"
                                             ? "show a record (an artifact by default)"
                                             : "describe a record (an artifact by default)");
    cmd->add_option("registry", args->registry,
                    "artifact (default), collection, transform, run, ulabel, feature, schema, "
                    "record, project, reference, storage, user, branch, space, jsonvalue");
    args->ref.AddTo(cmd);
    cmd->add_option("--name", args->name, "its name (handle for a user, root for a storage)");
    s.AddJsonFlag(cmd);
    shows.push_back(cmd);
  }
  auto* load = app.add_subcommand("load", "print the local path of an artifact's data");
  args->ref.AddTo(load);
  s.AddJsonFlag(load);

  auto show = [args, &s](bool describe_it) {
    auto inst = [&] { return s.OpenCurrent(); };
    auto ref = args->ref.Ref();
    bool artifact = args->registry == "artifact" || args->registry == "artifacts";
    if (artifact && args->name.empty()) {
      if (!ref) return s.Usage("name the artifact with --key KEY or --uid UID");
      auto opened = inst();
      if (!opened.ok()) return s.Fail(opened.status());
      auto a = (*opened)->artifacts().Get(*ref);
      if (!a.ok()) return s.Fail(a.status());
      if (s.json) {
        nlohmann::json j = ToJson(*a);
        if (describe_it) {
          auto annotations = (*opened)->annotations().Of(*a);
          if (!annotations.ok()) return s.Fail(annotations.status());
          j["annotations"] = ToJson(*annotations);
        }
        s.PrintJson(j);
      } else if (describe_it) {
        auto lineage = (*opened)->lineage().OfArtifact(*a);
        if (!lineage.ok()) return s.Fail(lineage.status());
        auto annotations = (*opened)->annotations().Of(*a);
        if (!annotations.ok()) return s.Fail(annotations.status());
        std::cout << DescribeText(*a, *lineage) << AnnotationsText(*annotations);
      } else {
        std::cout << SummaryLine(*a) << "\n";
      }
      return kExitOk;
    }
    const bool collection = args->registry == "collection" || args->registry == "collections";
    if (collection && args->name.empty()) {
      if (!ref) return s.Usage("name the collection with --key KEY or --uid UID");
      auto opened = inst();
      if (!opened.ok()) return s.Fail(opened.status());
      Collections& cs = (*opened)->collections();
      auto c = cs.Get(*ref);
      if (!c.ok()) return s.Fail(c.status());
      auto members = cs.Members(*c);
      auto versions = cs.Versions(*c);
      if (!members.ok()) return s.Fail(members.status());
      if (!versions.ok()) return s.Fail(versions.status());
      if (s.json) {
        nlohmann::json j = ToJson(*c);
        j["members"] = nlohmann::json::array();
        for (const auto& a : *members) j["members"].push_back(ToJson(a));
        j["versions"] = nlohmann::json::array();
        for (const auto& v : *versions) j["versions"].push_back(v.uid);
        s.PrintJson(j);
      } else if (describe_it) {
        std::cout << DescribeText(*c, *members, *versions);
      } else {
        std::cout << fmt::format("{}  {}  {} members\n", c->uid, Printable(c->key),
                                 members->size());
      }
      return kExitOk;
    }
    RecordRef record_ref;
    if (!args->ref.uid.empty()) record_ref.uid = args->ref.uid;
    if (!args->ref.key.empty()) record_ref.key = args->ref.key;
    if (!args->name.empty()) record_ref.name = args->name;
    if (!record_ref.uid && !record_ref.key && !record_ref.name) {
      return s.Usage("name the " + args->registry + " with --uid UID, --key KEY or --name NAME");
    }
    auto opened = inst();
    if (!opened.ok()) return s.Fail(opened.status());
    auto r = (*opened)->records().Get(args->registry, record_ref);
    if (!r.ok()) return s.Fail(r.status());
    if (s.json) {
      s.PrintJson(ToJson(*r));
    } else {
      std::cout << (describe_it ? DescribeText(*r) : SummaryLine(*r) + "\n");
    }
    return kExitOk;
  };
  auto run_load = [args, &s] {
    auto r = args->ref.Ref();
    if (!r) return s.Usage("name the artifact with --key KEY or --uid UID");
    auto inst = s.OpenCurrent();
    if (!inst.ok()) return s.Fail(inst.status());
    auto run = CurrentRun(**inst);  // inside `lamin run`: what it loads is its input
    if (!run.ok()) return s.Fail(run.status());
    auto path = (*inst)->artifacts().Load(*r);
    if (!path.ok()) return s.Fail(path.status());
    if (*run) {
      auto artifact = (*inst)->artifacts().Get(*r);
      Status linked = artifact.ok() ? (*inst)->lineage().RecordInput(**run, *artifact)
                                    : artifact.status();
      if (!linked.ok()) return s.Fail(linked);
    }
    if (s.json) {
      s.PrintJson({{"path", path->string()}});
    } else {
      std::cout << Printable(path->string()) << "\n";
    }
    return kExitOk;
  };
  return {{shows[0], [show] { return show(false); }},
          {shows[1], [show] { return show(true); }},
          {load, run_load}};
}

}  // namespace lamin::cli
