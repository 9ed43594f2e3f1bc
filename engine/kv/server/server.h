// Copyright (c) wtrocks authors.
//
// Server: the event loop of `wtkv serve`. One thread runs epoll over the
// listening socket, every client connection, an eventfd and a signalfd. It
// parses requests, runs them against the KvDb (commands.h) and sends
// replies. KvDb's durable callbacks arrive on KvDb's delivery thread; they
// only queue the finished reply and poke the eventfd, and the loop thread
// puts it in its connection's slot. So connections, parsers and the
// command table are touched by the loop thread alone.
//
// Group commit: the writes of every command run in one loop round (all
// connections' pipelines read in one epoll_wait) go into one WriteBatch and
// one KvDb::WriteAsync, committed at the end of the round, or earlier when
// a command reads (so it sees every earlier write) or the batch grows past
// kMaxBatchBytes. One durable callback then releases all their replies.
//
// Durability of a reply: in the default mode a write's reply is sent only
// after its WriteAsync callback returned OK (the write is durable, see
// docs/design-kv.md); a failed commit gets an error reply. With
// reply_before_durable (`--durability=async`) the reply goes out as soon as
// RocksDB has applied the write, like Redis with appendfsync=no: a crash can
// lose acknowledged writes. It exists for comparison only.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/kv/kv_db.h"
#include "engine/kv/server/commands.h"
#include "engine/kv/server/connection.h"
#include "engine/kv/server/read_cache.h"
#include "engine/kv/server/resp.h"
#include "engine/kv/server/watches.h"
#include "engine/kv/server/write_group.h"

