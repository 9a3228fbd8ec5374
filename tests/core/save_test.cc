// LaminDB's save semantics: uids, keys, suffixes, dedup, versions, folders, trash, delete, and the
// files that make the instance one Python LaminDB recognises.
#include "core/save.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include "instance/settings.h"
#include "registry/artifacts.h"
#include "storage/fault_injecting_store.h"
#include "test_util.h"
#include "util/encoding.h"

namespace lamin {
namespace {

namespace fs = std::filesystem;
using testing::ExpectConsistent;
using testing::TestInstance;

Artifact SaveOne(TestInstance& t, const fs::path& path, std::optional<std::string> key = {},
                 bool* existed = nullptr) {
  auto r = t.inst->artifacts().Save({{path, key, std::nullopt}});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return {};
  if (existed) *existed = r->saved.at(0).existed;
  return r->saved.at(0).artifact;
}

// Writes `content` to the input file `name` and saves it under `key`.
Artifact SaveContent(TestInstance& t, const std::string& name, const std::string& content,
                     const std::string& key) {
  return SaveOne(t, t.Write(name, content), key);
}

TEST(Save, FileGetsUidHashAndManagedKey) {
  TestInstance t;
  Artifact a = SaveOne(t, t.Write("reads.fasta", ">seq1\nACGT\n"), "raw/reads.fasta");
  EXPECT_TRUE(std::regex_match(a.uid, std::regex("[0-9A-Za-z]{16}0000")));
  EXPECT_EQ(a.hash.value(), "83rEPcAoBHmYiIuyBYrFKg");
  EXPECT_EQ(a.hash_type.value(), "md5");
  EXPECT_EQ(a.size.value(), 11);
  EXPECT_EQ(a.suffix, ".fasta");
  EXPECT_TRUE(a.is_latest);
  EXPECT_TRUE(a.key_is_virtual);
  EXPECT_EQ(a.StorageKey(), ".lamindb/" + a.uid + ".fasta");
  EXPECT_TRUE(fs::exists(t.managed() / (a.uid + ".fasta")));
  ExpectConsistent(t);
}

TEST(Save, SameContentReturnsTheExistingArtifact) {
  TestInstance t;
  Artifact first = SaveOne(t, t.Write("x.txt", "hello world"), "a.txt");
  bool existed = false;
  Artifact again = SaveOne(t, t.Write("y.txt", "hello world"), "b.txt", &existed);
  EXPECT_TRUE(existed);
  EXPECT_EQ(again.uid, first.uid);
  EXPECT_EQ(again.key.value(), "a.txt");
  auto all = t.inst->artifacts().List({});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1u);
  ExpectConsistent(t);
}

TEST(Save, SameKeyNewContentMakesTheNextVersion) {
  TestInstance t;
  Artifact v1 = SaveContent(t, "data.csv", "v1", "tables/data.csv");
  Artifact v2 = SaveContent(t, "data.csv", "v2", "tables/data.csv");
  Artifact v3 = SaveContent(t, "data.csv", "v3", "tables/data.csv");
  EXPECT_EQ(v2.uid, v1.stem() + "0001");
  EXPECT_EQ(v3.uid, v1.stem() + "0002");
  auto latest = t.inst->artifacts().Get(ArtifactRef::ByKey("tables/data.csv"));
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->uid, v3.uid);
  EXPECT_FALSE(t.inst->artifacts().Get(ArtifactRef::ByUid(v1.uid))->is_latest);
  EXPECT_FALSE(t.inst->artifacts().Get(ArtifactRef::ByUid(v2.uid))->is_latest);
  EXPECT_EQ(t.inst->artifacts().Get(ArtifactRef::ByUid(v1.stem()))->uid, v3.uid);
  ExpectConsistent(t);
}

