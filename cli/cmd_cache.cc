// lamin cache get | clear: the local cache of remote objects.
#include <iostream>

#include "output.h"
#include "session.h"

namespace lamin::cli {

std::vector<Command> AddCacheCommands(CLI::App& app, Session& s) {
  auto* cache = app.add_subcommand("cache", "the local cache of remote objects");
  cache->require_subcommand(1);
  auto* get = cache->add_subcommand("get", "print the cache folder");
  s.AddJsonFlag(get);
  auto* clear = cache->add_subcommand("clear", "remove every cached copy");
  s.AddJsonFlag(clear);
  auto run_get = [&s] {
    if (s.json) {
      s.PrintJson({{"cache_dir", DefaultCacheDir().string()}});
    } else {
      std::cout << Printable(DefaultCacheDir().string()) << "\n";
    }
    return kExitOk;
  };
  auto run_clear = [&s] {
    Status cleared = ClearCache(DefaultCacheDir());
    if (!cleared.ok()) return s.Fail(cleared);
    if (s.json) s.PrintJson({{"cleared", DefaultCacheDir().string()}});
    std::cerr << "cleared the cache at " << Printable(DefaultCacheDir().string()) << "\n";
    return kExitOk;
  };
  return {{get, run_get}, {clear, run_clear}};
}

}  // namespace lamin::cli
