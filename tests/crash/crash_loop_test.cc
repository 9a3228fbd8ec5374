// Real `lamin` processes (a large-file save, a batch of small files, a folder version, a
// permanent delete, a `lamin run` of a batch save, killed with the save it runs) killed with SIGKILL at random instants; after every kill, recovery runs
// (alternately through `lamin fsck --repair` and through the next write's own recovery) and
// `lamin fsck` must find the instance whole: every row with its complete object of the right
// size (and hash: --deep every tenth kill and at the end), no object without its row, one latest
// version per family, and no run of a killed process left "started".
// LAMIN_CRASH_KILLS sets the number of kills (default 100).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "crash/process.h"
#include "test_util.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;
using testing::ProcessResult;

class CrashLoop : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("LAMIN_SETTINGS_DIR", (dir_.path() / "settings").c_str(), 1);
    std::vector<std::string> init = {"init", "--storage", Storage().string(), "--name", "crash"};
    if (testing::OnPostgres()) init.insert(init.end(), {"--db", testing::NewPostgresDatabase()});
    auto made = Lamin(init);
    ASSERT_EQ(made.exit_code, 0) << made.err;
    // What annotated saves link (case 4 below).
    ASSERT_EQ(Lamin({"create", "ulabel", "batch-label"}).exit_code, 0);
    ASSERT_EQ(Lamin({"create", "feature", "stamp", "--dtype", "int"}).exit_code, 0);
    if (testing::OnS3()) {  // saves go to a bucket location the instance registers
      setenv("LAMIN_CACHE_DIR", (dir_.path() / "cache").c_str(), 1);
      s3_root_ = testing::NewS3Root("crash");
      auto added = Lamin({"storage", "add", s3_root_});
      ASSERT_EQ(added.exit_code, 0) << added.err;
    }
    // A 48 MiB file (md5) and a 64 MiB file (sha1-fl): copies long enough for kills to land
    // inside them.
    std::mt19937_64 rng(42);
    for (auto [name, mib] : {std::pair{"big48.bin", 48}, std::pair{"big64.bin", 64}}) {
      std::ofstream out(dir_.path() / name, std::ios::binary);
      std::vector<uint64_t> block(1 << 17);
      for (int m = 0; m < mib; ++m) {
        for (auto& w : block) w = rng();
        out.write(reinterpret_cast<const char*>(block.data()), 1 << 20);
      }
    }
  }
  void TearDown() override {
    unsetenv("LAMIN_SETTINGS_DIR");
    unsetenv("LAMIN_CACHE_DIR");
  }

  fs::path Storage() const { return dir_.path() / "storage"; }
  // A save command, into the S3 location when the tests run on S3.
  std::vector<std::string> Save(std::vector<std::string> args) const {
    args.insert(args.begin(), "save");
    if (!s3_root_.empty()) args.insert(args.end(), {"--storage", s3_root_});
    return args;
  }
  ProcessResult Lamin(std::vector<std::string> args) {
    args.insert(args.begin(), LAMIN_CLI);
    return testing::Run(args, dir_.path());
  }
  // Makes the content of file `name` new by writing `stamp` over its first bytes.
  void Stamp(const std::string& name, uint64_t stamp) {
    std::fstream f(dir_.path() / name, std::ios::in | std::ios::out | std::ios::binary);
    f.write(reinterpret_cast<const char*>(&stamp), sizeof(stamp));
  }
  void WriteSmallBatch(uint64_t stamp) {
    for (int i = 0; i < 150; ++i) {
      testing::WriteFile(dir_.path() / "batch" / ("s" + std::to_string(i) + ".txt"),
                         std::to_string(stamp) + "/" + std::to_string(i) + std::string(2000, 'x'));
    }
  }
  std::vector<std::string> BatchArgs() {
    std::vector<std::string> args;
    for (int i = 0; i < 150; ++i) {
      args.push_back((dir_.path() / "batch" / ("s" + std::to_string(i) + ".txt")).string());
    }
    return Save(args);
  }

  testing::ScratchDir dir_;
  std::string s3_root_;
};

