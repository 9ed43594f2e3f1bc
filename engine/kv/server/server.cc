// Copyright (c) wtrocks authors.
#include "engine/kv/server/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <optional>
#include <sstream>

#include "engine/rocksdb_compat.h"

namespace wtrocks::kv::server {
namespace {

constexpr uint64_t kListenId = 1, kEventId = 2, kSignalId = 3, kUnixId = 4;
constexpr size_t kLatencyWindow = 65536;
// Backpressure: a client that pipelines faster than replies become ready
// (or than it reads them) stops being read until it catches up.
constexpr size_t kPauseSlots = 65536;
constexpr size_t kPauseUnsent = 16u << 20;
// Most GETs one MultiGet answers (ProcessInput).
constexpr size_t kGetBatch = 64;
constexpr size_t kReadChunk = 64u << 10;
constexpr int kReadsPerWakeup = 16;  // fairness between busy clients
// A bigger pending batch is committed at once: it bounds the memory a round
// holds and the latency the first write in it waits.
constexpr size_t kMaxBatchBytes = 4u << 20;
// The most a connection may queue between MULTI and EXEC (arguments'
// bytes); past it the transaction is refused, as Redis refuses a client
// whose buffers pass its limits.
constexpr size_t kMaxQueuedBytes = 64u << 20;

// Bytes as Redis' INFO shows them for people ("834.34K").
std::string HumanBytes(uint64_t n) {
  if (n < 1024) return std::to_string(n) + "B";
  const char* units = "KMGTP";
  double v = static_cast<double>(n) / 1024;
  for (; v >= 1024 && units[1] != '\0'; units++) v /= 1024;
  char buf[32];
  snprintf(buf, sizeof(buf), "%.2f%c", v, *units);
  return buf;
}

// The process' resident set, from /proc (0 if unreadable).
uint64_t ResidentBytes() {
  unsigned long long size = 0, resident = 0;
  FILE* f = fopen("/proc/self/statm", "re");
  if (f == nullptr) return 0;
  if (fscanf(f, "%llu %llu", &size, &resident) != 2) resident = 0;
  fclose(f);
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

rocksdb::Status Errno(const std::string& what) {
  return rocksdb::Status::IOError("wtkv serve: " + what, strerror(errno));
}

}  // namespace

void BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A client that vanishes must not kill the server; send() uses
  // MSG_NOSIGNAL, this covers anything else.
  signal(SIGPIPE, SIG_IGN);
}

// What every CommandContext of a connection's requests answers alike.
class Server::ConnContext : public CommandContext {
 public:
  ConnContext(Server* s, Connection* c) : s_(s), c_(c) {}
  ScanCursors* cursors() override { return &s_->cursors_; }
  WriteGroup* batch() override {
    // A handler reads before it writes, never after (commands.h), so
    // nothing commits pending_ between here and its ReplyWhenDurable.
    if (!first_update_) first_update_ = s_->pending_.size();
    return &s_->pending_;
  }
  std::string Info(const std::vector<std::string>& sections) override {
    return s_->Info(sections);
  }
  uint64_t client_id() override { return c_->id(); }
  std::string* client_name() override { return &c_->name; }
  size_t max_value_bytes() override { return s_->options_.limits.max_bulk; }

 protected:
  Server* s_;
  Connection* c_;
  std::optional<size_t> first_update_;  // set by the first batch()
};

// The CommandContext of one request on one connection.
class Server::Context : public ConnContext {
 public:
  using ConnContext::ConnContext;
  KvDb* db() override {
    s_->CommitPending();  // the read must see every earlier write
    return s_->db_;
  }
  rocksdb::Status Get(const std::string& key, std::string* value) override {
    s_->CommitPending();
    return s_->CachedGet(key, value);
  }
  void MultiGet(std::span<const std::string> keys,
                std::vector<rocksdb::PinnableSlice>* values,
                std::vector<rocksdb::Status>* statuses) override {
    s_->CommitPending();
    s_->CachedMultiGet(keys, values, statuses);
  }
  void Reply(std::string resp) override {
    c_->Fill(c_->NewSlot(), std::move(resp), close_next_);
  }
  void ReplyWhenDurable(std::string resp) override {
    s_->ReplyWhenDurable(c_, std::move(resp),
                         first_update_.value_or(s_->pending_.size()));
  }
  void ReplyWhenAllDurable(std::string resp) override {
    s_->ReplyWhenAllDurable(c_, std::move(resp));
  }
  void CloseAfterReply() override { close_next_ = true; }
  void Shutdown() override {
    shutdown_ = true;
    s_->RequestShutdown("SHUTDOWN from client " + std::to_string(c_->id()));
  }
  // QUIT or SHUTDOWN: nothing after this request runs.
  bool ends_input() const { return close_next_ || shutdown_; }

