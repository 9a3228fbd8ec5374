// LaminDB's settings files (dotenv), read and written in lamindb-setup's layout:
//   <settings>/instance--{owner}--{name}.env   keys lamindb_instance_*
//   <settings>/current_instance.env            a copy of the current instance's file
//   <settings>/current_user.env                keys lamin_user_*
// Files are written atomically with mode 600 (a PostgreSQL URL may hold a password).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lamin/instance.h"
#include "lamin/status.h"

namespace lamin::instance {

struct InstanceSettings {
  std::string owner;
  std::string name;
  std::string storage_root;
  std::optional<std::string> storage_region;
  std::optional<std::string> db;  // none for SQLite: <storage_root>/.lamindb/lamin.db
  std::optional<std::string> schema_str;
  std::string id;                 // uuid hex
  std::optional<std::string> git_repo;
  bool keep_artifacts_local = false;
  // Optional keys this tool does not use, kept as read.
  std::map<std::string, std::string> extra;

  std::string slug() const { return owner + "/" + name; }
  std::filesystem::path SqlitePath() const;
};

struct UserSettings {
  std::string uid = "00000000";
  std::string handle = "anonymous";
  std::optional<std::string> name;
  std::map<std::string, std::string> extra;
};

// Parses dotenv text: KEY=VALUE lines, '#' comments, optional quotes; "null"/"None"/"" as none.
std::map<std::string, std::string> ParseDotenv(const std::string& text);

Result<InstanceSettings> ReadInstanceSettings(const std::filesystem::path& file);
Status WriteInstanceSettings(const Environment& env, const InstanceSettings& s, bool make_current);
std::filesystem::path InstanceSettingsPath(const Environment& env, const std::string& owner,
                                           const std::string& name);
// The settings files of every instance known here: ("owner/name", file), sorted.
std::vector<std::pair<std::string, std::filesystem::path>> InstanceSettingsFiles(
    const Environment& env);
// Finds an instance by "owner/name", or by "name" among the settings files.
// Result: NotFound (listing the instances there are), InvalidArgument (ambiguous name).
Result<InstanceSettings> FindInstance(const Environment& env, const std::string& name);
// The current instance. Result: FailedPrecondition when none is set up.
Result<InstanceSettings> CurrentInstance(const Environment& env);
Status ClearCurrentInstance(const Environment& env);

// The current user; the anonymous local user is written when no user file exists.
Result<UserSettings> LoadOrCreateUser(const Environment& env);

// LaminDB's instance uid: the first 12 base62 characters of md5(instance id hex).
std::string InstanceUid(const std::string& instance_id_hex);

}  // namespace lamin::instance
