// lamin fsck: check the instance's invariants, and repair what recovery can.
#include <fmt/format.h>

#include <iostream>

#include "lamin/json.h"
#include "output.h"
#include "session.h"

namespace lamin::cli {

std::vector<Command> AddFsckCommand(CLI::App& app, Session& s) {
  struct Args {
    bool repair = false, deep = false;
  };
  auto args = std::make_shared<Args>();
  auto* fsck = app.add_subcommand("fsck", "check the instance's invariants (and repair)");
  fsck->add_flag("--repair", args->repair, "finish or undo interrupted writes, remove orphans");
  fsck->add_flag("--deep", args->deep, "also recompute every object's hash");
  s.AddJsonFlag(fsck);
  auto run = [args, &s] {
    auto inst = s.OpenCurrent();
    if (!inst.ok()) return s.Fail(inst.status());
    auto report = (*inst)->Fsck({.repair = args->repair, .deep = args->deep});
    if (!report.ok()) return s.Fail(report.status());
    if (s.json) {
      s.PrintJson(ToJson(*report));
    } else {
      for (const auto& p : report->problems) {
        std::cout << fmt::format("{}{}: {}{}: {}\n", p.warning ? "warning " : "", p.kind,
                                 p.uid.empty() ? "" : "artifact " + p.uid + " ", Printable(p.path),
                                 Printable(p.message));
      }
      std::cerr << fmt::format("checked {} artifacts and {} objects{}: {} problem(s), {} left\n",
                               report->artifacts_checked, report->objects_seen,
                               args->deep ? " (with hashes)" : "", report->problems.size(),
                               report->unrepaired());
    }
    return report->unrepaired() > 0 ? kExitDamage : kExitOk;
  };
  return {{fsck, run}};
}

}  // namespace lamin::cli
