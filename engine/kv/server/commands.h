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

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "engine/kv/kv_db.h"
#include "engine/kv/server/write_group.h"
#include "rocksdb/iterator.h"

namespace wtrocks::kv::server {

// SCAN cursors: a number (redis-cli parses cursors as integers) standing for
// the key to resume at. Bounded: the oldest are forgotten first, and a
// forgotten cursor is an error reply, never a silent restart.
//
// A cursor also keeps the iterator that stopped at its key, so that the
// call resuming it walks on instead of making a new one. Why: over the hash
// memtable a new iterator first copies and sorts the whole memtable (about
// 170 ms for a full 16 MiB one, on the loop thread, stalling every client),
// and a `redis-cli --scan` that made one per call of COUNT 10 would have
// taken about half an hour over 112k keys. An iterator pins the memtables and
// SST files it reads and shows the database as it was when it was made, so
// only the kMaxLive most recent cursors keep theirs, for at most kMaxAge
// after it was made; FLUSHALL releases them all; and a cursor resumed a
// second time (a client repeating a call) seeks with a new one. Either way
// SCAN's guarantee holds: a key present from the first call to the last is
// returned, once.
class ScanCursors {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kMax = 4096;
  static constexpr size_t kMaxLive = 16;
  static constexpr Clock::duration kMaxAge = std::chrono::seconds(2);

  struct Walk {
    std::unique_ptr<rocksdb::Iterator> it;
    Clock::time_point made;
  };
  // The iterator to continue `cursor` with (0: a new scan), positioned at
  // the cursor's key: the one the cursor kept, if it kept one that is
  // still young enough, else a new one (counted in opened()). False if the
  // cursor is unknown (never issued, or forgotten).
  bool Resume(KvDb* db, uint64_t cursor, Walk* walk);
  // A new cursor for the key `walk.it` is at (it must be Valid()); the
  // cursor keeps the iterator.
  uint64_t Save(Walk walk);
  // Releases every iterator kept (the cursors stay valid).
  void Release();
  // Releases the iterators made longer than kMaxAge before `now`.
  void Expire(Clock::time_point now);

  size_t live() const { return live_.size(); }  // iterators kept
  uint64_t opened() const { return opened_; }   // iterators made

 private:
  struct Entry {
    std::string key;
    Walk walk;  // walk.it null once released or taken
  };
  void Release(uint64_t id);

  uint64_t next_id_ = 1;
  std::map<uint64_t, Entry> cursors_;
  std::set<uint64_t> live_;  // cursors that keep an iterator
  uint64_t opened_ = 0;
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
  // The text of INFO for the named sections, lower case (none, "all",
  // "default" or "everything": every one).
  virtual std::string Info(const std::vector<std::string>& sections) = 0;
  // The connection's number and name (CLIENT ID, CLIENT SETNAME).
  virtual uint64_t client_id() = 0;
  virtual std::string* client_name() = 0;
  // The largest value a command may build (--max-bulk): APPEND and
  // SETRANGE make no value that SET could not have been sent.
  virtual size_t max_value_bytes() = 0;
  // WAITAOF: `resp` is sent once every write the server has taken so far
  // is durable. With durable replies the connection's earlier writes are
  // answered only then and replies leave in order, so it is sent in turn;
  // with reply_before_durable it waits for the commits in flight.
  virtual void ReplyWhenAllDurable(std::string resp) = 0;
  // SHUTDOWN: nothing after it on this connection runs, and the server
  // shuts down as on SIGTERM (pending replies delivered first).
  virtual void Shutdown() = 0;
};

// Runs one request (args[0] is the command name, any case). Unknown
// commands and wrong arity get Redis's error replies.
void Dispatch(CommandContext* ctx, const std::vector<std::string>& args);

// The error reply Dispatch would give `args` without running it (unknown
// command, wrong arity), or "" if it would run it. With `in_multi`, also
// refuses the commands a transaction cannot run (those that walk the
// database: SCAN, KEYS, DBSIZE, RANDOMKEY, FLUSHALL, FLUSHDB; and those that
// act on the server, not on keys: SHUTDOWN, WAITAOF, FUNCTION): MULTI queues
// only what EXEC can run.
std::string Refusal(const std::vector<std::string>& args, bool in_multi);

// Whether `args` names the command `name` (lower case), in any case.
bool IsCommand(const std::vector<std::string>& args, std::string_view name);

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

// The key count DBSIZE and INFO keyspace report: exact (counted) for a
// database of up to kCountedKeys keys, else RocksDB's estimate-num-keys.
// The estimate alone counts overwrites and deletes still in the memtable,
// and every key a FLUSHALL's range delete removed, until compaction: it
// said 121,196 keys for an empty database after a FLUSHALL.
inline constexpr uint64_t kCountedKeys = 16384;
uint64_t KeyCount(KvDb* db);

}  // namespace wtrocks::kv::server
