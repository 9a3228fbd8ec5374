// The lineage graph (lineage.h) as text for people, Mermaid for Markdown, Graphviz DOT as
// Python's view_lineage builds it, and SVG laid out by Graphviz's library.
#pragma once

#include <string>

#include "lamin/lineage.h"
#include "lamin/status.h"

namespace lamin::cli {

// One block per run, upstream first: the run, what it read, what it made.
std::string LineageText(const LineageGraph& g);
// A `flowchart LR` with the root highlighted.
std::string LineageMermaid(const LineageGraph& g);
// Python's view_lineage: digraph "<root id>", boxes "rounded,filled", runs labelled
// "<transform key><BR/>run at … UTC" in grey, edges input → run → output in dimgrey.
std::string LineageDot(const LineageGraph& g);
// The DOT laid out by Graphviz (libgvc, the "dot" layout). Result: Internal when Graphviz fails.
Result<std::string> LineageSvg(const LineageGraph& g);

}  // namespace lamin::cli
