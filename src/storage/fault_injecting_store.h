// A wrapper around a real ObjectStore that fails chosen calls, for the ACID tests and the fault
// sweeps (SQLite's technique: fail call N, once or from N on, for N = 1, 2, ...).
// Only calls that change storage count: StageFile, StageFolder, Publish, Discard,
// DiscardLeftovers, Delete.
// Thread-safety: safe for concurrent calls (the counter is atomic, the predicate is locked).
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "lamin/object_store.h"

namespace lamin::storage {

class FaultInjectingStore : public ObjectStoreWrapper {
 public:
  using ObjectStoreWrapper::ObjectStoreWrapper;

  // Fails the n-th counted call (1-based) and, if `persistent`, every one after it. 0 disables.
  void FailAt(int n, bool persistent);
  // Fails every counted call for which `predicate(op, key)` is true (op as the method name).
  void FailWhen(std::function<bool(const std::string& op, const std::string& key)> predicate);
  // Counted calls so far, and how many were failed.
  int calls() const { return calls_; }
  int faults() const { return faults_; }

  Result<StagedObject> StageFile(const FileSource& source, const std::string& key,
                                 const std::string& token, const ByteObserver& observe) override;
  Result<StagedObject> StageFolder(const std::vector<FolderFile>& files, const std::string& key,
                                   const std::string& token,
                                   const FolderObserverFactory& observe) override;
  // Counts one call per object; a fault stops the batch at that object.
  Status Publish(std::vector<StagedObject>& staged) override;
  Status Discard(const StagedObject& staged) override;
  Status DiscardLeftovers(const std::string& key, const std::string& token) override;
  Status Delete(const std::string& key) override;
  // Counts one "Delete" call per key; a faulty key is not removed, the others are.
  std::vector<Status> DeleteMany(const std::vector<std::string>& keys) override;

 private:
  // The injected error for this call, or OK.
  Status Check(const char* op, const std::string& key);

  std::atomic<int> calls_{0};
  std::atomic<int> faults_{0};
  int fail_at_ = 0;
  bool persistent_ = false;
  std::mutex mu_;
  std::function<bool(const std::string&, const std::string&)> predicate_;
};

}  // namespace lamin::storage
