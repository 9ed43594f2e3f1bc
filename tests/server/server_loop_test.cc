// Copyright (c) wtrocks authors.
//
// The server's event loop in-process (so ASan sees it): a real KvDb on the
// scratch XFS, a real Server on a loopback port, raw sockets as clients.
// The one fake is the CompletionGate, which holds a WAL completion so a
// write is provably not durable yet.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "engine/kv/server/resp.h"
#include "engine/kv/server/server.h"
#include "rocksdb/cache.h"
#include "rocksdb/metadata.h"
#include "tests/kv/kv_test_util.h"
#include "tests/lib/scratch_fs.h"

namespace wtrocks::testing {
namespace {

// Every client socket gives up on a reply after 30 s: a reply that never
// comes must fail the test, not hang it.
void LimitReplyWait(int fd) {
  timeval tv{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  LimitReplyWait(fd);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  return fd;
}

int ConnectUnix(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  LimitReplyWait(fd);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  snprintf(a.sun_path, sizeof(a.sun_path), "%s", path.c_str());
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0)
      << path << ": " << strerror(errno);
  return fd;
}

void Send(int fd, const std::string& s) {
  ASSERT_EQ(send(fd, s.data(), s.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(s.size()));
}

// Reads `n` bytes, or fewer if the peer closed; never more.
std::string Recv(int fd, size_t n) {
  std::string out;
  char buf[4096];
  while (out.size() < n) {
    ssize_t r = recv(fd, buf, std::min(sizeof(buf), n - out.size()), 0);
    if (r <= 0) break;
    out.append(buf, static_cast<size_t>(r));
  }
  return out;
}

// Reads as many bytes as `want` has; they must be `want`.
void ExpectReply(int fd, const std::string& want) {
  EXPECT_EQ(Recv(fd, want.size()), want);
}

// One line of a reply, without its CRLF ("" if the peer closed first).
std::string RecvLine(int fd) {
  std::string l;
  while (l.size() < 2 || l.compare(l.size() - 2, 2, "\r\n") != 0) {
    std::string c = Recv(fd, 1);
    if (c.empty()) return std::string();
    l += c;
  }
  return l.substr(0, l.size() - 2);
}

// A bulk string reply ("$N" then N bytes); false if it is not one.
bool RecvBulk(int fd, std::string* out) {
  std::string h = RecvLine(fd);
  if (h.size() < 2 || h[0] != '$') return false;
  size_t n = std::stoul(h.substr(1));
  std::string b = Recv(fd, n + 2);
  if (b.size() != n + 2) return false;
  *out = b.substr(0, n);
  return true;
}

// INFO stats, the whole reply.
std::string InfoStats(int fd) {
  Send(fd, "INFO stats\r\n");
  std::string info;
  EXPECT_TRUE(RecvBulk(fd, &info));
  return info;
}

// The value of field `name` in INFO text `info`; fails the test if absent.
uint64_t Stat(const std::string& info, const std::string& name) {
  size_t at = info.find(name + ":");
  EXPECT_NE(at, std::string::npos) << name << " missing from " << info;
  return at == std::string::npos
             ? 0
             : std::stoull(info.substr(at + name.size() + 1));
}

// One SCAN reply from `fd`: *2, the cursor as a bulk string, then an array
// of bulk keys. Reads exactly that reply.
bool ReadScanReply(int fd, uint64_t* cursor, std::vector<std::string>* keys) {
  if (RecvLine(fd) != "*2") return false;
  std::string c;
  if (!RecvBulk(fd, &c)) return false;
  *cursor = std::stoull(c);
  std::string h = RecvLine(fd);
  if (h.size() < 2 || h[0] != '*') return false;
  keys->assign(std::stoul(h.substr(1)), "");
  for (std::string& k : *keys) {
    if (!RecvBulk(fd, &k)) return false;
  }
  return true;
}

class ServerLoopTest : public ::testing::Test {
 protected:
  void Start(const std::string& dir, kv::KvOptions o,
             kv::server::ServerOptions so = Small()) {
    o.callbacks_on_completion = true;  // as `wtkv serve` opens its database
    ASSERT_TRUE(kv::KvDb::Open(o, &db_).ok());
    server_ = std::make_unique<kv::server::Server>(db_.get(), so);
    ASSERT_TRUE(server_->Listen().ok());
    loop_ = std::thread([this] { run_status_ = server_->Run(); });
    path_ = dir + "/db";
  }
  // Start, with every WAL completion passing through `gate`.
  void StartGated(const std::string& dir, CompletionGate* gate,
                  kv::server::ServerOptions so = Small()) {
    kv::KvOptions o = TestOptions(dir);
    o.wal_completion_fault = gate->Hook();
    Start(dir, o, so);
  }
  // A server answering writes before they are durable (--durability=async)
  // whose WAL writes fail from the second commit on: "SET a 1" becomes
  // durable (WAITAOF [1, 0]), then "SET b 2" is answered +OK, its commit
  // fails, and the WAITAOF behind it says kFailedCommit. *fd: the client.
  void StartAsyncWithAFailedCommit(const std::string& dir, int* fd) {
    kv::KvOptions o = TestOptions(dir);
    o.wal_completion_fault = [this](uint64_t, uint64_t, int res) {
      return wal_fails_.load() ? -EIO : res;
    };
    kv::server::ServerOptions so = Small();
    so.reply_before_durable = true;
    ASSERT_NO_FATAL_FAILURE(Start(dir, o, so));
    *fd = Connect(server_->port());
    Send(*fd, "SET a 1\r\nWAITAOF 1 0 0\r\n");
    ExpectReply(*fd, "+OK\r\n*2\r\n:1\r\n:0\r\n");
    wal_fails_ = true;
    Send(*fd, "SET b 2\r\nWAITAOF 1 0 0\r\n");
    ExpectReply(*fd, std::string("+OK\r\n") + kFailedCommit);
  }
  static constexpr char kFailedCommit[] =
      "-ERR wtkv: 1 commit(s) answered before they were durable failed to "
      "become durable\r\n";
  static kv::server::ServerOptions Small() {
    kv::server::ServerOptions so;
    so.port = 0;
    so.limits.max_bulk = 1000;
    return so;
  }
  void Stop() {
    server_->Stop();
    loop_.join();
    EXPECT_TRUE(run_status_.ok()) << run_status_.ToString();
    EXPECT_TRUE(db_->Close().ok());
  }
  std::atomic<bool> wal_fails_{false};  // outlives db_, whose hook reads it
  std::unique_ptr<kv::KvDb> db_;
  std::unique_ptr<kv::server::Server> server_;
  std::thread loop_;
  rocksdb::Status run_status_;
  std::string path_;
};

TEST_F(ServerLoopTest, WriteReplyWaitsForDurabilityAndReadsBehindItWait) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  CompletionGate gate;
  StartGated(dir, &gate);
  int fd = Connect(server_->port());
  gate.Arm();
  Send(fd,
       "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\nGET\r\n$"
       "1\r\na\r\n");
  gate.WaitHeld();  // the SET's WAL write is done but not reported durable
  // Nothing may arrive: not the SET's +OK, and not the GET's reply either,
  // which must wait for its turn. (A bug shows as bytes here; a slow
  // machine cannot make this fail.)
  pollfd p{fd, POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 300), 0) << "a reply came before the write was durable";
  gate.Release();
  EXPECT_EQ(Recv(fd, 12), "+OK\r\n$1\r\n1\r\n");
  close(fd);
  Stop();
  EXPECT_EQ(ReadBack(path_)["a"], "1");
}

TEST_F(ServerLoopTest, PipelineBadInputAndClientsThatLeave) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  Start(dir, TestOptions(dir));
  // Clients that leave with replies pending.
  for (int c = 0; c < 20; c++) {
    int fd = Connect(server_->port());
    std::string req;
    for (int i = 0; i < 100; i++) {
      std::string k = "gone" + std::to_string(c) + "-" + std::to_string(i);
      req += "*3\r\n$3\r\nSET\r\n$" + std::to_string(k.size()) + "\r\n" + k +
             "\r\n$1\r\nv\r\n";
    }
    Send(fd, req);
    close(fd);
  }
  // A pipeline in order, then bad input: an error reply and a close.
  int fd = Connect(server_->port());
  std::string req, want;
  for (int i = 0; i < 500; i++) {
    req += "*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n*2\r\n$3\r\nGET\r\n$1\r\nn\r\n";
    std::string v = std::to_string(i + 1);
    want += ":" + v + "\r\n$" + std::to_string(v.size()) + "\r\n" + v + "\r\n";
  }
  req += "*1\r\n$1001\r\n";  // over --max-bulk 1000
  want += "-ERR Protocol error: invalid bulk length\r\n";
  Send(fd, req);
  EXPECT_EQ(Recv(fd, want.size() + 1), want);  // +1: must then be closed
  close(fd);
  // Still serving.
  fd = Connect(server_->port());
  Send(fd, "PING\r\n");
  EXPECT_EQ(Recv(fd, 7), "+PONG\r\n");
  close(fd);
  Stop();
  EXPECT_EQ(ReadBack(path_)["n"], "500");
}

