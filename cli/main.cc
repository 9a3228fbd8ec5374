// The `lamin` command line: parses, calls the library, prints. Messages go to stderr; with
// --json, stdout holds exactly one JSON value. Exit codes: cli/output.h.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <mutex>

#include "lamin/lamin.h"
#include "output.h"

namespace lamin::cli {
namespace {

namespace fs = std::filesystem;

struct RefArgs {
  std::string key;
  std::string uid;

  void AddTo(CLI::App* cmd) {
    auto* k = cmd->add_option("--key", key, "the artifact's key (its latest version)");
    auto* u = cmd->add_option("--uid", uid, "16 characters: latest version; 20: that version");
    k->excludes(u);
  }
  Result<ArtifactRef> Ref() const {
    if (!key.empty()) return ArtifactRef::ByKey(key);
    if (!uid.empty()) return ArtifactRef::ByUid(uid);
    return Status::InvalidArgument("name the artifact with --key KEY or --uid UID");
  }
};

void PrintJson(const nlohmann::json& j) { std::cout << j.dump(2) << "\n"; }

// A progress line on stderr for long transfers, when stderr is a terminal; at most ten updates
// a second (parts finish on several threads).
TransferProgress TerminalProgress() {
  if (!::isatty(STDERR_FILENO)) return {};
  struct State {
    std::mutex mu;
    std::chrono::steady_clock::time_point last;
  };
  auto state = std::make_shared<State>();
  return [state](const std::string& key, uint64_t done, uint64_t total) {
    std::lock_guard lock(state->mu);
    auto now = std::chrono::steady_clock::now();
    if (done < total && now - state->last < std::chrono::milliseconds(100)) return;
    state->last = now;
    std::cerr << fmt::format("\r{}: {:3d}% of {:.1f} MiB{}", key,
                             total ? static_cast<int>(done * 100 / total) : 100,
                             static_cast<double>(total) / (1 << 20), done >= total ? "\n" : "")
              << std::flush;
  };
}

OpenOptions CliOptions() {
  OpenOptions options;
  options.progress = TerminalProgress();
  return options;
}

Result<std::unique_ptr<Instance>> OpenCurrent() { return Instance::OpenCurrent(CliOptions()); }

int RunStorageAdd(const std::string& root, const std::string& description) {
  auto inst = OpenCurrent();
  if (!inst.ok()) return Fail(inst.status());
  auto added = (*inst)->AddStorage(root, description);
  if (!added.ok()) return Fail(added.status());
  std::cout << added->root << "\n";
  std::cerr << fmt::format("registered storage {} (uid {}, type {})\n", added->root, added->uid,
                           added->type);
  return kExitOk;
}

int RunStorageList(bool json) {
  auto inst = OpenCurrent();
  if (!inst.ok()) return Fail(inst.status());
  auto storages = (*inst)->ListStorages();
  if (!storages.ok()) return Fail(storages.status());
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : *storages) {
    if (json) {
      out.push_back({{"id", s.id},
                     {"uid", s.uid},
                     {"root", s.root},
                     {"type", s.type},
                     {"region", s.region},
                     {"description", s.description},
                     {"writable", s.writable},
                     {"default", s.is_default}});
      continue;
    }
    std::cout << fmt::format("{} {:<5} {}{}{}\n", s.uid, s.type, s.root,
                             s.is_default ? "  (default)" : "",
                             s.writable ? "" : "  (read-only: another instance's)");
  }
  if (json) PrintJson(out);
  return kExitOk;
}

int RunInit(const std::string& storage, const std::string& name, const std::string& db) {
  auto inst = Instance::Init({storage, name, db}, CliOptions());
  if (!inst.ok()) return Fail(inst.status());
  auto info = (*inst)->Info();
  if (!info.ok()) return Fail(info.status());
  std::cerr << fmt::format("initialized instance {} (uid {}) on storage {}, database {}\n",
                           info->slug, info->uid, info->storage_root, info->db);
  return kExitOk;
}

int RunInfo(bool json) {
  auto inst = OpenCurrent();
  if (!inst.ok()) return Fail(inst.status());
  auto info = (*inst)->Info();
  if (!info.ok()) return Fail(info.status());
  if (json) {
    PrintJson({{"owner", info->owner},
               {"name", info->name},
               {"slug", info->slug},
               {"id", info->id},
               {"uid", info->uid},
               {"storage_root", info->storage_root},
               {"storage_uid", info->storage_uid},
               {"db", info->db},
               {"user", info->user_handle},
               {"n_artifacts", info->n_artifacts}});
    return kExitOk;
  }
  std::cout << fmt::format(
      "instance:  {}\n  uid:       {}\n  storage:   {} (uid {})\n  database:  {}\n  user:      "
      "{}\n  artifacts: {}\n",
      info->slug, info->uid, info->storage_root, info->storage_uid, info->db, info->user_handle,
      info->n_artifacts);
  return kExitOk;
}

int RunSave(const std::vector<std::string>& paths, const std::string& key,
            const std::string& description, const std::string& storage, bool keep_successful,
            bool json) {
  if (!key.empty() && paths.size() > 1) {
    return Fail(Status::InvalidArgument("--key names one artifact: give one path with it"));
  }
  auto inst = OpenCurrent();
  if (!inst.ok()) return Fail(inst.status());
  std::vector<SaveRequest> requests;
  for (const auto& p : paths) {
    SaveRequest r{p, std::nullopt, std::nullopt};
    if (!key.empty()) r.key = key;
    if (!description.empty()) r.description = description;
    requests.push_back(std::move(r));
  }
  auto report = (*inst)->Save(requests, {.keep_successful = keep_successful, .storage = storage});
  if (!report.ok()) return Fail(report.status());
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : report->saved) {
    if (json) {
      auto j = ArtifactJson(s.artifact);
      j["path"] = s.path.string();
      j["existed"] = s.existed;
      j["new_version"] = s.new_version;
      j["restored"] = s.restored;
      j["warnings"] = s.warnings;
      out.push_back(j);
      continue;
    }
    std::cout << s.artifact.uid << "\n";
    for (const auto& w : s.warnings) std::cerr << "warning: " << w << "\n";
    if (s.existed) {
      std::cerr << fmt::format("{}: same content already saved as {}{}; returned it\n",
                               s.path.string(), s.artifact.uid,
                               s.restored ? " (restored from the trash)" : "");
    } else {
      std::cerr << fmt::format("{}: saved as {}{}\n", s.path.string(), s.artifact.uid,
                               s.new_version ? " (new version)" : "");
    }
  }
  if (json) PrintJson(out);
  if (report->failed.empty()) return kExitOk;
  std::string kept;
  for (const auto& s : report->saved) kept += (kept.empty() ? "" : ", ") + s.artifact.uid;
  std::cerr << fmt::format("error: {} of {} paths failed; kept the {} others ({}):\n",
                           report->failed.size(), paths.size(), report->saved.size(),
                           kept.empty() ? "none" : kept);
  for (const auto& f : report->failed) {
    std::cerr << fmt::format("  {}: {}\n", f.path.string(), f.status.message());
  }
  return kExitPartial;
}

