// The annotation flags `lamin annotate` and `lamin save` share, as lamin-cli spells them:
// --ulabel, --project, --record (repeatable), --features NAME=VALUE… and --schema.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "lamin/annotation.h"
#include "lamin/status.h"

namespace lamin::cli {

struct AnnotationArgs {
  std::vector<std::string> ulabels, projects, records, features;
  std::string schema;

  void AddTo(CLI::App* cmd);
  // Result: InvalidArgument for a --features item without '='.
  Result<Annotation> ToAnnotation() const;
};

// "NAME=VALUE" items as feature values given as text. Result: InvalidArgument.
Result<std::vector<FeatureValue>> ParseFeatureValues(const std::vector<std::string>& items);

}  // namespace lamin::cli
