// A million artifacts: what `lamin` answers and writes in an instance of N artifacts, against the
// same commands in an instance of 1,000 in the same run (a ratio near 1 means the cost grows
// with the work, not with the instance). Each instance is made through the library: Instance::
// Init, the rows through the registry path a save commits with (registry::InsertArtifacts), and a
// tiny object per row in the managed folder (its real md5 hash and size), so that fsck finds a
// consistent instance. Every figure is the wall time of a `lamin` process, start-up included:
//   get --key, list --filter key__startswith=… --limit 10, list --order-by -created_at --limit 50
//   (median of 7); save one new file, save a new version of a key, trash and restore (median of
//   5, distinct keys); fsck (one run); the next write after a `lamin save` of 1,000 new files was
//   killed with SIGKILL mid-batch (recovery of its intents, then a one-file save).
// usage: million_bench PATH/TO/lamin [N] [POSTGRES_URL]   (default N 1000000; the URL of a
//        maintenance database, default $LAMIN_TEST_POSTGRES; without one only SQLite runs):
//   bash scripts/with_postgres.sh build/bin/million_bench build/bin/lamin 1000000
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "bench_instance.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using namespace lamin;
using namespace lamin::bench;

std::string g_lamin;  // the CLI binary

// Starts `lamin ARGS…` with its output discarded; returns its pid.
pid_t Spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(g_lamin.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  if (posix_spawn(&pid, g_lamin.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
    std::cerr << "cannot start " << g_lamin << "\n";
    std::exit(1);
  }
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// Runs `lamin ARGS…`; returns its wall time in ms. A failure ends the bench.
double Lamin(const std::vector<std::string>& args, int expect_rc = 0) {
  auto t0 = Clock::now();
  pid_t pid = Spawn(args);
  int status = 0;
  waitpid(pid, &status, 0);
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != expect_rc) {
    std::string cmd;
    for (const auto& a : args) cmd += " " + a;
    std::cerr << "lamin" << cmd << ": exit " << WEXITSTATUS(status) << "\n";
    std::exit(1);
  }
  return ms;
}

int64_t CountIntents(db::Database& db) {
  auto rows = db.Query("SELECT count(*) FROM lamin_intent", {});
  Check(rows.status(), "count intents");
  return rows->empty() ? 0 : db::AsInt(rows->rows[0][0]);
}

struct Figures {
  double get, prefix, order, save_one, new_version, trash_restore, fsck, recovery;
  int64_t intents = 0;
};

Figures Measure(BenchInstance& inst) {
  ::setenv("LAMIN_SETTINGS_DIR", (inst.dir / "settings").c_str(), 1);
  Figures f{};
  const size_t n = inst.keys.size();
  auto pick = [&](size_t j) { return (j * 7919 + 13) % n; };
  Lamin({"get", "--key", inst.keys[pick(99)]});  // warm the cache
  std::vector<double> t;
  for (size_t j = 0; j < 7; ++j) t.push_back(Lamin({"get", "--key", inst.keys[pick(j)]}));
  f.get = Median(t);
  t.clear();
  for (size_t j = 0; j < 7; ++j) {
    std::string prefix = fmt::format("project{}/sample_{}", pick(j) % 1000, pick(j));
    t.push_back(Lamin({"list", "artifact", "--filter", "key__startswith=" + prefix, "--limit", "10"}));
  }
  f.prefix = Median(t);
  t.clear();
  for (size_t j = 0; j < 7; ++j) {
    t.push_back(Lamin({"list", "artifact", "--order-by", "-created_at", "--limit", "50"}));
  }
  f.order = Median(t);
  fs::path work = inst.dir / "work";
  fs::create_directories(work);
  t.clear();
  for (size_t j = 0; j < 5; ++j) {
    fs::path file = work / fmt::format("new_{}.txt", j);
    std::ofstream(file) << "new file " << j << " " << util::RandomBase62(8) << "\n";
    t.push_back(Lamin({"save", file.string(), "--key", fmt::format("new/file_{}.txt", j)}));
  }
  f.save_one = Median(t);
  t.clear();
  for (size_t j = 0; j < 5; ++j) {
    fs::path file = work / fmt::format("v_{}.fastq.gz", j);
    std::ofstream(file) << "a new version " << j << " " << util::RandomBase62(8) << "\n";
    t.push_back(Lamin({"save", file.string(), "--key", inst.keys[pick(20 + j)]}));
  }
  f.new_version = Median(t);
  t.clear();
  for (size_t j = 0; j < 5; ++j) {
    const std::string& uid = inst.uids[pick(40 + j)];
    double ms = Lamin({"delete", "artifact", "--uid", uid});
    ms += Lamin({"restore", "artifact", "--uid", uid});
    t.push_back(ms);
  }
  f.trash_restore = Median(t);
  f.fsck = Lamin({"fsck"});
  // A batch of 1,000 new files killed once its intents are in the journal (retried if it
  // finished first), then the next write, which recovers it.
  fs::path batch = work / "batch";
  auto db = OpenDb(inst);
  for (int attempt = 0; attempt < 10 && f.intents == 0; ++attempt) {
    fs::remove_all(batch);
    fs::create_directories(batch);
    std::vector<std::string> args = {"save"};
    for (int i = 0; i < 1000; ++i) {
      fs::path p = batch / fmt::format("b{}_{}.txt", attempt, i);
      std::ofstream(p) << std::string(4096, 'b') << attempt << " " << i << "\n";
      args.push_back(p.string());
    }
    pid_t pid = Spawn(args);
    while (true) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) break;  // finished first: try again
      if (int64_t k = CountIntents(*db); k >= 1000) {
        ::kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        f.intents = k;
        break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
  }
  fs::path after = work / "after_kill.txt";
  std::ofstream(after) << "after the kill " << util::RandomBase62(8) << "\n";
  f.recovery = Lamin({"save", after.string(), "--key", "new/after_kill.txt"});
  if (CountIntents(*db) != 0) {
    std::cerr << "intents left after recovery\n";
    std::exit(1);
  }
  return f;
}

void Report(const std::string& backend, size_t n, const Figures& small, const Figures& big) {
  std::cout << fmt::format("\n{}: {} artifacts against 1,000 (ms, `lamin` process wall time)\n",
                           backend, n);
  std::cout << fmt::format("{:<52} {:>9} {:>9} {:>7}\n", "command", "1,000", "large", "ratio");
  auto row = [&](const std::string& what, double a, double b) {
    std::cout << fmt::format("{:<52} {:>9.1f} {:>9.1f} {:>6.2f}x\n", what, a, b, b / a);
  };
  row("get --key", small.get, big.get);
  row("list --filter key__startswith=… --limit 10", small.prefix, big.prefix);
  row("list --order-by -created_at --limit 50", small.order, big.order);
  row("save one new file", small.save_one, big.save_one);
  row("save a new version of a key", small.new_version, big.new_version);
  row("delete (trash) + restore", small.trash_restore, big.trash_restore);
  row("fsck", small.fsck, big.fsck);
  row(fmt::format("next write after a killed batch ({} intents)", big.intents), small.recovery,
      big.recovery);
}

std::string CreateDatabase(const std::string& admin_url, const std::string& name) {
  auto admin = db::OpenPostgres(admin_url);
  Check(admin.status(), "connect to PostgreSQL");
  (void)(*admin)->ExecuteScript("DROP DATABASE IF EXISTS " + name);
  Check((*admin)->ExecuteScript("CREATE DATABASE " + name), "create database");
  return admin_url.substr(0, admin_url.rfind('/') + 1) + name;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: million_bench PATH/TO/lamin [N] [POSTGRES_URL]\n";
    return 2;
  }
  g_lamin = fs::absolute(argv[1]).string();
  size_t n = argc > 2 ? std::stoul(argv[2]) : 1000000;
  std::string pg = argc > 3 ? argv[3] : (std::getenv("LAMIN_TEST_POSTGRES") ?: "");
  fs::path root = fs::temp_directory_path() / ("lamin-million-" + util::RandomBase62(6));
  {
    BenchInstance small = Build(root / "sqlite-small", 1000, "");
    BenchInstance big = Build(root / "sqlite-big", n, "");
    Figures fs_small = Measure(small);
    Figures fs_big = Measure(big);
    Report("SQLite", n, fs_small, fs_big);
  }
  // LAMIN_BENCH_KEEP=1 keeps the SQLite instances for a look (query plans, strace).
  if (std::getenv("LAMIN_BENCH_KEEP")) {
    std::cerr << "kept " << root << "\n";
    return 0;
  }
  fs::remove_all(root);
  if (!pg.empty()) {
    BenchInstance small = Build(root / "pg-small", 1000, CreateDatabase(pg, "million_small"));
    BenchInstance big = Build(root / "pg-big", n, CreateDatabase(pg, "million_big"));
    Figures pg_small = Measure(small);
    Figures pg_big = Measure(big);
    Report("PostgreSQL", n, pg_small, pg_big);
    fs::remove_all(root);
  }
  return 0;
}
