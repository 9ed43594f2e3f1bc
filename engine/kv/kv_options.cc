// Copyright (c) wtrocks authors.
#include "engine/kv/kv_options.h"

#include <algorithm>

#include "rocksdb/env.h"
#include "rocksdb/memtablerep.h"
#include "rocksdb/slice_transform.h"

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

void UseHashMemtable(rocksdb::Options* options) {
  options->prefix_extractor.reset(
      rocksdb::NewCappedPrefixTransform(kHashMemtablePrefix));
  // The bucket array is allocated in the memtable's arena and counts
  // against write_buffer_size: about one bucket per small entry, so that it
  // stays a few percent of the memtable (4 MiB at RocksDB's default 64 MiB).
  size_t buckets = std::max<size_t>(options->write_buffer_size / 128, 1024);
  options->memtable_factory.reset(rocksdb::NewHashSkipListRepFactory(buckets));
  // Only the skip list memtable takes inserts from several threads at once.
  options->allow_concurrent_memtable_write = false;
}

std::string FileSystemUri(const KvOptions& options) {
  if (!options.fs_uri.empty()) return options.fs_uri;
  return "wtrocks://mode=" + options.mode;
}

}  // namespace wtrocks::kv
