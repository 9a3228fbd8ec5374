// lamin save: files and folders as artifacts, one batch.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "annotation_args.h"
#include "lamin/json.h"
#include "output.h"
#include "scripts.h"
#include "session.h"
#include "util/fs.h"

namespace lamin::cli {
namespace {
namespace fs = std::filesystem;

// `lamin save SCRIPT`, as lamin-cli: the script (or notebook) becomes a transform with its text
// as source; the same text under the same key is the transform saved before, other text its
// next version.
template <typename Args>
int SaveTransform(Session& s, const Args& args) {
  const std::filesystem::path path = args.paths[0];
  auto source = SourceText(path);
  if (!source) {
    return s.Fail(Status::NotFound("cannot read '" + Printable(path.string()) +
                                   "' as text; nothing was saved"));
  }
  auto inst = s.OpenCurrent();
  if (!inst.ok()) return s.Fail(inst.status());
  TransformSpec spec;
  spec.key = args.key.empty() ? path.filename().string() : args.key;
  spec.kind = *TransformKindOfFile(path);
  spec.source_code = source;
  if (!args.description.empty()) spec.description = args.description;
  auto before = (*inst)->lineage().GetTransformByKey(spec.key);
  auto transform = (*inst)->lineage().SaveTransform(spec);
  if (!transform.ok()) return s.Fail(transform.status());
  const bool existed = before.ok() && transform->id <= before->id;  // ids only grow
  if (s.json) {
    nlohmann::json j = ToJson(*transform);
    j["existed"] = existed;
    s.PrintJson(j);
    return kExitOk;
  }
  std::cout << transform->uid << "\n";
  std::cerr << fmt::format("{}: {} {} as transform {}\n", Printable(path.string()),
                           existed ? "same source already saved" : "saved", transform->kind,
                           transform->uid);
  return kExitOk;
}

// The key --key-prefix gives a path: P/<the path from the current folder>, '/'-separated, so that
// `lamin save --key-prefix run1 data/*` keys data/a.csv as run1/data/a.csv (as LaminDB's
// Artifact.from_dir keys a folder's files by the folder name and their paths inside it).
Result<std::string> PrefixedKey(const std::string& prefix, const std::string& path,
                                const fs::path& cwd) {
  const std::string absolute = util::NormalizeAbsoluteText(path, cwd.native());
  const std::string& here = cwd.native();
  std::string rel;
  if (absolute != here && util::IsWithin(absolute, here)) {
    rel = absolute.substr(here == "/" ? 1 : here.size() + 1);
  }
  if (rel.empty()) {
    return Status::InvalidArgument("'" + path + "' is not below the current folder: --key-prefix "
                                   "keys each path by its path from here; run it from a folder "
                                   "that holds the paths");
  }
  std::string p = prefix;
  while (!p.empty() && p.back() == '/') p.pop_back();
  return p.empty() ? rel : p + "/" + rel;
}

// The files of `folder` for --each-file, keyed as LaminDB's Artifact.from_dir keys them:
// <prefix, or the folder's own name>/<the file's path inside the folder>.
Result<std::vector<std::pair<fs::path, std::string>>> EachFile(const std::string& folder,
                                                               const std::string& prefix,
                                                               const fs::path& cwd) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    return Status::InvalidArgument("--each-file saves the files of folders: '" + folder +
                                   "' is not a folder");
  }
  LAMIN_ASSIGN_OR_RETURN(util::FolderListing listing, util::ListFolder(folder));
  std::string head = prefix;
  while (!head.empty() && head.back() == '/') head.pop_back();
  if (head.empty()) head = util::NormalizeAbsolute(folder, cwd).filename().string();
  std::vector<std::pair<fs::path, std::string>> out;
  out.reserve(listing.files.size());
  for (auto& f : listing.files) out.emplace_back(std::move(f.path), head + "/" + f.relative);
  return out;
}

}  // namespace

