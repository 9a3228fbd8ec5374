// Several real `lamin` processes writing one SQLite instance at once: overlapping content ends
// as exactly one artifact per content, racing versions of one key end as one family with one
// latest version, no process fails or reports a locked database, and readers are not blocked
// while a writer copies a large file.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "crash/process.h"
#include "test_util.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;

class Concurrency : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("LAMIN_SETTINGS_DIR", (dir_.path() / "settings").c_str(), 1);
    std::vector<std::string> init = {"init", "--storage", (dir_.path() / "storage").string()};
    if (testing::OnPostgres()) init.insert(init.end(), {"--db", testing::NewPostgresDatabase()});
    auto made = Lamin(init);
    ASSERT_EQ(made.exit_code, 0) << made.err;
    if (testing::OnS3()) {  // saves go to a bucket the instance registers
      setenv("LAMIN_CACHE_DIR", (dir_.path() / "cache").c_str(), 1);
      s3_root_ = testing::NewS3Root("conc");
      auto added = Lamin({"storage", "add", s3_root_});
      ASSERT_EQ(added.exit_code, 0) << added.err;
    }
  }
  // A save command, into the S3 location when the tests run on S3.
  std::vector<std::string> Save(std::vector<std::string> args) {
    args.insert(args.begin(), "save");
    if (!s3_root_.empty()) args.insert(args.end(), {"--storage", s3_root_});
    return args;
  }
  void TearDown() override {
    unsetenv("LAMIN_SETTINGS_DIR");
    unsetenv("LAMIN_CACHE_DIR");
  }
  testing::ProcessResult Lamin(std::vector<std::string> args) {
    args.insert(args.begin(), LAMIN_CLI);
    return testing::Run(args, dir_.path());
  }
  // Starts every command at once; returns their exit codes and stderr.
  std::vector<std::pair<int, std::string>> RunTogether(
      const std::vector<std::vector<std::string>>& commands) {
    std::vector<pid_t> pids;
    for (size_t i = 0; i < commands.size(); ++i) {
      auto args = commands[i];
      args.insert(args.begin(), LAMIN_CLI);
      pids.push_back(testing::Start(args, dir_.path() / ("w" + std::to_string(i) + ".out"),
                                    dir_.path() / ("w" + std::to_string(i) + ".err")));
    }
    std::vector<std::pair<int, std::string>> results;
    for (size_t i = 0; i < pids.size(); ++i) {
      int code = testing::Wait(pids[i]);
      results.push_back({code, testing::Slurp(dir_.path() / ("w" + std::to_string(i) + ".err"))});
    }
    return results;
  }
  nlohmann::json List(const std::vector<std::string>& filters) {
    std::vector<std::string> args = {"list", "artifact", "--json"};
    for (const auto& f : filters) {
      args.push_back("--filter");
      args.push_back(f);
    }
    return nlohmann::json::parse(Lamin(args).out);
  }

  testing::ScratchDir dir_;
  std::string s3_root_;
};

TEST_F(Concurrency, OverlappingContentEndsAsOneArtifactEach) {
  constexpr int kWriters = 4, kShared = 40, kUnique = 10, kRounds = 3;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::vector<std::string>> commands;
    for (int w = 0; w < kWriters; ++w) {
      std::vector<std::string> args;
      for (int i = 0; i < kShared; ++i) {
        auto p = dir_.path() / ("w" + std::to_string(w)) / ("shared" + std::to_string(i));
        testing::WriteFile(p, "round " + std::to_string(round) + " shared " + std::to_string(i));
        args.push_back(p.string());
      }
      for (int i = 0; i < kUnique; ++i) {
        auto p = dir_.path() / ("w" + std::to_string(w)) / ("unique" + std::to_string(i));
        testing::WriteFile(p, "round " + std::to_string(round) + " writer " + std::to_string(w) +
                                  " unique " + std::to_string(i));
        args.push_back(p.string());
      }
      commands.push_back(Save(args));
    }
    for (const auto& [code, err] : RunTogether(commands)) {
      EXPECT_EQ(code, 0) << err;
      EXPECT_EQ(err.find("locked"), std::string::npos) << err;
    }
  }
  auto all = List({});
  EXPECT_EQ(all.size(), static_cast<size_t>(kRounds * (kShared + kWriters * kUnique)));
  std::set<std::string> hashes;
  for (const auto& a : all) hashes.insert(a["hash"].get<std::string>());
  EXPECT_EQ(hashes.size(), all.size()) << "the same content was saved twice";
  EXPECT_EQ(Lamin({"fsck", "--deep"}).exit_code, 0);
}

TEST_F(Concurrency, RacingVersionsOfOneKeyMakeOneFamily) {
  constexpr int kWriters = 4;
  std::vector<std::vector<std::string>> commands;
  for (int w = 0; w < kWriters; ++w) {
    auto p = testing::WriteFile(dir_.path() / ("v" + std::to_string(w) + ".csv"),
                                "version from writer " + std::to_string(w));
    commands.push_back(Save({p.string(), "--key", "shared.csv"}));
  }
  for (const auto& [code, err] : RunTogether(commands)) EXPECT_EQ(code, 0) << err;
  auto versions = List({"key=shared.csv"});
  ASSERT_EQ(versions.size(), static_cast<size_t>(kWriters));
  std::set<std::string> stems, uids;
  int latest = 0;
  for (const auto& a : versions) {
    std::string uid = a["uid"];
    stems.insert(uid.substr(0, 16));
    uids.insert(uid);
    latest += a["is_latest"].get<bool>();
  }
  EXPECT_EQ(stems.size(), 1u) << "versions of one key must share one family";
  EXPECT_EQ(uids.size(), static_cast<size_t>(kWriters));
  EXPECT_EQ(latest, 1);
  EXPECT_EQ(Lamin({"fsck"}).exit_code, 0);
}

TEST_F(Concurrency, ReadersAreNotBlockedByAWritersCopy) {
  auto big = dir_.path() / "big.bin";
  {
    std::ofstream out(big, std::ios::binary);
    std::string block(1 << 20, 'z');
    for (int i = 0; i < 384; ++i) {
      block[0] = static_cast<char>(i);
      out.write(block.data(), static_cast<std::streamsize>(block.size()));
    }
  }
  auto save = Save({big.string()});
  save.insert(save.begin(), LAMIN_CLI);
  pid_t writer = testing::Start(save, dir_.path() / "big.out", dir_.path() / "big.err");
  int overlapped = 0;
  double slowest = 0;
  for (int i = 0; i < 50; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto list = Lamin({"list", "artifact"});
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(list.exit_code, 0) << list.err;
    int status = 0;
    if (waitpid(writer, &status, WNOHANG) != 0) break;  // the writer is done
    ++overlapped;
    slowest = std::max(slowest, seconds);
  }
  EXPECT_EQ(testing::Wait(writer), 0);
  std::cerr << overlapped << " reads while the writer copied; slowest " << slowest << " s\n";
  EXPECT_GT(overlapped, 0) << "the writer finished before a read: nothing was measured";
  EXPECT_LT(slowest, 2.0);
}

}  // namespace
}  // namespace lamin