 private:
  bool close_next_ = false;
  bool shutdown_ = false;
};

// The CommandContext of the requests EXEC runs. Their replies are gathered
// into EXEC's one array reply. Their reads must not commit the pending
// batch, which holds the transaction's own writes (committing part of them
// would let a crash keep half a transaction): EXEC commits every earlier
// write first, so the pending batch holds only the transaction's, and a
// point read answers a key the transaction wrote from there, and any other
// from the cache or RocksDB, which hold everything else. Commands that
// walk the database are refused at MULTI time (Refusal), so db() is never
// asked for here.
class Server::TxnContext : public ConnContext {
 public:
  using ConnContext::ConnContext;
  KvDb* db() override { return s_->db_; }
  rocksdb::Status Get(const std::string& key, std::string* value) override {
    bool deleted = false;
    if (s_->pending_.Latest(key, value, &deleted)) {
      return deleted ? rocksdb::Status::NotFound() : rocksdb::Status::OK();
    }
    return s_->CachedGet(key, value);
  }
  void MultiGet(std::span<const std::string> keys,
                std::vector<rocksdb::PinnableSlice>* values,
                std::vector<rocksdb::Status>* statuses) override {
    values->clear();
    values->resize(keys.size());
    statuses->assign(keys.size(), rocksdb::Status::OK());
    std::vector<std::string> rest;
    std::vector<size_t> rest_at;
    for (size_t i = 0; i < keys.size(); i++) {
      std::string v;
      bool deleted = false;
      if (!s_->pending_.Latest(keys[i], &v, &deleted)) {
        rest.push_back(keys[i]);
        rest_at.push_back(i);
      } else if (deleted) {
        (*statuses)[i] = rocksdb::Status::NotFound();
      } else {
        (*values)[i].PinSelf(v);
      }
    }
    if (rest.empty()) return;
    std::vector<rocksdb::PinnableSlice> rv;
    std::vector<rocksdb::Status> rs;
    s_->CachedMultiGet(rest, &rv, &rs);
    for (size_t j = 0; j < rest.size(); j++) {
      (*statuses)[rest_at[j]] = rs[j];
      (*values)[rest_at[j]] = std::move(rv[j]);
    }
  }
  void Reply(std::string resp) override { replies_ += resp; }
  void ReplyWhenDurable(std::string resp) override {
    replies_ += resp;
    wrote_ = true;
  }
  // QUIT, SHUTDOWN and WAITAOF are never queued (Refusal).
  void ReplyWhenAllDurable(std::string resp) override { Reply(resp); }
  void CloseAfterReply() override {}
  void Shutdown() override {}

  const std::string& replies() const { return replies_; }
  bool wrote() const { return wrote_; }

 private:
  std::string replies_;  // each request's reply, in order
  bool wrote_ = false;   // some request's reply waits for durability
};

bool Server::Transaction(Connection* c, std::vector<std::string>* args) {
  auto reply = [c](std::string r) { c->Fill(c->NewSlot(), std::move(r)); };
  auto error = [](std::string_view m) {
    std::string r;
    AppendError(&r, m);
    return r;
  };
  if (IsCommand(*args, "multi")) {
    if (args->size() != 1) {
      reply(error("ERR wrong number of arguments for 'multi' command"));
    } else if (c->in_multi) {
      reply(error("ERR MULTI calls can not be nested"));
    } else {
      c->in_multi = true;
      reply("+OK\r\n");
    }
    return true;
  }
  if (IsCommand(*args, "reset")) {
    // RESET (Redis 6.2): the connection as if new, whatever it was doing;
    // inside MULTI too, whose queue it drops.
    if (args->size() != 1) {
      reply(error("ERR wrong number of arguments for 'reset' command"));
    } else {
      EndTransaction(c);
      c->name.clear();
      reply("+RESET\r\n");
    }
    return true;
  }
  if (IsCommand(*args, "watch")) {
    if (args->size() < 2) {
      reply(error("ERR wrong number of arguments for 'watch' command"));
    } else if (c->in_multi) {
      reply(error("ERR WATCH inside MULTI is not allowed"));
    } else {
      for (size_t i = 1; i < args->size(); i++) {
        watches_.Watch(c->id(), (*args)[i]);
      }
      reply("+OK\r\n");
    }
    return true;
  }
  if (IsCommand(*args, "unwatch") && !c->in_multi) {
    if (args->size() != 1) {
      reply(error("ERR wrong number of arguments for 'unwatch' command"));
    } else {
      watches_.Unwatch(c->id());
      reply("+OK\r\n");
    }
    return true;
  }
  const bool exec = IsCommand(*args, "exec");
  if (exec || IsCommand(*args, "discard")) {
    if (args->size() != 1 && exec) {
      // Redis' answer to a malformed EXEC, in MULTI or not, and it ends
      // the transaction.
      EndTransaction(c);
      reply(
          error("EXECABORT Transaction discarded because of: wrong number "
                "of arguments for 'exec' command"));
    } else if (args->size() != 1) {
      reply(error("ERR wrong number of arguments for 'discard' command"));
    } else if (!c->in_multi) {
      reply(
          error(exec ? "ERR EXEC without MULTI" : "ERR DISCARD without MULTI"));
    } else if (!exec) {
      EndTransaction(c);
      reply("+OK\r\n");
    } else if (c->multi_failed) {
      EndTransaction(c);
      reply(
          error("EXECABORT Transaction discarded because of previous errors."));
    } else if (watches_.Touched(c->id())) {
      EndTransaction(c);
      reply("*-1\r\n");  // a watched key was written: nothing runs
    } else {
      Exec(c);
    }
    return true;
  }
  if (!c->in_multi || IsCommand(*args, "quit")) return false;
  std::string refused = Refusal(*args, /*in_multi=*/true);
  size_t bytes = 0;
  for (const std::string& a : *args) bytes += a.size();
  if (refused.empty() && c->queued_bytes + bytes > kMaxQueuedBytes) {
    refused = error("ERR wtkv: transaction too large (over " +
                    std::to_string(kMaxQueuedBytes >> 20) +
                    " MiB queued); discarded at EXEC");
  }
  if (!refused.empty()) {
    c->multi_failed = true;
    reply(std::move(refused));
    return true;
  }
  c->queued_bytes += bytes;
  c->queued.push_back(std::move(*args));
  reply("+QUEUED\r\n");
  return true;
}

void Server::EndTransaction(Connection* c) {
  watches_.Unwatch(c->id());
  c->in_multi = false;
  c->multi_failed = false;
  c->queued.clear();
  c->queued_bytes = 0;
}

void Server::Exec(Connection* c) {
  std::vector<std::vector<std::string>> queued = std::move(c->queued);
  EndTransaction(c);
  // Every earlier write out of the pending batch: the transaction's reads
  // see them in RocksDB, and the batch holds only its own writes.
  CommitPending();
  TxnContext ctx(this, c);
  // (Each was counted in commands_ when it was queued.)
  for (const std::vector<std::string>& args : queued) Dispatch(&ctx, args);
  std::string r;
  AppendArrayHeader(&r, queued.size());
  r += ctx.replies();
  // One reply for the whole transaction; its writes are in the pending
  // batch, committed together (nothing in the loop commits between here
  // and the end of the round but another reader, after all of them).
  if (ctx.wrote()) {
    // pending_ held nothing when the transaction began (CommitPending).
    ReplyWhenDurable(c, std::move(r), 0);
  } else {
    c->Fill(c->NewSlot(), std::move(r));
  }
}

Server::Server(KvDb* db, ServerOptions options)
    : db_(db),
      options_(std::move(options)),
      read_buf_(kReadChunk),
      read_cache_(options_.read_cache_bytes),
      pending_(&read_cache_, &watches_) {
  latency_.reserve(kLatencyWindow);
}

Server::~Server() {
  conns_.clear();
  RemoveUnixSocket();
  for (int fd : {listen_fd_, unix_fd_, event_fd_, signal_fd_, epoll_fd_}) {
    if (fd >= 0) close(fd);
  }
}

rocksdb::Status Server::Listen() {
  if (!options_.tcp && options_.unix_path.empty()) {
    return rocksdb::Status::InvalidArgument(
        "wtkv serve: nothing to listen on (no TCP port, no Unix socket)");
  }
  rocksdb::Status s;
  if (options_.tcp) s = ListenTcp();
  if (s.ok() && !options_.unix_path.empty()) s = ListenUnix();
  if (!s.ok()) return s;

  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return Errno("epoll_create1");
  event_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (event_fd_ < 0) return Errno("eventfd");
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  signal_fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd_ < 0) return Errno("signalfd");
  for (auto [fd, id] : {std::pair{listen_fd_, kListenId},
                        {unix_fd_, kUnixId},
                        {event_fd_, kEventId},
                        {signal_fd_, kSignalId}}) {
    if (fd < 0) continue;  // a listener not asked for
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = id;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      return Errno("epoll_ctl");
    }
  }
  started_ = std::chrono::steady_clock::now();
  return rocksdb::Status::OK();
}

