#include "core/save.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "core/annotate_save.h"
#include "core/journal.h"
#include "hash/content_hash.h"
#include "registry/artifacts.h"
#include "storage/keys.h"
#include "util/encoding.h"
#include "util/fs.h"
#include "util/parallel.h"

namespace lamin::core {
namespace fs = std::filesystem;

namespace {

// A save that lost a race on a key's version is planned anew, after a short random pause so that
// racing writers spread out.
constexpr int kMaxAttempts = 10;
// A save that finds a live writer holding one of its keys waits for it, this long at most.
constexpr std::chrono::minutes kMaxWaitForWriter{20};
// Small new files are kept in memory from their hashing to their copy, so that each is read once:
// files up to this size, up to this much per batch (larger ones are read again by the copy,
// which the kernel does).
constexpr uint64_t kKeepFileUpTo = 1u << 20;
constexpr uint64_t kKeepPerBatch = 256u << 20;
// A batch of small files up to this many bytes to a local store writes them while it inserts
// their rows (holding the write lock meanwhile: other writers wait as long as the writes take).
constexpr uint64_t kOverlapBytes = 64u << 20;
// Inputs whose hashes are looked up in one query while the next ones are read.
constexpr size_t kLookupChunk = 1000;

enum class Fate { kFailed, kNew, kExisting, kDuplicateInBatch, kLostRace };

struct Item {
  size_t index = 0;  // its request's place, which is also its place among the batch's items
  const SaveRequest* request = nullptr;  // the caller's, which outlives the save
  fs::path path;
  bool is_folder = false;
  uint64_t stat_size = 0;
  util::FolderListing listing;  // a folder's files, listed once
  std::string suffix;
  // The plan.
  std::string uid;
  bool new_version = false;
  std::string family_max_uid;  // the highest uid of the key's family when planned
  std::string storage_key;
  // Staging.
  std::optional<StagedObject> staged;
  hash::ContentHash hash;
  std::string prehash;  // the hash of the source, read before anything is written
  bool keep_contents = false;             // read into memory when hashed (small files)
  std::optional<std::string> contents;    // a small file's bytes, as hashed
  util::FileStamp stamp;                  // a file's stamp when it was hashed
  uint64_t size = 0;
  std::optional<int64_t> n_files;
  // The outcome.
  Fate fate = Fate::kNew;
  Status status;
  Artifact artifact;
  size_t duplicate_of = 0;
  bool restored = false;
  // Labels and values to write with the row (checked in Prepare).
  PlannedAnnotation plan;
};

const std::set<std::string>& KnownCompoundSuffixes() {
  static const std::set<std::string> kSuffixes = {
      ".anndata.zarr", ".spatialdata.zarr", ".ome.zarr", ".ome.tiff", ".ome.tif",  ".tar.gz",
      ".tar.bz2",      ".tar.xz",           ".fastq.gz", ".fq.gz",    ".fasta.gz", ".fa.gz",
      ".vcf.gz",       ".bed.gz",           ".gtf.gz",   ".gff.gz",   ".gff3.gz",  ".sam.gz",
      ".csv.gz",       ".tsv.gz",           ".txt.gz",   ".json.gz",  ".mtx.gz",   ".h5ad.gz"};
  return kSuffixes;
}

bool AllDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Validates and stats one request into `item` (its index and request set). Result:
// InvalidArgument, NotFound, PermissionDenied. `managed`: the instance's managed folder; `cwd`:
// the working directory, read once per batch.
Status PrepareItem(const fs::path& managed, const fs::path& cwd, Item& item) {
  const SaveRequest& request = *item.request;
  if (request.path.empty()) return Status::InvalidArgument("empty path");
  item.path = util::NormalizeAbsolute(request.path, cwd);
  struct stat st {};
  if (::stat(item.path.c_str(), &st) != 0) {
    return util::ErrnoStatus(errno, "cannot save", request.path);
  }
  if (S_ISDIR(st.st_mode)) {
    item.is_folder = true;
  } else if (S_ISREG(st.st_mode)) {
    item.stat_size = static_cast<uint64_t>(st.st_size);
  } else {
    return Status::InvalidArgument("cannot save '" + request.path.string() +
                                   "': not a regular file or folder");
  }
  // A file's read permission is checked by the open that hashes it, before anything is written;
  // a folder's here (its files are opened one by one).
  if (item.is_folder && ::access(item.path.c_str(), R_OK | X_OK) != 0) {
    return util::ErrnoStatus(errno, "cannot read", request.path);
  }
  if (util::IsWithin(item.path.native(), managed.native()) ||
      util::IsWithin(managed.native(), item.path.native())) {
    return Status::InvalidArgument("cannot save '" + request.path.string() +
                                   "': it overlaps the instance's managed folder " +
                                   managed.string());
  }
  if (item.is_folder) {
    LAMIN_ASSIGN_OR_RETURN(item.listing, util::ListFolder(item.path));
    if (item.listing.files.empty()) {
      return Status::InvalidArgument("folder '" + request.path.string() + "' holds no files");
    }
  }
  // The suffix is the data's, as LaminDB has it: a key must end in the same one.
  item.suffix = ExtractSuffix(item.path);
  if (request.key) {
    LAMIN_RETURN_IF_ERROR(storage::ValidateArtifactKey(*request.key));
    if (std::string key_suffix = ExtractSuffix(*request.key); key_suffix != item.suffix) {
      return Status::InvalidArgument("The suffix '" + key_suffix + "' of the provided key is "
                                     "incorrect, it should be '" + item.suffix + "' (the suffix "
                                     "of '" + request.path.string() + "')");
    }
  }
  return Status::OK();
}

// Plans uids from the key families found (one query for the whole batch).
Status PlanUids(db::Database& db, int64_t storage_id, std::vector<Item*>& items) {
  std::vector<std::string> keys;
  for (Item* it : items) {
    if (it->request->key) keys.push_back(*it->request->key);
  }
  LAMIN_ASSIGN_OR_RETURN(auto families, registry::FindKeyFamilies(db, storage_id, keys));
  std::map<std::string, registry::KeyFamily> by_key;
  for (auto& f : families) by_key.emplace(*f.latest.key, std::move(f));
  std::vector<std::string> stems = util::RandomBase62Strings(items.size(), 16);
  for (size_t i = 0; i < items.size(); ++i) {
    Item* it = items[i];
    auto found = it->request->key ? by_key.find(*it->request->key) : by_key.end();
    if (found != by_key.end()) {
      const std::string& max_uid = found->second.max_uid;
      LAMIN_ASSIGN_OR_RETURN(std::string counter, util::IncrementBase62(max_uid.substr(16, 4)));
      it->uid = max_uid.substr(0, 16) + counter;
      it->new_version = true;
      it->family_max_uid = max_uid;
    } else {
      it->uid = std::move(stems[i]) + "0000";
      it->new_version = false;
    }
    // Every version, of a folder too, has an object of its own. (LaminDB's default for folders,
    // _overwrite_versions, keeps them all at ".lamindb/<stem>": deleting or failing to write the
    // newest version would then leave the older rows describing data that is gone.)
    it->storage_key = ".lamindb/" + it->uid + it->suffix;
  }
  return Status::OK();
}

// Copies one item into its staging place (a file: at its key on every store). A file was hashed before (step 1b): its bytes kept
// in memory are written as they are; otherwise the store copies it (in the kernel where it can)
// and the file must still be as it was when hashed. A folder is hashed again as it is copied.
void StageItem(ObjectStore& store, const std::string& token, Item& it) {
  if (!it.is_folder) {
    FileSource source = it.contents ? FileSource(it.path, &*it.contents) : FileSource(it.path);
    source.journaled = true;  // step 2 recorded the key
    auto staged = store.StageFile(source, it.storage_key, token, nullptr);
    if (!staged.ok()) {
      it.status = staged.status();
      return;
    }
    it.staged = *staged;
    if (!it.contents) it.status = util::CheckUnchangedAt(it.path, it.stamp);
    return;
  }
  // A folder: one hasher per file, kept until all are done.
  std::vector<std::pair<std::string, std::unique_ptr<hash::ContentHasher>>> hashers;
  uint64_t total = 0;
  auto staged = store.StageFolder(
      it.listing.files, it.storage_key, token,
      [&](const std::string& rel, uint64_t size) -> ByteObserver {
        hashers.emplace_back(rel, std::make_unique<hash::ContentHasher>(size));
        total += size;
        hash::ContentHasher* h = hashers.back().second.get();
        return [h](const void* d, size_t n) { h->Update(d, n); };
      });
  if (!staged.ok()) {
    it.status = staged.status();
    return;
  }
  it.staged = *staged;
  std::vector<std::string> file_hashes;
  for (auto& [rel, h] : hashers) {
    auto done = h->Finish();
    if (!done.ok()) {
      it.status = done.status().WithContext("'" + (it.path / rel).string() + "'");
      return;
    }
    file_hashes.push_back(done->hash);
  }
  it.hash = hash::CombineFolderHash(std::move(file_hashes));
  it.size = total;
  it.n_files = static_cast<int64_t>(hashers.size());
}

// Removes the staged or published objects of `items`; returns the keys it could not clean (their
// intents must stay for recovery).
std::set<std::string> DiscardAll(ObjectStore& store, const std::vector<Item*>& items) {
  std::set<std::string> left;
  for (Item* it : items) {
    if (!it->staged) continue;
    if (!store.Discard(*it->staged).ok()) left.insert(it->storage_key);
    it->staged.reset();
  }
  return left;
}

// Undoes a failed batch: objects removed, intents removed (except for objects that could not be
// removed, which recovery will retry). Returns `cause`.
Status Abandon(db::Database& db, ObjectStore& store, const std::string& token,
               const std::vector<Item*>& items, Status cause) {
  std::set<std::string> left = DiscardAll(store, items);
  db::Transaction tx(db);
  if (tx.Begin().ok() && RemoveIntentsExcept(db, token, left).ok()) (void)tx.Commit();
  return cause;
}

// Whether `candidate` is the artifact to take for content found twice: a version outside the
// trash is preferred.
bool PreferOver(const Artifact& candidate, const Artifact& current) {
  return current.branch_id == kBranchTrash && candidate.branch_id != kBranchTrash;
}

// The artifacts found for content hashes, by hash (pointing into `rows`).
std::unordered_map<std::string_view, const Artifact*> ByHash(const std::vector<Artifact>& rows) {
  std::unordered_map<std::string_view, const Artifact*> by_hash;
  by_hash.reserve(rows.size());
  for (const auto& a : rows) {
    auto [pos, inserted] = by_hash.emplace(*a.hash, &a);
    if (!inserted && PreferOver(a, *pos->second)) pos->second = &a;
  }
  return by_hash;
}

// Step 2: claims the storage keys of `items` for the batch `token` in the journal.
Status ClaimItems(db::Database& db, const StorageTarget& target, const std::string& token,
                  const std::vector<Item*>& items, bool* busy) {
  std::vector<Intent> intents;
  intents.reserve(items.size());
  for (const Item* it : items) {
    intents.push_back(Intent::Make("put", target.storage_id, it->storage_key, token));
    intents.back().owner = target.owner;
  }
  return ClaimKeys(db, *target.store, target.storage_id, target.owner, intents, busy);
}

std::string FailureText(const Item& it) {
  return "'" + it.request->path.string() + "': " + it.status.ToString();
}

// What a batch returns when an item failed to stage (all-or-nothing).
Status StagingFailure(const Item& it) {
  if (it.status.code() == StatusCode::kAlreadyExists) {
    // A store without rename (S3) found the key taken while staging: the same race as a refused
    // publish.
    return Status::Aborted("another writer saved the same version: " + it.status.message());
  }
  return Status(it.status.code(), "nothing was saved: " + FailureText(it));
}

// What a batch returns when its publish failed.
Status PublishFailure(const Status& published) {
  if (published.code() == StatusCode::kAlreadyExists) {
    // Another writer planned the same next version of a key and published first: plan anew.
    return Status::Aborted("another writer saved the same version: " + published.message());
  }
  return Status(published.code(), "nothing was saved: " + published.message());
}

// What a batch returns when its commit failed (a race stays Aborted: the batch is planned anew).
Status CommitFailure(const Status& s) {
  if (s.code() == StatusCode::kAborted) return s;
  return Status(s.code(), "nothing was saved: " + s.message());
}

// Publishes the staged objects of `items`, recording which were published.
Status PublishItems(ObjectStore& store, const std::vector<Item*>& items) {
  std::vector<StagedObject> batch;
  batch.reserve(items.size());
  for (const Item* it : items) batch.push_back(*it->staged);
  Status published = store.Publish(batch);
  for (size_t i = 0; i < batch.size(); ++i) items[i]->staged = batch[i];
  return published;
}

// Publishes `items` if every one of them was staged without error; nullopt if one was not.
std::optional<Status> PublishIfAllStaged(ObjectStore& store, const std::vector<Item*>& items) {
  if (!std::all_of(items.begin(), items.end(), [](const Item* it) { return it->status.ok(); })) {
    return std::nullopt;
  }
  return PublishItems(store, items);
}

// What a batch whose files were written while its rows went in returns: the first file that
// could not be staged, else the failed publish, else OK (every object is in place).
Status WriteOutcome(const std::vector<Item*>& items, const std::optional<Status>& published) {
  for (const Item* it : items) {
    if (!it->status.ok()) return StagingFailure(*it);
  }
  return published->ok() ? Status::OK() : PublishFailure(*published);
}

// The commit's first half, under the write lock (the caller's transaction, begun): checks what
// other writers committed since `items` were planned and inserts the rows of their new content.
// Content saved meanwhile lost the race (its item returns that artifact and is added to `lost`);
// a key whose versions changed is Aborted (the batch is planned anew). Reads of an item: its plan
// and hash, never its staging (which may still be running). The caller rolls back on failure.
Status InsertNewContent(db::Database& db, const StorageTarget& target, const SaveOptions& options,
                        const std::vector<Item*>& items, std::vector<Item*>* lost) {
  std::vector<std::string> new_hashes;
  std::vector<std::string> keys;
  for (const Item* it : items) {
    new_hashes.push_back(it->hash.hash);
    if (it->request->key) keys.push_back(*it->request->key);
  }
  LAMIN_ASSIGN_OR_RETURN(auto raced, registry::FindByHashes(db, target.storage_id, new_hashes));
  LAMIN_ASSIGN_OR_RETURN(auto families, registry::FindKeyFamilies(db, target.storage_id, keys));
  const auto winners = ByHash(raced);
  std::map<std::string, std::string> next_uid;  // key -> its family's highest uid now
  for (auto& f : families) next_uid[*f.latest.key] = f.max_uid;
  std::vector<registry::NewArtifact> rows;
  std::vector<Item*> fresh;
  for (Item* it : items) {
    if (auto w = winners.find(it->hash.hash); w != winners.end()) {
      it->fate = Fate::kLostRace;
      it->artifact = *w->second;
      lost->push_back(it);
      continue;
    }
    if (it->request->key) {
      auto f = next_uid.find(*it->request->key);
      bool still_valid = it->new_version
                             ? (f != next_uid.end() && f->second == it->family_max_uid)
                             : f == next_uid.end();
      if (!still_valid) {
        return Status::Aborted("another writer saved a version of key '" + *it->request->key +
                               "' at the same time");
      }
    }
    registry::NewArtifact row{it->uid, it->request->key, it->request->description, it->suffix,
                              static_cast<int64_t>(it->size), it->hash.hash, it->hash.hash_type,
                              it->n_files, target.storage_id, target.user_id};
    row.kind = it->request->kind;
    row.run_id = options.run_id;
    rows.push_back(std::move(row));
    fresh.push_back(it);
  }
  auto inserted = registry::InsertArtifacts(db, rows);
  if (!inserted.ok()) return inserted.status().WithContext("cannot insert the batch's artifacts");
  for (size_t i = 0; i < fresh.size(); ++i) fresh[i]->artifact = std::move((*inserted)[i]);
  return Status::OK();
}


// One attempt. `busy` is set when it gave up because a live writer holds one of its keys.
Result<SaveReport> SaveOnce(db::Database& db, const StorageTarget& target,
                            const std::vector<SaveRequest>& requests, const SaveOptions& options,
                            bool* busy) {
  ObjectStore& store = *target.store;
  SaveReport report;
  const size_t threads = options.parallelism
                             ? options.parallelism
                             : std::max(util::DefaultParallelism(), store.PreferredParallelism());

  // 1. Prepare: every request checked and its path stated (in parallel: a batch of many files
  // waits on a stat each), then, in request order, its annotation planned and its key compared
  // with the others'. A request that fails is kept as kFailed (it is reported, never saved).
  std::vector<Item> items(requests.size());
  std::error_code cwd_error;
  const fs::path cwd = fs::current_path(cwd_error);
  const fs::path managed = fs::path(store.Root()) / ".lamindb";
  util::ParallelFor(items.size(), threads, [&](size_t i) {
    items[i].index = i;
    items[i].request = &requests[i];
    items[i].status = PrepareItem(managed, cwd, items[i]);
  });
  std::set<std::string_view> keys_seen;
  registry::Resolver checker(db);
  for (Item& it : items) {
    const SaveRequest& request = *it.request;
    if (it.status.ok() && !request.annotation.empty()) {
      // Before any byte is copied: a bad annotation costs nothing.
      auto plan = PlanAnnotation(checker, request.annotation, it.path);
      if (plan.ok()) {
        it.plan = std::move(*plan);
      } else {
        it.status = plan.status();
      }
    }
    if (it.status.ok() && request.key && !keys_seen.insert(*request.key).second) {
      it.status = Status::InvalidArgument("key '" + *request.key +
                                          "' appears twice in one batch: save each version in "
                                          "a call of its own");
    }
    if (!it.status.ok()) {
      if (!options.keep_successful) return it.status;
      it.fate = Fate::kFailed;
      report.failed.push_back({request.path, it.status});
    }
  }
  // 1b. Known content. Every input is hashed first, reading it once (a large file's hash reads
  // only its first and last 50 MiB), and the hashes looked up in one query: content saved before
  // is the existing artifact, and not a byte is written for it (no temporary object is created
  // or removed). New content is copied in step 3: a small file from the bytes hashed here (read
  // once), a larger one by the kernel, refused if it changed since it was hashed; a folder is
  // hashed again as it is copied and refused if that hash differs.
  uint64_t keep_budget = kKeepPerBatch;
  uint64_t kept_bytes = 0;
  bool all_kept = true;  // every input is a file whose bytes are kept in memory
  for (auto& it : items) {
    if (it.fate == Fate::kFailed) continue;
    if (it.is_folder || it.stat_size > kKeepFileUpTo || it.stat_size > keep_budget) {
      all_kept = false;
      continue;
    }
    it.keep_contents = true;
    keep_budget -= it.stat_size;
    kept_bytes += it.stat_size;
  }
  // An all-or-nothing batch of small files, all held in memory, to a local store overlaps its
  // steps (see 3-5): its files are written while its rows are inserted, and, if the first
  // chunk's content is all new, its keys are claimed once that chunk is hashed, so that each
  // chunk's files are written while the later chunks are still read and looked up. (A batch
  // that starts with known content, likely a save again, claims only what it writes, after
  // every lookup: content saved before costs no journal rows.)
  const bool claim_early = !options.keep_successful && store.Capabilities().local && all_kept &&
                           kept_bytes <= kOverlapBytes;
  auto hash_one = [&](size_t i) {
    Item& it = items[i];
    if (it.fate == Fate::kFailed) return;
    if (it.is_folder) {
      auto h = hash::HashPath(it.path);
      if (h.ok()) {
        it.prehash = h->hash;
      } else {
        it.status = h.status();
      }
      return;
    }
    // A file grown past the budget since it was listed is not kept.
    auto read = hash::ReadAndHashFile(it.path, it.keep_contents ? it.stat_size : 0);
    if (!read.ok()) {
      it.status = read.status();
      return;
    }
    it.prehash = read->hash.hash;
    it.hash = std::move(read->hash);
    it.stamp = read->stamp;
    it.size = read->stamp.size;
    it.contents = std::move(read->contents);
  };
  // Copies one new input into its staging place (step 3).
  const std::string token = util::RandomBase62(12);
  auto stage_one = [&](Item& it) {
    StageItem(store, token, it);
    it.contents.reset();
    // A file's hash is step 1b's (its staging checked the file is unchanged); a folder was
    // hashed again while copied.
    if (it.is_folder && it.status.ok() && it.hash.hash != it.prehash) {
      it.status = Status::Corruption("'" + it.path.string() +
                                     "' changed while it was saved (its content is not what "
                                     "was hashed first); save it again once it is written");
    }
  };
  // The hashes are looked up while the inputs are still being read: as soon as every input of a
  // chunk is hashed, this thread queries the chunk's new hashes while the workers read on (the
  // one query after the reading was a fifth of a re-save of 10,000 small files, and ran on one
  // core while the other had nothing to do), and sorts the chunk's inputs into new content and
  // known content.
  const size_t chunks = (items.size() + kLookupChunk - 1) / kLookupChunk;
  std::vector<std::atomic<size_t>> unhashed(chunks);  // inputs of each chunk still being read
  for (size_t c = 0; c < chunks; ++c) {
    unhashed[c].store(std::min(kLookupChunk, items.size() - c * kLookupChunk));
  }
  std::mutex hashed_mu;
  std::condition_variable hashed_cv;
  std::jthread hashing([&] {
    util::ParallelFor(items.size(), threads, [&](size_t i) {
      hash_one(i);
      // Release: the item's fields are visible to the thread that sees its chunk complete.
      if (unhashed[i / kLookupChunk].fetch_sub(1, std::memory_order_acq_rel) == 1) {
        { std::lock_guard lock(hashed_mu); }  // no wake-up is lost between check and wait
        hashed_cv.notify_all();
      }
    });
  });
  // New content, in request order. Sized once: the early stager reads entries [0, released)
  // while later ones are filled in.
  std::vector<Item*> live(items.size());
  size_t n_live = 0;
  std::vector<Item*> settled;  // known content, or a duplicate of another input
  std::unordered_map<std::string, Artifact> known;  // by hash, outside the trash preferred
  std::map<std::string, size_t> first_seen;
  std::set<std::string> looked_up;  // a batch may hold one content twice: queried once
  db::Transaction tx(db);
  std::vector<Item*> lost;  // content another writer committed meanwhile
  std::optional<util::StreamingFor> early_stager;  // set once the keys are claimed early
  bool live_kept = true;  // every new input's bytes are in memory
  uint64_t live_bytes = 0;
  Status failed;  // the first failure of an all-or-nothing batch
  std::vector<size_t> live_end(chunks);  // n_live once chunk c was sorted
  // Sorts chunk `c` once it is hashed: looks up its new hashes and files each input as new
  // content (live), known content or a duplicate. After the first chunk, a batch that may claim
  // early and found nothing known claims every key and starts writing files.
  auto sort_chunk = [&](size_t c) -> Status {
    {
      std::unique_lock lock(hashed_mu);
      hashed_cv.wait(lock, [&] { return unhashed[c].load(std::memory_order_acquire) == 0; });
    }
    const size_t begin = c * kLookupChunk;
    const size_t end = std::min(items.size(), begin + kLookupChunk);
    std::vector<std::string> fresh;
    for (size_t i = begin; i < end; ++i) {
      const Item& it = items[i];
      if (it.fate != Fate::kFailed && it.status.ok() && looked_up.insert(it.prehash).second) {
        fresh.push_back(it.prehash);
      }
    }
    LAMIN_ASSIGN_OR_RETURN(auto rows, registry::FindByHashes(db, target.storage_id, fresh));
    for (Artifact& a : rows) {
      auto [place, inserted] = known.try_emplace(*a.hash, a);
      if (!inserted && PreferOver(a, place->second)) place->second = std::move(a);
    }
    if (c == 0 && claim_early && rows.empty()) {
      // Claim every input's key now (those found known later lose theirs at the commit).
      std::vector<Item*> all;
      for (Item& it : items) all.push_back(&it);
      LAMIN_RETURN_IF_ERROR(PlanUids(db, target.storage_id, all));
      LAMIN_RETURN_IF_ERROR(ClaimItems(db, target, token, all, busy));
      // The stager reads the slots, never the vector (which is shrunk when the sorting ends).
      early_stager.emplace(threads, [slots = live.data(), &stage_one](size_t i) {
        stage_one(*slots[i]);
      });
    }
    for (size_t i = begin; i < end; ++i) {
      Item& it = items[i];
      if (it.fate == Fate::kFailed) continue;
      if (!it.status.ok()) {
        if (!options.keep_successful) {
          return Status(it.status.code(), "nothing was saved: " + FailureText(it));
        }
        it.fate = Fate::kFailed;
        report.failed.push_back({it.request->path, it.status});
      } else if (auto k = known.find(it.prehash); k != known.end()) {
        it.contents.reset();  // nothing of it is written
        it.fate = Fate::kExisting;
        it.artifact = k->second;
        settled.push_back(&it);
      } else if (auto d = first_seen.find(it.prehash); d != first_seen.end()) {
        it.contents.reset();
        it.fate = Fate::kDuplicateInBatch;
        it.duplicate_of = d->second;
        settled.push_back(&it);
      } else {
        first_seen.emplace(it.prehash, it.index);
        live[n_live++] = &it;
        live_kept = live_kept && it.contents.has_value();  // read before the stager resets it
        live_bytes += it.size;
      }
    }
    live_end[c] = n_live;
    if (early_stager) early_stager->Release(n_live);
    return Status::OK();
  };
  // With early claims, the write lock is taken after the first chunk and each chunk's rows are
  // inserted while its files are written and the next chunks are read (the rows stay invisible
  // until every object is published); the chunks hashed meanwhile are sorted first, so that
  // their files are written sooner, and once all are sorted the last files are written and
  // published while the last rows go in. Lookups under the write lock see what is committed.
  std::optional<std::jthread> publisher;
  std::optional<Status> published;  // set once every file was staged without error
  size_t sorted = 0;
  for (size_t c = 0; c < chunks && failed.ok(); ++c) {
    if (sorted == c) failed = sort_chunk(sorted++);
    if (!failed.ok() || !early_stager) continue;
    while (failed.ok() && sorted < chunks &&
           unhashed[sorted].load(std::memory_order_acquire) == 0) {
      failed = sort_chunk(sorted++);
    }
    if (!failed.ok()) break;
    if (sorted == chunks && !publisher) {
      publisher.emplace([&, slots = live.data(), n = n_live] {
        early_stager->Finish();
        published = PublishIfAllStaged(store, std::vector<Item*>(slots, slots + n));
      });
    }
    if (c == 0) failed = tx.Begin();
    if (failed.ok()) {
      std::vector<Item*> rows_of(live.begin() + (c ? live_end[c - 1] : 0),
                                 live.begin() + live_end[c]);
      failed = InsertNewContent(db, target, options, rows_of, &lost);
      if (!failed.ok()) failed = CommitFailure(failed);
    }
  }
  hashing.join();
  live.resize(n_live);
  if (!failed.ok()) {
    if (!early_stager) return failed;
    tx.Rollback();
    if (publisher) {
      publisher->join();
    } else {
      early_stager->Finish();
    }
    return Abandon(db, store, token, live, failed);
  }
  if (!early_stager) {
    // 2. Journal: the keys of new content only.
    LAMIN_RETURN_IF_ERROR(PlanUids(db, target.storage_id, live));
    LAMIN_RETURN_IF_ERROR(ClaimItems(db, target, token, live, busy));
  }

  // 3-5. Stage in parallel, then publish. An all-or-nothing batch of small files, all held in
  // memory, to a local store begins its commit meanwhile: under the write lock it checks what
  // other writers committed and inserts the rows while the bytes are written, and commits only
  // once they are published (a row is never visible before its object, and a crash leaves only
  // intents, as before). Any other batch does not hold the write lock while it copies (a source
  // or a store may be slow): it stages and publishes first.
  const bool overlap = !options.keep_successful && store.Capabilities().local && !live.empty() &&
                       live_kept && live_bytes <= kOverlapBytes;
  auto stage_all = [&] {
    util::ParallelFor(live.size(), threads, [&](size_t i) { stage_one(*live[i]); });
  };
  std::vector<Item*> staged_ok;
  std::set<std::string> kept_intents;  // keys whose objects could not be removed
  if (early_stager) {
    // The rows are in; the last files are being written and published.
    publisher->join();
    if (Status wrote = WriteOutcome(live, published); !wrote.ok()) {
      tx.Rollback();
      return Abandon(db, store, token, live, wrote);
    }
    staged_ok = live;
  } else if (overlap) {
    std::optional<Status> published;  // set once every file was staged
    std::jthread copier([&] {
      stage_all();
      published = PublishIfAllStaged(store, live);
    });
    // The copier writes only the items' staging fields (staged, status, contents).
    Status begun = tx.Begin();
    if (begun.ok()) begun = InsertNewContent(db, target, options, live, &lost);
    copier.join();
    if (Status wrote = WriteOutcome(live, published); !wrote.ok()) {
      tx.Rollback();
      return Abandon(db, store, token, live, wrote);
    }
    if (!begun.ok()) {
      tx.Rollback();
      return Abandon(db, store, token, live, CommitFailure(begun));
    }
    staged_ok = live;
  } else {
    stage_all();
    for (Item* it : live) {
      if (it->status.code() == StatusCode::kAlreadyExists) {
        return Abandon(db, store, token, live, StagingFailure(*it));
      }
    }
    for (Item* it : live) {
      if (it->status.ok()) {
        staged_ok.push_back(it);
        continue;
      }
      it->fate = Fate::kFailed;
      if (!options.keep_successful) return Abandon(db, store, token, live, StagingFailure(*it));
      report.failed.push_back({it->request->path, it->status});
      // If this discard fails the item's intent stays (RemoveIntentsExcept below keeps it), and
      // recovery removes the object.
      std::set<std::string> left = DiscardAll(store, {it});
      kept_intents.insert(left.begin(), left.end());
    }
    if (Status published = PublishItems(store, staged_ok); !published.ok()) {
      return Abandon(db, store, token, live, PublishFailure(published));
    }
    Status begun = tx.Begin();
    if (begun.ok()) begun = InsertNewContent(db, target, options, staged_ok, &lost);
    if (!begun.ok()) {
      tx.Rollback();
      return Abandon(db, store, token, live, CommitFailure(begun));
    }
  }
  // Known content joins what the commit handles (restores, runs, annotations) and reports.
  for (Item* it : settled) {
    const Item* twin = it->fate == Fate::kDuplicateInBatch ? &items[it->duplicate_of] : nullptr;
    if (twin && twin->fate == Fate::kFailed) {
      it->fate = Fate::kFailed;  // its twin failed to copy: the same failure (keep-successful)
      report.failed.push_back({it->request->path, twin->status});
      continue;
    }
    staged_ok.push_back(it);
  }

  // 6. Commit the rest, in the same transaction: restores, lineage, annotations; the intents go.
  Status s;
  for (Item* it : staged_ok) {
    if (!s.ok()) break;
    const bool found = it->fate == Fate::kExisting || it->fate == Fate::kLostRace;
    if (found && it->artifact.branch_id == kBranchTrash) {
      s = registry::SetBranch(db, it->artifact, kBranchMain);
      it->restored = true;
    }
    // Content saved again inside a run: lineage commits with the save.
    if (s.ok() && options.run_id && found) {
      s = registry::LinkRecreatingRun(db, it->artifact, *options.run_id);
    }
  }
  if (s.ok()) {
    // The annotations, in the same transaction: the rows and their labels commit together.
    registry::Resolver resolver(db);
    registry::JsonValueIds values;
    for (Item* it : staged_ok) {
      if (it->plan.empty()) continue;
      const Item* owner = it->fate == Fate::kDuplicateInBatch ? &items[it->duplicate_of] : it;
      s = ApplyPlannedAnnotation(db, resolver, it->plan, owner->artifact.id, target.user_id,
                                 options.run_id, &values);
      if (!s.ok()) break;
    }
  }
  std::set<std::string> keep = kept_intents;
  for (Item* it : lost) keep.insert(it->storage_key);
  if (s.ok()) s = RemoveIntentsExcept(db, token, keep);
  if (s.ok()) s = tx.Commit();
  if (!s.ok()) {
    tx.Rollback();
    for (Item* it : staged_ok) it->restored = false;
    return Abandon(db, store, token, live, CommitFailure(s));
  }

  // 7. Finish: drop the objects of races lost, then their intents.
  if (!lost.empty()) {
    std::set<std::string> still = kept_intents;
    std::set<std::string> left = DiscardAll(store, lost);
    still.insert(left.begin(), left.end());
    db::Transaction cleanup(db);
    if (cleanup.Begin().ok() && RemoveIntentsExcept(db, token, still).ok()) (void)cleanup.Commit();
  }

  // Report in request order; re-read restored and lost-race artifacts for their final state.
  // Each item's artifact moves into the report; a duplicate copies its twin's outcome, which
  // comes before it.
  std::vector<size_t> reported_at(items.size());
  report.saved.reserve(items.size());
  for (Item& it : items) {
    if (it.fate == Fate::kFailed) continue;
    reported_at[it.index] = report.saved.size();
    SaveOutcome& out = report.saved.emplace_back();
    out.path = it.request->path;
    out.new_version = it.new_version && it.fate == Fate::kNew;
    for (const auto& skipped : it.listing.skipped) {
      out.warnings.push_back("'" + it.request->path.string() + "': skipped " + skipped +
                             ": only files and folders are saved");
    }
    out.restored = it.restored;
    if (it.fate == Fate::kDuplicateInBatch) {
      out.artifact = report.saved[reported_at[it.duplicate_of]].artifact;
      out.existed = true;
      continue;
    }
    out.existed = it.fate != Fate::kNew;
    if (it.restored || it.fate == Fate::kLostRace || !it.plan.empty() ||
        (options.run_id && it.fate == Fate::kExisting)) {
      auto fresh = registry::FindById(db, it.artifact.id);
      if (fresh.ok() && *fresh) it.artifact = std::move(**fresh);
    }
    out.artifact = std::move(it.artifact);
  }
  return report;
}

}  // namespace

std::string ExtractSuffix(const fs::path& path) {
  std::string name = path.filename().string();
  auto first_dot = name.find('.', 1);
  if (first_dot == std::string::npos) return "";
  for (auto dot = first_dot; dot != std::string::npos; dot = name.find('.', dot + 1)) {
    if (KnownCompoundSuffixes().count(name.substr(dot))) return name.substr(dot);
  }
  std::string last = name.substr(name.rfind('.'));
  if (AllDigits(last.substr(1))) return "";
  return last;
}

Result<SaveReport> SaveBatch(db::Database& db, const StorageTarget& target,
                             const std::vector<SaveRequest>& requests, const SaveOptions& options) {
  if (requests.empty()) return Status::InvalidArgument("nothing to save: no paths given");
  // Races are retried at once a few times; a live writer holding a key is waited for, with a
  // growing pause, as long as it may take to upload a large object.
  const auto deadline = std::chrono::steady_clock::now() + kMaxWaitForWriter;
  auto pause = std::chrono::milliseconds(20);
  for (int attempt = 1;;) {
    bool busy = false;
    auto result = SaveOnce(db, target, requests, options, &busy);
    if (result.ok() || result.status().code() != StatusCode::kAborted) return result;
    if (busy) {
      if (std::chrono::steady_clock::now() + pause > deadline) {
        return Status::Aborted(result.status().message() + " and has been for " +
                               std::to_string(kMaxWaitForWriter.count()) +
                               " minutes: try again later, or check that writer");
      }
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 3 / 2, std::chrono::milliseconds(1000));
      continue;
    }
    if (++attempt > kMaxAttempts) return result;
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + util::RandomBase62(1)[0] % 20));
  }
}

}  // namespace lamin::core
