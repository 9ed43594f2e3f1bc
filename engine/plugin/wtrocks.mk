# RocksDB make-plugin hook for wtrocks (see engine/plugin/README.md).
# RocksDB includes plugin/wtrocks/*.mk and prefixes every source with
# plugin/wtrocks/; sources are reached through the symlinks engine_src -> engine/
# and wal_src -> wal/ in this directory (the same paths CMakeLists.txt uses).
WTROCKS_PLUGIN_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
WTROCKS_ROOT := $(realpath $(WTROCKS_PLUGIN_DIR)/../..)

# The one engine source list (engine/sources.txt) plus every wal/*.cc.
WTROCKS_ENGINE_SOURCES := $(shell sed -n '/^[^\#].*\.cc$$/p' $(WTROCKS_ROOT)/engine/sources.txt)
WTROCKS_WAL_SOURCES := $(notdir $(wildcard $(WTROCKS_ROOT)/wal/*.cc))

# ":=", not a plain "=": RocksDB's CMake build also reads this file and
# takes the first "<name>_SOURCES" line with a plain "=" literally as file
# names (it cannot expand make functions); CMake gets our list from
# CMakeLists.txt here. scripts/check-upstream-plugin.sh checks both builds.
wtrocks_SOURCES := $(addprefix engine_src/,$(WTROCKS_ENGINE_SOURCES)) $(addprefix wal_src/,$(WTROCKS_WAL_SOURCES))
wtrocks_CXXFLAGS = -I$(WTROCKS_ROOT)
# Our sources are C++20. RocksDB puts its own -std (c++17 unless
# ROCKSDB_CXX_STANDARD says otherwise) after the plugins' CXXFLAGS, so the
# standard goes on our objects only, as a target-specific flag that lands
# last; RocksDB's own objects keep theirs.
$(patsubst %.cc,$(OBJ_DIR)/$(WTROCKS_PLUGIN_DIR)/%.o,$(wtrocks_SOURCES)): CXXFLAGS += -std=c++20
# -u keeps engine/registrar.cc's static registration in static links.
wtrocks_LDFLAGS = -u wtrocks_filesystem_reg -luring
