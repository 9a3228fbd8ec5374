// An instance writing to S3 (label s3, beside scripts/with_s3.sh's signature-checking server):
// a denied upload leaves nothing, objects register in place with LaminDB's ETag hashes, loads
// go through a verified cache, bad locations and credentials give clear errors and change
// nothing. The ACID cases and the fault sweep run on S3 through LAMIN_TEST_STORAGE=s3.
#include <gtest/gtest.h>

#include <cstdlib>
#include <future>

#include "crash/process.h"
#include "hash/content_hash.h"
#include "test_util.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;
using testing::TestInstance;

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class S3Instance : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HaveS3Server()) GTEST_SKIP() << "needs scripts/with_s3.sh";
    client_.emplace(testing::TestS3Client());
    t_ = std::make_unique<TestInstance>();
    root_ = testing::NewS3Root("s3i");
    auto added = t_->inst->storages().Add(root_, "the team bucket");
    ASSERT_TRUE(added.ok()) << added.status().ToString();
    EXPECT_EQ(added->type, "s3");
    EXPECT_TRUE(added->writable);
    location_ = *storage::S3Location::Parse(root_);
  }
  std::string Url(const std::string& key) const {
    return "s3://" + location_.bucket + "/" + location_.prefix + "/" + key;
  }
  std::string FullKey(const std::string& key) const { return location_.prefix + "/" + key; }
  // Every object key under the location, except the marker.
  std::vector<std::string> Objects() {
    auto listed = client_->List(location_.bucket, location_.prefix + "/");
    EXPECT_TRUE(listed.ok()) << listed.status().ToString();
    std::vector<std::string> out;
    for (const auto& o : *listed) {
      if (!o.key.ends_with(".lamindb/storage_uid.txt")) out.push_back(o.key);
    }
    return out;
  }
  size_t Rows() {
    Query all;
    all.filters.push_back({"branch_id", "gte", "-1"});
    return t_->inst->artifacts().List(all)->size();
  }

  std::unique_ptr<TestInstance> t_;
  std::string root_;
  storage::S3Location location_;
  std::optional<storage::S3Client> client_;
};

TEST_F(S3Instance, MarkerIsWrittenAsLaminDBDoes) {
  auto marker = client_->Head(location_.bucket, FullKey(".lamindb/storage_uid.txt"));
  ASSERT_TRUE(marker.ok() && marker->has_value()) << marker.status().ToString();
  // A location belongs to one instance.
  TestInstance other;
  auto taken = other.inst->storages().Add(root_);
  EXPECT_EQ(taken.status().code(), StatusCode::kAlreadyExists) << taken.status().ToString();
  EXPECT_EQ(t_->inst->storages().Add(root_).status().code(), StatusCode::kAlreadyExists);
  auto listed = t_->inst->storages().List();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[1].root, root_);
  EXPECT_EQ((*listed)[1].description, "the team bucket");
  EXPECT_TRUE((*listed)[0].is_default);
}

TEST_F(S3Instance, SaveLoadAndDeleteThroughTheBucket) {
  auto file = t_->Write("reads.fasta", ">seq1\nACGT\n");
  auto saved = t_->inst->artifacts().Save({{file, "raw/reads.fasta", std::nullopt}}, {.storage = root_});
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  const Artifact& a = saved->saved.at(0).artifact;
  EXPECT_EQ(a.storage_root, root_);
  EXPECT_EQ(a.hash.value(), "83rEPcAoBHmYiIuyBYrFKg");
  auto head = client_->Head(location_.bucket, FullKey(a.StorageKey()));
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ(hash::HashFromEtag((*head)->etag)->hash, a.hash.value());
  // Loaded into LaminDB's cache path: <cache>/<bucket>/<prefix>/<key>.
  auto path = t_->inst->artifacts().Load(ArtifactRef::ByKey("raw/reads.fasta"));
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(*path, t_->options.cache_dir / location_.bucket / location_.prefix / a.StorageKey());
  EXPECT_EQ(testing::Slurp(*path), ">seq1\nACGT\n");
  // Permanent delete removes the object after the row.
  ASSERT_TRUE(t_->inst->artifacts().Delete(ArtifactRef::ByKey("raw/reads.fasta"), true).ok());
  EXPECT_FALSE(client_->Head(location_.bucket, FullKey(a.StorageKey()))->has_value());
  EXPECT_EQ(Rows(), 0u);
  auto fsck = t_->inst->Fsck({.deep = true});
  ASSERT_TRUE(fsck.ok());
  EXPECT_EQ(fsck->unrepaired(), 0);
}

