#include "output.h"

#include <fmt/format.h>

#include "util/encoding.h"

namespace lamin::cli {

namespace {
template <typename T>
nlohmann::json Opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
std::string Text(const std::optional<std::string>& v) { return v ? Printable(*v) : "-"; }
}  // namespace

std::string Printable(std::string_view text) { return util::EscapeControl(text); }

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
  const char* branch = a.branch_id == kBranchTrash     ? "trash"
                       : a.branch_id == kBranchArchive ? "archive"
                                                       : "main";
  std::string out = fmt::format("Artifact {}{}\n", a.uid, a.is_latest ? " (latest)" : "");
  out += fmt::format("  key:         {}\n", Text(a.key));
  out += fmt::format("  description: {}\n", Text(a.description));
  out += fmt::format("  suffix:      {}\n", a.suffix.empty() ? "-" : Printable(a.suffix));
  out += fmt::format("  size:        {} bytes{}\n", a.size.value_or(0),
                     a.n_files ? fmt::format(" in {} files", *a.n_files) : "");
  out += fmt::format("  hash:        {} ({})\n", Text(a.hash), Text(a.hash_type));
  out += fmt::format("  branch:      {}\n", branch);
  out += fmt::format("  storage:     {}/{}\n", Printable(a.storage_root), Printable(a.StorageKey()));
  out += fmt::format("  created:     {} by {}\n", a.created_at, Printable(a.created_by_handle));
  return out;
}

std::string SummaryLine(const Artifact& a) {
  return fmt::format("{}  {}  {} bytes  {}", a.uid, a.key ? Text(a.key) : Text(a.description),
                     a.size.value_or(0), Text(a.hash));
}

}  // namespace lamin::cli
