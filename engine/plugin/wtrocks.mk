# RocksDB make-plugin hook for wtrocks (see engine/plugin/README.md).
# RocksDB includes plugin/wtrocks/*.mk and prefixes every source with
# plugin/wtrocks/; sources are reached through the symlinks engine_src -> engine/
# and wal_src -> wal/ in this directory (the same paths CMakeLists.txt uses).
WTROCKS_PLUGIN_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
WTROCKS_ROOT := $(realpath $(WTROCKS_PLUGIN_DIR)/../..)

# The one engine source list (engine/sources.txt) plus every wal/*.cc.
WTROCKS_ENGINE_SOURCES := $(shell sed -n '/^[^\#].*\.cc$$/p' $(WTROCKS_ROOT)/engine/sources.txt)
WTROCKS_WAL_SOURCES := $(notdir $(wildcard $(WTROCKS_ROOT)/wal/*.cc))

wtrocks_SOURCES = $(addprefix engine_src/,$(WTROCKS_ENGINE_SOURCES)) $(addprefix wal_src/,$(WTROCKS_WAL_SOURCES))
wtrocks_CXXFLAGS = -I$(WTROCKS_ROOT) -std=c++20
# -u keeps engine/registrar.cc's static registration in static links.
wtrocks_LDFLAGS = -u wtrocks_filesystem_reg -luring