rocksdb::Status Server::ListenTcp() {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(options_.port));
  if (inet_pton(AF_INET, options_.bind.c_str(), &addr.sin_addr) != 1) {
    return rocksdb::Status::InvalidArgument(
        "wtkv serve: --bind must be an IPv4 address, got '" + options_.bind +
        "'");
  }
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return Errno("socket");
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  std::string where = options_.bind + ":" + std::to_string(options_.port);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return Errno("cannot bind " + where);
  }
  if (listen(listen_fd_, 4096) != 0) return Errno("cannot listen on " + where);
  socklen_t len = sizeof(addr);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  return rocksdb::Status::OK();
}

rocksdb::Status Server::ListenUnix() {
  const std::string& path = options_.unix_path;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  // sun_path holds the path and its terminating NUL; the kernel would
  // refuse a longer one with a bare EINVAL.
  if (path.size() >= sizeof(addr.sun_path)) {
    return rocksdb::Status::InvalidArgument(
        "wtkv serve: --unix path is " + std::to_string(path.size()) +
            " bytes, a Unix socket path may have at most " +
            std::to_string(sizeof(addr.sun_path) - 1) +
            " (sun_path); use a shorter one",
        path);
  }
  if (options_.unix_perm > 0777) {
    return rocksdb::Status::InvalidArgument(
        "wtkv serve: Unix socket permissions must be at most 0777");
  }
  memcpy(addr.sun_path, path.data(), path.size());
  const auto* sa = reinterpret_cast<const sockaddr*>(&addr);
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return rocksdb::Status::InvalidArgument(
          "wtkv serve: --unix " + path +
          " exists and is not a socket; refusing to replace it");
    }
    // A socket file: a running server's, or one a killed server left
    // behind. Only the second may be replaced. Non-blocking, so a full
    // backlog answers EAGAIN instead of blocking: someone listens.
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (probe < 0) return Errno("socket(AF_UNIX)");
    int r = connect(probe, sa, sizeof(addr));
    int err = errno;
    close(probe);
    if (r == 0 || err == EAGAIN) {
      return rocksdb::Status::IOError(
          "wtkv serve: another server is listening on Unix socket " + path);
    }
    if (err != ECONNREFUSED) {
      return rocksdb::Status::IOError(
          "wtkv serve: cannot tell whether Unix socket " + path +
              " is in use (connect)",
          strerror(err));
    }
    if (unlink(path.c_str()) != 0) {
      return Errno("cannot remove the stale Unix socket " + path);
    }
  } else if (errno != ENOENT) {
    return Errno("cannot stat --unix " + path);
  }
  unix_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (unix_fd_ < 0) return Errno("socket(AF_UNIX)");
  if (bind(unix_fd_, sa, sizeof(addr)) != 0) {
    return Errno("cannot bind Unix socket " + path);
  }
  if (lstat(path.c_str(), &st) != 0) return Errno("stat " + path);
  unix_created_ = true;
  unix_dev_ = st.st_dev;
  unix_ino_ = st.st_ino;
  // Before listen(): until then every connect is refused, so no client
  // gets in under the umask's permissions.
  if (chmod(path.c_str(), options_.unix_perm) != 0) {
    return Errno("chmod Unix socket " + path);
  }
  if (listen(unix_fd_, 4096) != 0) {
    return Errno("cannot listen on Unix socket " + path);
  }
  return rocksdb::Status::OK();
}

