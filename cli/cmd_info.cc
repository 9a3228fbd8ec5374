// lamin info: the current instance.
#include <fmt/format.h>

#include <iostream>

#include "output.h"
#include "session.h"

namespace lamin::cli {

std::vector<Command> AddInfoCommand(CLI::App& app, Session& s) {
  auto* info = app.add_subcommand("info", "show the current instance");
  s.AddJsonFlag(info);
  auto run = [&s] {
    auto inst = s.OpenCurrent();
    if (!inst.ok()) return s.Fail(inst.status());
    auto info = (*inst)->Info();
    if (!info.ok()) return s.Fail(info.status());
    if (s.json) {
      s.PrintJson({{"owner", info->owner},
                   {"name", info->name},
                   {"slug", info->slug},
                   {"id", info->id},
                   {"uid", info->uid},
                   {"storage_root", info->storage_root},
                   {"storage_uid", info->storage_uid},
                   {"db", info->db},
                   {"user", info->user_handle},
                   {"n_artifacts", info->n_artifacts}});
      return kExitOk;
    }
    std::cout << fmt::format(
        "instance:  {}\n  uid:       {}\n  storage:   {} (uid {})\n  database:  {}\n  user:      "
        "{}\n  artifacts: {}\n",
        info->slug, info->uid, Printable(info->storage_root), info->storage_uid,
        Printable(info->db), Printable(info->user_handle), info->n_artifacts);
    return kExitOk;
  };
  return {{info, run}};
}

}  // namespace lamin::cli
