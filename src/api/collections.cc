// The collections capability: versioned sets of artifacts created as Python's Collection(...)
// .save() creates them (found again by the members' hash, else the key's next version), their
// members in order, their data as a folder of links, and their deletes.
#include <fmt/format.h>

#include <set>
#include <system_error>

#include "api/modules.h"
#include "registry/artifacts.h"
#include "registry/collections.h"
#include "util/encoding.h"

namespace lamin::api {
namespace {

namespace fs = std::filesystem;

Status CheckKey(const std::string& key) {
  if (key.empty()) return Status::InvalidArgument("a collection needs a key");
  if (key.size() > 255) return Status::InvalidArgument("a collection's key has at most 255 characters");
  for (unsigned char c : key) {
    if (c < 0x20 || c == 0x7F) {
      return Status::InvalidArgument("a collection's key must not hold control characters");
    }
  }
  return Status::OK();
}

// The name of a member inside a loaded folder: its key (a relative path) when that is safe and
// free, else its uid and suffix.
fs::path MemberName(const Artifact& a, std::set<std::string>* taken) {
  if (a.key) {
    fs::path key = fs::path(*a.key).lexically_normal();
    bool safe = !key.empty() && key.is_relative();
    for (const auto& part : key) safe = safe && part != ".." && part != ".";
    if (safe && taken->insert(key.string()).second) return key;
  }
  std::string name = a.uid + a.suffix;
  taken->insert(name);
  return name;
}

class CollectionsModule final : public Collections {
 public:
  explicit CollectionsModule(Context& ctx) : ctx_(ctx) {}

  Result<CollectionOutcome> Create(const CollectionSpec& spec) override {
    LAMIN_RETURN_IF_ERROR(CheckKey(spec.key));
    if (spec.members.empty()) {
      return Status::InvalidArgument("collection '" + spec.key + "' needs members");
    }
    LAMIN_RETURN_IF_ERROR(ctx_.PrepareWrite());
    db::Database& db = ctx_.db();
    db::Transaction tx(db);
    LAMIN_RETURN_IF_ERROR(tx.Begin());
    std::vector<Artifact> members;
    for (const auto& ref : spec.members) {
      auto a = registry::Resolve(db, ref);
      if (!a.ok()) return a.status().WithContext("collection '" + spec.key + "'");
      if (a->branch_id == kBranchTrash) {
        return Status::InvalidArgument("collection '" + spec.key + "': artifact " + a->uid +
                                       " is in the trash; restore it first");
      }
      members.push_back(std::move(*a));
    }
    std::optional<Artifact> meta;
    if (spec.meta_artifact) {
      LAMIN_ASSIGN_OR_RETURN(meta, registry::Resolve(db, *spec.meta_artifact));
    }
    std::vector<std::optional<std::string>> hashes;
    std::vector<int64_t> ids;
    for (const auto& a : members) {
      hashes.push_back(a.hash);
      ids.push_back(a.id);
    }
    const std::string hash = registry::CollectionHash(hashes);
    CollectionOutcome out;
    LAMIN_ASSIGN_OR_RETURN(auto existing, registry::CollectionWithHash(db, hash));
    if (existing) {
      // Python returns the collection of these members whatever its key, with the key and
      // description given (saved with it).
      if (existing->key != spec.key ||
          (spec.description && existing->description != spec.description)) {
        LAMIN_RETURN_IF_ERROR(
            registry::UpdateCollectionNames(db, existing->id, spec.key, spec.description));
      }
      if (spec.run_id) {
        LAMIN_RETURN_IF_ERROR(registry::LinkCollectionRun(db, *existing, *spec.run_id));
      }
      LAMIN_RETURN_IF_ERROR(RecordMemberInputs(members, spec.run_id));
      LAMIN_RETURN_IF_ERROR(tx.Commit());
      LAMIN_ASSIGN_OR_RETURN(auto fresh, registry::CollectionById(db, existing->id));
      out.collection = fresh.value_or(*existing);
      out.existed = true;
      return out;
    }
    if (meta) {
      LAMIN_ASSIGN_OR_RETURN(db::Rows holder,
                             db.Query("SELECT uid FROM lamindb_collection WHERE "
                                      "meta_artifact_id = ?",
                                      {meta->id}));
      if (!holder.empty()) {
        return Status::InvalidArgument("artifact " + meta->uid +
                                       " is the meta artifact of collection " +
                                       db::AsText(holder.rows[0][0]) +
                                       " already (each collection has its own)");
      }
    }
    Collection row;
    row.key = spec.key;
    row.description = spec.description;
    row.hash = hash;
    row.run_id = spec.run_id;
    if (meta) row.meta_artifact_id = meta->id;
    auto latest = registry::ResolveCollection(db, CollectionRef::ByKey(spec.key));
    if (latest.ok()) {
      LAMIN_ASSIGN_OR_RETURN(std::string highest, registry::HighestCollectionUid(db, latest->stem()));
      LAMIN_ASSIGN_OR_RETURN(std::string counter, util::IncrementBase62(highest.substr(16, 4)));
      row.uid = latest->stem() + counter;
      // A new version keeps the description unless one is given (collection.append does).
      if (!row.description) row.description = latest->description;
      out.new_version = true;
    } else if (latest.status().IsNotFound()) {
      row.uid = util::RandomBase62(16) + "0000";
    } else {
      return latest.status();
    }
    LAMIN_ASSIGN_OR_RETURN(out.collection,
                           registry::InsertCollection(db, row, ids, ctx_.user_id()));
    LAMIN_RETURN_IF_ERROR(RecordMemberInputs(members, spec.run_id));
    LAMIN_RETURN_IF_ERROR(tx.Commit());
    return out;
  }