// One loop round's writes are one batch sorted by key (write_group.h): SETs
// after a FLUSHALL in the same round must survive it, whether their keys
// fall before, inside or at the end of the deleted range.
TEST_F(ServerLoopTest, WritesAfterFlushAllInOneRoundSurvive) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  Start(dir, TestOptions(dir));
  int fd = Connect(server_->port());
  Send(fd, "MSET b 1 c 1 z 1\r\n");
  EXPECT_EQ(Recv(fd, 5), "+OK\r\n");
  Send(fd, "FLUSHALL\r\nSET bb 3\r\nSET a 2\r\nSET z 4\r\nMGET a b bb c z\r\n");
  EXPECT_EQ(Recv(fd, 55),
            "+OK\r\n+OK\r\n+OK\r\n+OK\r\n"
            "*5\r\n$1\r\n2\r\n$-1\r\n$1\r\n3\r\n$-1\r\n$1\r\n4\r\n");
  close(fd);
  Stop();
  std::map<std::string, std::string> want = {
      {"a", "2"}, {"bb", "3"}, {"z", "4"}};
  EXPECT_EQ(ReadBack(path_), want);
}

// With RocksDB's row cache (wtkv --row-cache), FLUSHALL must still hide
// every key, also one whose row the cache holds. RocksDB 9.2+ refuses
// DeleteRange when a row cache is configured, so the range delete FLUSHALL
// otherwise makes fails there ("DeleteRange is not compatible with row
// cache."); 7.8 takes it.
TEST_F(ServerLoopTest, FlushAllWithARowCacheHidesEveryKey) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  kv::KvOptions o = TestOptions(dir);
  o.db_options.row_cache = rocksdb::NewLRUCache(1 << 20);
  Start(dir, o);
  int fd = Connect(server_->port());
  Send(fd, "MSET b 1 c 1 z 1\r\n");
  EXPECT_EQ(Recv(fd, 5), "+OK\r\n");
  // From an SST, so that the row cache takes the rows.
  ASSERT_TRUE(db_->db()->Flush(rocksdb::FlushOptions()).ok());
  Send(fd, "GET b\r\nGET z\r\n");
  EXPECT_EQ(Recv(fd, 14), "$1\r\n1\r\n$1\r\n1\r\n");
  Send(fd, "FLUSHALL\r\nMGET b c z\r\nSET a 2\r\n");
  EXPECT_EQ(Recv(fd, 29), "+OK\r\n*3\r\n$-1\r\n$-1\r\n$-1\r\n+OK\r\n");
  close(fd);
  Stop();
  std::map<std::string, std::string> want = {{"a", "2"}};
  EXPECT_EQ(ReadBack(path_), want);
}

