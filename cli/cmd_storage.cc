// lamin storage add | list: the storage locations of the instance.
#include <fmt/format.h>

#include <iostream>

#include "lamin/json.h"
#include "output.h"
#include "session.h"

namespace lamin::cli {

std::vector<Command> AddStorageCommands(CLI::App& app, Session& s) {
  struct Args {
    std::string root, description;
  };
  auto args = std::make_shared<Args>();
  auto* storage = app.add_subcommand("storage", "storage locations of the instance");
  storage->require_subcommand(1);
  auto* add = storage->add_subcommand(
      "add", "register a location (an existing local folder or s3://BUCKET/PREFIX)");
  add->add_option("root", args->root, "the location")->required();
  add->add_option("--description", args->description, "a description");
  s.AddJsonFlag(add);
  auto* list = storage->add_subcommand("list", "list the registered locations");
  s.AddJsonFlag(list);

  auto run_add = [args, &s] {
    auto inst = s.OpenCurrent();
    if (!inst.ok()) return s.Fail(inst.status());
    auto added = (*inst)->storages().Add(args->root, args->description);
    if (!added.ok()) return s.Fail(added.status());
    if (s.json) {
      s.PrintJson(ToJson(*added));
    } else {
      std::cout << Printable(added->root) << "\n";
    }
    std::cerr << fmt::format("registered storage {} (uid {}, type {})\n", Printable(added->root),
                             added->uid, added->type);
    return kExitOk;
  };
  auto run_list = [&s] {
    auto inst = s.OpenCurrent();
    if (!inst.ok()) return s.Fail(inst.status());
    auto storages = (*inst)->storages().List();
    if (!storages.ok()) return s.Fail(storages.status());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& st : *storages) {
      if (s.json) {
        out.push_back(ToJson(st));
        continue;
      }
      std::cout << fmt::format("{} {:<5} {}{}{}\n", st.uid, st.type, Printable(st.root),
                               st.is_default ? "  (default)" : "",
                               st.writable ? "" : "  (read-only: another instance's)");
    }
    if (s.json) s.PrintJson(out);
    return kExitOk;
  };
  return {{add, run_add}, {list, run_list}};
}

}  // namespace lamin::cli
