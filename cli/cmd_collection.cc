// lamin create collection | collection append | load collection: versioned sets of artifacts,
// as Python's Collection(...).save(), collection.append(...) and collection.cache().
#include <fmt/format.h>

#include <iostream>

#include "lamin/json.h"
#include "output.h"
#include "session.h"

namespace lamin::cli {
namespace {

// A member named on the command line: a uid when it looks like one and an artifact has it,
// else a key.
Result<ArtifactRef> MemberRef(Instance& inst, const std::string& text) {
  const bool uid_like = (text.size() == 16 || text.size() == 20) &&
                        std::all_of(text.begin(), text.end(),
                                    [](unsigned char c) { return std::isalnum(c) != 0; });
  if (uid_like && inst.artifacts().Get(ArtifactRef::ByUid(text)).ok()) {
    return ArtifactRef::ByUid(text);
  }
  return ArtifactRef::ByKey(text);
}

Result<std::vector<ArtifactRef>> MemberRefs(Instance& inst, const std::vector<std::string>& refs) {
  std::vector<ArtifactRef> out;
  for (const auto& r : refs) {
    LAMIN_ASSIGN_OR_RETURN(auto ref, MemberRef(inst, r));
    out.push_back(std::move(ref));
  }
  return out;
}

int Report(Session& s, const Result<CollectionOutcome>& made) {
  if (!made.ok()) return s.Fail(made.status());
  const Collection& c = made->collection;
  if (s.json) {
    nlohmann::json j = ToJson(c);
    j["existed"] = made->existed;
    j["new_version"] = made->new_version;
    s.PrintJson(j);
    return kExitOk;
  }
  std::cout << c.uid << "\n";
  if (made->existed) {
    std::cerr << fmt::format("collection {} has these members already: returned it\n", c.uid);
  } else {
    std::cerr << fmt::format("saved collection '{}' as {}{}\n", Printable(c.key), c.uid,
                             made->new_version ? " (new version)" : "");
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> AddCollectionCommands(CLI::App& app, Session& s) {
  struct Args {
    std::string key, description, meta, into;
    std::vector<std::string> members;
    RefArgs ref;
  };
  auto args = std::make_shared<Args>();
  CLI::App* create = app.get_subcommand("create");
  auto* make = create->add_subcommand("collection", "create a collection of artifacts (a version "
                                                    "of its key when the key exists)");
  make->add_option("key", args->key, "its key")->required();
  make->add_option("members", args->members, "artifacts by key or uid, in order")->required();
  make->add_option("--description", args->description, "a description");
  make->add_option("--meta", args->meta, "an artifact describing the collection (key or uid)");
  s.AddJsonFlag(make);
  auto* collection = app.add_subcommand("collection", "work with collections");
  collection->require_subcommand(1);
  auto* append = collection->add_subcommand("append", "make the next version with more members");
  append->add_option("key", args->key, "the collection's key")->required();
  append->add_option("members", args->members, "artifacts to add, by key or uid")->required();
  s.AddJsonFlag(append);
  CLI::App* load = app.get_subcommand("load");
  auto* load_collection = load->add_subcommand("collection", "the local paths of a collection's "
                                                             "members, or a folder of them");
  args->ref.AddTo(load_collection);
  load_collection->add_option("--into", args->into,
                              "a new folder of links to the members' data, named by their keys");
  s.AddJsonFlag(load_collection);

  // What creating and appending share: the instance, the members named, the current run.
  struct Opened {
    std::unique_ptr<Instance> inst;
    std::vector<ArtifactRef> members;
    std::optional<int64_t> run_id;
  };
  auto open = [args, &s]() -> Result<Opened> {
    Opened o;
    LAMIN_ASSIGN_OR_RETURN(o.inst, s.OpenCurrent());
    LAMIN_ASSIGN_OR_RETURN(o.members, MemberRefs(*o.inst, args->members));
    LAMIN_ASSIGN_OR_RETURN(auto run, CurrentRun(*o.inst));
    if (run) o.run_id = run->id;
    return o;
  };
  auto run_create = [args, &s, open] {
    auto o = open();
    if (!o.ok()) return s.Fail(o.status());
    CollectionSpec spec;
    spec.key = args->key;
    spec.members = o->members;
    spec.run_id = o->run_id;
    if (!args->description.empty()) spec.description = args->description;
    if (!args->meta.empty()) {
      auto meta = MemberRef(*o->inst, args->meta);
      if (!meta.ok()) return s.Fail(meta.status());
      spec.meta_artifact = *meta;
    }
    return Report(s, o->inst->collections().Create(spec));
  };
  auto run_append = [args, &s, open] {
    auto o = open();
    if (!o.ok()) return s.Fail(o.status());
    return Report(s, o->inst->collections().Append(CollectionRef::ByKey(args->key), o->members,
                                                   o->run_id));
  };
  auto run_load = [args, &s] {
    auto ref = args->ref.Ref();
    if (!ref) return s.Usage("name the collection with --key KEY or --uid UID");
    auto inst = s.OpenCurrent();
    if (!inst.ok()) return s.Fail(inst.status());
    auto c = (*inst)->collections().Get(*ref);
    if (!c.ok()) return s.Fail(c.status());
    auto run = CurrentRun(**inst);  // inside a run: the collection is its input
    if (!run.ok()) return s.Fail(run.status());
    std::optional<std::filesystem::path> into;
    if (!args->into.empty()) into = args->into;
    auto paths = (*inst)->collections().Load(
        *c, into, *run ? std::optional<int64_t>((*run)->id) : std::nullopt);
    if (!paths.ok()) return s.Fail(paths.status());
    if (s.json) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& p : *paths) list.push_back(p.string());
      s.PrintJson({{"uid", c->uid}, {"paths", list}, {"into", args->into}});
    } else if (into) {
      std::cout << Printable(into->string()) << "\n";
    } else {
      for (const auto& p : *paths) std::cout << Printable(p.string()) << "\n";
    }
    return kExitOk;
  };
  return {{make, run_create}, {append, run_append}, {load_collection, run_load}};
}

}  // namespace lamin::cli
