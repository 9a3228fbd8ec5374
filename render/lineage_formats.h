// The lineage graph (lineage.h) as text for people, Mermaid for Markdown, Graphviz DOT as
// Python's view_lineage builds it, and SVG laid out by Graphviz's library: the renderings the
// command line and the web server share (the library itself stays free of Graphviz).
#pragma once

#include <functional>
#include <string>

#include "lamin/lineage.h"
#include "lamin/status.h"

namespace lamin::render {

// One block per run, upstream first: the run, what it read, what it made.
std::string LineageText(const LineageGraph& g);
// A `flowchart LR` with the root highlighted.
std::string LineageMermaid(const LineageGraph& g);
// Where a node links to in a drawing (the web server's pages); empty: no link.
using NodeLink = std::function<std::string(const LineageNode&)>;

// Python's view_lineage: digraph "<root id>", boxes "rounded,filled", runs labelled
// "<transform key><BR/>run at … UTC" in grey, edges input → run → output in dimgrey; with
// `link`, each node also gets its URL.
std::string LineageDot(const LineageGraph& g, const NodeLink& link = {});
// The DOT laid out by Graphviz (libgvc, the "dot" layout); node links become SVG anchors.
// Safe to call from several threads (Graphviz is not: calls take turns).
// Result: Internal when Graphviz fails.
Result<std::string> LineageSvg(const LineageGraph& g, const NodeLink& link = {});

}  // namespace lamin::render