namespace wtrocks::kv::server {

struct ServerOptions {
  bool tcp = true;                 // false: the Unix socket only
  std::string bind = "127.0.0.1";  // loopback unless asked otherwise
  int port = 6380;                 // 0: any free port (see Server::port)
  // A Unix-domain socket to listen on as well ("" = none), as redis'
  // `unixsocket`: for clients on the same host without TCP (and for guests
  // whose kernel has no INET at all). Created with `unix_perm` before any
  // client can connect; removed on a clean shutdown.
  std::string unix_path;
  unsigned unix_perm = 0700;
  RespLimits limits;
  bool reply_before_durable = false;
  size_t max_clients = 10000;
  // The ReadCache's bound (read_cache.h), in bytes; 0: no cache. Off by
  // default: with the cache full, every write also looks its key up there,
  // which cost SETs 12-26% of their rate after a GET phase had filled it
  // (docs/results-kv.md, Run S18).
  size_t read_cache_bytes = 0;
  // SIGTERM: how long pending replies may take to reach their clients
  // before the remaining connections are dropped.
  std::chrono::milliseconds drain_timeout{10000};
  std::string wal_mode;  // shown in INFO
};

// Blocks SIGTERM and SIGINT in the calling thread and in every thread it
// creates afterwards, so that only the server's signalfd sees them. Call it
// before KvDb::Open starts threads.
void BlockShutdownSignals();

class Server {
 public:
  Server(KvDb* db, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens (TCP, the Unix socket, or both). InvalidArgument or
  // IOError naming the address and the reason otherwise. A Unix socket path
  // that exists is refused unless it is a socket nobody listens on (what a
  // killed server leaves behind), which is replaced.
  rocksdb::Status Listen();
  int port() const { return port_; }

  // Serves until SIGTERM/SIGINT (blocked by BlockShutdownSignals) or Stop().
  // Then: stops accepting and reading, delivers every pending reply (up to
  // drain_timeout), closes the connections and waits until every commit
  // the server made has been delivered, so nothing refers to the server
  // after it returns. The KvDb stays open; the caller closes it.
  rocksdb::Status Run();
  // Thread-safe; Run begins its shutdown.
  void Stop();

 private:
  class ConnContext;
  class Context;
  class TxnContext;
  struct Waiter {  // a reply waiting for the pending batch's commit
    uint64_t conn;
    uint64_t seq;
    std::string reply;
  };
  struct Barrier {  // a WAITAOF reply waiting for commits up to `commit`
    uint64_t conn;
    uint64_t seq;
    uint64_t commit;
    std::string reply;
  };
  struct Done {
    std::vector<Waiter> waiters;
    rocksdb::Status status;
    uint64_t micros;  // WriteAsync call to durable callback
  };

  rocksdb::Status ListenTcp();
  rocksdb::Status ListenUnix();
  // Unlinks the Unix socket file if it is still the one Listen created.
  void RemoveUnixSocket();
  void Accept(int listen_fd, bool tcp);
  void WatchListeners(bool on);
  void HandleEvent(uint64_t id, uint32_t events);
  void ReadFrom(Connection* c);
  // Parses and runs requests, sends what is ready, updates epoll interest;
  // closes the connection when it is finished or dead.
  void Service(Connection* c);
  void ProcessInput(Connection* c);
  // Answers the GETs ProcessInput gathered (GetMany) and empties `keys`.
  void AnswerGets(Connection* c, std::vector<std::string>* keys);
  void UpdateMask(Connection* c);
  void CloseConnection(Connection* c);
  void DrainCompletions();
  // Stops accepting and reading; connections end as their replies go out.
  void BeginShutdown(const char* why);
  // SHUTDOWN: says why on stderr, then as Stop().
  void RequestShutdown(const std::string& why);
  void Post(Done d);  // any thread
  void Wake();        // any thread: the loop runs DrainCompletions
  // `first_update`: where the request's updates begin in pending_ (a
  // refused request's are dropped from there).
  void ReplyWhenDurable(Connection* c, std::string reply, size_t first_update);
  // Sends `reply` once every commit made so far has been delivered
  // (WAITAOF; see CommandContext::ReplyWhenAllDurable); DrainCompletions
  // sends those that waited.
  void ReplyWhenAllDurable(Connection* c, std::string reply);
  // `reply`, or an error if a reply-before-durable commit ever failed.
  std::string BarrierReply(std::string reply);
  // Commits the pending batch (if any) with one WriteAsync.
  void CommitPending();
  // MULTI, EXEC, DISCARD, WATCH, UNWATCH, RESET, and any request while MULTI is
  // open (queued, or refused): true when handled here; false to run it as
  // usual.
  bool Transaction(Connection* c, std::vector<std::string>* args);
  // EXEC: runs the queued requests one after the other with nothing of
  // any other connection between them, their writes in one commit, their
  // replies in one array sent once that commit is durable.
  void Exec(Connection* c);
  // Leaves MULTI (the queue dropped) and forgets the connection's WATCHes.
  void EndTransaction(Connection* c);
  // CommandContext's point reads: the read cache, then KvDb for what it
  // does not hold. The caller first commits the pending batch (Context),
  // or answers the keys it holds itself (TxnContext): a key read here must
  // have no write waiting there, or the cache would keep its old value.
  rocksdb::Status CachedGet(const std::string& key, std::string* value);
  void CachedMultiGet(std::span<const std::string> keys,
                      std::vector<rocksdb::PinnableSlice>* values,
                      std::vector<rocksdb::Status>* statuses);
  std::string Info(const std::vector<std::string>& sections);
  uint64_t P(double q);  // time-to-durable percentile, microseconds

  KvDb* db_;
  ServerOptions options_;
  int port_ = 0;
  int epoll_fd_ = -1, listen_fd_ = -1, event_fd_ = -1, signal_fd_ = -1;
  int unix_fd_ = -1;
  // The socket file Listen made, so that shutdown never removes one that
  // another process has put there since.
  bool unix_created_ = false;
  dev_t unix_dev_ = 0;
  ino_t unix_ino_ = 0;
  uint64_t next_id_ = 16;  // 0..15: the loop's own fds
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> conns_;
  ScanCursors cursors_;
  std::vector<char> read_buf_;    // the loop's recv buffer
  ReadCache read_cache_;          // before pending_, which erases from it
  Watches watches_;               // before pending_, which touches them
  WriteGroup pending_;            // this round's writes, not yet committed
  std::vector<Waiter> waiters_;   // their replies
  std::deque<Barrier> barriers_;  // by commit, oldest first
  bool shutting_down_ = false;
  bool accept_paused_ = false;  // out of file descriptors
  std::chrono::steady_clock::time_point started_;

  std::mutex done_mu_;
  std::vector<Done> done_;       // guarded by done_mu_
  bool stop_requested_ = false;  // guarded by done_mu_

  // Loop-thread statistics, for INFO.
  uint64_t connections_received_ = 0, rejected_connections_ = 0;
  uint64_t commands_ = 0, protocol_errors_ = 0, writes_ = 0, commits_ = 0;
  uint64_t write_errors_ = 0, replies_dropped_ = 0;
  uint64_t batched_gets_ = 0;      // GETs answered in MultiGets of two or more
  std::vector<uint64_t> latency_;  // ring of the last kLatencyWindow
  size_t latency_next_ = 0;
  // Reply-before-durable commits (of commits_) delivered, and how many of
  // them failed; set by the thread delivering them.
  std::atomic<uint64_t> async_delivered_{0};
  std::atomic<uint64_t> unacked_failures_{0};
  uint64_t async_writes_refused_ = 0;  // loop thread
  // Some WAITAOF waits: delivering a commit must wake the loop.
  std::atomic<bool> barriers_waiting_{false};
};

}  // namespace wtrocks::kv::server
