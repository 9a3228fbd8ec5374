// lamin search [REGISTRY] QUERY: LaminDB's ranked search over every text field of a registry.
#include <fmt/format.h>

#include <iostream>

#include "lamin/json.h"
#include "output.h"
#include "session.h"

namespace lamin::cli {

std::vector<Command> AddSearchCommand(CLI::App& app, Session& s) {
  struct Args {
    std::vector<std::string> words;
    int64_t limit = 20;
    bool all = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("search", "find records by text, ranked as LaminDB ranks them");
  cmd->add_option("words", args->words, "[REGISTRY] QUERY (the registry: artifact by default)")
      ->required()
      ->expected(1, 2);
  cmd->add_option("--limit", args->limit, "at most this many (default 20)");
  cmd->add_flag("--all", args->all, "also the trash and the archive");
  s.AddJsonFlag(cmd);
  auto run = [args, &s] {
    const bool with_registry = args->words.size() == 2;
    const std::string registry = with_registry ? args->words[0] : "artifact";
    const std::string query = args->words.back();
    if (args->limit < 0) return s.Usage("--limit must not be negative");
    auto inst = s.OpenCurrent();
    if (!inst.ok()) return s.Fail(inst.status());
    auto hits = (*inst)->records().Search(registry, query,
                                          {.limit = args->limit, .include_hidden = args->all});
    if (!hits.ok()) return s.Fail(hits.status());
    if (s.json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& h : *hits) {
        nlohmann::json j = ToJson(h.record);
        j["rank"] = h.rank;
        out.push_back(j);
      }
      s.PrintJson(out);
      return kExitOk;
    }
    for (const auto& h : *hits) std::cout << fmt::format("{:>4}  {}\n", h.rank, SummaryLine(h.record));
    std::cerr << hits->size() << " record(s)\n";
    return kExitOk;
  };
  return {{cmd, run}};
}

}  // namespace lamin::cli
