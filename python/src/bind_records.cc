// Every registry read through one interface: queries, one record, LaminDB's ranked search.
#include "common.h"
#include "lamin/json.h"

namespace lamin::python {

void BindRecords(py::class_<Handle>& handle) {
  handle.def(
      "records",
      [](Handle& h, const std::string& registry, const FilterTriples& filters,
         const std::vector<std::string>& order_by, std::optional<int64_t> limit,
         std::optional<int64_t> offset) {
        Query q = ToQuery(filters, order_by, limit, offset);
        return ToPythonList(Unwrap(h.Call([&](Instance& i) { return i.records().List(registry, q); })));
      },
      py::arg("registry"), py::arg("filters"), py::arg("order_by"), py::arg("limit") = py::none(),
      py::arg("offset") = py::none());
  handle.def(
      "record",
      [](Handle& h, const std::string& registry, std::optional<std::string> uid,
         std::optional<std::string> key, std::optional<std::string> name) {
        RecordRef ref{uid, key, name};
        return ToPython(Unwrap(h.Call([&](Instance& i) { return i.records().Get(registry, ref); })));
      },
      py::arg("registry"), py::arg("uid") = py::none(), py::arg("key") = py::none(),
      py::arg("name") = py::none());
  handle.def(
      "search",
      [](Handle& h, const std::string& registry, const std::string& query, int64_t limit,
         bool include_hidden) {
        SearchOptions options{.limit = limit, .include_hidden = include_hidden};
        auto hits = Unwrap(
            h.Call([&](Instance& i) { return i.records().Search(registry, query, options); }));
        py::list out;
        for (const auto& hit : hits) out.append(py::make_tuple(ToPython(hit.record), hit.rank));
        return out;
      },
      py::arg("registry"), py::arg("query"), py::arg("limit") = 20,
      py::arg("include_hidden") = false, "[(record, rank)], highest rank first.");
}

}  // namespace lamin::python
