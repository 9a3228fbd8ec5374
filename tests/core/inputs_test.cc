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

// Writes into the source, same size, in place, while the store reads it: a concurrent writer.
class WritingStore : public ObjectStoreWrapper {
 public:
  using ObjectStoreWrapper::ObjectStoreWrapper;
  Result<StagedObject> StageFile(const fs::path& source, const std::string& key,
                                 const std::string& token, const ByteObserver& observe) override {
    bool written = false;
    return ObjectStoreWrapper::StageFile(source, key, token, [&](const void* d, size_t n) {
      if (!written) {
        written = true;
        std::fstream f(source, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(0);
        f << "XXXX";
      }
      if (observe) observe(d, n);
    });
  }
};

TEST(Inputs, AFileWrittenWhileItIsSavedIsRefusedAndNothingIsKept) {
  TestInstance t([](OpenOptions& o) {
    o.wrap_store = [](std::shared_ptr<ObjectStore> s) { return std::make_shared<WritingStore>(s); };
  });
  fs::path file = t.Write("live.csv", std::string(3 << 20, 'a'));
  AgeFile(file);
  auto r = t.inst->Save({{file, "live.csv", std::nullopt}});
  ASSERT_FALSE(r.ok()) << "a file written during its save was stored";
  EXPECT_EQ(r.status().code(), StatusCode::kIOError) << r.status().ToString();
  EXPECT_NE(r.status().message().find("changed while it was being saved"), std::string::npos)
      << r.status().ToString();
  EXPECT_TRUE(t.ObjectNames().empty());
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
  auto r = t.inst->Save({{folder, "sample", std::nullopt}});
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
  auto r = t.inst->Save({{folder, "loop", std::nullopt}});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_NE(r.status().message().find("back"), std::string::npos);
  EXPECT_TRUE(t.ObjectNames().empty());
}

}  // namespace
}  // namespace lamin