// An MSET is one command, so it is committed in one WriteBatch (one
// WriteAsync) even when it is bigger than the size at which the server
// commits a round early (server.cc, kMaxBatchBytes = 4 MiB): the
// durability oracle's { w-seq, w-last } pairs rely on it. Through the Unix
// socket listener, which ASan sees here too.
TEST_F(ServerLoopTest, MsetOverTheBatchLimitIsOneCommitOverUnixSocket) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  kv::server::ServerOptions so;
  so.tcp = false;
  so.unix_path = dir + "/s.sock";
  Start(dir, TestOptions(dir), so);
  int fd = ConnectUnix(so.unix_path);
  const std::string big(1 << 20, 'v');
  std::string req = "*11\r\n$4\r\nMSET\r\n";
  for (int i = 0; i < 5; i++) {
    req += "$2\r\nk" + std::to_string(i) + "\r\n$" +
           std::to_string(big.size()) + "\r\n" + big + "\r\n";
  }
  Send(fd, req);
  EXPECT_EQ(Recv(fd, 5), "+OK\r\n");
  std::string info = InfoStats(fd);
  EXPECT_NE(info.find("server_commits:1\r\n"), std::string::npos) << info;
  close(fd);
  Stop();
  struct stat st;
  EXPECT_NE(lstat(so.unix_path.c_str(), &st), 0) << "socket file left";
  auto data = ReadBack(path_);
  EXPECT_EQ(data.size(), 5u);
  EXPECT_EQ(data["k4"], big);
}

std::string Resp(const std::vector<std::string>& words) {
  std::string r = "*" + std::to_string(words.size()) + "\r\n";
  for (const std::string& w : words) {
    r += "$" + std::to_string(w.size()) + "\r\n" + w + "\r\n";
  }
  return r;
}

std::string BulkOrNull(const std::map<std::string, std::string>& m,
                       const std::string& k) {
  auto it = m.find(k);
  if (it == m.end()) return "$-1\r\n";
  return "$" + std::to_string(it->second.size()) + "\r\n" + it->second + "\r\n";
}

// The server answers a pipeline's consecutive GETs with one MultiGet
// (server.cc, ProcessInput). A long random pipeline of SET, DEL, GET runs
// (up to past the batch size of 64), MGET, a lower-case get and a GET of
// the wrong arity must get exactly the replies a model of the keys gives,
// in order: every GET sees the writes before it and none after it.
TEST_F(ServerLoopTest, PipelinedGetsAnsweredTogetherInOrder) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  // With the read cache, so batches mix its answers with MultiGet's.
  kv::server::ServerOptions so = Small();
  so.read_cache_bytes = 1 << 20;
  Start(dir, TestOptions(dir), so);
  int fd = Connect(server_->port());
  std::map<std::string, std::string> model;
  std::string req, want;
  unsigned seed = 12345;
  auto next = [&seed](unsigned n) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 8) % n;
  };
  auto key = [&] { return "k" + std::to_string(next(12)); };
  for (int i = 0; i < 400; i++) {
    switch (next(6)) {
      case 0: {
        std::string k = key(), v = "v" + std::to_string(i);
        req += Resp({"SET", k, v});
        want += "+OK\r\n";
        model[k] = v;
        break;
      }
      case 1: {
        std::string k = key();
        req += Resp({"DEL", k});
        want += model.erase(k) ? ":1\r\n" : ":0\r\n";
        break;
      }
      case 2: {
        std::string a = key(), b = key();
        req += Resp({"MGET", a, b});
        want += "*2\r\n" + BulkOrNull(model, a) + BulkOrNull(model, b);
        break;
      }
      case 3:
        req += Resp({"GET", key(), "extra"});
        want += "-ERR wrong number of arguments for 'get' command\r\n";
        break;
      default:
        for (unsigned n = 1 + next(70); n > 0; n--) {
          std::string k = key();
          req += Resp({n % 3 == 0 ? "get" : "GET", k});
          want += BulkOrNull(model, k);
        }
    }
  }
  Send(fd, req);
  EXPECT_EQ(Recv(fd, want.size()), want);
  std::string info = InfoStats(fd);
  EXPECT_EQ(info.find("gets_batched:0\r\n"), std::string::npos) << info;
  EXPECT_NE(info.find("gets_batched:"), std::string::npos) << info;
  close(fd);
  Stop();
  EXPECT_EQ(ReadBack(path_), model);
}

