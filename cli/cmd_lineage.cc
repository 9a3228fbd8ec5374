// lamin lineage: the graph of runs and artifacts around one artifact, upstream (what it was
// made from) and downstream (what was made from it), as text, Mermaid, DOT, SVG or JSON.
#include <iostream>

#include "lamin/json.h"
#include "render/lineage_formats.h"
#include "session.h"

namespace lamin::cli {

std::vector<Command> AddLineageCommand(CLI::App& app, Session& s) {
  struct Args {
    RefArgs ref;
    bool upstream = false, downstream = false;
    int depth = 0;
    std::string format = "text";
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("lineage", "show the runs and artifacts around an artifact");
  args->ref.AddTo(cmd);
  auto* up = cmd->add_flag("--upstream", args->upstream, "only what it was made from");
  cmd->add_flag("--downstream", args->downstream, "only what was made from it")->excludes(up);
  cmd->add_option("--depth", args->depth, "at most N runs away (default: all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--format", args->format, "text, mermaid, dot, svg or json")
      ->check(CLI::IsMember({"text", "mermaid", "dot", "svg", "json"}));
  s.AddJsonFlag(cmd);

  auto run = [args, &s] {
    auto ref = args->ref.Ref();
    if (!ref) return s.Usage("name the artifact with --key KEY or --uid UID");
    auto inst = s.OpenCurrent();
    if (!inst.ok()) return s.Fail(inst.status());
    auto artifact = (*inst)->artifacts().Get(*ref);
    if (!artifact.ok()) return s.Fail(artifact.status());
    LineageQuery query;
    query.direction = args->upstream     ? LineageDirection::kUpstream
                      : args->downstream ? LineageDirection::kDownstream
                                         : LineageDirection::kBoth;
    query.depth = args->depth;
    auto graph = (*inst)->lineage().Graph(*artifact, query);
    if (!graph.ok()) return s.Fail(graph.status());
    const std::string& format = s.json ? std::string("json") : args->format;
    if (format == "json") {
      s.PrintJson(ToJson(*graph));
    } else if (format == "mermaid") {
      std::cout << render::LineageMermaid(*graph);
    } else if (format == "dot") {
      std::cout << render::LineageDot(*graph);
    } else if (format == "svg") {
      auto svg = render::LineageSvg(*graph);
      if (!svg.ok()) return s.Fail(svg.status());
      std::cout << *svg;
    } else {
      std::cout << render::LineageText(*graph);
    }
    return kExitOk;
  };
  return {{cmd, run}};
}

}  // namespace lamin::cli
