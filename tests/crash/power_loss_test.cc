// Power loss, simulated at the storage layer as LevelDB's fault-injection Env does for files:
// the process dies at storage call N (from then on no storage or database call has any effect),
// then everything the store had not made durable is lost: staging copies (and files written at
// their keys whose Publish did not return) are deleted, truncated or kept at random, and objects
// whose Publish did not return (their rename was not yet synced) fall back to their staging name
// or vanish. SQLite's own durability (WAL, synchronous=FULL) is
// trusted, not simulated. After reopening: every save that returned OK is intact, the state before
// recovery shows no damage to committed rows, and recovery leaves a clean instance.
// The model would catch a protocol that commits a row before its object is durable.
#include <gtest/gtest.h>

#include <mutex>
#include <random>
#include <set>

#include "db/fault_injecting_database.h"
#include "test_util.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;

class PowerLossStore : public ObjectStoreWrapper {
 public:
  PowerLossStore(std::shared_ptr<ObjectStore> target, int crash_at, std::function<void()> on_crash)
      : ObjectStoreWrapper(std::move(target)), crash_at_(crash_at), on_crash_(std::move(on_crash)) {}

  bool crashed() {
    std::lock_guard lock(mu_);
    return crashed_;
  }

  Result<StagedObject> StageFile(const FileSource& source, const std::string& key,
                                 const std::string& token, const ByteObserver& observe) override {
    LAMIN_RETURN_IF_ERROR(Step());
    auto r = target_->StageFile(source, key, token, observe);
    if (r.ok()) Remember(r->at_key ? Root() + "/" + key : Staging(key, token));
    return r;
  }
  Result<StagedObject> StageFolder(const std::vector<FolderFile>& files, const std::string& key,
                                   const std::string& token,
                                   const FolderObserverFactory& observe) override {
    LAMIN_RETURN_IF_ERROR(Step());
    auto r = target_->StageFolder(files, key, token, observe);
    if (r.ok()) Remember(Staging(key, token));
    return r;
  }
  Status Publish(std::vector<StagedObject>& staged) override {
    LAMIN_RETURN_IF_ERROR(Step());
    Status s = target_->Publish(staged);
    std::lock_guard lock(mu_);
    for (const auto& o : staged) {
      if (!o.published) continue;
      if (o.at_key) {
        // Written at its key: durable (its data and its folder entry) once Publish returned.
        if (s.ok()) volatile_.erase(Root() + "/" + o.key);
        continue;
      }
      volatile_.erase(Staging(o.key, o.token));
      // Renamed, but durable only once the whole Publish (its folder fsync) returned.
      if (!s.ok()) unsynced_renames_.push_back({Root() + "/" + o.key, Staging(o.key, o.token)});
    }
    return s;
  }
  Status Discard(const StagedObject& staged) override {
    LAMIN_RETURN_IF_ERROR(Step());
    return target_->Discard(staged);
  }
  Status DiscardLeftovers(const std::string& key, const std::string& token) override {
    LAMIN_RETURN_IF_ERROR(Step());
    return target_->DiscardLeftovers(key, token);
  }
  Status Delete(const std::string& key) override {
    LAMIN_RETURN_IF_ERROR(Step());
    return target_->Delete(key);
  }

  // What the power cut takes: for each write not made durable, one of the outcomes a page cache
  // and a journaling file system allow.
  void CutPower(std::mt19937& rng) {
    for (const auto& [dest, staging] : unsynced_renames_) {
      if (!fs::exists(dest)) continue;
      if (rng() % 2) fs::rename(dest, staging);  // the rename did not reach the disk
    }
    for (const auto& path : volatile_) {
      if (!fs::exists(path)) continue;
      switch (rng() % 3) {
        case 0:
          fs::remove_all(path);
          break;
        case 1:
          if (fs::is_regular_file(path)) fs::resize_file(path, fs::file_size(path) / 2);
          break;
        default:
          break;  // the data happened to reach the disk
      }
    }
  }

 private:
  std::string Staging(const std::string& key, const std::string& token) const {
    return Root() + "/" + key + ".tmp-" + token;
  }
  void Remember(const std::string& path) {
    std::lock_guard lock(mu_);
    volatile_.insert(path);
  }
  // The process dies at the crash_at-th storage call: that call and all later ones do nothing.
  // (Staging runs on several threads: calls are counted under the lock.)
  Status Step() {
    std::lock_guard lock(mu_);
    if (!crashed_ && ++calls_ == crash_at_) {
      crashed_ = true;
      on_crash_();
    }
    return crashed_ ? Status::IOError("the process is dead") : Status::OK();
  }