// Many connections pipelining SETs and runs of GETs (MultiGets) at once,
// in chunks that span loop rounds, each on its own keys, each half-closing
// after its last request: every reply is what a model of that connection's
// keys says, in order, and none is lost to the half-close.
TEST_F(ServerLoopTest, ManyConnectionsPipeliningGetsAndSets) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  Start(dir, TestOptions(dir));
  constexpr int kClients = 8;
  std::vector<std::string> got(kClients), want(kClients);
  std::vector<int> fds;
  for (int t = 0; t < kClients; t++) fds.push_back(Connect(server_->port()));
  std::vector<std::thread> clients;
  for (int t = 0; t < kClients; t++) {
    clients.emplace_back([&, t] {
      std::map<std::string, std::string> model;
      unsigned seed = 777u + static_cast<unsigned>(t);
      auto next = [&seed](unsigned n) {
        seed = seed * 1103515245u + 12345u;
        return (seed >> 8) % n;
      };
      for (int chunk = 0; chunk < 20; chunk++) {
        std::string req;
        for (int i = 0; i < 10; i++) {
          std::string k =
              "c" + std::to_string(t) + "-" + std::to_string(next(6));
          if (next(3) == 0) {
            std::string v = std::to_string(chunk * 100 + i);
            req += Resp({"SET", k, v});
            want[t] += "+OK\r\n";
            model[k] = v;
          } else {
            req += Resp({"GET", k});
            want[t] += BulkOrNull(model, k);
          }
        }
        Send(fds[t], req);
      }
      shutdown(fds[t], SHUT_WR);  // the server sees EOF behind the GETs
      got[t] = Recv(fds[t], want[t].size() + 1);  // +1: then closed
    });
  }
  for (std::thread& c : clients) c.join();
  for (int t = 0; t < kClients; t++) {
    EXPECT_EQ(got[t], want[t]) << "client " << t;
    close(fds[t]);
  }
  Stop();
}

// The server's ReadCache (read_cache.h) must never answer what the
// database would not: random writes of every kind (SET and its NX, XX and
// GET forms, MSET, DEL, INCRBY, APPEND, FLUSHALL) and reads (GET, MGET,
// EXISTS, STRLEN, and the reads inside read-modify-writes) from three
// connections, each request answered before the next is sent, over hot
// keys the cache holds and enough cold ones that it must evict. Every reply
// must be what a model of the keys gives, and the database must end equal
// to the model. A write that failed to forget its key in the cache shows
// as a stale reply here (checked: with WriteGroup's Erase calls removed,
// the first stale GET fails this test).
TEST_F(ServerLoopTest, ReadCacheAgreesWithTheDatabase) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  kv::server::ServerOptions so = Small();
  so.read_cache_bytes = 12 << 10;  // about 80 entries here
  Start(dir, TestOptions(dir), so);
  std::vector<int> fds;
  for (int i = 0; i < 3; i++) fds.push_back(Connect(server_->port()));
  std::map<std::string, std::string> model;
  unsigned seed = 4242;
  auto next = [&seed](unsigned n) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 8) % n;
  };
  // 70% of requests on 8 hot keys, the rest over 400.
  auto key = [&] {
    return "k" + std::to_string(next(10) < 7 ? next(8) : next(400));
  };
  auto value = [&](int i) {
    return next(2) ? std::to_string(i) : "v" + std::to_string(i);
  };
  auto get = [&](const std::string& k) { return BulkOrNull(model, k); };
  for (int i = 0; i < 4000; i++) {
    std::string req, want;
    std::string k = key();
    const bool exists = model.count(k) > 0;
    unsigned op = next(100);
    if (op < 45) {
      req = Resp({"GET", k});
      want = get(k);
    } else if (op < 52) {
      std::string k2 = key();
      req = Resp({"MGET", k, k2, k});
      want = "*3\r\n" + get(k) + get(k2) + get(k);
    } else if (op < 55) {
      std::string k2 = key();
      req = Resp({"EXISTS", k, k2});
      want = ":" + std::to_string(model.count(k) + model.count(k2)) + "\r\n";
    } else if (op < 58) {
      req = Resp({"STRLEN", k});
      want = ":" + std::to_string(exists ? model[k].size() : 0) + "\r\n";
    } else if (op < 70) {
      std::string v = value(i);
      req = Resp({"SET", k, v});
      want = "+OK\r\n";
      model[k] = v;
    } else if (op < 74) {
      std::string v = value(i);
      const bool nx = next(2);
      req = Resp({"SET", k, v, nx ? "NX" : "XX"});
      want = (nx != exists) ? "+OK\r\n" : "$-1\r\n";
      if (nx != exists) model[k] = v;
    } else if (op < 77) {
      std::string v = value(i);
      req = Resp({"SET", k, v, "GET"});
      want = get(k);
      model[k] = v;
    } else if (op < 80) {
      std::string k2 = key(), v = value(i), v2 = value(i + 1);
      req = Resp({"MSET", k, v, k2, v2});
      want = "+OK\r\n";
      model[k] = v;
      model[k2] = v2;
    } else if (op < 86) {
      std::string k2 = key();
      req = Resp({"DEL", k, k2});
      size_t n = model.erase(k);
      if (k2 != k) n += model.erase(k2);
      want = ":" + std::to_string(n) + "\r\n";
    } else if (op < 93) {
      int64_t by = static_cast<int64_t>(next(7)) - 3;
      req = Resp({"INCRBY", k, std::to_string(by)});
      int64_t n = 0;
      if (exists && !kv::server::ParseInt64(model[k], &n)) {
        want = "-ERR value is not an integer or out of range\r\n";
      } else {
        n += by;
        model[k] = std::to_string(n);
        want = ":" + model[k] + "\r\n";
      }
    } else if (op < 99 || next(4) != 0) {
      std::string tail = std::to_string(next(10));
      req = Resp({"APPEND", k, tail});
      model[k] += tail;
      want = ":" + std::to_string(model[k].size()) + "\r\n";
    } else {
      req = Resp({"FLUSHALL"});
      want = "+OK\r\n";
      model.clear();
    }
    int fd = fds[next(3)];
    Send(fd, req);
    ASSERT_EQ(Recv(fd, want.size()), want) << "request " << i << ": " << req;
  }
  std::string info = InfoStats(fds[0]);
  auto stat = [&info](const std::string& name) { return Stat(info, name); };
  // The run exercised the cache: answers from it, and evictions.
  EXPECT_GT(stat("read_cache_hits"), 500u) << info;
  EXPECT_GT(stat("read_cache_evictions"), 0u) << info;
  EXPECT_LE(stat("read_cache_bytes"), 12u << 10) << info;
  for (int fd : fds) close(fd);
  Stop();
  EXPECT_EQ(ReadBack(path_), model);
}