int RunGet(const RefArgs& args, bool json, bool describe) {
  auto ref = args.Ref();
  if (!ref.ok()) return Fail(ref.status());
  auto inst = OpenCurrent();
  if (!inst.ok()) return Fail(inst.status());
  auto a = (*inst)->Get(*ref);
  if (!a.ok()) return Fail(a.status());
  if (json) {
    PrintJson(ArtifactJson(*a));
  } else if (describe) {
    std::cout << DescribeText(*a);
  } else {
    std::cout << SummaryLine(*a) << "\n";
  }
  return kExitOk;
}

int RunList(const std::vector<std::string>& filters, const std::vector<std::string>& order_by,
            int64_t limit, bool json) {
  ArtifactQuery query;
  for (const auto& f : filters) {
    auto parsed = Filter::Parse(f);
    if (!parsed.ok()) return Fail(parsed.status());
    query.filters.push_back(*parsed);
  }
  query.order_by = order_by;
  if (limit >= 0) query.limit = limit;
  auto inst = OpenCurrent();
  if (!inst.ok()) return Fail(inst.status());
  auto rows = (*inst)->List(query);
  if (!rows.ok()) return Fail(rows.status());
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& a : *rows) out.push_back(ArtifactJson(a));
    PrintJson(out);
    return kExitOk;
  }
  for (const auto& a : *rows) std::cout << SummaryLine(a) << "\n";
  std::cerr << rows->size() << " artifact(s)\n";
  return kExitOk;
}

int RunLoad(const RefArgs& args) {
  auto ref = args.Ref();
  if (!ref.ok()) return Fail(ref.status());
  auto inst = OpenCurrent();
  if (!inst.ok()) return Fail(inst.status());
  auto path = (*inst)->Load(*ref);
  if (!path.ok()) return Fail(path.status());
  std::cout << path->string() << "\n";
  return kExitOk;
}

int RunDeleteArtifact(const RefArgs& args, bool permanent) {
  auto ref = args.Ref();
  if (!ref.ok()) return Fail(ref.status());
  auto inst = OpenCurrent();
  if (!inst.ok()) return Fail(inst.status());
  auto a = (*inst)->Delete(*ref, permanent);
  if (!a.ok()) return Fail(a.status());
  std::cerr << fmt::format("{} artifact {}\n",
                           permanent ? "permanently deleted" : "moved to trash:", a->uid);
  return kExitOk;
}

