#include "common.h"

#include "lamin/json.h"

namespace lamin::python {

void Raise(const Status& status, About about) {
  // The exception is made in Python (lamin/errors.py), where the table of codes lives once.
  static py::object* from_status = new py::object(
      py::module_::import("lamin.errors").attr("_from_status"));
  py::object error = (*from_status)(StatusCodeName(status.code()), Text(status.message()),
                                    about == About::kPath ? "path" : "record");
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(error.ptr())), error.ptr());
  throw py::error_already_set();
}

py::str Text(const std::string& s) {
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()),
                                     "surrogateescape");
  if (!o) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

py::bytes PathBytes(const std::filesystem::path& p) { return py::bytes(p.native()); }

py::object ToPython(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      return py::none();
    case nlohmann::json::value_t::boolean:
      return py::bool_(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return py::int_(j.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned:
      return py::int_(j.get<uint64_t>());
    case nlohmann::json::value_t::number_float:
      return py::float_(j.get<double>());
    case nlohmann::json::value_t::string:
      return Text(j.get_ref<const std::string&>());
    case nlohmann::json::value_t::array: {
      py::list out;
      for (const auto& item : j) out.append(ToPython(item));
      return out;
    }
    case nlohmann::json::value_t::object: {
      py::dict out;
      for (const auto& [k, v] : j.items()) out[Text(k)] = ToPython(v);
      return out;
    }
    case nlohmann::json::value_t::binary:
      break;
  }
  return py::none();
}

py::dict ToPython(const Record& record) {
  // The JSON form's object is sorted by name; Python shows the table's column order.
  nlohmann::json j = ToJson(record);
  py::dict out;
  for (const auto& [name, value] : record.fields) out[Text(name)] = ToPython(j[name]);
  return out;
}

template <typename T>
py::list ToPythonList(const std::vector<T>& records) {
  py::list out;
  for (const auto& r : records) {
    if constexpr (std::is_same_v<T, Record>) {
      out.append(ToPython(r));
    } else {
      out.append(ToPython(ToJson(r)));
    }
  }
  return out;
}
template py::list ToPythonList(const std::vector<Artifact>&);
template py::list ToPythonList(const std::vector<Record>&);
template py::list ToPythonList(const std::vector<Run>&);
template py::list ToPythonList(const std::vector<Collection>&);
template py::list ToPythonList(const std::vector<StorageInfo>&);

Query ToQuery(const FilterTriples& filters, const std::vector<std::string>& order_by,
              std::optional<int64_t> limit, std::optional<int64_t> offset) {
  Query q;
  for (const auto& [field, lookup, value] : filters) q.filters.push_back({field, lookup, value});
  q.order_by = order_by;
  q.limit = limit;
  q.offset = offset;
  return q;
}

ArtifactRef ToRef(const std::optional<std::string>& key, const std::optional<std::string>& uid) {
  if (key.has_value() == uid.has_value()) {
    Raise(Status::InvalidArgument("name it by key= or by uid=, one of them"));
  }
  return key ? ArtifactRef::ByKey(*key) : ArtifactRef::ByUid(*uid);
}

}  // namespace lamin::python
