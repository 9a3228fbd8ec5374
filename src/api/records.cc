// The records capability: every registry read through the one query compiler.
#include "api/modules.h"
#include "registry/records.h"
#include "registry/search.h"

namespace lamin::api {
namespace {

class RecordsModule final : public Records {
 public:
  explicit RecordsModule(Context& ctx) : ctx_(ctx) {}

  Result<std::vector<Record>> List(const std::string& registry, const Query& query) override {
    LAMIN_ASSIGN_OR_RETURN(const registry::RegistryDef* r, Find(registry));
    return registry::QueryRecords(ctx_.db(), *r, query);
  }

  Result<std::vector<SearchHit>> Search(const std::string& registry, const std::string& query,
                                        const SearchOptions& options) override {
    LAMIN_ASSIGN_OR_RETURN(const registry::RegistryDef* r, Find(registry));
    registry::ReaderFactory readers;
    if (ctx_.db().dialect() == db::Dialect::kSqlite) {
      // More connections to the same file, read-only, for a scan split across cores.
      const auto path = ctx_.settings().SqlitePath();
      readers = [path]() { return db::OpenSqlite(path, {.read_only = true}); };
    }
    return registry::Search(ctx_.db(), *r, query, options, readers);
  }

  Result<Record> Get(const std::string& registry, const RecordRef& ref) override {
    LAMIN_ASSIGN_OR_RETURN(const registry::RegistryDef* r, Find(registry));
    return registry::ResolveRecord(ctx_.db(), *r, ref);
  }

 private:
  static Result<const registry::RegistryDef*> Find(const std::string& name) {
    const registry::RegistryDef* r = registry::FindRegistry(name);
    if (!r) {
      return Status::InvalidArgument("unknown registry '" + name +
                                     "'; registries: " + registry::RegistryNames());
    }
    return r;
  }

  Context& ctx_;
};

}  // namespace

std::unique_ptr<Records> MakeRecords(Context& ctx) { return std::make_unique<RecordsModule>(ctx); }

}  // namespace lamin::api
