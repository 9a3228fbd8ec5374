// Opening, creating and inspecting instances; storage locations.
#include "common.h"
#include "lamin/json.h"

namespace lamin::python {
namespace {

std::unique_ptr<Handle> Open(Result<std::unique_ptr<Instance>> (*open)(const std::string&,
                                                                       const OpenOptions&),
                             const std::string& name) {
  Result<std::unique_ptr<Instance>> inst = [&] {
    py::gil_scoped_release release;
    return open(name, OpenOptions{});
  }();
  return std::make_unique<Handle>(Unwrap(std::move(inst)));
}

}  // namespace

void BindInstance(py::module_& m, py::class_<Handle>& handle) {
  m.def(
      "init",
      [](const std::string& storage, const std::string& name, const std::string& db) {
        InitOptions init{.storage = storage, .name = name, .db = db};
        Result<std::unique_ptr<Instance>> inst = [&] {
          py::gil_scoped_release release;
          return Instance::Init(init);
        }();
        return std::make_unique<Handle>(Unwrap(std::move(inst), About::kPath));
      },
      py::arg("storage"), py::arg("name") = "", py::arg("db") = "",
      "Creates an instance (SQLite unless db is a PostgreSQL URL) and makes it current.");
  m.def(
      "connect", [](const std::string& name) { return Open(&Instance::Connect, name); },
      py::arg("name"), "Opens the instance NAME or OWNER/NAME and makes it current.");
  m.def(
      "open_current",
      [] {
        Result<std::unique_ptr<Instance>> inst = [&] {
          py::gil_scoped_release release;
          return Instance::OpenCurrent();
        }();
        return std::make_unique<Handle>(Unwrap(std::move(inst)));
      },
      "Opens the current instance.");
  m.def(
      "disconnect", [] { Check(Instance::Disconnect()); }, "Forgets the current instance.");
  m.def(
      "delete_instance",
      [](const std::string& name, bool delete_data) {
        auto report = [&] {
          py::gil_scoped_release release;
          return Instance::DeleteInstance(name, {.delete_data = delete_data});
        }();
        return Unwrap(std::move(report)).left;
      },
      py::arg("name"), py::arg("delete_data") = false,
      "Deletes an instance; returns what could not be reached.");
  m.def("lookups", &Lookups, "The lookups a filter may use (exact, startswith, gt, ...).");

  handle.def("info", [](Handle& h) {
    return ToPython(ToJson(Unwrap(h.Call([](Instance& i) { return i.Info(); }))));
  });
  handle.def(
      "fsck",
      [](Handle& h, bool deep, bool repair) {
        FsckOptions options;
        options.deep = deep;
        options.repair = repair;
        return ToPython(ToJson(Unwrap(h.Call([&](Instance& i) { return i.Fsck(options); }))));
      },
      py::arg("deep") = false, py::arg("repair") = false);
  handle.def(
      "add_storage",
      [](Handle& h, const std::string& root, const std::string& description) {
        return ToPython(ToJson(Unwrap(
            h.Call([&](Instance& i) { return i.storages().Add(root, description); }),
            About::kPath)));
      },
      py::arg("root"), py::arg("description") = "");
  handle.def("storages", [](Handle& h) {
    return ToPythonList(Unwrap(h.Call([](Instance& i) { return i.storages().List(); })));
  });
}

}  // namespace lamin::python