void Server::RemoveUnixSocket() {
  if (!unix_created_) return;
  unix_created_ = false;
  struct stat st;
  const char* path = options_.unix_path.c_str();
  if (lstat(path, &st) == 0 && st.st_dev == unix_dev_ &&
      st.st_ino == unix_ino_) {
    unlink(path);
  }
}

void Server::WatchListeners(bool on) {
  for (auto [fd, id] :
       {std::pair{listen_fd_, kListenId}, {unix_fd_, kUnixId}}) {
    if (fd < 0) continue;
    if (on) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = id;
      epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    } else {
      epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    }
  }
}

void Server::Stop() {
  {
    std::lock_guard<std::mutex> lock(done_mu_);
    stop_requested_ = true;
  }
  Wake();
}

void Server::Wake() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(event_fd_, &one, sizeof(one));
}

void Server::Post(Done d) {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(done_mu_);
    wake = done_.empty();
    done_.push_back(std::move(d));
  }
  // One wakeup per batch of completions: the loop takes them all at once.
  if (wake) Wake();
}

void Server::ReplyWhenDurable(Connection* c, std::string reply,
                              size_t first_update) {
  uint64_t seq = c->NewSlot();
  writes_++;
  if (options_.reply_before_durable) {
    if (const uint64_t failed = unacked_failures_.load(); failed > 0) {
      // The database takes no more writes once a commit failed (wtrocks
      // never retries a failed WAL write): an +OK now would acknowledge a
      // write never applied, not even in memory. Refused, as Redis refuses
      // writes once its AOF fails, and kept out of the database.
      pending_.Truncate(first_update);
      async_writes_refused_++;
      std::string e;
      AppendError(&e, "MISCONF wtkv: " + std::to_string(failed) +
                          " commit(s) answered before they were durable "
                          "failed to become durable; writes are refused "
                          "until the server is restarted (reads still work)");
      return c->Fill(seq, std::move(e));
    }
    c->Fill(seq, std::move(reply));
  } else {
    waiters_.push_back(Waiter{c->id(), seq, std::move(reply)});
  }
  if (pending_.bytes() >= kMaxBatchBytes) CommitPending();
}

void Server::ReplyWhenAllDurable(Connection* c, std::string reply) {
  uint64_t seq = c->NewSlot();
  if (!options_.reply_before_durable) {
    // The connection's earlier writes are answered only once durable, and
    // this reply leaves after theirs.
    return c->Fill(seq, std::move(reply));
  }
  CommitPending();
  if (async_delivered_.load() >= commits_) {
    return c->Fill(seq, BarrierReply(std::move(reply)));
  }
  barriers_.push_back(Barrier{c->id(), seq, commits_, std::move(reply)});
  // Flag, then look again (both sequentially consistent): either the
  // commit's callback sees the flag and wakes the loop, or this sees it
  // delivered and wakes the loop itself.
  barriers_waiting_.store(true);
  if (async_delivered_.load() >= commits_) Wake();
}

std::string Server::BarrierReply(std::string reply) {
  const uint64_t failed = unacked_failures_.load();
  if (failed == 0) return reply;
  std::string e;
  AppendError(&e, "ERR wtkv: " + std::to_string(failed) +
                      " commit(s) answered before they were durable failed "
                      "to become durable");
  return e;
}

void Server::RequestShutdown(const std::string& why) {
  fprintf(stderr, "wtkv serve: %s\n", why.c_str());
  Stop();
}

void Server::CommitPending() {
  if (pending_.empty()) {
    // Every write command adds an update before its reply (commands.h).
    assert(waiters_.empty());
    return;
  }
  commits_++;
  rocksdb::WriteBatch batch;
  pending_.Build(&batch);
  pending_.Clear();
  if (options_.reply_before_durable) {
    // Counted, not handed to the loop: waking it per commit cost this mode
    // about a tenth of its SET rate. Only a WAITAOF waiting needs a wake.
    db_->WriteAsync(&batch, [this](const rocksdb::Status& s) {
      if (!s.ok()) unacked_failures_.fetch_add(1);
      async_delivered_.fetch_add(1);
      if (barriers_waiting_.load()) Wake();
    });
  } else {
    auto start = std::chrono::steady_clock::now();
    db_->WriteAsync(&batch, [this, w = std::move(waiters_),
                             start](const rocksdb::Status& s) mutable {
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - start)
                    .count();
      Post(Done{std::move(w), s, static_cast<uint64_t>(us)});
    });
  }
  waiters_.clear();
}

rocksdb::Status Server::CachedGet(const std::string& key, std::string* value) {
  bool present;
  std::string_view cached;
  if (read_cache_.Find(key, &present, &cached)) {
    if (!present) return rocksdb::Status::NotFound();
    value->assign(cached);
    return rocksdb::Status::OK();
  }
  rocksdb::Status s = db_->Get(key, value);
  // A read error says nothing about the key; it is not remembered.
  if (s.ok() || s.IsNotFound()) read_cache_.Insert(key, s.ok(), *value);
  return s;
}

