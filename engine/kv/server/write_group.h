// Copyright (c) wtrocks authors.
//
// WriteGroup: the writes of one loop round, gathered from many commands and
// connections, turned into one rocksdb::WriteBatch for one WriteAsync.
//
// Why not append to a WriteBatch directly: Build() sorts the updates by key
// first (stably, so updates of one key keep their order). RocksDB applies a
// batch atomically, so readers cannot tell the order of updates to
// different keys within it, and a memtable fed keys in ascending order
// reuses its last insert position (InlineSkipList's sequential splice)
// instead of searching from the top for each key: the insert search was
// about half the server's CPU time under a SET load (perf). A range delete
// (FLUSHALL) orders against every key, so a group holding one is not
// sorted. (FLUSHALL reads first, which commits the group before it, so
// its range delete always leads a group and sorting would in fact be safe;
// not sorting then costs nothing and does not depend on that.)
//
// Every update the server makes passes through here, so this is also where
// the server's ReadCache forgets what it read of a key being written
// (read_cache.h says why that keeps the cache right), and where WATCHed
// keys are marked written (watches.h).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "engine/kv/server/read_cache.h"
#include "engine/kv/server/watches.h"
#include "rocksdb/slice.h"
#include "rocksdb/write_batch.h"

namespace wtrocks::kv::server {

class WriteGroup {
 public:
  // `cache` and `watches` (either may be null) outlive the group.
  explicit WriteGroup(ReadCache* cache = nullptr, Watches* watches = nullptr)
      : cache_(cache), watches_(watches) {}

  void Put(const rocksdb::Slice& key, const rocksdb::Slice& value);
  void Delete(const rocksdb::Slice& key);
  void DeleteRange(const rocksdb::Slice& begin, const rocksdb::Slice& end);

  // What the group last did to `key`: false if nothing; else true, with
  // *deleted, or the value it put in *value. A linear search, for the few
  // reads of a MULTI/EXEC transaction that must see its own writes.
  bool Latest(const rocksdb::Slice& key, std::string* value,
              bool* deleted) const;

  bool empty() const { return ops_.empty(); }
  size_t bytes() const { return bytes_; }
  // Updates so far; Truncate(n) drops those after the first n (a refused
  // command's). What they did to the cache and the watches stays: a
  // forgotten cache entry or a failed EXEC costs a retry, never a lie.
  size_t size() const { return ops_.size(); }
  void Truncate(size_t n);
  // The group as one batch, sorted by key unless it holds a range delete.
  void Build(rocksdb::WriteBatch* batch);
  void Clear();

 private:
  enum class Kind { kPut, kDelete, kDeleteRange };
  struct Op {
    Kind kind;
    std::string key;
    std::string value;  // the range end for kDeleteRange
  };
  std::vector<Op> ops_;
  size_t bytes_ = 0;
  bool has_range_ = false;
  ReadCache* cache_;
  Watches* watches_;
};

}  // namespace wtrocks::kv::server