// A batch's keys go to the database as one JSON array: keys that JSON must escape (control
// characters are refused in keys before), and keys beyond ASCII, still find their families, so
// that saving new content under them makes each key's next version.
TEST(Save, KeysThatJsonEscapesFindTheirVersionsInABatch) {
  TestInstance t;
  const std::vector<std::string> keys = {"plain.txt", "quote\"d.txt", "back\\slash.txt",
                                         "dir/with space.txt", "\xc3\xbcnicode.txt"};
  auto save_all = [&](const std::string& content) {
    std::vector<SaveRequest> requests;
    for (size_t i = 0; i < keys.size(); ++i) {
      requests.push_back({t.Write(fmt::format("in{}.txt", i), content + keys[i]), keys[i],
                          std::nullopt});
    }
    auto r = t.inst->artifacts().Save(requests);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->saved : std::vector<SaveOutcome>{};
  };
  auto first = save_all("v1 ");
  auto second = save_all("v2 ");
  ASSERT_EQ(first.size(), keys.size());
  ASSERT_EQ(second.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(second[i].artifact.key.value(), keys[i]);
    EXPECT_TRUE(second[i].new_version) << keys[i];
    EXPECT_EQ(second[i].artifact.uid, first[i].artifact.stem() + "0001") << keys[i];
  }
  ExpectConsistent(t);
}

TEST(Save, FolderIsOneArtifactWithFolderHash) {
  TestInstance t;
  t.Write("dir/a", "a");
  t.Write("dir/b", "b");
  Artifact a = SaveOne(t, t.input("dir"), "folders/ab");
  EXPECT_EQ(a.hash.value(), "YNCwyFw7rBegqZLBVEckCg");
  EXPECT_EQ(a.hash_type.value(), "md5-d");
  EXPECT_EQ(a.n_files.value(), 2);
  EXPECT_EQ(a.size.value(), 2);
  // Unlike LaminDB's default for folders, every version keeps its own data.
  EXPECT_FALSE(a.overwrite_versions);
  EXPECT_EQ(a.StorageKey(), ".lamindb/" + a.uid);
  EXPECT_TRUE(fs::is_regular_file(t.managed() / a.uid / "a"));
  t.Write("dir/c", "c");
  Artifact v2 = SaveOne(t, t.input("dir"), "folders/ab");
  EXPECT_EQ(v2.uid, a.stem() + "0001");
  EXPECT_EQ(v2.n_files.value(), 3);
  EXPECT_TRUE(fs::is_regular_file(t.managed() / v2.uid / "c"));
  EXPECT_FALSE(fs::exists(t.managed() / a.uid / "c"));
  // Deleting the newest version for good leaves the older one whole.
  ASSERT_TRUE(t.inst->artifacts().Delete(ArtifactRef::ByUid(v2.uid), true).ok());
  EXPECT_EQ(t.inst->artifacts().Get(ArtifactRef::ByKey("folders/ab"))->uid, a.uid);
  EXPECT_TRUE(t.inst->Fsck({.repair = false, .deep = true})->problems.empty());
  ExpectConsistent(t);
}