TEST_F(S3Instance, DeniedUploadLeavesNoRowAndNoObject) {
  auto file = t_->Write("secret.csv", "a,b\n1,2\n");
  {
    ScopedEnv wrong("AWS_SECRET_ACCESS_KEY", "definitely-not-the-secret");
    t_->Reopen();  // the store reads the credentials when it opens
    auto denied = t_->inst->artifacts().Save({{file, "denied.csv", std::nullopt}}, {.storage = root_});
    ASSERT_FALSE(denied.ok());
    EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied) << denied.status().ToString();
    EXPECT_NE(denied.status().message().find("nothing was saved"), std::string::npos);
    EXPECT_EQ(denied.status().message().find("definitely-not-the-secret"), std::string::npos);
  }
  EXPECT_EQ(Rows(), 0u);
  EXPECT_TRUE(Objects().empty());
  auto intents = t_->RawDb()->Query("SELECT count(*) FROM lamin_intent");
  EXPECT_EQ(db::AsInt(intents->rows.at(0).at(0)), 0);
  t_->Reopen();
  EXPECT_TRUE(t_->inst->artifacts().Save({{file, "denied.csv", std::nullopt}}, {.storage = root_}).ok())
      << "the right credentials work afterwards";
}

// Holds a writer when it is about to write its object (its intent is recorded), until released.
class PausingStore : public ObjectStoreWrapper {
 public:
  using ObjectStoreWrapper::ObjectStoreWrapper;
  Result<StagedObject> StageFile(const FileSource& source, const std::string& key,
                                 const std::string& token, const ByteObserver& observe) override {
    if (!paused_.exchange(true)) {
      staged.set_value();
      release_future_.wait();
    }
    return target_->StageFile(source, key, token, observe);
  }
  std::promise<void> staged, release;

 private:
  std::atomic<bool> paused_{false};
  std::shared_future<void> release_future_ = release.get_future().share();
};

// Two writers plan the same next version of a key. S3 cannot rename, so objects are written at
// their final keys while the writers run: if both checked the key before either wrote, the
// second would overwrite the first one's object, and the loser's clean-up would delete the
// winner's data. The journal admits one writer per key: the second waits, before it writes
// anything, until the first has committed, then saves the version after it.
TEST_F(S3Instance, ARacingWriterWaitsAndNeverTouchesTheOthersObject) {
  ASSERT_TRUE(
      t_->inst->artifacts().Save({{t_->Write("v1", "version 1"), "k", std::nullopt}}, {.storage = root_}).ok());
  std::shared_ptr<PausingStore> pausing;
  OpenOptions a_options = t_->options;
  a_options.wrap_store = [&](std::shared_ptr<ObjectStore> real) {
    pausing = std::make_shared<PausingStore>(real);
    return pausing;
  };
  a_options.storage = root_;
  auto a = Instance::OpenCurrent(a_options);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto a_file = t_->Write("a", "version 2 from A");
  std::future<Result<SaveReport>> a_saved = std::async(std::launch::async, [&] {
    return (*a)->artifacts().Save({{a_file, "k", std::nullopt}});
  });
  pausing->staged.get_future().wait();  // A holds the key and is about to write
  // B starts while A is held; A goes on half a second later.
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    pausing->release.set_value();
  });
  auto b_saved =
      t_->inst->artifacts().Save({{t_->Write("b", "version 3 from B"), "k", std::nullopt}}, {.storage = root_});
  release.join();
  auto a_result = a_saved.get();
  ASSERT_TRUE(a_result.ok()) << a_result.status().ToString();
  ASSERT_TRUE(b_saved.ok()) << b_saved.status().ToString();
  EXPECT_EQ(a_result->saved[0].artifact.uid.substr(16), "0001") << "A held the key first";
  EXPECT_EQ(b_saved->saved[0].artifact.uid.substr(16), "0002") << "B waited for A";
  auto a_loaded = t_->inst->artifacts().Load(ArtifactRef::ByUid(a_result->saved[0].artifact.uid));
  ASSERT_TRUE(a_loaded.ok()) << a_loaded.status().ToString();
  EXPECT_EQ(testing::Slurp(*a_loaded), "version 2 from A");
  EXPECT_EQ(testing::Slurp(*t_->inst->artifacts().Load(ArtifactRef::ByKey("k"))), "version 3 from B");
  auto fsck = t_->inst->Fsck({.deep = true});
  ASSERT_TRUE(fsck.ok());
  EXPECT_EQ(fsck->unrepaired(), 0) << fsck->problems.at(0).message;
}

