#include "instance/settings.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>
#include <set>

#include "util/encoding.h"
#include "util/fs.h"

namespace lamin {

Environment Environment::FromProcess() {
  Environment env;
  if (const char* dir = std::getenv("LAMIN_SETTINGS_DIR"); dir && *dir) {
    env.settings_parent = dir;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    env.settings_parent = home;
  } else {
    env.settings_parent = "/tmp";
  }
  return env;
}

namespace instance {
namespace fs = std::filesystem;

namespace {

constexpr const char* kInstancePrefix = "lamindb_instance_";
constexpr const char* kUserPrefix = "lamin_user_";

bool IsNone(const std::string& v) { return v.empty() || v == "null" || v == "None"; }

std::optional<std::string> Opt(const std::map<std::string, std::string>& kv,
                               const std::string& key) {
  auto it = kv.find(key);
  if (it == kv.end() || IsNone(it->second)) return std::nullopt;
  return it->second;
}

std::string OrNull(const std::optional<std::string>& v) { return v ? *v : "null"; }

std::string Serialize(const InstanceSettings& s) {
  std::string out;
  auto line = [&](const std::string& k, const std::string& v) {
    out += kInstancePrefix + k + "=" + v + "\n";
  };
  line("owner", s.owner);
  line("name", s.name);
  line("storage_root", s.storage_root);
  line("storage_region", OrNull(s.storage_region));
  line("db", OrNull(s.db));
  line("schema_str", OrNull(s.schema_str));
  line("id", s.id);
  line("git_repo", OrNull(s.git_repo));
  line("keep_artifacts_local", s.keep_artifacts_local ? "True" : "False");
  for (const auto& [k, v] : s.extra) line(k, v);
  return out;
}

}  // namespace

fs::path InstanceSettings::SqlitePath() const {
  return fs::path(storage_root) / ".lamindb" / "lamin.db";
}

std::map<std::string, std::string> ParseDotenv(const std::string& text) {
  std::map<std::string, std::string> kv;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string line = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? text.size() : end + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line = line.substr(7);
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq);
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    kv[key] = value;
  }
  return kv;
}

Result<InstanceSettings> ReadInstanceSettings(const fs::path& file) {
  LAMIN_ASSIGN_OR_RETURN(std::string text, util::ReadFile(file));
  auto raw = ParseDotenv(text);
  std::map<std::string, std::string> kv;
  for (const auto& [k, v] : raw) {
    if (k.rfind(kInstancePrefix, 0) == 0) kv[k.substr(std::string(kInstancePrefix).size())] = v;
  }
  InstanceSettings s;
  static const std::set<std::string> kKnown = {"owner", "name", "storage_root", "storage_region",
                                               "db", "schema_str", "id", "git_repo",
                                               "keep_artifacts_local"};
  for (const char* required : {"owner", "name", "storage_root"}) {
    if (!Opt(kv, required)) {
      return Status::FailedPrecondition("settings file '" + file.string() +
                                        "' is not an instance's settings (it lacks "
                                        "lamindb_instance_" +
                                        required + "): fix it, or remove it and connect again");
    }
  }
  s.owner = kv["owner"];
  s.name = kv["name"];
  s.storage_root = kv["storage_root"];
  s.storage_region = Opt(kv, "storage_region");
  s.db = Opt(kv, "db");
  s.schema_str = Opt(kv, "schema_str");
  // Derived only when the file has none: the digest would initialise OpenSSL (1-3 ms, its
  // configuration file read and providers loaded) in every command.
  auto id = Opt(kv, "id");
  s.id = id ? *id : util::Uuid5UrlHex(s.slug());
  s.git_repo = Opt(kv, "git_repo");
  s.keep_artifacts_local = kv["keep_artifacts_local"] == "True" || kv["keep_artifacts_local"] == "true";
  for (const auto& [k, v] : kv) {
    if (!kKnown.count(k)) s.extra[k] = v;
  }
  return s;
}

fs::path InstanceSettingsPath(const Environment& env, const std::string& owner,
                              const std::string& name) {
  return env.SettingsDir() / ("instance--" + owner + "--" + name + ".env");
}

Status WriteInstanceSettings(const Environment& env, const InstanceSettings& s, bool make_current) {
  std::error_code ec;
  fs::create_directories(env.SettingsDir(), ec);
  if (ec) return util::ErrnoStatus(ec.value(), "cannot create settings folder", env.SettingsDir());
  std::string text = Serialize(s);
  LAMIN_RETURN_IF_ERROR(
      util::WriteFileAtomic(InstanceSettingsPath(env, s.owner, s.name), text, 0600));
  if (make_current) {
    LAMIN_RETURN_IF_ERROR(
        util::WriteFileAtomic(env.SettingsDir() / "current_instance.env", text, 0600));
  }
  return Status::OK();
}

