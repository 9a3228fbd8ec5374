// Recovery of a killed batch: the cost must grow with the intents it handles, not with the size
// of the instance. An instance is filled with N artifact rows (metadata only, through the
// registry path), a dead writer's batch is planted (an intent, a staging copy and a published
// object per file), and Instance::Recover() is timed. The baseline, in the same run, is the same
// batch in an instance of 100 artifacts.
// usage: recovery_bench [INTENTS] [ARTIFACTS]   (defaults 1000 and 100000)
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "db/database.h"
#include "lamin/lamin.h"
#include "registry/artifacts.h"
#include "util/encoding.h"

namespace {

namespace fs = std::filesystem;
using namespace lamin;

void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    std::cerr << what << ": " << s.ToString() << "\n";
    std::exit(1);
  }
}

// Seconds that Recover() takes for `intents` planted intents in an instance of `artifacts` rows.
double Measure(const fs::path& dir, size_t artifacts, size_t intents) {
  fs::remove_all(dir);
  OpenOptions options;
  options.env.settings_parent = dir / "settings";
  auto inst = Instance::Init({dir / "storage", "bench", ""}, options);
  Check(inst.status(), "init");
  inst->reset();
  fs::path managed = dir / "storage" / ".lamindb";
  {
    auto db = db::OpenSqlite(managed / "lamin.db", {});
    Check(db.status(), "open");
    std::vector<registry::NewArtifact> rows;
    for (size_t i = 0; i < artifacts; ++i) {
      rows.push_back({util::RandomBase62(16) + "0000", "bench/file_" + std::to_string(i),
                      std::nullopt, ".txt", 1000, util::RandomBase62(22), "md5", std::nullopt, 1,
                      1});
    }
    Check((*db)->Begin(), "begin");
    for (size_t begin = 0; begin < rows.size(); begin += 10000) {
      std::vector<registry::NewArtifact> chunk(
          rows.begin() + static_cast<long>(begin),
          rows.begin() + static_cast<long>(std::min(rows.size(), begin + 10000)));
      Check(registry::InsertArtifacts(**db, chunk).status(), "insert");
    }
    // A writer on another host, long gone: its batch is taken for dead at once.
    for (size_t i = 0; i < intents; ++i) {
      std::string key = ".lamindb/" + util::RandomBase62(16) + "0000.txt";
      Check((*db)->Execute("INSERT INTO lamin_intent (op, storage_id, key, token, owner, "
                           "created_at) VALUES ('put', 1, ?, 'deadbatch', 'gone:1:1', "
                           "'2000-01-01 00:00:00')",
                           {key})
                .status(),
            "intent");
      std::ofstream(dir / "storage" / key) << "published";
      std::ofstream(dir / "storage" / (key + ".tmp-deadbatch")) << "staged";
    }
    Check((*db)->Commit(), "commit");
  }
  auto opened = Instance::OpenCurrent(options);
  Check(opened.status(), "open instance");
  auto t0 = std::chrono::steady_clock::now();
  auto summary = (*opened)->Recover();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  Check(summary.status(), "recover");
  if (summary->writes_undone != static_cast<int>(intents)) {
    std::cerr << "recovered " << summary->writes_undone << " of " << intents << " intents\n";
    std::exit(1);
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  size_t intents = argc > 1 ? std::stoul(argv[1]) : 1000;
  size_t artifacts = argc > 2 ? std::stoul(argv[2]) : 100000;
  fs::path dir = fs::temp_directory_path() / ("lamin-recovery-bench-" + util::RandomBase62(6));
  double small = Measure(dir, 100, intents);
  double big = Measure(dir, artifacts, intents);
  fs::remove_all(dir);
  std::cout << fmt::format("recovery of {} intents, 100 artifacts:     {:.3f} s ({:.0f} us/intent)\n",
                           intents, small, small * 1e6 / intents);
  std::cout << fmt::format("recovery of {} intents, {} artifacts: {:.3f} s ({:.0f} us/intent)\n",
                           intents, artifacts, big, big * 1e6 / intents);
  std::cout << fmt::format("ratio {:.2f}x (1.0 would be cost independent of the instance's size)\n",
                           big / small);
  return 0;
}
