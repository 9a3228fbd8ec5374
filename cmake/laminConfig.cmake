# The lamin CMake package: find_package(lamin) gives the target lamin::lamin (a static library:
# the libraries it links are found here too; libpq and libcurl it opens where it first needs them).
include(CMakeFindDependencyMacro)
find_dependency(Threads)
find_dependency(nlohmann_json)
find_dependency(SQLite3)
find_dependency(pugixml)
find_dependency(OpenSSL)
find_dependency(fmt)
include(${CMAKE_CURRENT_LIST_DIR}/laminTargets.cmake)