  Result<CollectionOutcome> Append(const CollectionRef& ref, const std::vector<ArtifactRef>& more,
                                   std::optional<int64_t> run_id) override {
    if (more.empty()) return Status::InvalidArgument("nothing to append");
    LAMIN_ASSIGN_OR_RETURN(Collection base, registry::ResolveCollection(ctx_.db(), ref));
    LAMIN_ASSIGN_OR_RETURN(auto latest,
                           registry::ResolveCollection(ctx_.db(), CollectionRef::ByKey(base.key)));
    LAMIN_ASSIGN_OR_RETURN(auto ids, registry::MemberIds(ctx_.db(), latest.id));
    CollectionSpec spec;
    spec.key = latest.key;
    spec.run_id = run_id;
    for (int64_t id : ids) {
      LAMIN_ASSIGN_OR_RETURN(auto a, registry::FindById(ctx_.db(), id));
      if (a) spec.members.push_back(ArtifactRef::ByUid(a->uid));
    }
    spec.members.insert(spec.members.end(), more.begin(), more.end());
    return Create(spec);
  }

  Result<Collection> Get(const CollectionRef& ref) override {
    return registry::ResolveCollection(ctx_.db(), ref);
  }

  Result<std::vector<Collection>> List(const Query& query) override {
    return registry::QueryCollections(ctx_.db(), query);
  }

  Result<std::vector<Artifact>> Members(const Collection& c) override {
    LAMIN_ASSIGN_OR_RETURN(auto ids, registry::MemberIds(ctx_.db(), c.id));
    std::vector<Artifact> out;
    for (int64_t id : ids) {
      LAMIN_ASSIGN_OR_RETURN(auto a, registry::FindById(ctx_.db(), id));
      if (a) out.push_back(std::move(*a));
    }
    return out;
  }

  Result<std::vector<Collection>> Versions(const Collection& c) override {
    return registry::CollectionVersions(ctx_.db(), c.stem());
  }

  Result<std::vector<fs::path>> Load(const Collection& c, const std::optional<fs::path>& into,
                                     std::optional<int64_t> run_id) override {
    LAMIN_ASSIGN_OR_RETURN(auto members, Members(c));
    std::vector<fs::path> paths;
    for (const auto& a : members) {
      auto p = LoadArtifactData(ctx_, a);
      if (!p.ok()) return p.status().WithContext("collection " + c.uid);
      paths.push_back(*p);
    }
    if (into) LAMIN_RETURN_IF_ERROR(LinkInto(*into, members, paths));
    if (run_id) {
      // The collection is the input, not its members (as Python's cache() records it).
      LAMIN_RETURN_IF_ERROR(ctx_.PrepareWrite());
      db::Transaction tx(ctx_.db());
      LAMIN_RETURN_IF_ERROR(tx.Begin());
      LAMIN_RETURN_IF_ERROR(registry::LinkCollectionInput(ctx_.db(), c.id, *run_id));
      LAMIN_RETURN_IF_ERROR(tx.Commit());
    }
    return paths;
  }

  Status Delete(const Collection& c, bool permanent) override {
    LAMIN_RETURN_IF_ERROR(ctx_.PrepareWrite());
    db::Transaction tx(ctx_.db());
    LAMIN_RETURN_IF_ERROR(tx.Begin());
    if (permanent) {
      LAMIN_ASSIGN_OR_RETURN(const std::set<std::string>* tables, ctx_.Tables());
      LAMIN_RETURN_IF_ERROR(registry::DeleteCollectionRows(ctx_.db(), c, *tables));
    } else {
      LAMIN_RETURN_IF_ERROR(registry::TrashCollection(ctx_.db(), c));
    }
    return tx.Commit();
  }

 private:
  // Inside a run, the members a collection is made of are the run's inputs (Python records
  // them so). REQUIRES: in a transaction.
  Status RecordMemberInputs(const std::vector<Artifact>& members, std::optional<int64_t> run_id) {
    if (!run_id) return Status::OK();
    for (const auto& a : members) {
      if (a.run_id == run_id) continue;  // its own output is not its input
      LAMIN_RETURN_IF_ERROR(registry::LinkInputOfRun(ctx_.db(), a, *run_id));
    }
    return Status::OK();
  }

  // A new folder of links to the members' data, named by their keys.
  static Status LinkInto(const fs::path& into, const std::vector<Artifact>& members,
                         const std::vector<fs::path>& paths) {
    std::error_code ec;
    if (fs::exists(into, ec) && !(fs::is_directory(into, ec) && fs::is_empty(into, ec))) {
      return Status::AlreadyExists("'" + into.string() +
                                   "' exists and is not an empty folder: load into a new one");
    }
    fs::create_directories(into, ec);
    if (ec) return Status::IOError("cannot create '" + into.string() + "': " + ec.message());
    std::set<std::string> taken;
    for (size_t i = 0; i < members.size(); ++i) {
      fs::path link = into / MemberName(members[i], &taken);
      fs::create_directories(link.parent_path(), ec);
      if (!ec) fs::create_symlink(fs::absolute(paths[i]), link, ec);
      if (ec) return Status::IOError("cannot link '" + link.string() + "': " + ec.message());
    }
    return Status::OK();
  }

  Context& ctx_;
};

}  // namespace

std::unique_ptr<Collections> MakeCollections(Context& ctx) {
  return std::make_unique<CollectionsModule>(ctx);
}

}  // namespace lamin::api
