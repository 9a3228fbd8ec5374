// LazyLibrary: a shared library opened with dlopen the first time lamin needs it.
//
// Why: a `lamin get` on SQLite spent more than half of its start-up mapping and relocating the
// dependency trees of libpq (Kerberos, LDAP), libcurl (GnuTLS, SSH, HTTP/2) and Graphviz, none of
// which it calls. Each is now loaded where it is first used: a PostgreSQL connection, an S3 store,
// an SVG drawing. The process pays for what it uses.
//
// Use: a table of function pointers declared with the library's own prototypes (so that the
// compiler checks every call against the header), filled once:
//   #define LIBPQ_FUNCTIONS(X) X(PQconnectdb) X(PQfinish)
//   struct LibPq { LIBPQ_FUNCTIONS(LAMIN_LAZY_FUNCTION) };
//   ... LazyLibrary::Open("libpq.so.5", "libpq5") then LIBPQ_FUNCTIONS(LAMIN_LAZY_RESOLVE)
// Libraries are never closed: their pointers stay valid for the life of the process.
// Thread-safety: Open and Resolve are safe from any thread (dlopen's and dlsym's own locking).
#pragma once

#include <string>

#include "lamin/status.h"

namespace lamin::util {

class LazyLibrary {
 public:
  // Opens `soname` (the exact ABI the headers were compiled against, e.g. "libpq.so.5").
  // Errors: Unavailable naming the library, dlopen's reason and the Debian `package` to install.
  static Result<LazyLibrary> Open(const std::string& soname, const std::string& package);

  // The address of `name`, or nullptr with `*error` set to a message naming it.
  void* Symbol(const char* name, Status* error) const;

  const std::string& soname() const { return soname_; }

 private:
  LazyLibrary(void* handle, std::string soname) : handle_(handle), soname_(std::move(soname)) {}
  void* handle_;
  std::string soname_;
};

}  // namespace lamin::util

// A member of a function table: `decltype(&::name) name`.
#define LAMIN_LAZY_FUNCTION(name) decltype(&::name) name = nullptr;
// Resolves one member of `table` from `library`; returns the error from the enclosing function.
#define LAMIN_LAZY_RESOLVE(name)                                                           \
  {                                                                                        \
    ::lamin::Status lamin_lazy_error;                                                      \
    table.name = reinterpret_cast<decltype(table.name)>(library.Symbol(#name, &lamin_lazy_error)); \
    if (!table.name) return lamin_lazy_error;                                              \
  }
