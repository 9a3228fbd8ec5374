// lamin._lamin._testing: the current instance opened with faults injected into its real
// storage and database (the wrappers the C++ fault sweeps use), for the ACID tests in Python.
// Not part of the API.
#include "api/hooks.h"
#include "common.h"
#include "db/fault_injecting_database.h"
#include "storage/fault_injecting_store.h"

namespace lamin::python {

void BindTesting(py::module_& m) {
  py::module_ t = m.def_submodule("_testing", "fault injection for tests (not API)");
  t.def(
      "open_current_with_faults",
      [](const std::string& fail_upload_suffix, const std::string& fail_sql) {
        OpenOptions options;
        if (!fail_upload_suffix.empty()) {
          options.wrap_store = [fail_upload_suffix](std::shared_ptr<ObjectStore> real) {
            auto faulty = std::make_shared<storage::FaultInjectingStore>(std::move(real));
            faulty->FailWhen([fail_upload_suffix](const std::string& op, const std::string& key) {
              return (op == "StageFile" || op == "StageFolder") && key.size() >= fail_upload_suffix.size() &&
                     key.compare(key.size() - fail_upload_suffix.size(), std::string::npos,
                                 fail_upload_suffix) == 0;
            });
            return std::shared_ptr<ObjectStore>(faulty);
          };
        }
        api::TestHooks hooks;
        if (!fail_sql.empty()) {
          hooks.wrap_database = [fail_sql](std::unique_ptr<db::Database> real) {
            auto faulty = std::make_unique<db::FaultInjectingDatabase>(std::move(real));
            faulty->FailWhen(
                [fail_sql](std::string_view sql) { return sql.find(fail_sql) != sql.npos; });
            return std::unique_ptr<db::Database>(std::move(faulty));
          };
        }
        Result<std::unique_ptr<Instance>> inst = [&] {
          py::gil_scoped_release release;
          return api::OpenCurrentWith(options, hooks);
        }();
        return std::make_unique<Handle>(Unwrap(std::move(inst)));
      },
      py::arg("fail_upload_suffix") = "", py::arg("fail_sql") = "",
      "The current instance; uploads of keys ending in fail_upload_suffix fail, and so does "
      "every database statement containing fail_sql.");
}

}  // namespace lamin::python
