// lamin init | connect | disconnect: make an instance, choose the current one.
#include <fmt/format.h>

#include <iostream>

#include "session.h"

namespace lamin::cli {

std::vector<Command> AddInitCommands(CLI::App& app, Session& s) {
  struct Args {
    std::string storage, name, db, connect;
  };
  auto args = std::make_shared<Args>();
  auto* init = app.add_subcommand("init", "create an instance on a local folder or S3");
  init->add_option("--storage", args->storage,
                   "a local folder, or s3://BUCKET/PREFIX[?endpoint_url=URL] (needs --db)")
      ->required();
  init->add_option("--name", args->name, "the instance name (default: the folder's name)");
  init->add_option("--db", args->db,
                   "postgresql://USER:PASSWORD@HOST:PORT/DB (default: SQLite in the storage)");
  s.AddJsonFlag(init);
  auto* connect = app.add_subcommand("connect", "make an existing instance the current one");
  connect->add_option("name", args->connect, "name or owner/name")->required();
  auto* disconnect = app.add_subcommand("disconnect", "forget the current instance");

  auto run_init = [args, &s] {
    auto inst = Instance::Init({args->storage, args->name, args->db}, s.Options());
    if (!inst.ok()) return s.Fail(inst.status());
    auto info = (*inst)->Info();
    if (!info.ok()) return s.Fail(info.status());
    if (s.json) s.PrintJson({{"slug", info->slug}, {"uid", info->uid}, {"db", info->db}});
    std::cerr << fmt::format("initialized instance {} (uid {}) on storage {}, database {}\n",
                             info->slug, info->uid, info->storage_root, info->db);
    return kExitOk;
  };
  auto run_connect = [args, &s] {
    auto inst = Instance::Connect(args->connect, s.Options());
    if (!inst.ok()) return s.Fail(inst.status());
    auto info = (*inst)->Info();
    if (!info.ok()) return s.Fail(info.status());
    std::cerr << "connected to " << info->slug << "\n";
    return kExitOk;
  };
  auto run_disconnect = [&s] {
    Status st = Instance::Disconnect();
    return st.ok() ? kExitOk : s.Fail(st);
  };
  return {{init, run_init}, {connect, run_connect}, {disconnect, run_disconnect}};
}

}  // namespace lamin::cli