// A SCAN cursor keeps its iterator (ScanCursors): over the hash memtable a
// new iterator sorts a copy of the whole memtable, so a full scan that made
// one per call cost O(keys / COUNT) sorts. One walk of 300 keys, COUNT 10,
// must make one iterator, not 30, and still return every key once, in
// order. A repeated cursor seeks anew and answers the same; FLUSHALL
// releases kept iterators, so a scan begun before it returns none of the
// keys it removed; and kept iterators are released after
// ScanCursors::kMaxAge even with no SCAN to come.
TEST_F(ServerLoopTest, ScanResumesWithTheIteratorItKept) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  kv::KvOptions o = TestOptions(dir);
  kv::UseHashMemtable(&o.db_options);
  Start(dir, o);
  int fd = Connect(server_->port());
  std::vector<std::string> want;
  std::vector<std::string> mset = {"MSET"};
  for (int i = 0; i < 300; i++) {
    char k[8];
    snprintf(k, sizeof(k), "k%03d", i);
    want.push_back(k);
    mset.push_back(k);
    mset.push_back("v");
  }
  Send(fd, Resp(mset));
  ASSERT_EQ(Recv(fd, 5), "+OK\r\n");
  const uint64_t opened0 = Stat(InfoStats(fd), "scan_iterators_opened");

  std::vector<std::string> seen, page;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    Send(fd, Resp({"SCAN", std::to_string(cursor), "COUNT", "10"}));
    ASSERT_TRUE(ReadScanReply(fd, &cursor, &page)) << "call " << calls;
    seen.insert(seen.end(), page.begin(), page.end());
    calls++;
  } while (cursor != 0 && calls < 1000);
  EXPECT_EQ(seen, want);
  EXPECT_GE(calls, 30);
  std::string info = InfoStats(fd);
  EXPECT_EQ(Stat(info, "scan_iterators_opened") - opened0, 1u) << info;

  // A cursor used twice: the second call seeks with a new iterator and
  // gives the same page.
  Send(fd, "SCAN 0 COUNT 10\r\n");
  ASSERT_TRUE(ReadScanReply(fd, &cursor, &page));
  std::vector<std::string> first, again;
  uint64_t next1 = 0, next2 = 0;
  Send(fd, Resp({"SCAN", std::to_string(cursor), "COUNT", "10"}));
  ASSERT_TRUE(ReadScanReply(fd, &next1, &first));
  Send(fd, Resp({"SCAN", std::to_string(cursor), "COUNT", "10"}));
  ASSERT_TRUE(ReadScanReply(fd, &next2, &again));
  EXPECT_EQ(first, again);
  EXPECT_EQ(first,
            std::vector<std::string>(want.begin() + 10, want.begin() + 20));
  EXPECT_NE(next1, 0u);
  EXPECT_NE(next2, 0u);

  // FLUSHALL in the middle of a scan: the rest of it shows only what was
  // written after.
  Send(fd, "FLUSHALL\r\nSET k250 new\r\n");
  EXPECT_EQ(Recv(fd, 10), "+OK\r\n+OK\r\n");
  seen.clear();
  cursor = next1;
  calls = 0;
  do {
    Send(fd, Resp({"SCAN", std::to_string(cursor), "COUNT", "10"}));
    ASSERT_TRUE(ReadScanReply(fd, &cursor, &page));
    seen.insert(seen.end(), page.begin(), page.end());
  } while (cursor != 0 && ++calls < 1000);
  EXPECT_EQ(seen, std::vector<std::string>{"k250"});

  // A scan left half way keeps its iterator until kMaxAge has passed.
  Send(fd, "SCAN 0 COUNT 1\r\n");
  ASSERT_TRUE(ReadScanReply(fd, &cursor, &page));
  EXPECT_EQ(cursor, 0u);  // one key: done, nothing kept
  Send(fd, "SET k251 new\r\n");
  EXPECT_EQ(Recv(fd, 5), "+OK\r\n");
  Send(fd, "SCAN 0 COUNT 1\r\n");
  ASSERT_TRUE(ReadScanReply(fd, &cursor, &page));
  EXPECT_NE(cursor, 0u);
  EXPECT_EQ(Stat(InfoStats(fd), "scan_iterators_kept"), 1u);
  // Silence: only the loop's own timeout can release it. (A request would
  // do it too, at the start of the round after it.)
  std::this_thread::sleep_for(kv::server::ScanCursors::kMaxAge * 2 +
                              std::chrono::seconds(1));
  EXPECT_EQ(Stat(InfoStats(fd), "scan_iterators_kept"), 0u)
      << "a kept iterator outlived ScanCursors::kMaxAge on an idle server";
  close(fd);
  Stop();
}

