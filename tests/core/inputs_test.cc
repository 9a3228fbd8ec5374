// What a save takes from its inputs, for the classes of wrong data the adversarial review found:
// a source written while it is read (it was stored torn), folders with links and special files
// (a linked subfolder was dropped, FIFOs skipped without a word), keys that do not match or are
// not normal (the suffix came from the key; "./a", "a//b", "dir/" were accepted; a newline in
// the name of a file registered in place became a key).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <fstream>
#include <map>

#include "crash/process.h"
#include "test_util.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;
using testing::ExpectConsistent;
using testing::TestInstance;

// Sets a file's times far in the past, so that any write moves them (the kernel's clock for file
// times is coarse: a write within the same tick as the last one may keep them).
void AgeFile(const fs::path& p) {
  struct timeval old[2] = {{1000000000, 0}, {1000000000, 0}};
  ASSERT_EQ(::utimes(p.c_str(), old), 0);
}

// Writes into the source, same size, in place, after it was hashed and before the store copies
// it: a concurrent writer.
class WritingStore : public ObjectStoreWrapper {
 public:
  using ObjectStoreWrapper::ObjectStoreWrapper;
  Result<StagedObject> StageFile(const FileSource& source, const std::string& key,
                                 const std::string& token, const ByteObserver& observe) override {
    {
      std::fstream f(source.path, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(0);
      f << "XXXX";
    }
    return ObjectStoreWrapper::StageFile(source, key, token, observe);
  }
};

TEST(Inputs, AFileWrittenWhileItIsSavedIsRefusedAndNothingIsKept) {
  TestInstance t([](OpenOptions& o) {
    o.wrap_store = [](std::shared_ptr<ObjectStore> s) { return std::make_shared<WritingStore>(s); };
  });
  fs::path file = t.Write("live.csv", std::string(3 << 20, 'a'));
  AgeFile(file);
  auto r = t.inst->artifacts().Save({{file, "live.csv", std::nullopt}});
  ASSERT_FALSE(r.ok()) << "a file written during its save was stored";
  EXPECT_EQ(r.status().code(), StatusCode::kIOError) << r.status().ToString();
  EXPECT_NE(r.status().message().find("changed while it was being saved"), std::string::npos)
      << r.status().ToString();
  EXPECT_TRUE(t.ObjectNames().empty());
  ExpectConsistent(t);
}

// A small file is stored from the bytes its hash was computed from: a write after the hashing
// does not tear it, and the artifact holds the version that was hashed.
TEST(Inputs, ASmallFileWrittenAfterItWasHashedIsStoredAsHashed) {
  TestInstance t([](OpenOptions& o) {
    o.wrap_store = [](std::shared_ptr<ObjectStore> s) { return std::make_shared<WritingStore>(s); };
  });
  fs::path file = t.Write("small.csv", std::string(1000, 'a'));
  AgeFile(file);
  auto r = t.inst->artifacts().Save({{file, "small.csv", std::nullopt}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(testing::Slurp(file).substr(0, 4), "XXXX") << "the writer wrote";
  auto loaded = t.inst->artifacts().Load(ArtifactRef::ByKey("small.csv"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(testing::Slurp(*loaded), std::string(1000, 'a'));
  auto deep = t.inst->Fsck({.deep = true});
  ASSERT_TRUE(deep.ok());
  EXPECT_EQ(deep->unrepaired(), 0);
  ExpectConsistent(t);
}

TEST(Inputs, FolderLinksAreFollowedAndSpecialFilesSkippedWithAWarning) {
  TestInstance t;
  fs::path outside = t.dir.path() / "outside";
  testing::WriteFile(outside / "data" / "x.txt", "x");
  testing::WriteFile(outside / "single.txt", "single");
  fs::path folder = t.dir.path() / "inputs" / "sample";
  testing::WriteFile(folder / "a.txt", "a");
  fs::create_directory_symlink(outside / "data", folder / "linked");
  fs::create_symlink(outside / "single.txt", folder / "single.txt");
  fs::create_symlink(outside / "gone.txt", folder / "broken.txt");
  ASSERT_EQ(::mkfifo((folder / "pipe").c_str(), 0644), 0);
  auto r = t.inst->artifacts().Save({{folder, "sample", std::nullopt}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const SaveOutcome& out = r->saved.at(0);
  EXPECT_EQ(out.artifact.n_files.value(), 3) << "a.txt, linked/x.txt, single.txt";
  EXPECT_EQ(out.artifact.size.value(), 1 + 1 + 6);
  ASSERT_EQ(out.warnings.size(), 2u);
  std::string all = out.warnings[0] + "\n" + out.warnings[1];
  EXPECT_NE(all.find("broken.txt (a broken symbolic link)"), std::string::npos) << all;
  EXPECT_NE(all.find("pipe (a FIFO)"), std::string::npos) << all;
  if (t.s3_root.empty()) {
    fs::path stored = t.storage() / out.artifact.StorageKey();
    EXPECT_EQ(testing::Slurp(stored / "linked" / "x.txt"), "x");
    EXPECT_FALSE(fs::is_symlink(stored / "single.txt")) << "links are stored as the data";
  }
  ExpectConsistent(t);
  auto deep = t.inst->Fsck({.deep = true});
  ASSERT_TRUE(deep.ok());
  EXPECT_EQ(deep->unrepaired(), 0);
}

TEST(Inputs, AFolderLinkThatLoopsIsRefused) {
  TestInstance t;
  fs::path folder = t.dir.path() / "inputs" / "loop";
  testing::WriteFile(folder / "sub" / "a.txt", "a");
  fs::create_directory_symlink(folder, folder / "sub" / "back");
  auto r = t.inst->artifacts().Save({{folder, "loop", std::nullopt}});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_NE(r.status().message().find("back"), std::string::npos);
  EXPECT_TRUE(t.ObjectNames().empty());
}

TEST(Inputs, AKeyMustEndInTheSuffixOfItsData) {
  TestInstance t;
  auto wrong = t.inst->artifacts().Save({{t.Write("m.csv", "a,b\n"), "data.txt", std::nullopt}});
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wrong.status().message().find(
                "The suffix '.txt' of the provided key is incorrect, it should be '.csv'"),
            std::string::npos)
      << wrong.status().ToString();
  fs::path folder = t.dir.path() / "inputs" / "plate";
  testing::WriteFile(folder / "a.tsv", "a");
  EXPECT_EQ(t.inst->artifacts().Save({{folder, "plate.zarr", std::nullopt}}).status().code(),
            StatusCode::kInvalidArgument);
  auto right = t.inst->artifacts().Save({{t.Write("n.csv", "c\n"), "tables/n.csv", std::nullopt}});
  ASSERT_TRUE(right.ok()) << right.status().ToString();
  EXPECT_EQ(right->saved[0].artifact.suffix, ".csv");
  EXPECT_TRUE(t.ObjectNames().size() == 1);
}

TEST(Inputs, KeysThatAreNotNormalAreRefusedWithTheirNormalForm) {
  TestInstance t;
  fs::path file = t.Write("rel.txt", "r\n");
  const std::map<std::string, std::string> bad = {
      {"dir/", "dir"},        {"trail.txt ", "trail.txt"}, {".", ""},
      {"./rel.txt", "rel.txt"}, {"a//b.txt", "a/b.txt"},   {"a/./b.txt", "a/b.txt"},
      {" lead.txt", "lead.txt"}};
  for (const auto& [key, normal] : bad) {
    auto r = t.inst->artifacts().Save({{file, key, std::nullopt}});
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << "'" << key << "'";
    if (!normal.empty()) {
      EXPECT_NE(r.status().message().find("use '" + normal + "'"), std::string::npos)
          << r.status().ToString();
    }
  }
  for (const char* refused : {"/abs.txt", "../up.txt", "a/../b.txt", ".lamindb/x.txt",
                              "new\nline.txt", "esc\x1b[2J.txt"}) {
    auto r = t.inst->artifacts().Save({{file, std::string(refused), std::nullopt}});
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << refused;
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos) << "an unescaped newline";
    EXPECT_EQ(r.status().message().find('\x1b'), std::string::npos) << "an unescaped escape";
  }
  EXPECT_TRUE(t.ObjectNames().empty());
}

TEST(Inputs, FilesRegisteredInPlaceGetTheKeyRulesToo) {
  TestInstance t;
  if (!t.s3_root.empty()) GTEST_SKIP() << "local locations";
  fs::path odd = testing::WriteFile(t.storage() / "raw" / "bad\nname.txt", "x");
  auto r = t.inst->artifacts().Save({{odd, std::nullopt, std::nullopt}});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_NE(r.status().message().find("bad\\nname.txt"), std::string::npos)
      << r.status().ToString();
  Query all;
  all.filters.push_back({"branch_id", "gte", "-1"});
  EXPECT_TRUE(t.inst->artifacts().List(all)->empty());
}

}  // namespace
}  // namespace lamin