  std::mutex mu_;
  int crash_at_;
  std::function<void()> on_crash_;
  int calls_ = 0;
  bool crashed_ = false;
  std::set<std::string> volatile_;
  std::vector<std::pair<std::string, std::string>> unsynced_renames_;
};

struct Scenario {
  // Declared before `t`, whose construction sets them.
  PowerLossStore* store = nullptr;
  db::FaultInjectingDatabase* db = nullptr;
  testing::TestInstance t;

  explicit Scenario(int crash_at)
      : t([this, crash_at](OpenOptions& o, api::TestHooks& h) {
          h.wrap_database = [this](std::unique_ptr<db::Database> real) {
            auto wrapped = std::make_unique<db::FaultInjectingDatabase>(std::move(real));
            db = wrapped.get();
            return std::unique_ptr<db::Database>(std::move(wrapped));
          };
          o.wrap_store = [this, crash_at](std::shared_ptr<ObjectStore> real) {
            auto wrapped = std::make_shared<PowerLossStore>(real, crash_at, [this] {
              db->FailAt(db->calls() + 1, /*persistent=*/true);  // the database stops too
            });
            store = wrapped.get();
            return wrapped;
          };
        }) {}
};

TEST(PowerLoss, CommittedSavesSurviveAndNothingHalfWrittenIsVisible) {
  std::mt19937 rng(1234);
  int crash_points = 0;
  for (int crash_at = 1;; ++crash_at) {
    Scenario s(crash_at);
    auto& t = s.t;
    // Work done before the crash: saves that return OK must survive it.
    std::vector<std::string> committed;
    std::string b1_uid;  // the one committed artifact that a later permanent delete may remove
    auto save = [&](std::vector<SaveRequest> batch) {
      auto r = t.inst->artifacts().Save(batch);
      if (!r.ok()) return;
      for (const auto& o : r->saved) {
        committed.push_back(o.artifact.uid);
        if (o.artifact.key == "b1") b1_uid = o.artifact.uid;
      }
    };
    save({{t.Write("one.csv", std::string(100000, 'a')), "one.csv", std::nullopt}});
    save({{t.Write("b1", "batch 1"), "b1", std::nullopt},
          {t.Write("b2", "batch 2"), "b2", std::nullopt},
          {t.Write("b3", std::string(300000, 'c')), "b3", std::nullopt}});
    t.Write("dir/x", "x");
    t.Write("dir/y", std::string(50000, 'y'));
    save({{t.input("dir"), "dir", std::nullopt}});
    save({{t.Write("one.csv", std::string(100000, 'b')), "one.csv", std::nullopt}});
    const bool b1_deleted = t.inst->artifacts().Delete(ArtifactRef::ByKey("b1"), true).ok();
    bool crashed = s.store->crashed();
    if (crashed) s.store->CutPower(rng);

    // Reopen as after a reboot, without the wrappers.
    t.options.wrap_store = nullptr;
    t.hooks.wrap_database = nullptr;
    t.Reopen();
    auto before = t.inst->Fsck({.repair = false, .deep = true});
    ASSERT_TRUE(before.ok());
    for (const auto& p : before->problems) {
      EXPECT_TRUE(p.kind == "interrupted_write" || p.kind == "leftover_temp" ||
                  p.kind == "orphan_object")
          << "crash at call " << crash_at << " left damage to committed state: " << p.kind << " "
          << p.path << " " << p.message;
    }
    ASSERT_TRUE(t.inst->Recover().ok());
    // Every save that returned OK survives; only b1 may be gone, by the delete that followed
    // (which commits before it removes the object, so a crash may cut it short after the row
    // went), and it is gone for sure once that delete returned OK.
    for (const auto& uid : committed) {
      auto a = t.inst->artifacts().Get(ArtifactRef::ByUid(uid));
      if (uid == b1_uid) {
        EXPECT_TRUE(a.ok() || a.status().IsNotFound()) << a.status().ToString();
        if (b1_deleted) {
          EXPECT_TRUE(a.status().IsNotFound()) << "a permanent delete was undone";
        }
        continue;
      }
      EXPECT_TRUE(a.ok()) << "crash at call " << crash_at << ": committed artifact " << uid
                          << " is gone: " << a.status().ToString();
    }
    auto after = t.inst->Fsck({.repair = false, .deep = true});
    ASSERT_TRUE(after.ok());
    EXPECT_TRUE(after->problems.empty())
        << "crash at call " << crash_at << ": " << after->problems.front().kind << " "
        << after->problems.front().path;
    testing::ExpectConsistent(t);
    if (::testing::Test::HasFailure()) return;
    if (!crashed) break;
    ++crash_points;
  }
  std::cerr << "power loss simulated at " << crash_points << " storage calls\n";
  EXPECT_GT(crash_points, 8);
}

}  // namespace
}  // namespace lamin