int RunFsck(bool repair, bool deep, bool json) {
  auto inst = OpenCurrent();
  if (!inst.ok()) return Fail(inst.status());
  auto report = (*inst)->Fsck({.repair = repair, .deep = deep});
  if (!report.ok()) return Fail(report.status());
  if (json) {
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& p : report->problems) {
      problems.push_back({{"kind", p.kind},
                          {"uid", p.uid},
                          {"path", p.path},
                          {"message", p.message},
                          {"warning", p.warning},
                          {"repaired", p.repaired}});
    }
    PrintJson({{"artifacts_checked", report->artifacts_checked},
               {"objects_seen", report->objects_seen},
               {"open_intents", report->open_intents},
               {"unrepaired", report->unrepaired()},
               {"problems", problems}});
  } else {
    for (const auto& p : report->problems) {
      std::cout << fmt::format("{}{}: {}{}{}\n", p.warning ? "warning " : "", p.kind,
                               p.uid.empty() ? "" : "artifact " + p.uid + " ", p.path + ": ",
                               p.message);
    }
    std::cerr << fmt::format("checked {} artifacts and {} objects{}: {} problem(s), {} left\n",
                             report->artifacts_checked, report->objects_seen,
                             deep ? " (with hashes)" : "", report->problems.size(),
                             report->unrepaired());
  }
  return report->unrepaired() > 0 ? kExitDamage : kExitOk;
}

