// What the save protocol makes durable, and in which order, observed in a real `lamin` process
// through a preloaded spy (tests/support/sync_spy.c) that logs every fsync, syncfs, rename and
// exclusive create. The class of bug this catches: a step that skips syncing (an object renamed
// or written into place and committed before its bytes are on disk, a folder not synced after
// the object arrived, a commit before the publish),
// which no test observed before because a file that was never synced still reads back fine.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "crash/process.h"
#include "storage/layout.h"
#include "test_util.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;

struct Event {
  std::string kind;  // sync, syncfs, rename, create
  std::string path;  // sync: the path; rename: the source
  std::string to;    // rename: the destination
};

std::vector<Event> ReadLog(const fs::path& log) {
  std::vector<Event> out;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line == "syncfs") {
      out.push_back({"syncfs", "", ""});
    } else if (line.rfind("sync ", 0) == 0) {
      out.push_back({"sync", line.substr(5), ""});
    } else if (line.rfind("rename ", 0) == 0) {
      auto tab = line.find('\t');
      out.push_back({"rename", line.substr(7, tab - 7), line.substr(tab + 1)});
    } else if (line.rfind("create ", 0) == 0) {
      out.push_back({"create", line.substr(7), ""});
    }
  }
  return out;
}

class Durability : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(LAMIN_SYNC_SPY)) GTEST_SKIP() << "no spy library";
    ::setenv("LAMIN_SETTINGS_DIR", (dir_.path() / "settings").c_str(), 1);
    auto init = Lamin({"init", "--storage", storage().string(), "--name", "durable"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }
  void TearDown() override { ::unsetenv("LAMIN_SETTINGS_DIR"); }

  fs::path storage() const { return dir_.path() / "storage"; }
  testing::ProcessResult Lamin(std::vector<std::string> args) {
    args.insert(args.begin(), LAMIN_CLI);
    return testing::Run(args, dir_.path());
  }
  // Runs `lamin save ARGS` with the spy; returns its log.
  std::vector<Event> SpiedSave(const std::vector<std::string>& args) {
    fs::path log = dir_.path() / "sync.log";
    fs::remove(log);
    ::setenv("LD_PRELOAD", LAMIN_SYNC_SPY, 1);
    ::setenv("LAMIN_SYNC_LOG", log.c_str(), 1);
    std::vector<std::string> all = {"save"};
    all.insert(all.end(), args.begin(), args.end());
    auto r = Lamin(all);
    ::unsetenv("LD_PRELOAD");
    ::unsetenv("LAMIN_SYNC_LOG");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return ReadLog(log);
  }

  // Checks every object that reached .lamindb/, by a rename (a folder) or by an exclusive create
  // at its key (a file): its bytes (every file of a folder) were synced after they were written
  // (or the whole file system was), its folder was synced after the object arrived, and both came
  // before the last sync of the database's log, the commit. Returns how many it checked.
  int ExpectDurableOrder(const std::vector<Event>& events) {
    size_t commit = 0;
    for (size_t i = 0; i < events.size(); ++i) {
      if (events[i].kind == "sync" && events[i].path.ends_with("lamin.db-wal")) commit = i;
    }
    int objects = 0;
    for (size_t r = 0; r < events.size(); ++r) {
      const Event& e = events[r];
      if (e.kind != "rename" && e.kind != "create") continue;
      fs::path to = e.kind == "rename" ? e.to : e.path;
      if (to.parent_path() != storage() / storage::kManagedDir ||
          storage::ClassifyManagedEntry(to.filename().string()) != storage::ManagedEntry::kObject) {
        continue;
      }
      ++objects;
      // A renamed object's bytes were synced before the rename, under the staging name; a file
      // created at its key, after the create.
      auto synced = [&](const std::string& path) {
        size_t from = e.kind == "rename" ? 0 : r + 1, to_index = e.kind == "rename" ? r : commit;
        for (size_t i = from; i < to_index; ++i) {
          if (events[i].kind == "syncfs" || (events[i].kind == "sync" && events[i].path == path)) {
            return true;
          }
        }
        return false;
      };
      std::vector<std::string> files;
      if (fs::is_directory(to)) {
        for (const auto& f : fs::recursive_directory_iterator(to)) {
          if (f.is_regular_file()) files.push_back(e.path + "/" + fs::relative(f.path(), to).string());
        }
      } else {
        files.push_back(e.path);
      }
      for (const auto& f : files) {
        EXPECT_TRUE(synced(f)) << f << " was not synced before it was published";
      }
      bool dir_synced = false;
      for (size_t i = r + 1; i < events.size() && !dir_synced; ++i) {
        dir_synced = events[i].kind == "sync" && events[i].path == to.parent_path().string();
        if (dir_synced) {
          EXPECT_LT(i, commit) << "the folder was synced after the commit";
        }
      }
      EXPECT_TRUE(dir_synced) << "the folder of " << to << " was not synced after it arrived";
      EXPECT_LT(r, commit) << to << " was published after the commit";
    }
    return objects;
  }

  testing::ScratchDir dir_;
};

TEST_F(Durability, AFileIsSyncedAtItsKeyAndItsFolderAfter) {
  fs::path file = testing::WriteFile(dir_.path() / "in" / "one.csv", std::string(70000, 'a'));
  EXPECT_EQ(ExpectDurableOrder(SpiedSave({file.string()})), 1);
}

TEST_F(Durability, EveryFileOfAFolderIsSynced) {
  fs::path folder = dir_.path() / "in" / "plate";
  testing::WriteFile(folder / "a.tsv", "a");
  testing::WriteFile(folder / "sub" / "b.tsv", "bb");
  EXPECT_EQ(ExpectDurableOrder(SpiedSave({folder.string()})), 1);
}

TEST_F(Durability, ALargeBatchIsSyncedAsAWhole) {
  std::vector<std::string> paths;
  for (int i = 0; i < 20; ++i) {
    paths.push_back(
        testing::WriteFile(dir_.path() / "in" / ("f" + std::to_string(i) + ".txt"),
                           "file " + std::to_string(i))
            .string());
  }
  EXPECT_EQ(ExpectDurableOrder(SpiedSave(paths)), 20);
}

}  // namespace
}  // namespace lamin