TEST(Save, BatchDedupsWithinItself) {
  TestInstance t;
  auto r = t.inst->artifacts().Save({{t.Write("1", "same"), std::nullopt, std::nullopt},
                         {t.Write("2", "same"), std::nullopt, std::nullopt},
                         {t.Write("3", "other"), std::nullopt, std::nullopt}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->saved.size(), 3u);
  EXPECT_FALSE(r->saved[0].existed);
  EXPECT_TRUE(r->saved[1].existed);
  EXPECT_EQ(r->saved[1].artifact.uid, r->saved[0].artifact.uid);
  EXPECT_EQ(t.inst->artifacts().List({})->size(), 2u);
  ExpectConsistent(t);
}

// A save reports its new artifacts as it wrote them, without reading them back
// (registry::InsertArtifacts): every field must be what a read of the same row gives, for a key,
// a description, a kind, an otype, a folder, a new version and a run's output.
TEST(Save, InsertedArtifactsAreAsReadBack) {
  TestInstance t;
  SaveContent(t, "table.csv", "v1", "tables/table.csv");
  auto transform = t.inst->lineage().SaveTransform({"pipeline.py", "script", "print(1)", std::nullopt});
  ASSERT_TRUE(transform.ok()) << transform.status().ToString();
  auto run = t.inst->lineage().StartRun(*transform, {"{}", std::nullopt, std::nullopt, std::nullopt});
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  t.Write("dir/a", "a");
  t.Write("dir/b", "bb");
  std::vector<SaveRequest> batch = {
      {t.Write("table.csv", "v2"), "tables/table.csv", std::nullopt},
      {t.Write("notes.txt", "notes"), std::nullopt, "field notes"},
      {t.input("dir"), "folders/ab", std::nullopt},
      {t.Write("model.pt", "weights"), "models/model.pt", "a model"}};
  batch[3].kind = "model";
  SaveOptions options;
  options.run_id = run->id;
  auto r = t.inst->artifacts().Save(batch, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->saved.size(), batch.size());
  EXPECT_TRUE(r->saved[0].new_version);
  for (const SaveOutcome& out : r->saved) {
    const Artifact& made = out.artifact;
    auto read = t.inst->artifacts().Get(ArtifactRef::ByUid(made.uid));
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    SCOPED_TRACE(out.path.string());
    EXPECT_EQ(made.id, read->id);
    EXPECT_EQ(made.uid, read->uid);
    EXPECT_EQ(made.key, read->key);
    EXPECT_EQ(made.real_key, read->real_key);
    EXPECT_EQ(made.description, read->description);
    EXPECT_EQ(made.suffix, read->suffix);
    EXPECT_EQ(made.kind, read->kind);
    EXPECT_EQ(made.otype, read->otype);
    EXPECT_EQ(made.size, read->size);
    EXPECT_EQ(made.hash, read->hash);
    EXPECT_EQ(made.hash_type, read->hash_type);
    EXPECT_EQ(made.n_files, read->n_files);
    EXPECT_EQ(made.version_tag, read->version_tag);
    EXPECT_EQ(made.is_latest, read->is_latest);
    EXPECT_EQ(made.key_is_virtual, read->key_is_virtual);
    EXPECT_EQ(made.overwrite_versions, read->overwrite_versions);
    EXPECT_EQ(made.branch_id, read->branch_id);
    EXPECT_EQ(made.storage_id, read->storage_id);
    EXPECT_EQ(made.storage_root, read->storage_root);
    EXPECT_EQ(made.created_by_id, read->created_by_id);
    EXPECT_EQ(made.run_id, read->run_id);
    EXPECT_EQ(made.created_by_handle, read->created_by_handle);
    EXPECT_EQ(made.created_at, read->created_at);
    EXPECT_EQ(made.updated_at, read->updated_at);
  }
  EXPECT_EQ(r->saved[0].artifact.otype, "DataFrame");
  EXPECT_EQ(r->saved[2].artifact.n_files, 2);
  EXPECT_EQ(r->saved[3].artifact.kind, "model");
  EXPECT_EQ(r->saved[3].artifact.run_id, run->id);
  EXPECT_FALSE(r->saved[0].artifact.created_by_handle.empty());
  ExpectConsistent(t);
}

// A batch of several thousand inputs has its hashes looked up chunk by chunk while the rest are
// still read (save.cc, kLookupChunk): known content is found in every chunk, one content twice in
// distant chunks is stored once, and trashed content is restored, as in a batch of three.
TEST(Save, ABatchLookedUpInChunksFindsKnownContentInEachChunk) {
  TestInstance t;
  std::vector<SaveRequest> before;
  for (int i = 0; i < 2500; i += 2) {  // every other input of the big batch is known
    before.push_back({t.Write("k" + std::to_string(i), "content " + std::to_string(i)),
                      std::nullopt, std::nullopt});
  }
  auto saved_before = t.inst->artifacts().Save(before);
  ASSERT_TRUE(saved_before.ok()) << saved_before.status().ToString();
  const std::string trashed = saved_before->saved[700].artifact.uid;  // content 1400
  ASSERT_TRUE(t.inst->artifacts().Delete(ArtifactRef::ByUid(trashed), false).ok());

  std::vector<SaveRequest> batch;
  for (int i = 0; i < 2500; ++i) {
    batch.push_back({t.Write("b" + std::to_string(i), "content " + std::to_string(i)),
                     std::nullopt, std::nullopt});
  }
  // The same new content at the start of the first chunk and in the last one.
  batch[1].path = t.Write("b1", "twin across chunks");
  batch[2401].path = t.Write("b2401", "twin across chunks");
  auto r = t.inst->artifacts().Save(batch);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->saved.size(), 2500u);
  for (int i = 0; i < 2500; ++i) {
    const auto& out = r->saved[static_cast<size_t>(i)];
    if (i == 2401) {
      EXPECT_TRUE(out.existed);
      EXPECT_EQ(out.artifact.uid, r->saved[1].artifact.uid);
    } else if (i % 2 == 0) {
      EXPECT_TRUE(out.existed) << i;
      EXPECT_EQ(out.artifact.uid, saved_before->saved[static_cast<size_t>(i / 2)].artifact.uid) << i;
    } else {
      EXPECT_FALSE(out.existed) << i;
    }
  }
  EXPECT_TRUE(r->saved[1400].restored);
  EXPECT_EQ(t.inst->artifacts().Get(ArtifactRef::ByUid(trashed))->branch_id, 1);
  // 1,250 before, 1,249 new contents (1,250 odd inputs, two of which are one twin content).
  EXPECT_EQ(t.inst->artifacts().List({.limit = 10000})->size(), 2499u);
  ExpectConsistent(t);
}

