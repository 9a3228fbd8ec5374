// Printing records for the command line: artifacts as text or JSON. Text output escapes control
// characters (keys and descriptions are hostile: a newline must not forge a line, an escape
// sequence must not reach the terminal); JSON escapes them by itself.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "lamin/annotations.h"
#include "lamin/artifact.h"
#include "lamin/collections.h"
#include "lamin/lineage.h"
#include "lamin/record.h"

namespace lamin::cli {

// `text` with control characters escaped, for one line of text output.
std::string Printable(std::string_view text);

// A few lines describing the artifact, for `describe`.
std::string DescribeText(const Artifact& a);
// With its lineage: the run and transform that made it, the runs that read or recreated it.
std::string DescribeText(const Artifact& a, const ArtifactLineage& lineage);
// A collection: its fields, its members in order, its versions.
std::string DescribeText(const Collection& c, const std::vector<Artifact>& members,
                         const std::vector<Collection>& versions);
// The Labels and Features sections of `describe`, as Python's describe() groups them.
std::string AnnotationsText(const ArtifactAnnotations& annotations);
// One line: uid, key or description, size, hash.
std::string SummaryLine(const Artifact& a);
// One line for a record of any registry: its uid (or id), its name field, a few fields.
std::string SummaryLine(const Record& r);
// Every field of a record, one a line, for `describe REGISTRY`.
std::string DescribeText(const Record& r);

}  // namespace lamin::cli
