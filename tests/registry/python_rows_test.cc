// The rows lamin writes, compared column by column with the rows the real Python LaminDB 2.6
// wrote (../shared/reference/lamindb-2.6/lineage.db.gz; skipped where absent): the seeded rows
// of an instance, django_migrations, and an artifact, down to SQL NULL versus the JSON text
// 'null' and the number of fractional digits of timestamps. And a read of a Python-made
// instance leaves its database byte-identical.
#include <gtest/gtest.h>
#include <regex>

#include "crash/process.h"
#include "instance/settings.h"
#include "util/encoding.h"
#include "registry/reference_rows.h"
#include "test_util.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;
using testing::Cells;
using testing::Fraction;
using testing::TestInstance;

class PythonRows : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::OnPostgres()) GTEST_SKIP() << "the reference databases are SQLite";
    if (!testing::ReferenceDatabase("lineage", dir_.path() / "ref.db")) {
      GTEST_SKIP() << "no reference databases in " << LAMIN_REFERENCE_DIR;
    }
    instance_ = std::make_unique<TestInstance>();
  }
  fs::path ref() const { return dir_.path() / "ref.db"; }
  fs::path ours() const { return instance_->managed() / "lamin.db"; }
  testing::ScratchDir dir_;
  std::unique_ptr<TestInstance> instance_;  // made only where the test runs
};

TEST_F(PythonRows, SeededRowsAreWrittenAsLamindbSetupWritesThem) {
  instance_->inst.reset();
  // The space, the branches (with their descriptions, _aux NULL), the user.
  EXPECT_EQ(Cells(ours(), "SELECT * FROM lamindb_space"), Cells(ref(), "SELECT * FROM lamindb_space"));
  const std::set<std::string> times = {"created_at", "updated_at"};
  EXPECT_EQ(Cells(ours(), "SELECT * FROM lamindb_branch ORDER BY id", times),
            Cells(ref(), "SELECT * FROM lamindb_branch ORDER BY id", times));
  EXPECT_EQ(Cells(ours(), "SELECT * FROM lamindb_user", times),
            Cells(ref(), "SELECT * FROM lamindb_user", times));
  EXPECT_EQ(Cells(ours(), "SELECT * FROM lamindb_storage", {"created_at", "updated_at", "uid", "root", "instance_uid"}),
            Cells(ref(), "SELECT * FROM lamindb_storage", {"created_at", "updated_at", "uid", "root", "instance_uid"}));
  // Timestamps the database's default filled: 3 fractional digits, like the reference's.
  for (const char* sql : {"SELECT created_at FROM lamindb_branch", "SELECT created_at FROM lamindb_user",
                          "SELECT created_at FROM lamindb_storage"}) {
    auto a = Cells(ours(), sql), b = Cells(ref(), sql);
    ASSERT_FALSE(a.empty());
    EXPECT_EQ(Fraction(a[0][0]).size(), Fraction(b[0][0]).size()) << sql << ": " << a[0][0] << " vs " << b[0][0];
  }
  // django_migrations: the seed's rows with their times, then the one init adds.
  auto m_ours = Cells(ours(), "SELECT app, name, applied FROM django_migrations ORDER BY id");
  auto m_ref = Cells(ref(), "SELECT app, name, applied FROM django_migrations ORDER BY id");
  ASSERT_EQ(m_ours.size(), m_ref.size());
  for (size_t i = 0; i + 1 < m_ref.size(); ++i) EXPECT_EQ(m_ours[i], m_ref[i]);
  EXPECT_EQ(m_ours.back()[1], m_ref.back()[1]);
}

