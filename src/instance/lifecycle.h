// The life of an instance outside its operations: its name, its database (opening it, creating
// it on SQLite or PostgreSQL), and forgetting it. The Instance facade (src/api/instance.cc)
// puts these together into init, connect and delete.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "db/database.h"
#include "instance/settings.h"
#include "registry/storages.h"

namespace lamin::instance {

// Letters, digits, '-' and '_' (no "--": it separates owner and name in file names).
Status ValidateInstanceName(const std::string& name);
bool IsPostgresUrl(const std::string& url);

// The instance's database: PostgreSQL when the settings name one, else its SQLite file.
// Result: NotFound (the SQLite file is missing), FailedPrecondition (an unsupported URL), and
// the backend's errors.
Result<std::unique_ptr<db::Database>> OpenInstanceDatabase(const InstanceSettings& settings);
// The database for messages (a password masked).
std::string DatabaseName(const InstanceSettings& settings);

// A new instance's SQLite database at `db_path`: written at a temporary name and renamed into
// place without replacing anything, so that an interrupted init leaves no half-made instance
// and two racing inits end with one. Result: AlreadyExists (a database is there).
Status CreateSqliteInstance(const std::filesystem::path& db_path, const std::string& user_uid,
                            const std::string& user_handle, const registry::StorageRow& storage);
// A new instance in a PostgreSQL database that holds none yet: an empty database, or one where
// the LaminDB schema was created beforehand (by a DBA, or from a template) but no instance rows.
Status CreatePostgresInstance(const std::string& url, const std::string& user_uid,
                              const std::string& user_handle, const registry::StorageRow& storage);

// Removes what `settings` registers of an instance from this machine: the current-instance file
// if it names it, then its settings file.
Status ForgetInstance(const Environment& env, const InstanceSettings& settings);

}  // namespace lamin::instance
