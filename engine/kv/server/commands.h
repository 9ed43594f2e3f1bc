// Copyright (c) wtrocks authors.
//
// The command table: what each Redis command means on a KvDb. Handlers run
// on the event loop thread, which is the only thread that writes through
// the server, so a read-modify-write (INCR, APPEND, SET NX, DEL's count) is
// atomic with respect to every other client of this server.
//
// A handler answers in one of two ways, through its CommandContext:
//   Reply(resp)             the reply is ready now (reads, errors);
//   batch()->Put(...), then ReplyWhenDurable(resp)
//                           the updates join the server's pending batch,
//                           which is committed with one KvDb::WriteAsync
//                           (see server.h); `resp` is sent once that
//                           commit's durable callback says OK (an error
//                           reply otherwise).
// Either way the reply takes the next place in the connection's reply order.
// A handler reads (db()) before it adds to batch(), never after: db()
// commits the pending batch first, so that the read sees every earlier
// write, and a reply must belong to the commit that holds its updates.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "engine/kv/kv_db.h"
#include "engine/kv/server/write_group.h"

namespace wtrocks::kv::server {

// SCAN cursors: a number (redis-cli parses cursors as integers) standing for
// the key to resume at. Bounded: the oldest are forgotten first, and a
// forgotten cursor is an error reply, never a silent restart.
class ScanCursors {
 public:
  static constexpr size_t kMax = 4096;
  uint64_t Save(std::string next_key);
  // False if the cursor is unknown (never issued, or forgotten).
  bool Take(uint64_t cursor, std::string* next_key);

 private:
  uint64_t next_id_ = 1;
  std::map<uint64_t, std::string> cursors_;
};

class CommandContext {
 public:
  virtual ~CommandContext() = default;
  // For reads; commits the pending batch first.
  virtual KvDb* db() = 0;
  // Point reads, as db()->Get and db()->MultiGet (so they too commit the
  // pending batch first), answered from the server's ReadCache where it
  // holds the key (read_cache.h). Every command's point reads use these.
  virtual rocksdb::Status Get(const std::string& key, std::string* value) = 0;
  virtual void MultiGet(std::span<const std::string> keys,
                        std::vector<rocksdb::PinnableSlice>* values,
                        std::vector<rocksdb::Status>* statuses) = 0;
  virtual ScanCursors* cursors() = 0;
  virtual void Reply(std::string resp) = 0;
  virtual WriteGroup* batch() = 0;
  virtual void ReplyWhenDurable(std::string resp) = 0;
  // Close the connection once the next reply has been sent (QUIT).
  virtual void CloseAfterReply() = 0;
  // The text of INFO, for the named section ("" or "all" for every one).
  virtual std::string Info(const std::string& section) = 0;
};

// Runs one request (args[0] is the command name, any case). Unknown
// commands and wrong arity get Redis's error replies.
void Dispatch(CommandContext* ctx, const std::vector<std::string>& args);

// Whether `args` is a GET that GetMany can answer (the name, any case, and
// one key).
bool IsGet(const std::vector<std::string>& args);

// Answers GET of each key, in order, as that many Dispatch calls would
// (same replies, same reply order) but with one KvDb::MultiGet. The caller
// runs nothing else between those GETs, so each sees what it would have
// seen alone.
void GetMany(CommandContext* ctx, const std::vector<std::string>& keys);

// Redis-style glob match, for SCAN MATCH: * ? [abc] [^a-z] and \x.
bool GlobMatch(std::string_view pattern, std::string_view s);

// RocksDB's integer property `name` of the database, 0 when it has none.
uint64_t IntProperty(KvDb* db, const char* name);

// The key count DBSIZE and INFO keyspace report: RocksDB's
// estimate-num-keys, exact after a compaction, while overwrites and
// deletes still in the memtable count as keys (README says so).
uint64_t EstimatedKeys(KvDb* db);

}  // namespace wtrocks::kv::server
