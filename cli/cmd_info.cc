// lamin info: the current instance.
#include <fmt/format.h>

#include <iostream>

#include "lamin/json.h"
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
      s.PrintJson(ToJson(*info));
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