// A batch whose first chunk is all new claims every key once that chunk is hashed and writes
// files while the later chunks are read (save.cc, claim_early): content found known in a later
// chunk is still written nowhere and keeps no intent, trashed content there is restored, a key's
// new version there is a version, and a twin of a first-chunk input is stored once.
TEST(Save, ABatchThatClaimsEarlyFindsKnownContentInLaterChunks) {
  TestInstance t;
  std::vector<SaveRequest> before;
  for (int i = 1200; i < 1210; ++i) {
    before.push_back({t.Write("k" + std::to_string(i), "content " + std::to_string(i)),
                      std::nullopt, std::nullopt});
  }
  before.push_back({t.Write("k2300", "content 2300"), std::nullopt, std::nullopt});
  before.push_back({t.Write("v1.csv", "version one"), "tables/v.csv", std::nullopt});
  auto saved_before = t.inst->artifacts().Save(before);
  ASSERT_TRUE(saved_before.ok()) << saved_before.status().ToString();
  const std::string trashed = saved_before->saved[10].artifact.uid;  // content 2300
  ASSERT_TRUE(t.inst->artifacts().Delete(ArtifactRef::ByUid(trashed), false).ok());
  const size_t objects_before = t.ObjectNames().size();

  std::vector<SaveRequest> batch;
  for (int i = 0; i < 2500; ++i) {
    batch.push_back({t.Write("b" + std::to_string(i), "content " + std::to_string(i)),
                     std::nullopt, std::nullopt});
  }
  batch[5].path = t.Write("b5", "twin across chunks");
  batch[2405].path = t.Write("b2405", "twin across chunks");
  batch[1700] = {t.Write("v2.csv", "version two"), "tables/v.csv", std::nullopt};
  auto r = t.inst->artifacts().Save(batch);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->saved.size(), 2500u);
  size_t created = 0;
  for (size_t i = 0; i < 2500; ++i) {
    const auto& out = r->saved[i];
    if (i >= 1200 && i < 1210) {
      EXPECT_TRUE(out.existed) << i;
      EXPECT_EQ(out.artifact.uid, saved_before->saved[i - 1200].artifact.uid) << i;
    } else if (i == 2300) {
      EXPECT_TRUE(out.existed);
      EXPECT_TRUE(out.restored);
      EXPECT_EQ(out.artifact.uid, trashed);
    } else if (i == 2405) {
      EXPECT_TRUE(out.existed);
      EXPECT_EQ(out.artifact.uid, r->saved[5].artifact.uid);
    } else {
      EXPECT_FALSE(out.existed) << i;
      ++created;
    }
  }
  EXPECT_TRUE(r->saved[1700].new_version);
  EXPECT_EQ(r->saved[1700].artifact.uid.substr(0, 16),
            saved_before->saved[11].artifact.uid.substr(0, 16));
  EXPECT_EQ(t.inst->artifacts().Get(ArtifactRef::ByKey("tables/v.csv"))->uid,
            r->saved[1700].artifact.uid);
  EXPECT_EQ(t.inst->artifacts().Get(ArtifactRef::ByUid(trashed))->branch_id, 1);
  // One object per new content, none for known content (ExpectConsistent: and no intents).
  EXPECT_EQ(created, 2500u - 12u);
  EXPECT_EQ(t.ObjectNames().size(), objects_before + created);
  ExpectConsistent(t);
}

