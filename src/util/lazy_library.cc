#include "util/lazy_library.h"

#include <dlfcn.h>

namespace lamin::util {

Result<LazyLibrary> LazyLibrary::Open(const std::string& soname, const std::string& package) {
  // RTLD_NOW: a library with a missing dependency fails here, with a message, not at a later call.
  // RTLD_LOCAL: its symbols are reached only through Symbol, never bound to other code.
  void* handle = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    return Status::Unavailable("cannot load " + soname + " (" + (why ? why : "unknown reason") +
                               "): install the Debian package " + package);
  }
  return LazyLibrary(handle, soname);
}

void* LazyLibrary::Symbol(const char* name, Status* error) const {
  dlerror();  // clear a stale error: a symbol's value may legitimately be null
  void* address = dlsym(handle_, name);
  if (!address) {
    const char* why = dlerror();
    *error = Status::Unavailable(soname_ + " has no function " + name + " (" +
                                 (why ? why : "null symbol") +
                                 "): the installed library is older than the one lamin was built "
                                 "against");
  }
  return address;
}

}  // namespace lamin::util