void Server::CachedMultiGet(std::span<const std::string> keys,
                            std::vector<rocksdb::PinnableSlice>* values,
                            std::vector<rocksdb::Status>* statuses) {
  values->clear();
  statuses->clear();
  std::vector<size_t> missed;
  std::vector<rocksdb::Slice> missed_keys;
  for (size_t i = 0; i < keys.size(); i++) {
    bool present;
    std::string_view cached;
    if (!read_cache_.Find(keys[i], &present, &cached)) {
      missed.push_back(i);
      missed_keys.emplace_back(keys[i]);
      continue;
    }
    if (values->empty()) {
      values->resize(keys.size());
      statuses->assign(keys.size(), rocksdb::Status::OK());
    }
    if (present) {
      // A copy: a later Insert in this call may evict the entry.
      (*values)[i].PinSelf(rocksdb::Slice(cached.data(), cached.size()));
    } else {
      (*statuses)[i] = rocksdb::Status::NotFound();
    }
  }
  if (missed.empty()) return;
  // When nothing was cached (always, with the cache off), RocksDB answers
  // straight into the caller's vectors, as it would without a cache.
  const bool all_missed = missed.size() == keys.size();
  std::vector<rocksdb::PinnableSlice> found;
  std::vector<rocksdb::Status> found_status;
  std::vector<rocksdb::PinnableSlice>* fv = all_missed ? values : &found;
  std::vector<rocksdb::Status>* fs = all_missed ? statuses : &found_status;
  db_->MultiGet(missed_keys, fv, fs);
  for (size_t j = 0; j < missed.size(); j++) {
    const rocksdb::Status& s = (*fs)[j];
    if (s.ok() || s.IsNotFound()) {
      read_cache_.Insert(keys[missed[j]], s.ok(), (*fv)[j].ToStringView());
    }
    if (!all_missed) {
      (*statuses)[missed[j]] = s;
      (*values)[missed[j]] = std::move((*fv)[j]);
    }
  }
}

void Server::DrainCompletions() {
  uint64_t v;
  [[maybe_unused]] ssize_t n = read(event_fd_, &v, sizeof(v));
  std::vector<Done> done;
  bool stop;
  {
    std::lock_guard<std::mutex> lock(done_mu_);
    done.swap(done_);
    stop = stop_requested_;
  }
  std::vector<Connection*> touched;
  for (Done& d : done) {
    if (latency_.size() < kLatencyWindow) {
      latency_.push_back(d.micros);
    } else {
      latency_[latency_next_] = d.micros;
    }
    latency_next_ = (latency_next_ + 1) % kLatencyWindow;
    std::string error;
    if (!d.status.ok()) {
      write_errors_ += d.waiters.size();
      AppendError(&error,
                  "ERR wtkv: write is not durable: " + d.status.ToString());
    }
    for (Waiter& w : d.waiters) {
      auto it = conns_.find(w.conn);
      if (it == conns_.end()) {
        // The client left before its reply; the write itself stands.
        replies_dropped_++;
        continue;
      }
      it->second->Fill(w.seq, d.status.ok() ? std::move(w.reply) : error);
      if (touched.empty() || touched.back() != it->second.get()) {
        touched.push_back(it->second.get());
      }
    }
  }
  // Delivery order is commit order (kv_db.h): commit N delivered means
  // every earlier one was.
  const uint64_t delivered = async_delivered_.load();
  while (!barriers_.empty() && barriers_.front().commit <= delivered) {
    Barrier& b = barriers_.front();
    auto it = conns_.find(b.conn);
    if (it == conns_.end()) {
      replies_dropped_++;
    } else {
      it->second->Fill(b.seq, BarrierReply(std::move(b.reply)));
      touched.push_back(it->second.get());
    }
    barriers_.pop_front();
  }
  // Only the loop adds barriers, so none can appear between the test and
  // the store.
  if (barriers_.empty()) barriers_waiting_.store(false);
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (Connection* c : touched) Service(c);
  if (stop && !shutting_down_) BeginShutdown("stop requested");
}

void Server::Accept(int listen_fd, bool tcp) {
  for (;;) {
    int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        // EMFILE and friends: the connection waits in the backlog. Stop
        // watching the (level-triggered) listeners until a connection
        // closes, or the loop would spin on them.
        fprintf(stderr,
                "wtkv serve: accept: %s; not accepting until a connection "
                "closes\n",
                strerror(errno));
        WatchListeners(false);
        accept_paused_ = true;
      }
      return;
    }
    connections_received_++;
    if (conns_.size() >= options_.max_clients) {
      rejected_connections_++;
      static const char kFull[] = "-ERR max number of clients reached\r\n";
      [[maybe_unused]] ssize_t n =
          send(fd, kFull, sizeof(kFull) - 1, MSG_NOSIGNAL);
      close(fd);
      continue;
    }
    if (tcp) {
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    uint64_t id = next_id_++;
    auto c = std::make_unique<Connection>(fd, id, options_.limits);
    Connection* raw = c.get();
    conns_.emplace(id, std::move(c));
    UpdateMask(raw);
  }
}

void Server::UpdateMask(Connection* c) {
  uint32_t want = 0;
  if (!c->stop_reading && !c->paused) want |= EPOLLIN | EPOLLRDHUP;
  if (c->unsent() > 0) want |= EPOLLOUT;
  if (want == c->epoll_mask && want != 0) return;
  epoll_event ev{};
  ev.events = want;
  ev.data.u64 = c->id();
  int op = c->epoll_mask == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
  if (c->epoll_mask == 0 && want == 0) return;
  if (want == 0) {
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c->fd(), nullptr);
  } else {
    epoll_ctl(epoll_fd_, op, c->fd(), &ev);
  }
  c->epoll_mask = want;
}

void Server::CloseConnection(Connection* c) {
  watches_.Unwatch(c->id());
  if (c->epoll_mask != 0) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c->fd(), nullptr);
  conns_.erase(c->id());  // closes the socket
  if (accept_paused_ && !shutting_down_) {
    WatchListeners(true);
    accept_paused_ = false;
  }
}