// MULTI/EXEC: the queued requests run together, their reads see the
// transaction's own earlier writes, and all its writes are one commit
// (one WriteBatch, so a crash keeps all or none of them) whose durability
// the EXEC reply waits for. With the read cache on: a transaction's reads
// of keys it wrote must come from its writes, never leave the old value
// in the cache. A command that walks the database is refused at MULTI
// time and the EXEC aborts.
TEST_F(ServerLoopTest, TransactionIsOneDurableCommit) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  CompletionGate gate;
  kv::server::ServerOptions so = Small();
  so.read_cache_bytes = 1 << 20;
  StartGated(dir, &gate, so);
  int fd = Connect(server_->port());
  Send(fd, "SET a old\r\nGET a\r\nGET z\r\n");  // both now cached
  EXPECT_EQ(Recv(fd, 19), "+OK\r\n$3\r\nold\r\n$-1\r\n");
  const uint64_t commits0 = Stat(InfoStats(fd), "server_commits");

  gate.Arm();
  Send(fd,
       "MULTI\r\nSET a 1\r\nINCR a\r\nGET a\r\nGET z\r\nSET z x\r\n"
       "MGET z a q\r\nDEL a\r\nEXISTS a\r\nEXEC\r\n");
  EXPECT_EQ(Recv(fd, 5 + 8 * 9), "+OK\r\n" + std::string("+QUEUED\r\n"
                                                         "+QUEUED\r\n"
                                                         "+QUEUED\r\n"
                                                         "+QUEUED\r\n"
                                                         "+QUEUED\r\n"
                                                         "+QUEUED\r\n"
                                                         "+QUEUED\r\n"
                                                         "+QUEUED\r\n"));
  gate.WaitHeld();  // the transaction's WAL write, not yet durable
  pollfd p{fd, POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 300), 0) << "EXEC answered before it was durable";
  gate.Release();
  const std::string want =
      "*8\r\n+OK\r\n:2\r\n$1\r\n2\r\n$-1\r\n+OK\r\n"
      "*3\r\n$1\r\nx\r\n$1\r\n2\r\n$-1\r\n:1\r\n:0\r\n";
  EXPECT_EQ(Recv(fd, want.size()), want);
  EXPECT_EQ(Stat(InfoStats(fd), "server_commits") - commits0, 1u)
      << "the transaction's writes were split over several commits";
  // The cache holds neither old value now.
  Send(fd, "GET a\r\nGET z\r\n");
  EXPECT_EQ(Recv(fd, 12), "$-1\r\n$1\r\nx\r\n");

  // Refused at MULTI time: EXEC aborts and nothing is written.
  Send(fd, "MULTI\r\nSET c 1\r\nSCAN 0\r\nEXEC\r\nGET c\r\n");
  const std::string refused =
      "+OK\r\n+QUEUED\r\n"
      "-ERR wtkv: scan inside MULTI is not supported\r\n"
      "-EXECABORT Transaction discarded because of previous errors.\r\n"
      "$-1\r\n";
  EXPECT_EQ(Recv(fd, refused.size()), refused);
  close(fd);
  Stop();
  std::map<std::string, std::string> want_db = {{"z", "x"}};
  EXPECT_EQ(ReadBack(path_), want_db);
}