int RunRestore(const RefArgs& args) {
  auto ref = args.Ref();
  if (!ref.ok()) return Fail(ref.status());
  auto inst = OpenCurrent();
  if (!inst.ok()) return Fail(inst.status());
  auto a = (*inst)->Restore(*ref);
  if (!a.ok()) return Fail(a.status());
  std::cerr << "restored artifact " << a->uid << "\n";
  return kExitOk;
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{"lamin: a native LaminDB — data and metadata with ACID saves"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "lamin 0.1.0");

  std::string storage, name, db_url;
  auto* init = app.add_subcommand("init", "create an instance on a local folder or S3");
  init->add_option("--storage", storage,
                   "a local folder, or s3://BUCKET/PREFIX[?endpoint_url=URL] (needs --db)")
      ->required();
  init->add_option("--name", name, "the instance name (default: the folder's name)");
  init->add_option("--db", db_url,
                   "postgresql://USER:PASSWORD@HOST:PORT/DB (default: SQLite in the storage)");

  std::string connect_name;
  auto* connect = app.add_subcommand("connect", "make an existing instance the current one");
  connect->add_option("name", connect_name, "name or owner/name")->required();

  auto* disconnect = app.add_subcommand("disconnect", "forget the current instance");

  bool json = false;
  auto* info = app.add_subcommand("info", "show the current instance");
  info->add_flag("--json", json, "print JSON");

  std::vector<std::string> paths;
  std::string key, description;
  bool keep_successful = false;
  auto* save = app.add_subcommand("save", "save files or folders as artifacts (one batch)");
  std::string save_storage;
  save->add_option("paths", paths,
                   "files or folders to copy in, or s3:// URLs of objects inside a registered "
                   "location to register in place")
      ->required();
  save->add_option("--storage", save_storage,
                   "the registered storage location to save into (default: the instance's)");
  save->add_option("--key", key, "the key (virtual path) of the artifact");
  save->add_option("--description", description, "a description");
  save->add_flag("--keep-successful", keep_successful,
                 "keep the artifacts written when others of the batch fail");
  save->add_flag("--json", json, "print JSON");

  RefArgs ref;
  auto* get = app.add_subcommand("get", "show an artifact");
  ref.AddTo(get);
  get->add_flag("--json", json, "print JSON");
  auto* describe = app.add_subcommand("describe", "describe an artifact");
  ref.AddTo(describe);
  describe->add_flag("--json", json, "print JSON");

  std::string registry;
  std::vector<std::string> filters, order_by;
  int64_t limit = -1;
  auto* list = app.add_subcommand("list", "query artifacts");
  list->add_option("registry", registry, "what to list")
      ->required()
      ->check(CLI::IsMember({"artifact", "artifacts"}));
  list->add_option("--filter", filters, "FIELD__LOOKUP=VALUE (repeatable)");
  list->add_option("--order-by", order_by, "[-]FIELD (repeatable)");
  list->add_option("--limit", limit, "at most N artifacts")->check(CLI::NonNegativeNumber);
  list->add_flag("--json", json, "print JSON");

  auto* load = app.add_subcommand("load", "print the local path of an artifact's data");
  ref.AddTo(load);

  auto* del = app.add_subcommand("delete", "delete an artifact or an instance");
  del->require_subcommand(1);
  bool permanent = false;
  auto* del_artifact = del->add_subcommand("artifact", "move an artifact to the trash");
  ref.AddTo(del_artifact);
  del_artifact->add_flag("--permanent", permanent, "remove row and data for good");
  std::string del_name;
  bool force = false, delete_data = false;
  auto* del_instance =
      del->add_subcommand("instance", "delete an instance's settings and database");
  del_instance->add_option("name", del_name, "name or owner/name")->required();
  del_instance->add_flag("--force", force, "required: confirms the deletion");
  del_instance->add_flag("--delete-data", delete_data, "also delete the .lamindb objects");

  auto* storage_cmd = app.add_subcommand("storage", "storage locations of the instance");
  storage_cmd->require_subcommand(1);
  std::string storage_root, storage_description;
  auto* storage_add = storage_cmd->add_subcommand(
      "add", "register a location (local folder or s3://BUCKET/PREFIX)");
  storage_add->add_option("root", storage_root, "the location")->required();
  storage_add->add_option("--description", storage_description, "a description");
  auto* storage_list = storage_cmd->add_subcommand("list", "list the registered locations");
  storage_list->add_flag("--json", json, "print JSON");

  auto* cache = app.add_subcommand("cache", "the local cache of remote objects");
  cache->require_subcommand(1);
  auto* cache_get = cache->add_subcommand("get", "print the cache folder");
  auto* cache_clear = cache->add_subcommand("clear", "remove every cached copy");

  bool repair = false, deep = false;
  auto* fsck = app.add_subcommand("fsck", "check the instance's invariants (and repair)");
  fsck->add_flag("--repair", repair, "finish or undo interrupted writes, remove orphans");
  fsck->add_flag("--deep", deep, "also recompute every object's hash");
  fsck->add_flag("--json", json, "print JSON");

  auto* restore = app.add_subcommand("restore", "bring an artifact back from the trash");
  restore->require_subcommand(1);
  auto* restore_artifact = restore->add_subcommand("artifact", "restore an artifact");
  ref.AddTo(restore_artifact);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }

  if (*init) return RunInit(storage, name, db_url);
  if (*connect) {
    auto inst = Instance::Connect(connect_name, CliOptions());
    if (!inst.ok()) return Fail(inst.status());
    std::cerr << "connected to " << (*inst)->Info()->slug << "\n";
    return kExitOk;
  }
  if (*disconnect) {
    Status s = Instance::Disconnect();
    return s.ok() ? kExitOk : Fail(s);
  }
  if (*info) return RunInfo(json);
  if (*save) return RunSave(paths, key, description, save_storage, keep_successful, json);
  if (*storage_add) return RunStorageAdd(storage_root, storage_description);
  if (*cache_get) {
    std::cout << DefaultCacheDir().string() << "\n";
    return kExitOk;
  }
  if (*cache_clear) {
    // Copies are only ever served after a check, so removing them loses nothing but time.
    std::error_code ec;
    fs::path dir = DefaultCacheDir();
    for (const auto& entry : fs::directory_iterator(dir, ec)) fs::remove_all(entry.path(), ec);
    if (ec && ec != std::errc::no_such_file_or_directory) {
      return Fail(
          Status::IOError("cannot clear the cache at '" + dir.string() + "': " + ec.message()));
    }
    std::cerr << "cleared the cache at " << dir.string() << "\n";
    return kExitOk;
  }
  if (*storage_list) return RunStorageList(json);
  if (*get) return RunGet(ref, json, false);
  if (*describe) return RunGet(ref, json, true);
  if (*list) return RunList(filters, order_by, limit, json);
  if (*load) return RunLoad(ref);
  if (*del_artifact) return RunDeleteArtifact(ref, permanent);
  if (*del_instance) {
    if (!force) {
      return Fail(
          Status::InvalidArgument("deleting instance '" + del_name + "' needs --force to confirm"));
    }
    // --force also forgets an instance whose database or server is gone.
    auto report = Instance::DeleteInstance(
        del_name, {.delete_data = delete_data, .forget_unreachable = true});
    if (!report.ok()) return Fail(report.status());
    for (const auto& left : report->left) std::cerr << "warning: " << left << "\n";
    std::cerr << "deleted instance " << del_name << (delete_data ? " and its data" : "") << "\n";
    return kExitOk;
  }
  if (*restore_artifact) return RunRestore(ref);
  if (*fsck) return RunFsck(repair, deep, json);
  return kExitUsage;
}

}  // namespace lamin::cli

int main(int argc, char** argv) {
  try {
    return lamin::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "error: internal: " << e.what() << "\n";
    return lamin::cli::kExitError;
  }
}