TEST_F(PythonRows, AnArtifactRowHasTheSameNullsTypesAndTimestampShape) {
  auto saved = instance_->inst->artifacts().Save(
      {{instance_->Write("input.txt", "some input data\n"), "inputs/input.txt", "pipeline input"},
       {instance_->Write("table.csv", "gene,count\nA,1\nB,2\n"), "inputs/table.csv",
        std::nullopt}});
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  instance_->inst.reset();
  // A .csv path gets otype DataFrame, as Python's constructor infers it.
  const std::set<std::string> own_csv = {"id", "uid", "created_at", "updated_at"};
  EXPECT_EQ(Cells(ours(), "SELECT * FROM lamindb_artifact WHERE key = 'inputs/table.csv'", own_csv),
            Cells(ref(), "SELECT * FROM lamindb_artifact WHERE key = 'inputs/table.csv'", own_csv));
  // Every column: NULL where Python writes NULL (not the JSON text 'null'), the same types; the
  // values of the columns that do not name this very artifact.
  const std::set<std::string> own = {"id", "uid", "hash", "size", "created_at", "updated_at"};
  auto a = Cells(ours(), "SELECT * FROM lamindb_artifact WHERE key = 'inputs/input.txt'", own);
  auto b = Cells(ref(), "SELECT * FROM lamindb_artifact WHERE key = 'inputs/input.txt'", own);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  for (size_t c = 0; c < b[0].size(); ++c) {
    // run_id: the reference's artifact was saved inside a run (lineage is another issue).
    if (b[0][c].rfind("run_id=", 0) == 0) continue;
    EXPECT_EQ(a[0][c], b[0][c]);
  }
  auto ts = Cells(ours(), "SELECT created_at FROM lamindb_artifact");
  auto ref_ts = Cells(ref(), "SELECT created_at FROM lamindb_artifact LIMIT 1");
  const std::regex kShape(R"(created_at=text:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}000)");
  EXPECT_TRUE(std::regex_match(ts[0][0], kShape)) << ts[0][0];
  EXPECT_TRUE(std::regex_match(ref_ts[0][0], kShape)) << ref_ts[0][0];
}

TEST_F(PythonRows, ReadingAPythonMadeInstanceChangesNothing) {
  // The reference database as an instance of its own here: its storage root moved to a scratch
  // folder (the one change, made before the bytes are taken).
  fs::path root = dir_.path() / "lineage";
  fs::create_directories(root / ".lamindb");
  fs::path db = root / ".lamindb" / "lamin.db";
  fs::copy_file(ref(), db);
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(h, ("UPDATE lamindb_storage SET root = '" + root.string() + "' WHERE id = 1").c_str(),
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(h);
  instance::InstanceSettings settings;
  settings.owner = "anonymous";
  settings.name = "lineage";
  settings.storage_root = root.string();
  settings.id = util::Uuid5UrlHex(settings.slug());
  OpenOptions options;
  options.env.settings_parent = dir_.path() / "settings";
  ASSERT_TRUE(instance::WriteInstanceSettings(options.env, settings, true).ok());
  const std::string before = testing::Slurp(db);

  auto inst = Instance::OpenCurrent(options);
  ASSERT_TRUE(inst.ok()) << inst.status().ToString();
  auto info = (*inst)->Info();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_GT(info->n_artifacts, 0);
  auto all = (*inst)->artifacts().List({});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_FALSE(all->empty());
  EXPECT_TRUE((*inst)->artifacts().Get(ArtifactRef::ByUid(all->front().uid)).ok());
  auto by_key = (*inst)->artifacts().List({{{"key", "startswith", "inputs/"}}, {"-created_at"}, 5});
  EXPECT_TRUE(by_key.ok()) << by_key.status().ToString();
  // The objects are not part of the reference: fsck names them missing, and writes nothing.
  auto checked = (*inst)->Fsck({});
  ASSERT_TRUE(checked.ok()) << checked.status().ToString();
  inst->reset();

  EXPECT_EQ(testing::Slurp(db), before) << "a read changed the Python-made database";
  for (const char* ext : {"-wal", "-shm", "-journal"}) {
    EXPECT_FALSE(fs::exists(db.string() + ext)) << ext;
  }
}

}  // namespace
}  // namespace lamin
