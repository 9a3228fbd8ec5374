// lamin get | describe | load: one artifact, its description, the local path of its data.
#include <iostream>

#include "output.h"
#include "session.h"

namespace lamin::cli {

std::vector<Command> AddGetCommands(CLI::App& app, Session& s) {
  auto ref = std::make_shared<RefArgs>();
  auto* get = app.add_subcommand("get", "show an artifact");
  ref->AddTo(get);
  s.AddJsonFlag(get);
  auto* describe = app.add_subcommand("describe", "describe an artifact");
  ref->AddTo(describe);
  s.AddJsonFlag(describe);
  auto* load = app.add_subcommand("load", "print the local path of an artifact's data");
  ref->AddTo(load);
  s.AddJsonFlag(load);

  auto show = [ref, &s](bool describe_it) {
    auto r = ref->Ref();
    if (!r) return s.Usage("name the artifact with --key KEY or --uid UID");
    auto inst = s.OpenCurrent();
    if (!inst.ok()) return s.Fail(inst.status());
    auto a = (*inst)->Get(*r);
    if (!a.ok()) return s.Fail(a.status());
    if (s.json) {
      s.PrintJson(ArtifactJson(*a));
    } else if (describe_it) {
      std::cout << DescribeText(*a);
    } else {
      std::cout << SummaryLine(*a) << "\n";
    }
    return kExitOk;
  };
  auto run_load = [ref, &s] {
    auto r = ref->Ref();
    if (!r) return s.Usage("name the artifact with --key KEY or --uid UID");
    auto inst = s.OpenCurrent();
    if (!inst.ok()) return s.Fail(inst.status());
    auto path = (*inst)->Load(*r);
    if (!path.ok()) return s.Fail(path.status());
    if (s.json) {
      s.PrintJson({{"path", path->string()}});
    } else {
      std::cout << Printable(path->string()) << "\n";
    }
    return kExitOk;
  };
  return {{get, [show] { return show(false); }},
          {describe, [show] { return show(true); }},
          {load, run_load}};
}

}  // namespace lamin::cli
