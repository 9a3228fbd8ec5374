// lamin annotate: labels and feature values added to (or removed from) an artifact, in one
// transaction, as lamin-cli's annotate does.
#include <fmt/format.h>

#include <iostream>

#include "annotation_args.h"
#include "lamin/json.h"
#include "output.h"
#include "session.h"

namespace lamin::cli {
namespace {

// `lamin annotate --filter …`: every matching artifact, in one transaction.
int AnnotateMatching(Session& s, const std::vector<std::string>& filters,
                     const Annotation& annotation) {
  if (annotation.empty()) return s.Usage("--filter annotates: give labels or --features");
  Query query;
  for (const auto& f : filters) {
    auto parsed = Filter::Parse(f);
    if (!parsed.ok()) return s.Usage(parsed.status().message());
    query.filters.push_back(*parsed);
  }
  auto inst = s.OpenCurrent();
  if (!inst.ok()) return s.Fail(inst.status());
  auto matching = (*inst)->artifacts().List(query);
  if (!matching.ok()) return s.Fail(matching.status());
  std::vector<std::pair<ArtifactRef, Annotation>> items;
  for (const auto& a : *matching) items.emplace_back(ArtifactRef::ByUid(a.uid), annotation);
  Status done = (*inst)->annotations().AnnotateMany(items);
  if (!done.ok()) return s.Fail(done);
  if (s.json) {
    nlohmann::json uids = nlohmann::json::array();
    for (const auto& a : *matching) uids.push_back(a.uid);
    s.PrintJson({{"annotated", uids}});
  } else {
    for (const auto& a : *matching) std::cout << a.uid << "\n";
    std::cerr << fmt::format("annotated {} artifact{}\n", matching->size(),
                             matching->size() == 1 ? "" : "s");
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> AddAnnotateCommand(CLI::App& app, Session& s) {
  struct Args {
    RefArgs ref;
    AnnotationArgs add;
    AnnotationRemoval remove;
    std::vector<std::string> remove_values, filters;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("annotate", "add labels and feature values to an artifact");
  args->ref.AddTo(cmd);
  cmd->add_option("--filter", args->filters,
                  "annotate every artifact matching these filters instead (repeatable; one "
                  "transaction)")
      ->allow_extra_args(false);
  args->add.AddTo(cmd);
  cmd->add_option("--remove-ulabel", args->remove.ulabels,
                  "take a ULabel off (every link of it; repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--remove-project", args->remove.projects, "take a Project off")
      ->allow_extra_args(false);
  cmd->add_option("--remove-record", args->remove.records, "take a Record off")
      ->allow_extra_args(false);
  cmd->add_option("--remove-feature", args->remove.features,
                  "take every value of a feature off (value rows stay: they are shared)")
      ->allow_extra_args(false);
  cmd->add_option("--remove-value", args->remove_values, "take one value off: NAME=VALUE")
      ->allow_extra_args(false);
  s.AddJsonFlag(cmd);

  auto run = [args, &s] {
    auto annotation = args->add.ToAnnotation();
    if (!annotation.ok()) return s.Usage(annotation.status().message());
    if (!args->filters.empty()) return AnnotateMatching(s, args->filters, *annotation);
    auto ref = args->ref.Ref();
    if (!ref) return s.Usage("name the artifact with --key KEY or --uid UID, or --filter");
    auto values = ParseFeatureValues(args->remove_values);
    if (!values.ok()) return s.Usage(values.status().message());
    AnnotationRemoval removal = args->remove;
    removal.feature_values = *values;
    if (annotation->empty() && removal.empty()) {
      return s.Usage(
          "nothing to do: give --ulabel, --project, --record, --features, --schema "
          "or a --remove-* flag");
    }
    auto inst = s.OpenCurrent();
    if (!inst.ok()) return s.Fail(inst.status());
    auto artifact = (*inst)->artifacts().Get(*ref);
    if (!artifact.ok()) return s.Fail(artifact.status());
    Annotations& an = (*inst)->annotations();
    const ArtifactRef exact = ArtifactRef::ByUid(artifact->uid);
    // Removals and additions commit together, or neither does.
    Status done = an.Annotate(exact, *annotation, removal);
    if (!done.ok()) return s.Fail(done);
    auto now = an.Of(*artifact);
    if (!now.ok()) return s.Fail(now.status());
    if (s.json) {
      nlohmann::json j = ToJson(*artifact);
      j["annotations"] = ToJson(*now);
      s.PrintJson(j);
    } else {
      std::cerr << "annotated artifact " << artifact->uid << "\n";
      std::cout << AnnotationsText(*now);
    }
    return kExitOk;
  };
  return {{cmd, run}};
}

}  // namespace lamin::cli
