// Collections: versioned, ordered sets of artifacts.
#include "common.h"
#include "lamin/json.h"

namespace lamin::python {
namespace {

std::vector<ArtifactRef> ByUids(const std::vector<std::string>& uids) {
  std::vector<ArtifactRef> refs;
  for (const auto& u : uids) refs.push_back(ArtifactRef::ByUid(u));
  return refs;
}

py::dict OutcomeToPython(const CollectionOutcome& o) {
  py::dict out;
  out["collection"] = ToPython(ToJson(o.collection));
  out["existed"] = o.existed;
  out["new_version"] = o.new_version;
  return out;
}

}  // namespace

void BindCollections(py::class_<Handle>& handle) {
  handle.def(
      "create_collection",
      [](Handle& h, const std::string& key, const std::vector<std::string>& member_uids,
         std::optional<std::string> description, std::optional<std::string> meta_artifact_uid,
         std::optional<int64_t> run_id) {
        CollectionSpec spec{key, ByUids(member_uids), description, std::nullopt, run_id};
        if (meta_artifact_uid) spec.meta_artifact = ArtifactRef::ByUid(*meta_artifact_uid);
        return OutcomeToPython(
            Unwrap(h.Call([&](Instance& i) { return i.collections().Create(spec); })));
      },
      py::arg("key"), py::arg("member_uids"), py::arg("description") = py::none(),
      py::arg("meta_artifact_uid") = py::none(), py::arg("run_id") = py::none());
  handle.def(
      "append_collection",
      [](Handle& h, const std::string& uid, const std::vector<std::string>& more,
         std::optional<int64_t> run_id) {
        auto refs = ByUids(more);
        return OutcomeToPython(Unwrap(h.Call(
            [&](Instance& i) { return i.collections().Append(ArtifactRef::ByUid(uid), refs, run_id); })));
      },
      py::arg("uid"), py::arg("more"), py::arg("run_id") = py::none());
  handle.def(
      "get_collection",
      [](Handle& h, std::optional<std::string> key, std::optional<std::string> uid) {
        CollectionRef ref = ToRef(key, uid);
        return ToPython(ToJson(Unwrap(h.Call([&](Instance& i) { return i.collections().Get(ref); }))));
      },
      py::arg("key") = py::none(), py::arg("uid") = py::none());
  handle.def(
      "list_collections",
      [](Handle& h, const FilterTriples& filters, const std::vector<std::string>& order_by,
         std::optional<int64_t> limit, std::optional<int64_t> offset) {
        Query q = ToQuery(filters, order_by, limit, offset);
        return ToPythonList(Unwrap(h.Call([&](Instance& i) { return i.collections().List(q); })));
      },
      py::arg("filters"), py::arg("order_by"), py::arg("limit") = py::none(),
      py::arg("offset") = py::none());
  handle.def(
      "collection_members",
      [](Handle& h, const std::string& uid, bool versions) {
        if (versions) {
          return ToPythonList(Unwrap(h.Call([&](Instance& i) -> Result<std::vector<Collection>> {
            LAMIN_ASSIGN_OR_RETURN(Collection c, i.collections().Get(ArtifactRef::ByUid(uid)));
            return i.collections().Versions(c);
          })));
        }
        return ToPythonList(Unwrap(h.Call([&](Instance& i) -> Result<std::vector<Artifact>> {
          LAMIN_ASSIGN_OR_RETURN(Collection c, i.collections().Get(ArtifactRef::ByUid(uid)));
          return i.collections().Members(c);
        })));
      },
      py::arg("uid"), py::arg("versions") = false,
      "The members in their order, or (versions=True) every version of the family.");
  handle.def(
      "load_collection",
      [](Handle& h, const std::string& uid, std::optional<std::string> into,
         std::optional<int64_t> run_id) {
        std::optional<std::filesystem::path> folder;
        if (into) folder = *into;
        auto paths = Unwrap(
            h.Call([&](Instance& i) -> Result<std::vector<std::filesystem::path>> {
              LAMIN_ASSIGN_OR_RETURN(Collection c, i.collections().Get(ArtifactRef::ByUid(uid)));
              return i.collections().Load(c, folder, run_id);
            }),
            About::kPath);
        py::list out;
        for (const auto& p : paths) out.append(PathBytes(p));
        return out;
      },
      py::arg("uid"), py::arg("into") = py::none(), py::arg("run_id") = py::none());
  handle.def(
      "delete_collection",
      [](Handle& h, const std::string& uid, bool permanent) {
        Check(h.Call([&](Instance& i) -> Status {
          LAMIN_ASSIGN_OR_RETURN(Collection c, i.collections().Get(ArtifactRef::ByUid(uid)));
          return i.collections().Delete(c, permanent);
        }));
      },
      py::arg("uid"), py::arg("permanent") = false);
}

}  // namespace lamin::python
