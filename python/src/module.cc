// lamin._lamin: the native library for Python. The LaminDB-shaped API is lamin/__init__.py;
// this module is the thin layer under it: plain values in (str, bytes for paths, lists, dicts),
// the library's JSON forms out (lamin/json.h), Status as Python exceptions (lamin/errors.py).
#include "common.h"

PYBIND11_MODULE(_lamin, m) {
  namespace py = pybind11;
  using lamin::python::Handle;
  m.doc() = "lamin's native library (use the lamin package, not this module)";
  py::class_<Handle> handle(m, "Instance", "An open instance; its methods release the GIL.");
  lamin::python::BindInstance(m, handle);
  lamin::python::BindArtifacts(handle);
  lamin::python::BindRecords(handle);
  lamin::python::BindAnnotations(handle);
  lamin::python::BindLineage(handle);
  lamin::python::BindCollections(handle);
  lamin::python::BindTesting(m);
  // An argument the lamin package did not check (it checks types before calling) is a
  // TypeError, not pybind11's RuntimeError.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const py::cast_error& e) {
      PyErr_SetString(PyExc_TypeError, e.what());
    }
  });
}
