# Compiler cache: `make test` builds three trees from a fresh checkout every
# CI run (the fourth, in the Debian 13 root, has no ccache there); ccache (a Debian package,
# installed by scripts/install-deps.sh) makes a warm rebuild of an unchanged
# file a lookup. Entries are keyed by the preprocessed source, the compiler
# and its flags, so a stale hit cannot happen. CCACHE_BASEDIR and
# CCACHE_NOHASHDIR let two clones in different directories share entries
# (the debug info then names the first clone's directory; nothing here
# reads it). -DWTROCKS_CCACHE=OFF builds without it.
option(WTROCKS_CCACHE "compile through ccache when it is installed" ON)
find_program(WTROCKS_CCACHE_PROGRAM ccache)
if(WTROCKS_CCACHE AND WTROCKS_CCACHE_PROGRAM)
  set(dir "$ENV{WTROCKS_CCACHE_DIR}")
  if(NOT dir)
    # The machine-wide cache when it can be made and written (root), else
    # one per build tree (cmake 3.25 has no if(IS_WRITABLE)).
    set(dir /var/cache/wtrocks-ccache)
    execute_process(COMMAND sh -c "mkdir -p '${dir}' && test -w '${dir}'"
                    RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
    if(NOT rc EQUAL 0)
      set(dir ${CMAKE_BINARY_DIR}/ccache)
    endif()
  endif()
  set(launcher ${CMAKE_COMMAND} -E env CCACHE_DIR=${dir}
      CCACHE_BASEDIR=${PROJECT_SOURCE_DIR} CCACHE_NOHASHDIR=1
      CCACHE_MAXSIZE=5G ${WTROCKS_CCACHE_PROGRAM})
  set(CMAKE_C_COMPILER_LAUNCHER ${launcher})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${launcher})
  message(STATUS "ccache: ${dir}")
endif()