TEST_F(CrashLoop, KillsAtRandomInstantsLeaveAWholeInstance) {
  const char* env = std::getenv("LAMIN_CRASH_KILLS");
  const int wanted = env ? std::atoi(env) : 100;
  std::mt19937 rng(std::random_device{}());
  int kills = 0, completed = 0, iterations = 0, interrupted = 0, annotated_at_end = 0;
  uint64_t stamp = 1;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(4);
  while (kills < wanted && iterations < wanted * 4 && std::chrono::steady_clock::now() < deadline) {
    ++iterations;
    ++stamp;
    std::vector<std::string> args;
    // Kill windows a little shorter than each operation takes here, so that most runs die.
    int max_delay_ms = 120;
    bool whole_group = false;
    switch (rng() % 6) {
      case 0:
        Stamp(rng() % 2 ? "big48.bin" : "big64.bin", stamp);
        args = Save(
            {(dir_.path() / (rng() % 2 ? "big48.bin" : "big64.bin")).string(), "--key", "big.bin"});
        break;
      case 1:
        WriteSmallBatch(stamp);
        args = BatchArgs();
        max_delay_ms = 60;
        break;
      case 2:
        testing::WriteFile(dir_.path() / "folder" / ("f" + std::to_string(stamp % 7)),
                           std::to_string(stamp));
        args = Save({(dir_.path() / "folder").string(), "--key", "folder"});
        max_delay_ms = 25;
        break;
      case 3: {
        // A run and the save it runs, killed together (as a job's kill reaches its group).
        WriteSmallBatch(stamp);
        std::vector<std::string> save = BatchArgs();
        save.insert(save.begin(), LAMIN_CLI);
        args = {"run", "--key", "batch-step", "--"};
        args.insert(args.end(), save.begin(), save.end());
        max_delay_ms = 80;
        whole_group = true;
        break;
      }
      case 4: {
        // A batch with a label and a value: rows, values and links commit together.
        WriteSmallBatch(stamp);
        args = BatchArgs();
        args.insert(args.end(), {"--description", "annotated", "--ulabel", "batch-label",
                                 "--features", "stamp=" + std::to_string(stamp)});
        // Longer than the save takes about half the time: some commit, so the check below has
        // annotated artifacts to look at.
        max_delay_ms = 250;
        break;
      }
      default:
        args = {"delete", "artifact", "--key", rng() % 2 ? "big.bin" : "folder", "--permanent"};
        max_delay_ms = 15;
    }
    args.insert(args.begin(), LAMIN_CLI);
    pid_t pid = testing::Start(args, dir_.path() / "victim.out", dir_.path() / "victim.err",
                               whole_group);
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % (max_delay_ms * 1000)));
    kill(whole_group ? -pid : pid, SIGKILL);
    int code = testing::Wait(pid);
    if (whole_group) testing::WaitForGroupToDie(pid);
    if (code == -1) {
      ++kills;
    } else {
      ++completed;
      // A run that finished before the kill must have succeeded, or failed cleanly (a delete
      // of a key that has no artifact at the moment).
      EXPECT_TRUE(code == 0 || code == 3) << testing::Slurp(dir_.path() / "victim.err");
    }
    // Before recovery, a kill may leave only the traces of an unfinished write, never damage to
    // what was committed.
    auto before = Lamin({"fsck", "--json"});
    auto found = nlohmann::json::parse(before.out, nullptr, false);
    ASSERT_FALSE(found.is_discarded()) << before.out << before.err;
    bool left_traces = false;
    for (const auto& p : found["problems"]) {
      std::string kind = p["kind"];
      EXPECT_TRUE(kind == "interrupted_write" || kind == "leftover_temp" ||
                  kind == "orphan_object" || kind == "dead_run")
          << "a kill damaged committed state: " << p.dump();
      left_traces = true;
    }
    interrupted += left_traces;
    // Recovery: by fsck --repair, or by the next write's own recovery.
    if (iterations % 2 == 0) {
      auto repaired = Lamin({"fsck", "--repair"});
      EXPECT_EQ(repaired.exit_code, 0) << repaired.out << repaired.err;
    } else {
      testing::WriteFile(dir_.path() / "tick.txt", std::to_string(stamp));
      auto tick = Lamin(Save({(dir_.path() / "tick.txt").string(), "--key", "tick.txt"}));
      EXPECT_EQ(tick.exit_code, 0) << tick.err;
    }
    // Sizes after every kill; hashes (which read every version kept) every tenth time.
    auto check = iterations % 10 == 0 ? Lamin({"fsck", "--deep"}) : Lamin({"fsck"});
    EXPECT_EQ(check.exit_code, 0) << "after iteration " << iterations << " ("
                                  << (code == -1 ? "killed" : "completed") << " " << args[1]
                                  << "):\n"
                                  << check.out << check.err;
    // An annotated artifact has all of its annotation: never the row without its links.
    auto count = [&](std::vector<std::string> filters) {
      std::vector<std::string> list = {"list", "artifact", "--json", "--filter",
                                       "description=annotated"};
      for (auto& f : filters) list.insert(list.end(), {"--filter", f});
      auto listed = nlohmann::json::parse(Lamin(list).out, nullptr, false);
      return listed.is_array() ? static_cast<int>(listed.size()) : -1;
    };
    const int annotated = count({});
    annotated_at_end = annotated;
    EXPECT_EQ(count({"ulabels__name=batch-label", "stamp__isnull=false"}), annotated)
        << "an artifact saved without the annotation of its save";
    // Recovery ended every run of a killed process.
    auto runs = Lamin({"list", "run", "--json"});
    auto listed = nlohmann::json::parse(runs.out, nullptr, false);
    ASSERT_TRUE(listed.is_array()) << runs.out << runs.err;
    for (const auto& r : listed) {
      EXPECT_NE(r.value("_status_code", 0), -1) << "a run left started: " << r.dump();
    }
    if (::testing::Test::HasFailure()) break;
  }
  std::cerr << "crash loop: " << kills << " kills (" << interrupted
            << " left an unfinished write for recovery), " << completed
            << " runs that completed before their kill, " << iterations << " iterations, "
            << annotated_at_end << " annotated artifacts checked whole\n";
  EXPECT_GE(kills, wanted);
  auto deep = Lamin({"fsck", "--deep"});
  EXPECT_EQ(deep.exit_code, 0) << deep.out << deep.err;
  // The instance still works after all of it.
  auto list = Lamin({"list", "artifact", "--json"});
  EXPECT_EQ(list.exit_code, 0);
}