TEST(Save, TrashRestoreAndPermanentDelete) {
  TestInstance t;
  Artifact v1 = SaveContent(t, "f.txt", "one", "f.txt");
  Artifact v2 = SaveContent(t, "f.txt", "two", "f.txt");
  // Trashing the latest makes the previous version latest.
  ASSERT_TRUE(t.inst->artifacts().Delete(ArtifactRef::ByKey("f.txt"), false).ok());
  EXPECT_EQ(t.inst->artifacts().Get(ArtifactRef::ByKey("f.txt"))->uid, v1.uid);
  EXPECT_TRUE(t.inst->artifacts().Get(ArtifactRef::ByKey("f.txt"))->is_latest);
  EXPECT_EQ(t.inst->artifacts().Get(ArtifactRef::ByUid(v2.uid))->branch_id, kBranchTrash);
  // Only the branch changes, as in LaminDB's soft delete (updated_at stays).
  EXPECT_EQ(t.inst->artifacts().Get(ArtifactRef::ByUid(v2.uid))->updated_at, v2.updated_at);
  EXPECT_TRUE(fs::exists(t.storage() / v2.StorageKey()));
  // Restore by key brings v2 back as latest.
  auto restored = t.inst->artifacts().Restore(ArtifactRef::ByKey("f.txt"));
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->uid, v2.uid);
  EXPECT_TRUE(restored->is_latest);
  EXPECT_FALSE(t.inst->artifacts().Get(ArtifactRef::ByUid(v1.uid))->is_latest);
  // Permanent delete removes row and object.
  ASSERT_TRUE(t.inst->artifacts().Delete(ArtifactRef::ByUid(v2.uid), true).ok());
  EXPECT_TRUE(t.inst->artifacts().Get(ArtifactRef::ByUid(v2.uid)).status().IsNotFound());
  EXPECT_FALSE(fs::exists(t.storage() / v2.StorageKey()));
  EXPECT_EQ(t.inst->artifacts().Get(ArtifactRef::ByKey("f.txt"))->uid, v1.uid);
  ExpectConsistent(t);
}

