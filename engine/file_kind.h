// Copyright (c) wtrocks authors.
//
// Which RocksDB file a path is. RocksDB passes no file type to a FileSystem
// (IOOptions.type is always kUnknown in 7.8.3 and 9.10, and FileOptions has
// no type: rocksdb_compat.h), so the name is all we have.
#pragma once

#include <string_view>

namespace wtrocks::engine {

enum class FileKind {
  kWal,    // NNNNNN.log (also a recycled WAL)
  kSst,    // NNNNNN.sst
  kOther,  // MANIFEST, CURRENT, OPTIONS, LOG, LOCK, IDENTITY, *.dbtmp, blobs
};

FileKind ClassifyFile(std::string_view path);
const char* FileKindName(FileKind kind);  // "wal", "sst", "other"

}  // namespace wtrocks::engine