std::vector<std::pair<std::string, fs::path>> InstanceSettingsFiles(const Environment& env) {
  std::vector<std::pair<std::string, fs::path>> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(env.SettingsDir(), ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::string file = it->path().filename().string();
    if (file.rfind("instance--", 0) != 0 || it->path().extension() != ".env") continue;
    std::string stem = it->path().stem().string().substr(10);
    auto sep = stem.find("--");
    if (sep == std::string::npos) continue;
    out.emplace_back(stem.substr(0, sep) + "/" + stem.substr(sep + 2), it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<InstanceSettings> FindInstance(const Environment& env, const std::string& name) {
  auto slash = name.find('/');
  if (slash != std::string::npos) {
    fs::path file = InstanceSettingsPath(env, name.substr(0, slash), name.substr(slash + 1));
    auto s = ReadInstanceSettings(file);
    if (s.status().IsNotFound()) {
      return Status::NotFound("no instance '" + name + "' in " + env.SettingsDir().string() +
                              " (lamin init creates one)");
    }
    return s;
  }
  std::vector<fs::path> matches;
  std::string known;
  for (const auto& [slug, file] : InstanceSettingsFiles(env)) {
    known += (known.empty() ? "" : ", ") + slug;
    if (slug.substr(slug.find('/') + 1) == name) matches.push_back(file);
  }
  if (matches.empty()) {
    return Status::NotFound("no instance named '" + name + "'" +
                            (known.empty() ? std::string(" (there are none; lamin init creates one)")
                                           : "; known instances: " + known));
  }
  if (matches.size() > 1) {
    return Status::InvalidArgument("several instances are named '" + name +
                                   "': say owner/name (" + known + ")");
  }
  return ReadInstanceSettings(matches[0]);
}

Result<InstanceSettings> CurrentInstance(const Environment& env) {
  fs::path file = env.SettingsDir() / "current_instance.env";
  auto s = ReadInstanceSettings(file);
  if (s.status().IsNotFound()) {
    return Status::FailedPrecondition(
        "no instance is set up: run 'lamin init --storage DIR' or 'lamin connect NAME'");
  }
  return s;
}

Status ClearCurrentInstance(const Environment& env) {
  std::error_code ec;
  fs::remove(env.SettingsDir() / "current_instance.env", ec);
  if (ec) return util::ErrnoStatus(ec.value(), "cannot remove", env.SettingsDir());
  return Status::OK();
}

Result<UserSettings> LoadOrCreateUser(const Environment& env) {
  fs::path file = env.SettingsDir() / "current_user.env";
  auto text = util::ReadFile(file);
  UserSettings user;
  if (text.ok()) {
    for (const auto& [k, v] : ParseDotenv(*text)) {
      if (k.rfind(kUserPrefix, 0) != 0) continue;
      std::string key = k.substr(std::string(kUserPrefix).size());
      if (key == "uid" && !IsNone(v)) {
        user.uid = v;
      } else if (key == "handle" && !IsNone(v)) {
        user.handle = v;
      } else if (key == "name") {
        user.name = IsNone(v) ? std::nullopt : std::optional<std::string>(v);
      } else {
        user.extra[key] = v;
      }
    }
    return user;
  }
  if (!text.status().IsNotFound()) return text.status();
  std::error_code ec;
  fs::create_directories(env.SettingsDir(), ec);
  if (ec) return util::ErrnoStatus(ec.value(), "cannot create settings folder", env.SettingsDir());
  std::string content;
  for (const char* k : {"email", "password", "access_token"}) {
    content += std::string(kUserPrefix) + k + "=null\n";
  }
  content += std::string(kUserPrefix) + "uid=" + user.uid + "\n";
  content += std::string(kUserPrefix) + "uuid=null\n";
  content += std::string(kUserPrefix) + "handle=" + user.handle + "\n";
  content += std::string(kUserPrefix) + "name=null\n";
  LAMIN_RETURN_IF_ERROR(util::WriteFileAtomic(file, content, 0600));
  return user;
}

std::string InstanceUid(const std::string& instance_id_hex) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(instance_id_hex.data(), instance_id_hex.size(), digest, &len, EVP_md5(), nullptr);
  return util::Base62EncodeBytes(std::span<const uint8_t>(digest, len)).substr(0, 12);
}

}  // namespace instance
}  // namespace lamin