TEST_F(S3Instance, ManySmallFilesAndAFolderInOneBatch) {
  std::vector<SaveRequest> batch;
  for (int i = 0; i < 120; ++i) {
    batch.push_back({t_->Write("small/" + std::to_string(i), "file " + std::to_string(i)),
                     "small/" + std::to_string(i), std::nullopt});
  }
  t_->Write("dir/x", "x");
  t_->Write("dir/sub/y", "yy");
  batch.push_back({t_->input("dir"), "dir", std::nullopt});
  auto saved = t_->inst->artifacts().Save(batch, {.storage = root_});
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_EQ(Rows(), 121u);
  EXPECT_EQ(Objects().size(), 122u);  // 120 files + the folder's 2
  auto dir = t_->inst->artifacts().Load(ArtifactRef::ByKey("dir"));
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  EXPECT_EQ(testing::Slurp(*dir / "sub" / "y"), "yy");
}

TEST_F(S3Instance, RegisterInPlaceHashesFromTheETag) {
  std::string content = "gene,count\nA,1\n";
  ASSERT_TRUE(
      client_->Put(location_.bucket, FullKey("raw/counts.csv"), {content.data(), content.size()})
          .ok());
  auto reg = t_->inst->artifacts().Save({{Url("raw/counts.csv"), std::nullopt, "registered"}});
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  const Artifact& a = reg->saved.at(0).artifact;
  EXPECT_EQ(a.key.value(), "raw/counts.csv");
  EXPECT_FALSE(a.key_is_virtual);
  EXPECT_EQ(a.StorageKey(), "raw/counts.csv");
  EXPECT_EQ(a.suffix, ".csv");
  EXPECT_EQ(a.hash_type.value(), "md5");
  // Single part: the ETag is the md5 of the bytes, so the hash equals LaminDB's content hash.
  auto local = t_->Write("counts.csv", content);
  EXPECT_EQ(a.hash.value(), hash::HashFile(local)->hash);
  EXPECT_EQ(testing::Slurp(*t_->inst->artifacts().Load(ArtifactRef::ByKey("raw/counts.csv"))), content);
  // Registering again returns the same artifact.
  auto again = t_->inst->artifacts().Save({{Url("raw/counts.csv"), std::nullopt, std::nullopt}});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->saved[0].existed);
  EXPECT_EQ(again->saved[0].artifact.uid, a.uid);

  // Multipart: "<hex>-N" -> md5-N.
  std::string part(5 << 20, 'p');
  auto id = client_->CreateMultipartUpload(location_.bucket, FullKey("raw/big.bin"));
  ASSERT_TRUE(id.ok());
  std::vector<std::string> etags;
  for (int i = 1; i <= 2; ++i) {
    part[0] = static_cast<char>(i);
    etags.push_back(*client_->UploadPart(location_.bucket, FullKey("raw/big.bin"), *id, i,
                                         {part.data(), part.size()}));
  }
  auto etag =
      client_->CompleteMultipartUpload(location_.bucket, FullKey("raw/big.bin"), *id, etags);
  ASSERT_TRUE(etag.ok()) << etag.status().ToString();
  auto big = t_->inst->artifacts().Save({{Url("raw/big.bin"), std::nullopt, std::nullopt}});
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  auto expected = hash::HashFromEtag(*etag);
  EXPECT_EQ(big->saved[0].artifact.hash.value(), expected->hash);
  EXPECT_EQ(big->saved[0].artifact.hash_type.value(), expected->hash_type);
  EXPECT_EQ(big->saved[0].artifact.size.value(), 10 << 20);
  auto loaded = t_->inst->artifacts().Load(ArtifactRef::ByKey("raw/big.bin"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(fs::file_size(*loaded), 10u << 20);

  // The data was there before the artifact: a permanent delete keeps it.
  ASSERT_TRUE(t_->inst->artifacts().Delete(ArtifactRef::ByKey("raw/counts.csv"), true).ok());
  EXPECT_TRUE(client_->Head(location_.bucket, FullKey("raw/counts.csv"))->has_value());

  // Outside every registered location, inside .lamindb/, or missing: clear errors, no rows.
  size_t rows = Rows();
  auto outside = t_->inst->artifacts().Save(
      {{"s3://" + location_.bucket + "/elsewhere/x.csv", std::nullopt, std::nullopt}});
  EXPECT_EQ(outside.status().code(), StatusCode::kNotFound);
  EXPECT_NE(outside.status().message().find("lamin storage add"), std::string::npos);
  EXPECT_EQ(t_->inst->artifacts().Save({{Url(".lamindb/storage_uid.txt"), std::nullopt, std::nullopt}})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(
      t_->inst->artifacts().Save({{Url("raw/none.csv"), std::nullopt, std::nullopt}}).status().IsNotFound());
  EXPECT_EQ(t_->inst
                ->artifacts().Save({{Url("raw/big.bin"), std::nullopt, std::nullopt},
                        {t_->Write("l", "local"), std::nullopt, std::nullopt}})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Rows(), rows);
}

TEST_F(S3Instance, CacheNeverServesACopyThatNoLongerMatches) {
  std::string content(3 << 20, 'c');
  auto saved =
      t_->inst->artifacts().Save({{t_->Write("c.bin", content), "c.bin", std::nullopt}}, {.storage = root_});
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  auto path = t_->inst->artifacts().Load(ArtifactRef::ByKey("c.bin"));
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  auto mtime = fs::last_write_time(*path);
  // A valid copy is reused: not downloaded again.
  ASSERT_TRUE(t_->inst->artifacts().Load(ArtifactRef::ByKey("c.bin")).ok());
  EXPECT_EQ(fs::last_write_time(*path), mtime);
  // A copy changed in the cache (same size) is replaced by a fresh download.
  std::string tampered = content;
  tampered[12345] = 'X';
  testing::WriteFile(*path, tampered);
  auto reloaded = t_->inst->artifacts().Load(ArtifactRef::ByKey("c.bin"));
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
  EXPECT_TRUE(testing::Slurp(*reloaded) == content);
  // The object changes in the bucket behind the instance's back. fsck --deep reads the bucket,
  // not the (still valid) cached copy, and reports it.
  std::string key = FullKey(saved->saved[0].artifact.StorageKey());
  ASSERT_TRUE(client_->Put(location_.bucket, key, {tampered.data(), tampered.size()}).ok());
  ASSERT_TRUE(fs::exists(*path));
  auto fsck = t_->inst->Fsck({.deep = true});
  ASSERT_TRUE(fsck.ok());
  ASSERT_EQ(fsck->problems.size(), 1u);
  EXPECT_EQ(fsck->problems[0].kind, "hash_mismatch");
  // A fresh download of it is refused, and nothing is cached.
  fs::remove(*path);
  auto refused = t_->inst->artifacts().Load(ArtifactRef::ByKey("c.bin"));
  EXPECT_EQ(refused.status().code(), StatusCode::kCorruption) << refused.status().ToString();
  EXPECT_FALSE(fs::exists(*path));
}

TEST_F(S3Instance, BadLocationsAndCredentialsChangeNothing) {
  auto before = t_->inst->storages().List();
  ASSERT_TRUE(before.ok());
  std::string endpoint = testing::EnvText("LAMIN_TEST_S3_ENDPOINT");
  struct Case {
    std::string root;
    StatusCode code;
    std::string says;
  };
  std::vector<Case> cases = {
      {"s3://", StatusCode::kInvalidArgument, "not an S3 location"},
      {"s3://Bad_Bucket/x", StatusCode::kInvalidArgument, "bucket names"},
      {"s3://lamin-test/p?region=x", StatusCode::kInvalidArgument, "endpoint_url"},
      {"gs://bucket/p", StatusCode::kInvalidArgument, "only local folders and s3://"},
      {"s3://no-such-bucket-here/p?endpoint_url=" + endpoint, StatusCode::kNotFound,
       "bucket does not exist"},
      {"s3://lamin-test/p?endpoint_url=http://127.0.0.1:1", StatusCode::kUnavailable,
       "127.0.0.1:1"},
  };
  for (const auto& c : cases) {
    auto r = t_->inst->storages().Add(c.root);
    EXPECT_EQ(r.status().code(), c.code) << c.root << ": " << r.status().ToString();
    EXPECT_NE(r.status().message().find(c.says), std::string::npos) << r.status().ToString();
  }
  {
    ScopedEnv no_key("AWS_ACCESS_KEY_ID", nullptr);
    ScopedEnv no_secret("AWS_SECRET_ACCESS_KEY", nullptr);
    ScopedEnv no_file("AWS_SHARED_CREDENTIALS_FILE", (t_->dir.path() / "none").c_str());
    auto r = t_->inst->storages().Add(testing::NewS3Root("nocreds"));
    EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition) << r.status().ToString();
    EXPECT_NE(r.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
  }
  {
    ScopedEnv wrong("AWS_SECRET_ACCESS_KEY", "wrong-secret-value");
    auto r = t_->inst->storages().Add(testing::NewS3Root("denied"));
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().ToString();
    EXPECT_EQ(r.status().message().find("wrong-secret-value"), std::string::npos);
  }
  auto unregistered = t_->inst->artifacts().Save({{t_->Write("u", "u"), "u", std::nullopt}},
                                     {.storage = testing::NewS3Root("unregistered")});
  EXPECT_TRUE(unregistered.status().IsNotFound()) << unregistered.status().ToString();
  auto after = t_->inst->storages().List();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), before->size());
  EXPECT_EQ(Rows(), 0u);
}

TEST(S3Init, AnInstanceOnS3NeedsASharedDatabase) {
  testing::ScratchDir dir;
  OpenOptions options;
  options.env.settings_parent = dir.path();
  auto r = Instance::Init({"s3://lamin-test/solo", "solo", ""}, options);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("--db postgresql://"), std::string::npos);
}

}  // namespace
}  // namespace lamin