// WATCH: another connection's write to a watched key, alone or inside its
// own EXEC, makes this connection's EXEC answer a null array and run
// nothing; a watch on a key nobody wrote lets it run; a connection that
// leaves with watches set leaves nothing behind.
TEST_F(ServerLoopTest, WatchedKeyWrittenElsewhereFailsExec) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  Start(dir, TestOptions(dir));
  int a = Connect(server_->port()), b = Connect(server_->port());
  Send(a, "WATCH k\r\n");
  ExpectReply(a, "+OK\r\n");
  Send(b, "SET k theirs\r\n");
  ExpectReply(b, "+OK\r\n");
  Send(a, "MULTI\r\nSET k mine\r\nEXEC\r\nGET k\r\n");
  ExpectReply(a, "+OK\r\n+QUEUED\r\n*-1\r\n$6\r\ntheirs\r\n");

  // The other connection's transaction touches it too.
  Send(a, "WATCH k other\r\n");
  ExpectReply(a, "+OK\r\n");
  Send(b, "MULTI\r\nGET k\r\nDEL k\r\nEXEC\r\n");
  ExpectReply(b, "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n$6\r\ntheirs\r\n:1\r\n");
  Send(a, "MULTI\r\nSET k mine\r\nEXEC\r\nEXISTS k\r\n");
  ExpectReply(a, "+OK\r\n+QUEUED\r\n*-1\r\n:0\r\n");

  // Untouched: it runs.
  Send(a, "WATCH k\r\nMULTI\r\nSET k mine\r\nEXEC\r\n");
  ExpectReply(a, "+OK\r\n+OK\r\n+QUEUED\r\n*1\r\n+OK\r\n");

  // A watcher that leaves; the key is written after.
  int c = Connect(server_->port());
  Send(c, "WATCH k\r\n");
  ExpectReply(c, "+OK\r\n");
  close(c);
  Send(b, "SET k last\r\nGET k\r\n");
  ExpectReply(b, "+OK\r\n$4\r\nlast\r\n");
  close(a);
  close(b);
  Stop();
  EXPECT_EQ(ReadBack(path_)["k"], "last");
}

// A read that fails is answered with an error and not remembered by the
// read cache: the fault is real (an SST data block overwritten on disk, so
// RocksDB's checksum check fails), and a second GET must fail again, not
// find a cached value or absence. GET, a pipeline's batched GETs and
// MGET all go through the cache.
TEST_F(ServerLoopTest, ReadErrorsAreAnsweredAndNeverCached) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  kv::server::ServerOptions so = Small();
  so.read_cache_bytes = 1 << 20;
  Start(dir, TestOptions(dir), so);
  int fd = Connect(server_->port());
  const std::string value(800, 'v');  // a few data blocks' worth of keys
  std::vector<std::string> mset = {"MSET"};
  for (int i = 0; i < 40; i++) {
    mset.push_back("k" + std::to_string(100 + i));
    mset.push_back(value);
  }
  Send(fd, Resp(mset));
  ExpectReply(fd, "+OK\r\n");
  ASSERT_TRUE(db_->db()->Flush(rocksdb::FlushOptions()).ok());
  std::vector<rocksdb::LiveFileMetaData> files;
  db_->db()->GetLiveFilesMetaData(&files);
  ASSERT_EQ(files.size(), 1u);
  // The first data blocks start at offset 0: overwrite the first 2 KiB.
  const std::string sst = files[0].db_path + "/" + files[0].name;
  int sfd = open(sst.c_str(), O_WRONLY);
  ASSERT_GE(sfd, 0) << sst << ": " << strerror(errno);
  const std::string junk(2048, 'x');
  ASSERT_EQ(pwrite(sfd, junk.data(), junk.size(), 0),
            static_cast<ssize_t>(junk.size()));
  close(sfd);

  for (const char* req :
       {"GET k100\r\n", "GET k100\r\n", "GET k100\r\nGET k100\r\n",
        "MGET k100 k101\r\n", "GET k100\r\n"}) {
    Send(fd, req);
    const int n = std::string(req) == "GET k100\r\nGET k100\r\n" ? 2 : 1;
    for (int i = 0; i < n; i++) {
      std::string line = RecvLine(fd);
      EXPECT_EQ(line.rfind("-ERR wtkv: read failed: Corruption", 0), 0u)
          << req << " answered " << line;
    }
  }
  std::string info = InfoStats(fd);
  EXPECT_EQ(Stat(info, "read_cache_hits"), 0u) << info;
  // A new write of the key is read back from the memtable.
  Send(fd, "SET k100 new\r\nGET k100\r\n");
  ExpectReply(fd, "+OK\r\n$3\r\nnew\r\n");
  close(fd);
  Stop();
}

// WAITAOF with --durability=async: the SET is answered at once, before it
// is durable; WAITAOF only once the SET's commit is. With nothing in
// flight it answers at once; replicas and MULTI are refused.
TEST_F(ServerLoopTest, WaitAofWaitsUntilAsyncRepliesAreDurable) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  CompletionGate gate;
  kv::server::ServerOptions so = Small();
  so.reply_before_durable = true;
  StartGated(dir, &gate, so);
  int fd = Connect(server_->port());
  gate.Arm();
  Send(fd, "SET a 1\r\nWAITAOF 1 0 0\r\nGET a\r\n");
  gate.WaitHeld();  // the SET's WAL write, not yet durable
  ExpectReply(fd, "+OK\r\n");
  pollfd p{fd, POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 300), 0)
      << "WAITAOF answered before the SET was durable";
  gate.Release();
  ExpectReply(fd, "*2\r\n:1\r\n:0\r\n$1\r\n1\r\n");
  Send(fd,
       "WAITAOF 0 0 100\r\nWAITAOF 0 1 0\r\nWAITAOF -1 0 0\r\n"
       "MULTI\r\nWAITAOF 1 0 0\r\nDISCARD\r\n");
  ExpectReply(fd,
              "*2\r\n:1\r\n:0\r\n"
              "-ERR wtkv has no replicas: waiting for 1 of them would never "
              "end\r\n"
              "-ERR value is out of range, must be positive\r\n"
              "+OK\r\n-ERR wtkv: waitaof inside MULTI is not supported\r\n"
              "+OK\r\n");
  close(fd);
  Stop();
  EXPECT_EQ(ReadBack(path_)["a"], "1");
}

