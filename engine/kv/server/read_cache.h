// Copyright (c) wtrocks authors.
//
// ReadCache: what the server's recent point reads found, key by key (the
// value, or that the key is absent), so that a GET of a hot key is one hash
// lookup instead of a RocksDB point lookup. Under redis-benchmark's GET
// load the lookup (memtable search, comparators, the read's setup) was over
// half of the server's CPU (docs/results-kv.md, Run S18), the one place
// where a GET cost about twice what redis-server's does.
//
// Right by construction, not by timing. The event loop is the only thread
// that reads or writes through the server, and the server is the only
// writer of its database (RocksDB's LOCK keeps other processes out). Every
// update erases its key here as it joins the pending batch (WriteGroup), a
// range delete empties the cache, and an entry is only made from a read
// that came after the commit of every earlier write (CommandContext::Get),
// or, inside EXEC, from a read of a key no pending write touches (the
// transaction's own keys are answered from the pending batch:
// Server::TxnContext).
// Erasing instead of storing the written value keeps the cache equal to
// what RocksDB returns even when a commit fails before RocksDB applied it.
//
// Bounded by bytes: keys, values and an estimate of each entry's own
// overhead. When full, CLOCK eviction: a hand walks the entries in the
// order they were made and evicts the first one not read since it last
// passed. A hit only sets that entry's flag, so it touches no other memory.
// One thread only: no locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace wtrocks::kv::server {

class ReadCache {
 public:
  // What one entry costs beyond its key and value bytes (the map node,
  // its bucket, the two strings, the CLOCK slot): an estimate.
  static constexpr size_t kEntryOverhead = 128;

  // capacity 0: caches nothing. A value bigger than capacity / 64 is not
  // cached, so one large value cannot push out everything else.
  explicit ReadCache(size_t capacity);
  ReadCache(const ReadCache&) = delete;
  ReadCache& operator=(const ReadCache&) = delete;

  // True when `key` is cached: *present says whether it exists and, if it
  // does, *value is its value, valid until the cache next changes. Counts
  // a hit or a miss.
  bool Find(const std::string& key, bool* present, std::string_view* value);
  // What a read of `key` found, just now, after every earlier write was
  // committed.
  void Insert(std::string_view key, bool present, std::string_view value);
  // `key` is being written.
  void Erase(const std::string& key);
  // Every key may have changed (a range delete).
  void Clear();

  size_t capacity() const { return capacity_; }
  size_t bytes() const { return bytes_; }
  size_t entries() const { return map_.size(); }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  uint64_t evictions() const { return evictions_; }

 private:
  struct Entry {
    std::string value;
    bool present = false;
    bool referenced = false;
    uint32_t slot = 0;  // in ring_
  };
  using Map = std::unordered_map<std::string, Entry>;
  using Node = Map::value_type;

  static size_t Charge(std::string_view key, std::string_view value) {
    return key.size() + value.size() + kEntryOverhead;
  }
  void Remove(Map::iterator it);
  void EvictOne();

  const size_t capacity_;
  size_t bytes_ = 0;
  Map map_;
  // CLOCK's circle: the entries, by slot (nullptr: a free slot). Node
  // pointers stay valid across rehashing; iterators would not.
  std::vector<Node*> ring_;
  std::vector<uint32_t> free_slots_;
  size_t hand_ = 0;
  uint64_t hits_ = 0, misses_ = 0, evictions_ = 0;
};

}  // namespace wtrocks::kv::server