TEST(Save, SavingTrashedContentRestoresIt) {
  TestInstance t;
  Artifact a = SaveOne(t, t.Write("f", "content"), "k");
  ASSERT_TRUE(t.inst->artifacts().Delete(ArtifactRef::ByUid(a.uid), false).ok());
  auto r = t.inst->artifacts().Save({{t.input("f"), "k", std::nullopt}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->saved[0].existed);
  EXPECT_TRUE(r->saved[0].restored);
  EXPECT_EQ(r->saved[0].artifact.branch_id, kBranchMain);
  ExpectConsistent(t);
}

TEST(Save, LoadGivesThePathOfTheData) {
  TestInstance t;
  Artifact a = SaveOne(t, t.Write("x.csv", "1,2"), "x.csv");
  auto path = t.inst->artifacts().Load(ArtifactRef::ByKey("x.csv"));
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(*path, t.storage() / a.StorageKey());
  fs::remove(*path);
  auto missing = t.inst->artifacts().Load(ArtifactRef::ByKey("x.csv"));
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_NE(missing.status().message().find("missing"), std::string::npos);
}

// LaminDB registers what already lies inside a storage location where it is: the key is the
// path below the root, nothing is copied, and a permanent delete leaves the data.
TEST(Save, PathsInsideAStorageLocationAreRegisteredInPlace) {
  TestInstance t;
  fs::path file = testing::WriteFile(t.storage() / "raw" / "reads.fasta", ">seq1\nACGT\n");
  testing::WriteFile(t.storage() / "plates" / "p1" / "a.tsv", "a");
  testing::WriteFile(t.storage() / "plates" / "p1" / "b.tsv", "b");
  auto r = t.inst->artifacts().Save({{file, std::nullopt, std::nullopt},
                         {t.storage() / "plates" / "p1", std::nullopt, std::nullopt}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Artifact& a = r->saved[0].artifact;
  EXPECT_EQ(a.key.value(), "raw/reads.fasta");
  EXPECT_FALSE(a.key_is_virtual);
  EXPECT_EQ(a.StorageKey(), "raw/reads.fasta");
  EXPECT_EQ(a.hash.value(), "83rEPcAoBHmYiIuyBYrFKg");
  const Artifact& folder = r->saved[1].artifact;
  EXPECT_EQ(folder.key.value(), "plates/p1");
  EXPECT_EQ(folder.hash.value(), "YNCwyFw7rBegqZLBVEckCg");
  EXPECT_EQ(folder.hash_type.value(), "md5-d");
  EXPECT_EQ(folder.n_files.value(), 2);
  EXPECT_TRUE(t.ObjectNames().empty()) << "nothing is copied into .lamindb/";
  EXPECT_EQ(*t.inst->artifacts().Load(ArtifactRef::ByKey("raw/reads.fasta")), file);
  ExpectConsistent(t);
  // The same again is the existing artifact; changed content is the next version.
  auto again = t.inst->artifacts().Save({{file, std::nullopt, std::nullopt}});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->saved[0].existed);
  testing::WriteFile(file, ">seq1\nACGTT\n");
  auto next = t.inst->artifacts().Save({{file, std::nullopt, std::nullopt}});
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->saved[0].artifact.uid, a.stem() + "0001");
  // The older version's bytes were overwritten where they lie: the save says so, fsck lists the
  // older version (every version is checked), and it is never served as the newer one's data.
  ASSERT_EQ(next->saved[0].warnings.size(), 1u);
  EXPECT_NE(next->saved[0].warnings[0].find(a.uid), std::string::npos);
  auto checked = t.inst->Fsck({.deep = true});
  ASSERT_TRUE(checked.ok());
  ASSERT_EQ(checked->problems.size(), 1u);
  EXPECT_EQ(checked->problems[0].kind, "overwritten_version");
  EXPECT_EQ(checked->problems[0].uid, a.uid);
  EXPECT_EQ(checked->artifacts_checked, 3);
  auto old_data = t.inst->artifacts().Load(ArtifactRef::ByUid(a.uid));
  EXPECT_EQ(old_data.status().code(), StatusCode::kNotFound) << old_data.status().ToString();
  EXPECT_EQ(*t.inst->artifacts().Load(ArtifactRef::ByKey("raw/reads.fasta")), file);
  // A key or a storage of one's own, or a mix with paths to copy, is refused.
  EXPECT_EQ(t.inst->artifacts().Save({{file, "elsewhere.fasta", std::nullopt}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(t.inst
                ->artifacts().Save({{file, std::nullopt, std::nullopt}},
                       {.storage = (t.dir.path() / "other").string()})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(t.inst
                ->artifacts().Save({{file, std::nullopt, std::nullopt},
                        {t.Write("outside.txt", "x"), std::nullopt, std::nullopt}})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  // The data was there before the artifact: it stays after a permanent delete.
  ASSERT_TRUE(t.inst->artifacts().Delete(ArtifactRef::ByKey("plates/p1"), true).ok());
  EXPECT_TRUE(fs::exists(t.storage() / "plates" / "p1" / "a.tsv"));
}

TEST(Save, SuffixRules) {
  EXPECT_EQ(core::ExtractSuffix("reads.fastq.gz"), ".fastq.gz");
  EXPECT_EQ(core::ExtractSuffix("x.ome.zarr"), ".ome.zarr");
  EXPECT_EQ(core::ExtractSuffix("table.csv"), ".csv");
  EXPECT_EQ(core::ExtractSuffix("archive.v2.gz"), ".gz");
  EXPECT_EQ(core::ExtractSuffix("run.123"), "");
  EXPECT_EQ(core::ExtractSuffix("README"), "");
  EXPECT_EQ(core::ExtractSuffix(".hidden"), "");
}

TEST(Instance, FilesLaminDbRecognises) {
  TestInstance t;
  auto marker = t.managed() / "storage_uid.txt";
  ASSERT_TRUE(fs::exists(marker));
  std::ifstream in(marker);
  std::string uid, line2;
  std::getline(in, uid);
  std::getline(in, line2);
  EXPECT_EQ(uid.size(), 12u);
  EXPECT_EQ(line2, "creation info:");
  auto settings_file = t.options.env.SettingsDir() / "instance--anonymous--test.env";
  ASSERT_TRUE(fs::exists(settings_file));
  EXPECT_EQ(fs::status(settings_file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  auto s = instance::ReadInstanceSettings(settings_file);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->storage_root, t.storage().string());
  EXPECT_EQ(s->id, util::Uuid5UrlHex("anonymous/test"));
  EXPECT_TRUE(fs::exists(t.options.env.SettingsDir() / "current_instance.env"));
  EXPECT_TRUE(fs::exists(t.options.env.SettingsDir() / "current_user.env"));
  auto info = t.inst->Info();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->slug, "anonymous/test");
  EXPECT_EQ(info->uid, instance::InstanceUid(info->id));
}

// The id a settings file names is the instance's (Python's, for an instance made on the hub, is
// a random uuid); only a file without one has it derived from the slug.
TEST(Instance, SettingsKeepTheirIdAndDeriveOneOnlyWithout) {
  testing::ScratchDir dir;
  const std::string common =
      "lamindb_instance_owner=someone\nlamindb_instance_name=data\n"
      "lamindb_instance_storage_root=/tmp/data\n";
  auto with_id = dir.path() / "with.env";
  testing::WriteFile(with_id, common + "lamindb_instance_id=0123456789abcdef0123456789abcdef\n");
  auto s = instance::ReadInstanceSettings(with_id);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->id, "0123456789abcdef0123456789abcdef");
  auto without = dir.path() / "without.env";
  testing::WriteFile(without, common + "lamindb_instance_id=null\n");
  s = instance::ReadInstanceSettings(without);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->id, util::Uuid5UrlHex("someone/data"));
}

TEST(Instance, ConnectDisconnectDelete) {
  TestInstance t;
  t.inst.reset();
  auto env = t.options.env;
  ASSERT_TRUE(Instance::Disconnect(env).ok());
  EXPECT_EQ(Instance::OpenCurrent(t.options).status().code(), StatusCode::kFailedPrecondition);
  auto c = Instance::Connect("test", t.options);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(Instance::OpenCurrent(t.options).ok());
  EXPECT_TRUE(Instance::Connect("nope", t.options).status().IsNotFound());
  c->reset();
  ASSERT_TRUE(Instance::DeleteInstance("anonymous/test", {}, env).ok());
  EXPECT_FALSE(fs::exists(t.managed() / "lamin.db"));
  EXPECT_TRUE(Instance::Connect("test", t.options).status().IsNotFound());
  // A second init on the same storage works after the delete.
  EXPECT_TRUE(Instance::Init({t.storage(), "test"}, t.options).ok());
  EXPECT_EQ(Instance::Init({t.storage(), "other"}, t.options).status().code(),
            StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace lamin

namespace lamin {
namespace {

// Content saved before is found by its hash before anything is written: a re-save of unchanged
// files and a folder calls no write of the store and leaves .lamindb/ untouched (not even a
// temporary object created and removed: the folder's mtime would move).
TEST(Save, KnownContentWritesNothing) {
  std::shared_ptr<storage::FaultInjectingStore> counting;
  testing::TestInstance t([&](OpenOptions& o) {
    o.wrap_store = [&](std::shared_ptr<ObjectStore> real) -> std::shared_ptr<ObjectStore> {
      counting = std::make_shared<storage::FaultInjectingStore>(real);
      return counting;
    };
  });
  std::vector<SaveRequest> batch;
  for (int i = 0; i < 200; ++i) {
    batch.push_back({t.Write("f" + std::to_string(i) + ".txt", "content " + std::to_string(i)),
                     std::nullopt, std::nullopt});
  }
  testing::WriteFile(t.input("dir") / "a.txt", "a");
  testing::WriteFile(t.input("dir") / "sub" / "b.txt", "b");
  batch.push_back({t.input("dir"), "dir", std::nullopt});
  auto first = t.inst->artifacts().Save(batch);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(counting);
  const int writes = counting->calls();
  const auto names = t.ObjectNames();
  std::error_code ec;
  const auto mtime = std::filesystem::last_write_time(t.managed(), ec);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a new mtime would differ
  auto again = t.inst->artifacts().Save(batch);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  for (const auto& s : again->saved) EXPECT_TRUE(s.existed) << s.path;
  EXPECT_EQ(counting->calls(), writes) << "the re-save wrote to the store";
  EXPECT_EQ(t.ObjectNames(), names);
  if (!testing::OnS3()) {
    EXPECT_EQ(std::filesystem::last_write_time(t.managed(), ec), mtime);
  }
  // A batch holding the same content twice copies it once.
  std::vector<SaveRequest> twins = {{t.Write("x1.txt", "twin"), std::nullopt, std::nullopt},
                                    {t.Write("x2.txt", "twin"), std::nullopt, std::nullopt}};
  const int before = counting->calls();
  auto saved = t.inst->artifacts().Save(twins);
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_EQ(saved->saved[0].artifact.uid, saved->saved[1].artifact.uid);
  EXPECT_TRUE(saved->saved[1].existed);
  EXPECT_EQ(counting->calls() - before, 2);  // one StageFile, one Publish
  testing::ExpectConsistent(t);
}

// Recovery removes the object of an interrupted put unless a committed row owns it
// (registry::OwnedObjects): every kind of owner is found -- a uid's object, an
// _overwrite_versions folder's (at its stem), a file registered in place (_real_key, or a key
// that is not virtual) -- and nothing else is taken for one: another version's uid, a stem
// whose family does not overwrite, a virtual key, another storage's row.
TEST(Save, OwnershipOfObjectsIsFoundForEveryKindOfOwner) {
  TestInstance t;
  auto db = t.RawDb();
  const auto [storage_id, user_id] = testing::HomeIdsOf(*db);
  auto row = [&](const std::string& uid, std::optional<std::string> key, const std::string& suffix,
                 bool key_is_virtual) {
    registry::NewArtifact r{uid, key, std::nullopt, suffix, 1, "h" + uid, "md5", std::nullopt,
                            storage_id, user_id};
    r.key_is_virtual = key_is_virtual;
    return r;
  };
  ASSERT_OK(registry::InsertArtifacts(
      *db, {row("fileAAAAAAAAAAAA0000", "data/a.txt", ".txt", true),
            row("folderBBBBBBBBBB0003", "data/b", "", true),
            row("zarrCCCCCCCCCCCC0001", std::nullopt, ".zarr", true),
            row("placedDDDDDDDDDD0000", std::nullopt, ".csv", true),
            row("keyedEEEEEEEEEEE0000", "raw/keyed.csv", ".csv", false),
            row("otherFFFFFFFFFFF0000", "data/f.txt", ".txt", true)}));
  ASSERT_OK(db->Execute("UPDATE lamindb_artifact SET _overwrite_versions = TRUE WHERE uid IN "
                        "('folderBBBBBBBBBB0003', 'zarrCCCCCCCCCCCC0001')"));
  ASSERT_OK(db->Execute("UPDATE lamindb_artifact SET _real_key = 'raw/placed.csv' WHERE uid = "
                        "'placedDDDDDDDDDD0000'"));
  // Another storage location's row owns nothing here.
  ASSERT_OK(db->Execute("INSERT INTO lamindb_storage (uid, root, type, region, instance_uid, "
                        "run_id, created_by_id, created_at, updated_at, branch_id, created_on_id, "
                        "space_id, is_locked, description) SELECT 'otherStor000', root || '-other', "
                        "type, region, instance_uid, run_id, created_by_id, created_at, updated_at, "
                        "branch_id, created_on_id, space_id, is_locked, description FROM "
                        "lamindb_storage WHERE "
                        "id = ?",
                        {storage_id}));
  ASSERT_OK(db->Execute("UPDATE lamindb_artifact SET storage_id = (SELECT id FROM lamindb_storage "
                        "WHERE uid = 'otherStor000') WHERE uid = 'otherFFFFFFFFFFF0000'"));
  const std::set<std::string> owners = {
      ".lamindb/fileAAAAAAAAAAAA0000.txt", ".lamindb/folderBBBBBBBBBB",
      ".lamindb/zarrCCCCCCCCCCCC.zarr", "raw/placed.csv", "raw/keyed.csv"};
  const std::vector<std::string> others = {
      ".lamindb/fileAAAAAAAAAAAA0001.txt", ".lamindb/fileAAAAAAAAAAAA.txt",
      ".lamindb/fileAAAAAAAAAAAA0000.csv", ".lamindb/folderBBBBBBBBBB0003",
      ".lamindb/zarrCCCCCCCCCCCC0001.zarr", ".lamindb/placedDDDDDDDDDD0000.csv", "data/a.txt",
      ".lamindb/otherFFFFFFFFFFF0000.txt", ".lamindb/short", "elsewhere/x'); --"};
  auto ask = [&](const std::vector<std::string>& keys) {
    auto owned = registry::OwnedObjects(*db, storage_id, keys);
    EXPECT_TRUE(owned.ok()) << owned.status().ToString();
    return owned.ok() ? *owned : std::set<std::string>{};
  };
  // Each owner alone, then every key that is no owner's, then all at once.
  for (const std::string& key : owners) EXPECT_EQ(ask({key}), std::set<std::string>{key});
  EXPECT_EQ(ask(others), std::set<std::string>{});
  std::vector<std::string> all(owners.begin(), owners.end());
  all.insert(all.end(), others.begin(), others.end());
  EXPECT_EQ(ask(all), owners);
  // Many keys at once (recovery of a large batch) find the same.
  for (int i = 0; i < 2500; ++i) all.push_back(fmt::format(".lamindb/batch{:011}0000.txt", i));
  EXPECT_EQ(ask(all), owners);
}

}  // namespace
}  // namespace lamin
