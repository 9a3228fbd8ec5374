// What every part of the Python binding shares: the instance handle (one thread in the library
// at a time, the GIL released while it works), the one way a Status becomes a Python exception,
// and conversions of the library's JSON forms and queries.
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "lamin/lamin.h"

namespace lamin::python {

namespace py = pybind11;

// What a failure is about, for the exception it becomes (lamin/errors.py maps them): a
// NotFound while saving a path is a FileNotFoundError, one while looking up a record is
// lamin.errors.DoesNotExist.
enum class About { kRecord, kPath };

// Raises the Python exception for `status` (lamin.errors._from_status). REQUIRES: the GIL.
[[noreturn]] void Raise(const Status& status, About about = About::kRecord);
inline void Check(const Status& status, About about = About::kRecord) {
  if (!status.ok()) Raise(status, about);
}
template <typename T>
T Unwrap(Result<T> result, About about = About::kRecord) {
  if (!result.ok()) Raise(result.status(), about);
  return std::move(result).value();
}

// An open instance. The library's Instance is used by one thread at a time: every call takes
// the handle's lock, after releasing the GIL so that other Python threads run meanwhile.
class Handle {
 public:
  explicit Handle(std::unique_ptr<Instance> instance) : instance_(std::move(instance)) {}

  // Runs fn(Instance&) without the GIL, under the lock. fn must not touch Python objects.
  template <typename Fn>
  auto Call(Fn&& fn) {
    py::gil_scoped_release release;
    std::lock_guard lock(mu_);
    return fn(*instance_);
  }

 private:
  std::mutex mu_;
  std::unique_ptr<Instance> instance_;
};

// Text from the library as a Python str: UTF-8, with bytes that are not (a file name that is
// not UTF-8) kept as surrogates, as os.fsdecode keeps them.
py::str Text(const std::string& s);
// The library's JSON forms (lamin/json.h) as Python values: dict, list, str, int, float, bool,
// None.
py::object ToPython(const nlohmann::json& j);
// A record's fields in its table's column order (JSON columns as values).
py::dict ToPython(const Record& record);
// A list of the JSON forms of records (artifacts, runs, collections, ...).
template <typename T>
py::list ToPythonList(const std::vector<T>& records);
// A file system path for Python: bytes (lamin/_paths.py decodes them as os.fsdecode does).
py::bytes PathBytes(const std::filesystem::path& p);

// (field, lookup, value) triples, as lamin/_query.py builds them from keyword arguments.
using FilterTriples = std::vector<std::tuple<std::string, std::string, std::string>>;
Query ToQuery(const FilterTriples& filters, const std::vector<std::string>& order_by,
              std::optional<int64_t> limit, std::optional<int64_t> offset);

// An artifact or collection by exact uid, or by key (its latest version). Exactly one of them.
ArtifactRef ToRef(const std::optional<std::string>& key, const std::optional<std::string>& uid);

// The parts of the module, one per capability (bind_*.cc).
void BindInstance(py::module_& m, py::class_<Handle>& handle);
void BindArtifacts(py::class_<Handle>& handle);
void BindRecords(py::class_<Handle>& handle);
void BindAnnotations(py::class_<Handle>& handle);
void BindLineage(py::class_<Handle>& handle);
void BindCollections(py::class_<Handle>& handle);
void BindTesting(py::module_& m);

}  // namespace lamin::python
