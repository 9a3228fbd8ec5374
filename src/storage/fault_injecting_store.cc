#include "storage/fault_injecting_store.h"

#include <algorithm>

namespace lamin::storage {

void FaultInjectingStore::FailAt(int n, bool persistent) {
  std::lock_guard lock(mu_);
  fail_at_ = n;
  persistent_ = persistent;
}

void FaultInjectingStore::FailWhen(
    std::function<bool(const std::string& op, const std::string& key)> predicate) {
  std::lock_guard lock(mu_);
  predicate_ = std::move(predicate);
}

Status FaultInjectingStore::Check(const char* op, const std::string& key) {
  int n = ++calls_;
  bool fail;
  {
    std::lock_guard lock(mu_);
    fail = (fail_at_ > 0 && (n == fail_at_ || (persistent_ && n > fail_at_))) ||
           (predicate_ && predicate_(op, key));
  }
  if (!fail) return Status::OK();
  ++faults_;
  return Status::IOError(std::string("injected fault in ") + op + " of '" + key + "' (call " +
                         std::to_string(n) + ")");
}

Result<StagedObject> FaultInjectingStore::StageFile(const FileSource& source,
                                                    const std::string& key,
                                                    const std::string& token,
                                                    const ByteObserver& observe) {
  LAMIN_RETURN_IF_ERROR(Check("StageFile", key));
  return target_->StageFile(source, key, token, observe);
}

Result<StagedObject> FaultInjectingStore::StageFolder(const std::vector<FolderFile>& files,
                                                      const std::string& key,
                                                      const std::string& token,
                                                      const FolderObserverFactory& observe) {
  LAMIN_RETURN_IF_ERROR(Check("StageFolder", key));
  return target_->StageFolder(files, key, token, observe);
}

Status FaultInjectingStore::Publish(std::vector<StagedObject>& staged) {
  for (size_t i = 0; i < staged.size(); ++i) {
    Status fault = Check("Publish", staged[i].key);
    if (fault.ok()) continue;
    // Publish the objects before the faulty one, as a real store stopping there would have.
    std::vector<StagedObject> head(staged.begin(), staged.begin() + static_cast<long>(i));
    Status s = target_->Publish(head);
    std::copy(head.begin(), head.end(), staged.begin());
    return s.ok() ? fault : s;
  }
  return target_->Publish(staged);
}

Status FaultInjectingStore::Discard(const StagedObject& staged) {
  LAMIN_RETURN_IF_ERROR(Check("Discard", staged.key));
  return target_->Discard(staged);
}

Status FaultInjectingStore::DiscardLeftovers(const std::string& key, const std::string& token) {
  LAMIN_RETURN_IF_ERROR(Check("DiscardLeftovers", key));
  return target_->DiscardLeftovers(key, token);
}

Status FaultInjectingStore::Delete(const std::string& key) {
  LAMIN_RETURN_IF_ERROR(Check("Delete", key));
  return target_->Delete(key);
}

std::vector<Status> FaultInjectingStore::DeleteMany(const std::vector<std::string>& keys) {
  std::vector<Status> out(keys.size());
  std::vector<std::string> passed;
  std::vector<size_t> passed_at;
  for (size_t i = 0; i < keys.size(); ++i) {
    out[i] = Check("Delete", keys[i]);
    if (!out[i].ok()) continue;
    passed.push_back(keys[i]);
    passed_at.push_back(i);
  }
  std::vector<Status> removed = target_->DeleteMany(passed);
  for (size_t j = 0; j < passed.size(); ++j) out[passed_at[j]] = removed[j];
  return out;
}

}  // namespace lamin::storage