void Server::ReadFrom(Connection* c) {
  for (int i = 0; i < kReadsPerWakeup; i++) {
    // Into a fixed buffer, then append what came: growing the input string
    // by a whole chunk first would zero 64 KiB per read.
    ssize_t n = recv(c->fd(), read_buf_.data(), read_buf_.size(), 0);
    if (n > 0) {
      c->in().append(read_buf_.data(), static_cast<size_t>(n));
      if (static_cast<size_t>(n) < read_buf_.size()) return;
      continue;
    }
    if (n == 0) {
      // The client will send nothing more; it may still read replies.
      c->stop_reading = true;
      return;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      c->stop_reading = true;
      c->in().clear();
    }
    return;
  }
}

void Server::AnswerGets(Connection* c, std::vector<std::string>* keys) {
  if (keys->empty()) return;
  if (keys->size() > 1) batched_gets_ += keys->size();
  Context ctx(this, c);
  GetMany(&ctx, *keys);
  keys->clear();
}

void Server::ProcessInput(Connection* c) {
  std::string& in = c->in();
  size_t off = 0;
  std::vector<std::string> args;
  // A pipeline's consecutive GETs are answered together, with one
  // MultiGet: a point lookup's setup in RocksDB is much of its cost. No
  // other request of any connection runs between them (the batch is
  // answered before the next request is dispatched and before this call
  // returns), so each GET sees what it would have seen on its own.
  std::vector<std::string> gets;
  while (!c->paused && !shutting_down_) {
    size_t used = 0;
    RespParser::Result r =
        c->parser().Parse(std::string_view(in).substr(off), &used, &args);
    off += used;
    if (r == RespParser::Result::kNeedMore) break;
    if (r != RespParser::Result::kError && !c->in_multi && IsGet(args)) {
      commands_++;
      gets.push_back(std::move(args[1]));
      if (gets.size() >= kGetBatch) AnswerGets(c, &gets);
    } else {
      AnswerGets(c, &gets);  // their replies come before this request's
      if (r == RespParser::Result::kError) {
        // As Redis does: say what was wrong, then close; the byte stream
        // can no longer be split into requests.
        protocol_errors_++;
        std::string e;
        AppendError(&e, "ERR " + c->parser().error());
        c->Fill(c->NewSlot(), std::move(e), /*close_after=*/true);
        c->stop_reading = true;
        off = in.size();
        break;
      }
      commands_++;
      if (!Transaction(c, &args)) {
        Context ctx(this, c);
        Dispatch(&ctx, args);
        if (ctx.ends_input()) {  // QUIT, SHUTDOWN: nothing after it runs
          c->stop_reading = true;
          off = in.size();
          break;
        }
      }
    }
    // Gathered GETs count as replies waiting.
    if (c->pending_slots() + gets.size() >= kPauseSlots ||
        c->unsent() >= kPauseUnsent) {
      AnswerGets(c, &gets);
      c->paused = true;
    }
  }
  AnswerGets(c, &gets);
  in.erase(0, off);
  if (c->stop_reading && c->parser().error().empty() && !c->paused) {
    // EOF in the middle of a request: nothing more will complete it.
    in.clear();
  }
}

void Server::Service(Connection* c) {
  for (;;) {
    ProcessInput(c);
    if (!c->Flush()) return CloseConnection(c);
    if (c->Finished()) return CloseConnection(c);
    if (c->paused && c->pending_slots() < kPauseSlots / 2 &&
        c->unsent() < kPauseUnsent / 2) {
      c->paused = false;
      if (!c->in().empty()) continue;  // requests read before the pause
    }
    break;
  }
  UpdateMask(c);
}

void Server::HandleEvent(uint64_t id, uint32_t events) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Connection* c = it->second.get();
  if (events & EPOLLERR) return CloseConnection(c);
  if ((events & (EPOLLIN | EPOLLRDHUP)) && !c->stop_reading && !c->paused &&
      !shutting_down_) {
    ReadFrom(c);
  }
  if (events & EPOLLHUP) {
    // Both directions are gone (reset, or closed both ways): no reply can
    // reach the client. Its writes still commit; their replies are dropped.
    return CloseConnection(c);
  }
  Service(c);
}

