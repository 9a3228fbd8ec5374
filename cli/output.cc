#include "output.h"

#include <fmt/format.h>

#include <iostream>

namespace lamin::cli {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kNotFound:
      return kExitNotFound;
    case StatusCode::kInvalidArgument:
    case StatusCode::kAlreadyExists:
      return kExitInvalid;
    case StatusCode::kFailedPrecondition:
      return kExitNoInstance;
    case StatusCode::kIOError:
    case StatusCode::kUnavailable:
    case StatusCode::kPermissionDenied:
    case StatusCode::kCorruption:
    case StatusCode::kAborted:
      return kExitIo;
    case StatusCode::kInternal:
      return kExitError;
  }
  return kExitError;
}

int Fail(const Status& status) {
  std::cerr << "error: " << status.message() << "\n";
  return ExitCodeFor(status);
}

namespace {
template <typename T>
nlohmann::json Opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
}  // namespace

nlohmann::json ArtifactJson(const Artifact& a) {
  return {{"id", a.id},
          {"uid", a.uid},
          {"key", Opt(a.key)},
          {"description", Opt(a.description)},
          {"suffix", a.suffix},
          {"kind", Opt(a.kind)},
          {"otype", Opt(a.otype)},
          {"size", Opt(a.size)},
          {"hash", Opt(a.hash)},
          {"_hash_type", Opt(a.hash_type)},
          {"n_files", Opt(a.n_files)},
          {"version_tag", Opt(a.version_tag)},
          {"is_latest", a.is_latest},
          {"branch_id", a.branch_id},
          {"storage_id", a.storage_id},
          {"storage_root", a.storage_root},
          {"storage_key", a.StorageKey()},
          {"created_by", a.created_by_handle},
          {"created_at", a.created_at},
          {"updated_at", a.updated_at}};
}

std::string DescribeText(const Artifact& a) {
  auto opt = [](const std::optional<std::string>& v) { return v ? *v : std::string("-"); };
  const char* branch = a.branch_id == -1 ? "trash" : a.branch_id == 0 ? "archive" : "main";
  std::string out = fmt::format("Artifact {}{}\n", a.uid, a.is_latest ? " (latest)" : "");
  out += fmt::format("  key:         {}\n", opt(a.key));
  out += fmt::format("  description: {}\n", opt(a.description));
  out += fmt::format("  suffix:      {}\n", a.suffix.empty() ? "-" : a.suffix);
  out += fmt::format("  size:        {} bytes{}\n", a.size.value_or(0),
                     a.n_files ? fmt::format(" in {} files", *a.n_files) : "");
  out += fmt::format("  hash:        {} ({})\n", opt(a.hash), opt(a.hash_type));
  out += fmt::format("  branch:      {}\n", branch);
  out += fmt::format("  storage:     {}/{}\n", a.storage_root, a.StorageKey());
  out += fmt::format("  created:     {} by {}\n", a.created_at, a.created_by_handle);
  return out;
}

std::string SummaryLine(const Artifact& a) {
  return fmt::format("{}  {}  {} bytes  {}", a.uid,
                     a.key ? *a.key : (a.description ? *a.description : std::string("-")),
                     a.size.value_or(0), a.hash.value_or("-"));
}

}  // namespace lamin::cli
