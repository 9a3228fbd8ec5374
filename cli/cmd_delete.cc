// lamin delete artifact | run | transform | ulabel | project | record | feature | schema |
// instance, and lamin restore artifact.
#include <fmt/format.h>

#include <iostream>

#include "session.h"

namespace lamin::cli {

std::vector<Command> AddDeleteCommands(CLI::App& app, Session& s) {
  struct Args {
    RefArgs ref;
    bool permanent = false;
    std::string instance, name;
    bool force = false, delete_data = false;
  };
  auto args = std::make_shared<Args>();
  auto* del = app.add_subcommand("delete", "delete an artifact or an instance");
  del->require_subcommand(1);
  auto* artifact = del->add_subcommand("artifact", "move an artifact to the trash");
  args->ref.AddTo(artifact);
  artifact->add_flag("--permanent", args->permanent, "remove row and data for good");
  s.AddJsonFlag(artifact);
  auto* run = del->add_subcommand("run", "delete a run for good, with its links and log");
  run->add_option("--uid", args->ref.uid, "the run's uid")->required();
  run->add_flag("--permanent", args->permanent, "required: runs are deleted for good only");
  s.AddJsonFlag(run);
  auto* transform = del->add_subcommand("transform", "delete a transform for good, with its runs");
  args->ref.AddTo(transform);
  transform->add_flag("--permanent", args->permanent,
                      "required: transforms are deleted for good only");
  s.AddJsonFlag(transform);
  auto* collection = del->add_subcommand("collection",
                                         "move a collection to the trash (its artifacts stay)");
  args->ref.AddTo(collection);
  collection->add_flag("--permanent", args->permanent,
                       "delete it for good: its member links go, the artifacts stay");
  s.AddJsonFlag(collection);
  std::vector<std::pair<CLI::App*, std::string>> labels;
  for (const char* registry : {"ulabel", "project", "record", "feature", "schema"}) {
    auto* cmd = del->add_subcommand(
        registry, fmt::format("delete a {} for good (refused while anything uses it)", registry));
    cmd->add_option("--name", args->name, "its name");
    cmd->add_option("--uid", args->ref.uid, "its uid");
    cmd->add_flag("--permanent", args->permanent, "required: deleted for good only");
    s.AddJsonFlag(cmd);
    labels.emplace_back(cmd, registry);
  }
  auto* instance = del->add_subcommand("instance", "delete an instance's settings and database");
  instance->add_option("name", args->instance, "name or owner/name")->required();
  instance->add_flag("--force", args->force,
                     "required: confirms the deletion (and forgets an instance whose database "
                     "or server is gone)");
  instance->add_flag("--delete-data", args->delete_data, "also delete the .lamindb objects");
  s.AddJsonFlag(instance);
  auto* restore = app.add_subcommand("restore", "bring an artifact back from the trash");
  restore->require_subcommand(1);
  auto* restore_artifact = restore->add_subcommand("artifact", "restore an artifact");
  args->ref.AddTo(restore_artifact);
  s.AddJsonFlag(restore_artifact);

  auto run_artifact = [args, &s] {
    auto r = args->ref.Ref();
    if (!r) return s.Usage("name the artifact with --key KEY or --uid UID");
    auto inst = s.OpenCurrent();
    if (!inst.ok()) return s.Fail(inst.status());
    auto a = (*inst)->artifacts().Delete(*r, args->permanent);
    if (!a.ok()) return s.Fail(a.status());
    if (s.json) s.PrintJson({{"uid", a->uid}, {"permanent", args->permanent}});
    std::cerr << fmt::format("{} artifact {}\n",
                             args->permanent ? "permanently deleted" : "moved to trash:", a->uid);
    return kExitOk;
  };
  // Runs and transforms, deleted for good as Python's collector deletes them (lineage.h).
  auto run_lineage = [args, &s](bool is_run) {
    const char* what = is_run ? "run" : "transform";
    if (!args->permanent) {
      return s.Usage(std::string(what) + "s have no trash here: add --permanent to delete for good");
    }
    if (!is_run && args->ref.key.empty() == args->ref.uid.empty()) {
      return s.Usage("name the transform with --key KEY (its latest version) or --uid UID");
    }
    auto inst = s.OpenCurrent();
    if (!inst.ok()) return s.Fail(inst.status());
    Lineage& lineage = (*inst)->lineage();
    std::string uid;
    Status deleted;
    if (is_run) {
      auto r = lineage.GetRun(args->ref.uid);
      if (!r.ok()) return s.Fail(r.status());
      uid = r->uid;
      deleted = lineage.DeleteRun(*r);
    } else {
      auto t = args->ref.uid.empty() ? lineage.GetTransformByKey(args->ref.key)
                                     : lineage.GetTransformByUid(args->ref.uid);
      if (!t.ok()) return s.Fail(t.status());
      uid = t->uid;
      deleted = lineage.DeleteTransform(*t);
    }
    if (!deleted.ok()) return s.Fail(deleted);
    if (s.json) s.PrintJson({{"uid", uid}, {"permanent", true}});
    std::cerr << fmt::format("permanently deleted {} {}\n", what, uid);
    return kExitOk;
  };
  // Labels, features and schemas, deleted as Python's collector allows (annotations.h).
  auto run_label = [args, &s](const std::string& registry) {
    if (!args->permanent) {
      return s.Usage(registry + "s have no trash here: add --permanent to delete for good");
    }
    if (args->name.empty() == args->ref.uid.empty()) {
      return s.Usage("name the " + registry + " with --name NAME or --uid UID");
    }
    auto inst = s.OpenCurrent();
    if (!inst.ok()) return s.Fail(inst.status());
    RecordRef ref;
    if (!args->name.empty()) ref.name = args->name;
    if (!args->ref.uid.empty()) ref.uid = args->ref.uid;
    Status deleted = (*inst)->annotations().DeleteForGood(registry, ref);
    if (!deleted.ok()) return s.Fail(deleted);
    if (s.json) s.PrintJson({{"registry", registry}, {"ref", ref.ToString()}, {"permanent", true}});
    std::cerr << fmt::format("permanently deleted {} {}\n", registry, ref.ToString());
    return kExitOk;
  };
  auto run_collection = [args, &s] {
    auto r = args->ref.Ref();
    if (!r) return s.Usage("name the collection with --key KEY or --uid UID");
    auto inst = s.OpenCurrent();
    if (!inst.ok()) return s.Fail(inst.status());
    auto c = (*inst)->collections().Get(*r);
    if (!c.ok()) return s.Fail(c.status());
    Status deleted = (*inst)->collections().Delete(*c, args->permanent);
    if (!deleted.ok()) return s.Fail(deleted);
    if (s.json) s.PrintJson({{"uid", c->uid}, {"permanent", args->permanent}});
    std::cerr << fmt::format("{} collection {}\n",
                             args->permanent ? "permanently deleted" : "moved to trash:", c->uid);
    return kExitOk;
  };
  auto run_instance = [args, &s] {
    if (!args->force) {
      return s.Usage("deleting instance '" + args->instance + "' needs --force to confirm");
    }
    auto report = Instance::DeleteInstance(
        args->instance, {.delete_data = args->delete_data, .forget_unreachable = true});
    if (!report.ok()) return s.Fail(report.status());
    for (const auto& left : report->left) s.Warn(left);
    if (s.json) s.PrintJson({{"deleted", args->instance}, {"left", report->left}});
    std::cerr << "deleted instance " << args->instance
              << (args->delete_data ? " and its data" : "") << "\n";
    return kExitOk;
  };
  auto run_restore = [args, &s] {
    auto r = args->ref.Ref();
    if (!r) return s.Usage("name the artifact with --key KEY or --uid UID");
    auto inst = s.OpenCurrent();
    if (!inst.ok()) return s.Fail(inst.status());
    auto a = (*inst)->artifacts().Restore(*r);
    if (!a.ok()) return s.Fail(a.status());
    if (s.json) s.PrintJson({{"uid", a->uid}});
    std::cerr << "restored artifact " << a->uid << "\n";
    return kExitOk;
  };
  std::vector<Command> commands;
  for (const auto& [cmd, registry] : labels) {
    commands.push_back({cmd, [run_label, r = registry] { return run_label(r); }});
  }
  commands.push_back({collection, run_collection});
  for (auto& c : std::vector<Command>{{artifact, run_artifact},
          {run, [run_lineage] { return run_lineage(true); }},
          {transform, [run_lineage] { return run_lineage(false); }},
          {instance, run_instance},
          {restore_artifact, run_restore}}) {
    commands.push_back(std::move(c));
  }
  return commands;
}

}  // namespace lamin::cli