void Server::BeginShutdown(const char* why) {
  fprintf(stderr,
          "wtkv serve: shutting down (%s): %zu connection(s), replies "
          "pending are delivered first\n",
          why, conns_.size());
  shutting_down_ = true;
  if (!accept_paused_) WatchListeners(false);
  for (int* fd : {&listen_fd_, &unix_fd_}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
  // New clients now fail to connect at once instead of waiting on a socket
  // file nobody will accept on.
  RemoveUnixSocket();
  std::vector<Connection*> all;
  for (auto& [id, c] : conns_) all.push_back(c.get());
  for (Connection* c : all) {
    // Requests already parsed keep their place; unread input is dropped.
    c->stop_reading = true;
    c->in().clear();
    Service(c);
  }
}

rocksdb::Status Server::Run() {
  std::vector<epoll_event> events(1024);
  std::chrono::steady_clock::time_point deadline{};
  for (;;) {
    // The end of a round: commit what its commands wrote, as one commit.
    CommitPending();
    int timeout = -1;
    if (cursors_.live() > 0) {
      // Kept SCAN iterators pin memtables and SST files: release the old
      // ones even when no SCAN comes to do it.
      cursors_.Expire(std::chrono::steady_clock::now());
      if (cursors_.live() > 0) {
        timeout = static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(
                ScanCursors::kMaxAge / 2)
                .count());
      }
    }
    if (shutting_down_) {
      if (conns_.empty()) break;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      timeout = static_cast<int>(left.count()) + 1;
    }
    int n = epoll_wait(epoll_fd_, events.data(),
                       static_cast<int>(events.size()), timeout);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("epoll_wait");
    }
    for (int i = 0; i < n; i++) {
      uint64_t id = events[i].data.u64;
      if (id == kListenId || id == kUnixId) {
        if (!shutting_down_) {
          Accept(id == kListenId ? listen_fd_ : unix_fd_, id == kListenId);
        }
      } else if (id == kEventId) {
        DrainCompletions();
      } else if (id == kSignalId) {
        signalfd_siginfo si;
        while (read(signal_fd_, &si, sizeof(si)) == sizeof(si)) {
        }
        if (!shutting_down_) BeginShutdown("signal");
      } else {
        HandleEvent(id, events[i].events);
      }
      if (shutting_down_ &&
          deadline == std::chrono::steady_clock::time_point{}) {
        deadline = std::chrono::steady_clock::now() + options_.drain_timeout;
      }
    }
  }
  CommitPending();
  cursors_.Release();  // before the database can close
  size_t dropped = conns_.size();
  conns_.clear();
  // Commits of clients that left are still in flight; their callbacks refer
  // to this server, so wait for every one before returning.
  rocksdb::Status s = db_->WaitForCommits();
  if (dropped > 0) {
    fprintf(stderr,
            "wtkv serve: %zu connection(s) still had replies pending after "
            "%lld ms; closed them\n",
            dropped, static_cast<long long>(options_.drain_timeout.count()));
  }
  return s;
}

uint64_t Server::P(double q) {
  if (latency_.empty()) return 0;
  std::vector<uint64_t> v = latency_;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(q * v.size()));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

