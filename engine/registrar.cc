// Copyright (c) wtrocks authors.
//
// Registers `wtrocks://` with RocksDB's ObjectLibrary from a static
// initializer. Linkers drop an object nobody references, so static links
// must keep this one alive: `-u wtrocks_filesystem_reg` (what the upstream
// plugin files in engine/plugin/ pass) or --whole-archive.
#include <memory>
#include <string>

#include "engine/wtrocks_fs.h"
#include "rocksdb/utilities/object_registry.h"

namespace wtrocks::engine {
namespace {

int RegisterWtrocks() {
  rocksdb::ObjectLibrary::Default()->AddFactory<rocksdb::FileSystem>(
      rocksdb::ObjectLibrary::PatternEntry("wtrocks", false)
          .AddSeparator("://", false),
      [](const std::string& uri, std::unique_ptr<rocksdb::FileSystem>* guard,
         std::string* errmsg) -> rocksdb::FileSystem* {
        EngineConfig config;
        rocksdb::Status s = ParseUri(uri, &config);
        if (!s.ok()) {
          // RocksDB turns a null result plus errmsg into a failed Status;
          // the message already names the bad part and the valid keys.
          *errmsg = s.getState() ? s.getState() : s.ToString();
          return nullptr;
        }
        guard->reset(new WtrocksFileSystem(rocksdb::FileSystem::Default(),
                                           std::move(config)));
        return guard->get();
      });
  return 1;
}

}  // namespace
}  // namespace wtrocks::engine

// The symbol `-u` names: a plain C identifier so every build system can
// spell it the same way.
extern "C" {
extern int wtrocks_filesystem_reg;
int wtrocks_filesystem_reg = wtrocks::engine::RegisterWtrocks();
}
