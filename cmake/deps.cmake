# Finds the Debian packages wtrocks builds on; each failure names the package
# to install (scripts/install-deps.sh installs them all).
find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found: apt-get install pkg-config")
endif()

function(wtrocks_require_pc name module debpkg)
  pkg_check_modules(${name} QUIET IMPORTED_TARGET GLOBAL ${module})
  if(NOT ${name}_FOUND)
    message(FATAL_ERROR "${module} not found: apt-get install ${debpkg}")
  endif()
endfunction()

wtrocks_require_pc(URING liburing liburing-dev)
find_package(Threads REQUIRED)
# RocksDB: Debian's librocksdb-dev (7.8.3 on Debian 12, 9.10 on Debian 13),
# or your own build: install it (`make install-shared PREFIX=...` or CMake's
# install, both write rocksdb.pc) and configure with
# -DCMAKE_PREFIX_PATH=PREFIX. Release builds of RocksDB define NDEBUG, which
# changes the layout of some of its structs: say so with
# -DWTROCKS_ROCKSDB_NDEBUG=ON (Debian's packages are built without it).
option(WTROCKS_ROCKSDB_NDEBUG "the RocksDB we link was built with -DNDEBUG" OFF)
if(NOT WTROCKS_SANITIZE STREQUAL "tsan")
  wtrocks_require_pc(ROCKSDB rocksdb librocksdb-dev)
  # engine/rocksdb_compat.h is where the versions differ; it refuses < 7.8.
  message(STATUS "RocksDB ${ROCKSDB_VERSION} from ${ROCKSDB_LIBDIR} (tested: 7.8.3, 9.10.0)")
  if(ROCKSDB_VERSION VERSION_LESS 7.8)
    message(FATAL_ERROR "wtrocks needs RocksDB 7.8 or newer, found ${ROCKSDB_VERSION}")
  endif()
  if(WTROCKS_ROCKSDB_NDEBUG)
    add_compile_definitions(NDEBUG)
  endif()
endif()
find_package(gflags CONFIG QUIET)
if(NOT gflags_FOUND)
  message(FATAL_ERROR "gflags not found: apt-get install libgflags-dev")
endif()
find_package(GTest CONFIG QUIET)
if(NOT GTest_FOUND)
  message(FATAL_ERROR "GoogleTest not found: apt-get install libgtest-dev")
endif()
include(GoogleTest)
