// lamin delete artifact | delete instance | restore artifact.
#include <fmt/format.h>

#include <iostream>

#include "session.h"

namespace lamin::cli {

std::vector<Command> AddDeleteCommands(CLI::App& app, Session& s) {
  struct Args {
    RefArgs ref;
    bool permanent = false;
    std::string instance;
    bool force = false, delete_data = false;
  };
  auto args = std::make_shared<Args>();
  auto* del = app.add_subcommand("delete", "delete an artifact or an instance");
  del->require_subcommand(1);
  auto* artifact = del->add_subcommand("artifact", "move an artifact to the trash");
  args->ref.AddTo(artifact);
  artifact->add_flag("--permanent", args->permanent, "remove row and data for good");
  s.AddJsonFlag(artifact);
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
  return {{artifact, run_artifact}, {instance, run_instance}, {restore_artifact, run_restore}};
}

}  // namespace lamin::cli