std::string Server::Info(const std::vector<std::string>& sections) {
  bool all = sections.empty();
  for (const std::string& s : sections) {
    all |= s == "all" || s == "everything" || s == "default";
  }
  auto want = [&](const char* name) {
    return all ||
           std::find(sections.begin(), sections.end(), name) != sections.end();
  };
  std::ostringstream o;
  // Besides wtkv's own fields, the Redis fields that clients and tools
  // read (redis-cli --stat, client libraries checking redis_version),
  // each true of wtkv: no blocking commands, no loading once serving, no
  // RDB or AOF child ever.
  if (want("server")) {
    utsname u{};
    uname(&u);
    const int64_t up = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::steady_clock::now() - started_)
                           .count();
    // redis_version: the Redis release whose replies wtkv's follow (as
    // HELLO says). rocksdb_memtable: what RocksDB runs, for users
    // comparing setups.
    o << "# Server\r\n"
      << "redis_version:7.0.0\r\n"
      << "server_name:wtkv\r\n"
      << "redis_mode:standalone\r\n"
      << "os:" << u.sysname << " " << u.release << " " << u.machine << "\r\n"
      << "arch_bits:" << sizeof(void*) * 8 << "\r\n"
      << "multiplexing_api:epoll\r\n"
      << "process_id:" << getpid() << "\r\n"
      << "tcp_port:" << port_ << "\r\n"
      << "rocksdb_memtable:" << db_->db()->GetOptions().memtable_factory->Name()
      << "\r\n"
      << "uptime_in_seconds:" << up << "\r\n"
      << "uptime_in_days:" << up / 86400 << "\r\n\r\n";
  }
  if (want("clients")) {
    o << "# Clients\r\nconnected_clients:" << conns_.size() << "\r\n"
      << "blocked_clients:0\r\n\r\n";
  }
  if (want("memory")) {
    // used_memory: what RocksDB and the server hold for data (memtables,
    // SST readers, block cache, the read cache), not every allocation
    // as Redis counts its own; used_memory_rss is the whole process.
    const uint64_t used =
        IntProperty(db_, "rocksdb.cur-size-all-mem-tables") +
        IntProperty(db_, "rocksdb.estimate-table-readers-mem") +
        IntProperty(db_, "rocksdb.block-cache-usage") + read_cache_.bytes();
    const uint64_t rss = ResidentBytes();
    o << "# Memory\r\n"
      << "used_memory:" << used << "\r\n"
      << "used_memory_human:" << HumanBytes(used) << "\r\n"
      << "used_memory_rss:" << rss << "\r\n"
      << "used_memory_rss_human:" << HumanBytes(rss) << "\r\n"
      << "maxmemory:0\r\n"
      << "maxmemory_human:0B\r\n"
      << "maxmemory_policy:noeviction\r\n\r\n";
  }
  if (want("persistence")) {
    CommitQueueStats q = db_->commit_stats();
    // Engine counters from its stats line ("wtrocks-stats k=v ...").
    // wal_dir_syncs: the engine makes each new WAL's directory entry durable
    // once (engine/README.md).
    std::string fsync_calls = "0", fsync_avoided = "0", dir_syncs = "0",
                recycled = "0", in_place = "0";
    std::istringstream line(db_->fs()->StatsLine());
    for (std::string kv; line >> kv;) {
      if (kv.rfind("fsync_calls=", 0) == 0) fsync_calls = kv.substr(12);
      if (kv.rfind("fsync_avoided=", 0) == 0) fsync_avoided = kv.substr(14);
      if (kv.rfind("wal_dir_syncs=", 0) == 0) dir_syncs = kv.substr(14);
      if (kv.rfind("wal_reused=", 0) == 0) recycled = kv.substr(11);
      if (kv.rfind("wal_in_place_syncs=", 0) == 0) in_place = kv.substr(19);
    }
    // What RocksDB kept after sanitizing (it drops recycling silently in
    // some recovery modes), not what was asked for.
    const rocksdb::DBOptions dbo = db_->db()->GetDBOptions();
    o << "# Persistence\r\n"
      << "loading:0\r\n"
      << "rdb_bgsave_in_progress:0\r\n"
      << "aof_rewrite_in_progress:0\r\n"
      << "durability:"
      << (options_.reply_before_durable
              ? "async (replies are sent BEFORE writes are durable)"
              : "durable (a write's reply is sent once it is durable)")
      << "\r\n"
      << "wal_mode:" << options_.wal_mode << "\r\n"
      << "durable_commits:" << q.delivered_ok << "\r\n"
      << "failed_commits:" << q.delivered_failed << "\r\n"
      << "commits_in_flight:" << q.in_flight << "\r\n"
      << "wal_recycle_log_file_num:" << dbo.recycle_log_file_num << "\r\n"
      << "wal_recovery_mode:"
      << engine::compat::WalRecoveryModeName(dbo.wal_recovery_mode) << "\r\n"
      << "wal_files_recycled:" << recycled << "\r\n"
      << "wal_dir_syncs:" << dir_syncs << "\r\n"
      << "fsync_calls:" << fsync_calls
      << "\r\n"
      // Of those, wal/'s datasyncs of WAL ranges already in the page cache
      // (engine URI inplace=on): asynchronous, on io_uring.
      << "wal_in_place_syncs:" << in_place << "\r\n"
      << "fsync_calls_avoided:" << fsync_avoided
      << "\r\n"
      // RocksDB's background work, as Redis reports an AOF rewrite: a
      // benchmark waits for it to finish before it times anything.
      << "rocksdb_flush_pending:"
      << IntProperty(db_, "rocksdb.mem-table-flush-pending") << "\r\n"
      << "rocksdb_flushes_running:"
      << IntProperty(db_, "rocksdb.num-running-flushes") << "\r\n"
      << "rocksdb_compaction_pending:"
      << IntProperty(db_, "rocksdb.compaction-pending") << "\r\n"
      << "rocksdb_compactions_running:"
      << IntProperty(db_, "rocksdb.num-running-compactions") << "\r\n"
      << "async_reply_write_failures:" << unacked_failures_.load() << "\r\n"
      << "async_writes_refused:" << async_writes_refused_ << "\r\n"
      << "time_to_durable_samples:" << latency_.size() << "\r\n"
      << "time_to_durable_p50_us:" << P(0.50) << "\r\n"
      << "time_to_durable_p99_us:" << P(0.99) << "\r\n\r\n";
  }
  if (want("stats")) {
    o << "# Stats\r\n"
      << "total_connections_received:" << connections_received_ << "\r\n"
      << "rejected_connections:" << rejected_connections_ << "\r\n"
      << "total_commands_processed:" << commands_ << "\r\n"
      << "gets_batched:" << batched_gets_
      << "\r\n"
      // SCAN's iterators (ScanCursors): made, and kept by cursors now.
      << "scan_iterators_opened:" << cursors_.opened() << "\r\n"
      << "scan_iterators_kept:" << cursors_.live()
      << "\r\n"
      // The server's ReadCache (read_cache.h): point reads it answered,
      // and those that went to RocksDB.
      << "read_cache_hits:" << read_cache_.hits() << "\r\n"
      << "read_cache_misses:" << read_cache_.misses() << "\r\n"
      << "read_cache_entries:" << read_cache_.entries() << "\r\n"
      << "read_cache_bytes:" << read_cache_.bytes() << "\r\n"
      << "read_cache_capacity:" << read_cache_.capacity() << "\r\n"
      << "read_cache_evictions:" << read_cache_.evictions() << "\r\n"
      << "total_writes:" << writes_ << "\r\n"
      << "server_commits:" << commits_ << "\r\n"
      << "write_errors:" << write_errors_ << "\r\n"
      << "protocol_errors:" << protocol_errors_ << "\r\n"
      << "replies_dropped_client_gone:" << replies_dropped_ << "\r\n\r\n";
  }
  if (want("cpu")) {
    // The server's CPU time (every thread: the loop, KvDb's, RocksDB's
    // and wal/'s), as Redis reports its own.
    rusage self{}, children{};
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    auto secs = [](const timeval& t) {
      char b[32];
      snprintf(b, sizeof(b), "%ld.%06ld", static_cast<long>(t.tv_sec),
               static_cast<long>(t.tv_usec));
      return std::string(b);
    };
    o << "# CPU\r\n"
      << "used_cpu_sys:" << secs(self.ru_stime) << "\r\n"
      << "used_cpu_user:" << secs(self.ru_utime) << "\r\n"
      << "used_cpu_sys_children:" << secs(children.ru_stime) << "\r\n"
      << "used_cpu_user_children:" << secs(children.ru_utime) << "\r\n\r\n";
  }
  if (want("keyspace")) {
    // Redis' line for database 0, which monitoring tools read; the key
    // count is DBSIZE's (KeyCount; without this round's writes not yet
    // committed: INFO inside EXEC must not commit the transaction's), and
    // nothing expires. Redis leaves the line out for an empty database.
    const uint64_t keys = KeyCount(db_);
    o << "# Keyspace\r\n";
    if (keys > 0) o << "db0:keys=" << keys << ",expires=0,avg_ttl=0\r\n";
    o << "\r\n";
  }
  std::string s = o.str();
  // Redis ends INFO without the blank line after the last section.
  if (s.size() >= 2) s.resize(s.size() - 2);
  return s;
}

}  // namespace wtrocks::kv::server