// The steps outside the save protocol, killed at random instants: `init`, `storage add`,
// registering a file in place and `delete instance`. Each is resumable or atomic: running the
// same command again after a kill succeeds, and every instance involved is whole after it.
TEST_F(CrashLoop, KilledInitsStorageAddsRegistrationsAndDeletesResume) {
  std::mt19937 rng(std::random_device{}());
  int kills = 0;
  auto expect_whole = [&](const std::string& when) {
    auto check = Lamin({"fsck"});
    EXPECT_EQ(check.exit_code, 0) << when << ":\n" << check.out << check.err;
  };
  for (int i = 0; i < 24 && !::testing::Test::HasFailure(); ++i) {
    const std::string n = std::to_string(i);
    std::vector<std::string> args, again;
    int max_delay_ms = 150;
    switch (i % 4) {
      case 0: {
        std::vector<std::string> init = {"init", "--storage", (dir_.path() / ("inst" + n)).string(),
                                         "--name", "inst" + n};
        if (testing::OnPostgres()) init.insert(init.end(), {"--db", testing::NewPostgresDatabase()});
        args = again = init;
        break;
      }
      case 1:
        fs::create_directories(dir_.path() / ("loc" + n));
        args = again = {"storage", "add", (dir_.path() / ("loc" + n)).string()};
        max_delay_ms = 40;
        break;
      case 2:
        testing::WriteFile(Storage() / "inplace" / ("f" + n + ".txt"), "in place " + n);
        args = again = {"save", (Storage() / "inplace" / ("f" + n + ".txt")).string()};
        max_delay_ms = 30;
        break;
      default: {
        // An instance made for the purpose, deleted while the kill lands.
        std::vector<std::string> init = {"init", "--storage", (dir_.path() / ("gone" + n)).string(),
                                         "--name", "gone" + n};
        if (testing::OnPostgres()) init.insert(init.end(), {"--db", testing::NewPostgresDatabase()});
        ASSERT_EQ(Lamin(init).exit_code, 0);
        ASSERT_EQ(Lamin({"connect", "crash"}).exit_code, 0);
        args = {"delete", "instance", "gone" + n, "--force"};
        again = args;
        max_delay_ms = 60;
      }
    }
    std::vector<std::string> full = args;
    full.insert(full.begin(), LAMIN_CLI);
    pid_t pid = testing::Start(full, dir_.path() / "victim.out", dir_.path() / "victim.err");
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % (max_delay_ms * 1000)));
    kill(pid, SIGKILL);
    int code = testing::Wait(pid);
    kills += code == -1;
    if (code != -1) {
      EXPECT_EQ(code, 0) << testing::Slurp(dir_.path() / "victim.err");
    }
    // The same command again finishes what was cut short (or finds it done).
    auto rerun = Lamin(again);
    if (i % 4 == 3) {
      EXPECT_TRUE(rerun.exit_code == 0 || rerun.exit_code == 3) << rerun.err;
      EXPECT_NE(Lamin({"connect", "gone" + n}).exit_code, 0) << "a deleted instance came back";
    } else if (i % 4 == 1) {
      EXPECT_TRUE(rerun.exit_code == 0 || rerun.exit_code == 4) << rerun.err;
      auto listed = Lamin({"storage", "list", "--json"});
      EXPECT_NE(listed.out.find("loc" + n), std::string::npos)
          << "the location is not registered after a second add: " << rerun.err;
    } else if (i % 4 == 0 && rerun.exit_code == 4) {
      // The kill came after the init had finished (its settings written): the instance is there.
      EXPECT_EQ(Lamin({"connect", "inst" + n}).exit_code, 0) << rerun.err;
    } else {
      EXPECT_TRUE(rerun.exit_code == 0) << "rerun of " << args[0] << " " << args[1] << ": "
                                        << rerun.err;
    }
    if (i % 4 == 0) {
      expect_whole("the instance of a killed and resumed init");
      ASSERT_EQ(Lamin({"connect", "crash"}).exit_code, 0);
    }
    expect_whole("after " + args[0] + " " + args[1]);
  }
  std::cerr << "init/storage/register/delete loop: " << kills << " kills\n";
}

}  // namespace
}  // namespace lamin
