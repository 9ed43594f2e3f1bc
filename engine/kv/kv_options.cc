// Copyright (c) wtrocks authors.
#include "engine/kv/kv_options.h"

#include "rocksdb/env.h"

namespace wtrocks::kv {
namespace {

rocksdb::Status Refuse(const char* option, const char* why) {
  return rocksdb::Status::InvalidArgument(std::string("wtkv: ") + option +
                                          " is not supported: " + why);
}

}  // namespace

rocksdb::Status ValidateDbOptions(const rocksdb::DBOptions& o) {
  if (o.manual_wal_flush) {
    return Refuse("manual_wal_flush=true",
                  "a WAL record could stay in RocksDB's buffer after "
                  "DB::Write returns, so no WAL barrier would cover it");
  }
  if (o.unordered_write) {
    return Refuse("unordered_write=true",
                  "async commits rely on WAL order matching write order");
  }
  if (o.two_write_queues) {
    return Refuse("two_write_queues=true",
                  "WAL-only writes would bypass the write ordering async "
                  "commits rely on");
  }
  if (o.env != rocksdb::Env::Default()) {
    return Refuse("a custom env",
                  "the KV layer installs its own wtrocks Env; set "
                  "KvOptions::mode or fs_uri instead");
  }
  return rocksdb::Status::OK();
}

rocksdb::Status ValidateAsyncWriteOptions(const rocksdb::WriteOptions& wo) {
  if (wo.disableWAL) {
    return Refuse("disableWAL=true for WriteAsync",
                  "an async commit is acknowledged when its WAL record is "
                  "durable, and disableWAL writes none");
  }
  return rocksdb::Status::OK();
}

std::string FileSystemUri(const KvOptions& options) {
  if (!options.fs_uri.empty()) return options.fs_uri;
  return "wtrocks://mode=" + options.mode;
}

}  // namespace wtrocks::kv