std::vector<Command> AddSaveCommand(CLI::App& app, Session& s) {
  struct Args {
    std::vector<std::string> paths;
    std::string key, key_prefix, description, storage, registry;
    bool keep_successful = false, each_file = false;
    AnnotationArgs annotation;
  };
  auto args = std::make_shared<Args>();
  auto* save = app.add_subcommand("save", "save files or folders as artifacts (one batch)");
  save->add_option("paths", args->paths,
                   "files or folders to copy in, or s3:// URLs of objects inside a registered "
                   "location to register in place")
      ->required();
  save->add_option("--storage", args->storage,
                   "the registered storage location to save into (default: the instance's)");
  save->add_option("--key", args->key, "the key (virtual path) of the artifact");
  auto* key_prefix = save->add_option(
      "--key-prefix", args->key_prefix,
      "key each path as PREFIX/<its path from the current folder>, for batches of many files");
  key_prefix->excludes("--key");
  save->add_flag("--each-file", args->each_file,
                 "save each file under the folders given as an artifact of its own, keyed as "
                 "LaminDB's Artifact.from_dir keys them: <--key-prefix, or the folder's name>/"
                 "<its path inside the folder>")
      ->excludes("--key");
  save->add_option("--description", args->description, "a description");
  save->add_flag("--keep-successful", args->keep_successful,
                 "keep the artifacts written when others of the batch fail");
  save->add_option("--registry", args->registry,
                   "artifact or transform (default: transform for one .py .R .sh .ipynb .qmd "
                   ".Rmd file, as lamin-cli)")
      ->check(CLI::IsMember({"artifact", "transform"}));
  args->annotation.AddTo(save);
  s.AddJsonFlag(save);

  auto run = [args, &s] {
    if (!args->key.empty() && args->paths.size() > 1) {
      return s.Usage("--key names one artifact: give one path with it");
    }
    const bool one_script =
        !args->each_file && args->paths.size() == 1 && TransformKindOfFile(args->paths[0]);
    if (args->registry == "transform" && !one_script) {
      return s.Usage("--registry transform saves one script or notebook (.py .R .sh .ipynb .qmd "
                     ".Rmd)");
    }
    auto annotation = args->annotation.ToAnnotation();
    if (!annotation.ok()) return s.Usage(annotation.status().message());
    if (one_script && args->registry != "artifact") {
      if (!annotation->empty()) {
        return s.Usage("a script is saved as a transform: annotate it as an artifact with "
                       "--registry artifact");
      }
      return SaveTransform(s, *args);
    }
    auto inst = s.OpenCurrent();
    if (!inst.ok()) return s.Fail(inst.status());
    std::vector<SaveRequest> requests;
    std::error_code cwd_error;
    const fs::path cwd = fs::current_path(cwd_error);
    auto add = [&](fs::path path, std::optional<std::string> key) {
      SaveRequest& r = requests.emplace_back(SaveRequest{std::move(path), std::move(key), {}});
      r.annotation = *annotation;
      if (!args->description.empty()) r.description = args->description;
    };
    for (const auto& p : args->paths) {
      if (args->each_file) {
        auto files = EachFile(p, args->key_prefix, cwd);
        if (files.status().code() == StatusCode::kInvalidArgument) {
          return s.Usage(files.status().message());
        }
        if (!files.ok()) return s.Fail(files.status());
        for (auto& [file, key] : *files) add(std::move(file), std::move(key));
      } else if (!args->key_prefix.empty()) {
        auto key = PrefixedKey(args->key_prefix, p, cwd);
        if (!key.ok()) return s.Usage(key.status().message());
        add(p, std::move(*key));
      } else {
        add(p, args->key.empty() ? std::nullopt : std::optional<std::string>(args->key));
      }
    }
    if (requests.empty()) return s.Usage("the folders given hold no files: nothing to save");
    auto run = CurrentRun(**inst);  // inside `lamin run`: the artifacts are its outputs
    if (!run.ok()) return s.Fail(run.status());
    SaveOptions options{.keep_successful = args->keep_successful, .storage = args->storage};
    if (*run) options.run_id = (*run)->id;
    auto report = (*inst)->artifacts().Save(requests, options);
    if (!report.ok()) return s.Fail(report.status());
    // --json: one entry per path, the saved ones then the failed ones ({"path", "error"}).
    nlohmann::json out = nlohmann::json::array();
    // Written at once: a line per path would cost a system call each on stderr.
    std::string uids, messages;
    for (const auto& saved : report->saved) {
      for (const auto& w : saved.warnings) s.Warn(w);
      if (s.json) {
        out.push_back(ToJson(saved));
        continue;
      }
      uids += saved.artifact.uid + "\n";
      if (saved.existed) {
        messages += fmt::format("{}: same content already saved as {}{}; returned it\n",
                                Printable(saved.path.string()), saved.artifact.uid,
                                saved.restored ? " (restored from the trash)" : "");
      } else {
        messages += fmt::format("{}: saved as {}{}\n", Printable(saved.path.string()),
                                saved.artifact.uid, saved.new_version ? " (new version)" : "");
      }
    }
    std::cout << uids << std::flush;
    std::cerr << messages;
    for (const auto& f : report->failed) {
      if (!s.json) continue;
      nlohmann::json error = ToJson(f.status);
      error["exit_code"] = ExitCodeFor(f.status);
      out.push_back({{"path", f.path.string()}, {"error", error}});
    }
    if (s.json) s.PrintJson(out);
    if (report->failed.empty()) return kExitOk;
    std::string kept;
    for (const auto& saved : report->saved) {
      kept += (kept.empty() ? "" : ", ") + saved.artifact.uid;
    }
    std::cerr << fmt::format("error: {} of {} paths failed; kept the {} others ({}):\n",
                             report->failed.size(), requests.size(), report->saved.size(),
                             kept.empty() ? "none" : kept);
    for (const auto& f : report->failed) {
      std::cerr << fmt::format("  {}: {}\n", Printable(f.path.string()),
                               Printable(f.status.message()));
    }
    return kExitPartial;
  };
  return {{save, run}};
}

}  // namespace lamin::cli