// A reply-before-durable write whose commit then fails: WAITAOF says so
// instead of claiming durability, now and later (the failure is sticky).
TEST_F(ServerLoopTest, WaitAofReportsAnAsyncWriteThatFailed) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  int fd = -1;
  ASSERT_NO_FATAL_FAILURE(StartAsyncWithAFailedCommit(dir, &fd));
  Send(fd, "WAITAOF 1 0 0\r\n");
  ExpectReply(fd, kFailedCommit);
  Send(fd, "INFO persistence\r\n");
  std::string info;
  ASSERT_TRUE(RecvBulk(fd, &info));
  EXPECT_EQ(Stat(info, "async_reply_write_failures"), 1u);
  close(fd);
  server_->Stop();
  loop_.join();
  db_->Close();  // fails: the WAL's error is sticky
}

// --durability=async after a commit failed: the database takes no more
// writes (wtrocks never retries a failed WAL write), so an +OK would
// acknowledge a write that is never applied, not even in memory: a GET
// right after it would miss it. Writes are refused instead, as Redis
// refuses them once its AOF fails (MISCONF), whole transactions included,
// and nothing refused reaches the database. Before this, all four writes
// below were answered +OK (and the key stayed absent).
TEST_F(ServerLoopTest, AsyncRepliesRefuseWritesOnceACommitFailed) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  int fd = -1;
  ASSERT_NO_FATAL_FAILURE(StartAsyncWithAFailedCommit(dir, &fd));
  const std::string refused =
      "-MISCONF wtkv: 1 commit(s) answered before they were durable failed "
      "to become durable; writes are refused until the server is restarted "
      "(reads still work)\r\n";
  Send(fd,
       "SET c 3\r\nINCR n\r\nMULTI\r\nSET d 4\r\nEXEC\r\nGET c\r\n"
       "GET a\r\n");
  ExpectReply(fd, refused + refused + "+OK\r\n+QUEUED\r\n" + refused +
                      "$-1\r\n$1\r\n1\r\n");
  Send(fd, "INFO persistence\r\n");
  std::string info;
  ASSERT_TRUE(RecvBulk(fd, &info));
  EXPECT_EQ(Stat(info, "async_writes_refused"), 3u);
  close(fd);
  server_->Stop();
  loop_.join();
  db_->Close();  // fails: the WAL's error is sticky
}

// SHUTDOWN: the replies to what came before it are delivered, nothing
// after it runs, the other connections end and Run returns; every write
// that was answered is in the database. Inside MULTI it is refused.
TEST_F(ServerLoopTest, ShutdownDeliversEarlierRepliesAndRunsNothingAfter) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  Start(dir, TestOptions(dir));
  int idle = Connect(server_->port());
  int fd = Connect(server_->port());
  Send(fd, "MULTI\r\nSHUTDOWN\r\nDISCARD\r\nSHUTDOWN ABORT\r\n");
  ExpectReply(fd,
              "+OK\r\n-ERR wtkv: shutdown inside MULTI is not supported\r\n"
              "+OK\r\n-ERR No shutdown in progress.\r\n");
  Send(fd, "SET a 1\r\nSET b 2\r\nSHUTDOWN NOSAVE\r\nSET c 3\r\n");
  // +1: nothing more, the connection closes.
  EXPECT_EQ(Recv(fd, 11), "+OK\r\n+OK\r\n");
  EXPECT_EQ(Recv(idle, 1), "");
  loop_.join();
  EXPECT_TRUE(run_status_.ok()) << run_status_.ToString();
  EXPECT_TRUE(db_->Close().ok());
  close(fd);
  close(idle);
  std::map<std::string, std::string> want = {{"a", "1"}, {"b", "2"}};
  EXPECT_EQ(ReadBack(path_), want);
}

// APPEND and SETRANGE build no value larger than --max-bulk (1000 here),
// which SET could not have sent: an error, and the value stays.
TEST_F(ServerLoopTest, ValuesNeverOutgrowMaxBulk) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  Start(dir, TestOptions(dir));
  int fd = Connect(server_->port());
  const std::string tail(998, 't');
  const std::string too_long =
      "-ERR string exceeds maximum allowed size (--max-bulk)\r\n";
  Send(fd, "SET k abc\r\nAPPEND k " + tail + "\r\nSETRANGE k 998 xyz\r\n" +
               "SETRANGE k 2000000000 x\r\nSETRANGE k 997 xyz\r\n" +
               "APPEND k " + tail.substr(0, 1) + "\r\nSTRLEN k\r\n");
  ExpectReply(fd, "+OK\r\n" + too_long + too_long + too_long + ":1000\r\n" +
                      too_long + ":1000\r\n");
  close(fd);
  Stop();
  EXPECT_EQ(ReadBack(path_)["k"], "abc" + std::string(994, '\0') + "xyz");
}

}  // namespace
}  // namespace wtrocks::testing
