// Copyright (c) wtrocks authors.
//
// dur_workload: the oracle for the durability tests (see README.md).
//
//   dur_workload run    --db=DIR --acklog=FILE [--mode=M] [options]
//   dur_workload verify --db=DIR --acklog=FILE [--mode=M] [options]
//
// `run` writes through RocksDB with several writer threads. Writer w issues
// its writes in order, seq 0, 1, 2, ..., one at a time, each a WriteBatch of
// { w<w>-<seq> = value(w, seq), w<w>-last = <seq> }, with sync=true (or
// through the KV layer's WriteAsync with --async, or as an MSET to a running
// `wtkv serve` with --server, or there MULTI/SET/SET/EXEC for odd seqs).
// Only after RocksDB (or the server's +OK, EXEC's [OK, OK]) has
// acknowledged a write does the writer append one fixed-size line
// "<w> <seq>\n" to the ack log with a single write(2) on an O_APPEND fd, so
// the log never names a write that was not acknowledged. The process may be
// SIGKILLed at any moment: the reader ignores a torn last line.
//
// `verify` opens the DB with the same FileSystem and checks, per writer:
//   lost       an acknowledged seq is absent
//   corrupted  a value does not decode, fails its hash, or names another key
//   reordered  a hole: a seq is absent while a later seq of the same writer
//              is present, or w<w>-last disagrees with the highest seq
//              recovered (RocksDB recovers a prefix of the write order, and
//              a batch is atomic)
//   unexpected a seq beyond the last acked one + 1 (never issued)
// and prints "checked=N lost=N corrupted=N reordered=N unexpected=N keys=N".
// Exit status 0 when all four are zero, 1 when not, 2 when it could not
// check at all (bad usage, DB does not open).
//
// `verify --wal_recovery_mode=LIST` (names or `all`) checks one crash image
// in several recovery modes: each open gets its own copy of DIR (recovery
// writes), DIR.<fs>.<mode>, and prints a "recovery: fs=.. mode=.. opened=.."
// line. With `--reference`, where the tested FileSystem fails to open, a
// copy of the same bytes is opened with RocksDB's own FileSystem in that
// mode. The exit status is 1 if the tested FileSystem loses anything where
// it opens, or fails to open bytes the reference opens, and 0 otherwise (a
// failure of both is the image's: reported, not failed).
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "engine/rocksdb_compat.h"
#include "engine/wtrocks_fs.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "rocksdb/iterator.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "wal/probe.h"
#ifdef WTROCKS_HAVE_KV
#include "engine/kv/kv_db.h"
#endif
#ifdef WTROCKS_HAVE_RESP
#include "engine/kv/server/resp.h"
#endif

namespace {

constexpr int kMaxWriters = 64;
// "ww ssssssssss\n": writer (2 digits), seq (10 digits).
constexpr size_t kAckLineLen = 14;
// "wtdur w=ww s=ssssssssss n=nnnnnn h=hhhhhhhhhhhhhhhh|"
constexpr size_t kHeaderLen = 52;

struct Flags {
  std::string cmd;
  std::string db;
  std::string acklog;
  std::string mode = "default";  // default | fsync | dsync | direct | ...
  std::string uri;               // overrides the URI derived from mode
  std::string what;              // tamper: drop | corrupt | hole
  int writers = 4;
  uint64_t seed = 1;
  double seconds = 0;      // 0: until killed or ops reached
  uint64_t ops = 0;        // per writer; 0: unlimited
  uint64_t ack_lines = 0;  // verify: only the first N ack lines must hold
  bool async = false;      // run: KV layer WriteAsync instead of sync=true
  // run --async: commits one writer may have in flight; verify: the same
  // number, which bounds how far past its last ack a writer may have got.
  uint64_t inflight = 1;
  // run: sync=false, acks that mean nothing. Only for the negative control
  // that proves the power-cut check can see a loss.
  bool unsafe_nosync = false;
  bool read_only = false;  // verify: OpenForReadOnly (no recovery writes)
  // verify: comma-separated wal_recovery_mode names, or "all"; empty: the
  // options' default, one open of --db itself.
  std::string recovery_modes;
  bool reference = false;  // verify: also open with the default FileSystem
  uint64_t write_buffer = 256 << 10;
  // run: RocksDB's recycle_log_file_num (0: off), with the recovery mode
  // that keeps it (engine::compat::EnableWalRecycling); verify: accepted,
  // recovers in point-in-time mode.
  uint64_t recycle_wals = 0;
  std::string info_log_dir;  // RocksDB's info LOG elsewhere (db_log_dir)
  std::string dm_mark;       // run: dm-log-writes device to mark per ack
  // run: write through a running `wtkv serve` at unix:PATH or
  // tcp:HOST:PORT, --inflight MSETs pipelined per writer connection.
  std::string server;
};

[[noreturn]] void Usage(const std::string& why) {
  fprintf(
      stderr,
      "dur_workload: %s\n"
      "usage: dur_workload run|verify --db=DIR --acklog=FILE\n"
      "  [--mode=default|fsync|dsync|direct|writethrough|auto]\n"
      "  [--uri=wtrocks://...] [--writers=N] [--seed=S] [--seconds=T]\n"
      "  [--ops=N] [--async] [--write_buffer=BYTES] [--info_log_dir=DIR]\n"
      "  [--recycle_wals=N]  (run: recycle_log_file_num)\n"
      "  [--dm_mark=DMNAME]  (run: mark a dm-log-writes log per ack)\n"
      "  [--unsafe_nosync]  (run: sync=false; negative control only)\n"
      "  [--async --inflight=N]  (run: KvDb::WriteAsync, N per writer;\n"
      "                           verify: pass the same --inflight)\n"
      "  [--server=unix:PATH|tcp:HOST:PORT --inflight=N]  (run: no --db;\n"
      "      each writer pipelines N writes to a running wtkv serve, MSETs\n"
      "      and MULTI/EXEC in turn, and acks on +OK or [OK, OK]; verify:\n"
      "      pass the same --inflight)\n"
      "  verify: [--ack_lines=N] [--read_only]\n"
      "          [--wal_recovery_mode=all|NAME,...] [--reference]\n"
      "      (NAME: tolerate_corrupted_tail_records, absolute_consistency,\n"
      "       point_in_time_recovery, skip_any_corrupted_records)\n"
      "usage: dur_workload tamper --db=DIR --acklog=FILE "
      "--what=drop|corrupt|hole\n"
      "usage: dur_workload probe DIR MODE   (exit 0, or 77 + reason)\n",
      why.c_str());
  exit(2);
}

// The socket address of --server "unix:PATH" or "tcp:HOST:PORT" (an IPv4
// HOST); false with *why when it is not one.
bool ServerAddress(const std::string& spec, sockaddr_storage* ss,
                   socklen_t* len, std::string* why) {
  *ss = {};
  if (spec.rfind("unix:", 0) == 0) {
    std::string path = spec.substr(5);
    auto* un = reinterpret_cast<sockaddr_un*>(ss);
    if (path.empty() || path.size() >= sizeof(un->sun_path)) {
      *why = "--server=unix:PATH: the path is empty or longer than " +
             std::to_string(sizeof(un->sun_path) - 1) + " bytes: " + path;
      return false;
    }
    un->sun_family = AF_UNIX;
    memcpy(un->sun_path, path.data(), path.size());
    *len = sizeof(sockaddr_un);
    return true;
  }
  if (spec.rfind("tcp:", 0) == 0) {
    std::string hp = spec.substr(4);
    size_t colon = hp.rfind(':');
    auto* in = reinterpret_cast<sockaddr_in*>(ss);
    char* end = nullptr;
    unsigned long port = colon == std::string::npos
                             ? 0
                             : strtoul(hp.c_str() + colon + 1, &end, 10);
    if (port != 0 && port <= 65535 && *end == '\0' &&
        inet_pton(AF_INET, hp.substr(0, colon).c_str(), &in->sin_addr) == 1) {
      in->sin_family = AF_INET;
      in->sin_port = htons(static_cast<uint16_t>(port));
      *len = sizeof(sockaddr_in);
      return true;
    }
  }
  *why = "--server must be unix:PATH or tcp:IPV4:PORT, got '" + spec + "'";
  return false;
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  if (argc < 2) Usage("no command");
  f.cmd = argv[1];
  if (f.cmd == "probe" && argc == 4) {
    f.db = argv[2];
    f.mode = argv[3];
    return f;
  }
  if (f.cmd != "run" && f.cmd != "verify" && f.cmd != "tamper")
    Usage("unknown command " + f.cmd);
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    size_t eq = a.find('=');
    std::string k = a.substr(0, eq);
    std::string v = eq == std::string::npos ? "" : a.substr(eq + 1);
    auto num = [&]() -> uint64_t {
      char* end = nullptr;
      errno = 0;
      uint64_t n = strtoull(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || errno != 0) Usage("bad number: " + a);
      return n;
    };
    if (k == "--db") {
      f.db = v;
    } else if (k == "--acklog") {
      f.acklog = v;
    } else if (k == "--mode") {
      f.mode = v;
    } else if (k == "--uri") {
      f.uri = v;
    } else if (k == "--writers") {
      f.writers = static_cast<int>(num());
      if (f.writers < 1 || f.writers > kMaxWriters) Usage("bad --writers");
    } else if (k == "--seed") {
      f.seed = num();
    } else if (k == "--seconds") {
      f.seconds = atof(v.c_str());
    } else if (k == "--ops") {
      f.ops = num();
    } else if (k == "--ack_lines") {
      f.ack_lines = num();
    } else if (k == "--write_buffer") {
      f.write_buffer = num();
    } else if (k == "--recycle_wals") {
      f.recycle_wals = num();
      if (f.recycle_wals > 64) Usage("bad --recycle_wals");
    } else if (k == "--info_log_dir") {
      f.info_log_dir = v;
    } else if (k == "--inflight") {
      f.inflight = num();
      if (f.inflight < 1 || f.inflight > 1024) Usage("bad --inflight");
    } else if (k == "--unsafe_nosync") {
      f.unsafe_nosync = true;
    } else if (k == "--server") {
      f.server = v;
      sockaddr_storage ss;
      socklen_t len;
      std::string why;
      if (!ServerAddress(v, &ss, &len, &why)) Usage(why);
    } else if (k == "--dm_mark") {
      f.dm_mark = v;
    } else if (k == "--what") {
      f.what = v;
    } else if (k == "--async") {
      f.async = true;
    } else if (k == "--read_only") {
      f.read_only = true;
    } else if (k == "--wal_recovery_mode") {
      f.recovery_modes = v;
    } else if (k == "--reference") {
      f.reference = true;
    } else {
      Usage("unknown flag " + a);
    }
  }
  if (!f.server.empty()) {
    if (f.cmd != "run") Usage("--server is for run");
    if (f.async || f.unsafe_nosync || !f.db.empty() || !f.uri.empty() ||
        f.mode != "default") {
      Usage(
          "--server writes through the server: no --db, --mode, --uri, "
          "--async or --unsafe_nosync (the server's flags choose those)");
    }
    if (f.acklog.empty()) Usage("--acklog is needed");
    return f;
  }
  if (f.db.empty() || f.acklog.empty()) Usage("--db and --acklog are needed");
  return f;
}

uint64_t SplitMix(uint64_t* x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Fnv1a(const char* p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(p[i]);
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string Key(int w, uint64_t seq) {
  char buf[32];
  snprintf(buf, sizeof(buf), "w%02d-%010" PRIu64, w, seq);
  return buf;
}
std::string LastKey(int w) {
  char buf[16];
  snprintf(buf, sizeof(buf), "w%02d-last", w);
  return buf;
}

// The payload depends only on (w, seq, n), so verify needs no seed; the
// length comes from the run's seed. Mostly small values, some that span
// RocksDB's 32 KiB WAL blocks.
size_t ValueLen(uint64_t seed, int w, uint64_t seq) {
  uint64_t x = seed * 1000003 + static_cast<uint64_t>(w) * 7919 + seq;
  uint64_t r = SplitMix(&x);
  if (r % 100 < 4) return 4096 + (r >> 8) % 40000;
  return 16 + (r >> 8) % 1000;
}

std::string Payload(int w, uint64_t seq, size_t n) {
  std::string p(n, '\0');
  uint64_t x = (static_cast<uint64_t>(w) << 48) ^ seq;
  uint64_t r = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i % 8 == 0) r = SplitMix(&x);
    p[i] = static_cast<char>('a' + (r & 0xff) % 26);
    r >>= 8;
  }
  return p;
}

std::string Value(int w, uint64_t seq, size_t n) {
  std::string payload = Payload(w, seq, n);
  char hashed[64];
  int hl =
      snprintf(hashed, sizeof(hashed), "%02d %010" PRIu64 " %06zu", w, seq, n);
  uint64_t h = Fnv1a(hashed, hl) ^ Fnv1a(payload.data(), payload.size());
  char header[kHeaderLen + 1];
  snprintf(header, sizeof(header),
           "wtdur w=%02d s=%010" PRIu64 " n=%06zu h=%016" PRIx64 "|", w, seq, n,
           h);
  return std::string(header, kHeaderLen) + payload;
}

// True when `v` is exactly the value of (w, seq) for some length.
bool ValueOk(const std::string& v, int w, uint64_t seq) {
  if (v.size() < kHeaderLen) return false;
  int vw = -1;
  uint64_t vs = 0;
  size_t n = 0;
  if (sscanf(v.c_str(), "wtdur w=%2d s=%10" SCNu64 " n=%6zu", &vw, &vs, &n) !=
      3) {
    return false;
  }
  if (vw != w || vs != seq || v.size() != kHeaderLen + n) return false;
  return v == Value(w, seq, n);
}

// The FileSystem for --mode/--uri: "default" is RocksDB's own (the control
// group), anything else a wtrocks:// URI.
std::shared_ptr<rocksdb::FileSystem> MakeFs(const Flags& f, std::string* desc) {
  std::string uri = f.uri;
  if (uri.empty() && f.mode != "default") uri = "wtrocks://mode=" + f.mode;
  if (uri.empty()) {
    *desc = "default";
    return rocksdb::FileSystem::Default();
  }
  std::shared_ptr<rocksdb::FileSystem> fs;
  rocksdb::Status s = wtrocks::engine::WtrocksFileSystem::Create(uri, &fs);
  if (!s.ok()) {
    fprintf(stderr, "dur_workload: %s: %s\n", uri.c_str(),
            s.ToString().c_str());
    exit(2);
  }
  *desc = uri;
  return fs;
}

rocksdb::Options DbOptions(const Flags& f, rocksdb::Env* env) {
  rocksdb::Options o;
  o.create_if_missing = true;
  o.env = env;
  // Small memtables and files so that a short run flushes and compacts
  // often: a crash then also lands in SST writes, MANIFEST updates and
  // WAL switches, not only in WAL appends.
  o.write_buffer_size = f.write_buffer;
  o.max_write_buffer_number = 3;
  o.target_file_size_base = 512 << 10;
  o.max_bytes_for_level_base = 2 << 20;
  o.level0_file_num_compaction_trigger = 3;
  o.max_background_jobs = 2;
  // A corrupt WAL record must fail the open, not be skipped silently:
  // kPointInTimeRecovery (the default) would hide a torn record as the end
  // of the log, which is legal only for the unacknowledged tail, and the
  // acked-writes check catches that case anyway.
  o.paranoid_checks = true;
  // On a full disk, the assert-enabled RocksDB 7.8.3's own info LOG aborts
  // the process when it is appended to after one failed append (EnvLogger
  // -> WritableFileWriter::AssertFalseAndGetStatusForPrevError); wtrocks'
  // FileSystem has its own Logger (engine/info_log.h). The ENOSPC scenario
  // keeps the stock run's LOG on another filesystem.
  o.db_log_dir = f.info_log_dir;
  // verify recovers in the default point-in-time mode, as KvDb does first:
  // in kSkipAnyCorruptedRecords (what 7.8 needs to recycle) RocksDB's log
  // reader loops forever on a crashed recycled WAL's stale records
  // (engine/kv/kv_db.cc, RecoverRecycledWalsFirst).
  if (f.recycle_wals > 0 && f.cmd == "run") {
    wtrocks::engine::compat::EnableWalRecycling(&o, f.recycle_wals);
  }
  return o;
}

// --- ack log ---

std::map<int, std::set<uint64_t>> ReadAcks(const std::string& path,
                                           uint64_t max_lines,
                                           uint64_t* lines_read,
                                           uint64_t* torn) {
  std::map<int, std::set<uint64_t>> acks;
  *lines_read = 0;
  *torn = 0;
  FILE* in = fopen(path.c_str(), "r");
  if (in == nullptr) return acks;  // no ack yet is a valid state
  char line[kAckLineLen + 2];
  while (max_lines == 0 || *lines_read < max_lines) {
    size_t n = fread(line, 1, kAckLineLen, in);
    if (n == 0) break;
    int w = -1;
    uint64_t seq = 0;
    line[n] = '\0';
    if (n != kAckLineLen || line[kAckLineLen - 1] != '\n' ||
        sscanf(line, "%2d %10" SCNu64, &w, &seq) != 2 || w < 0 ||
        w >= kMaxWriters) {
      // SIGKILL between the parts of a write(2) is not expected, but a
      // short last line must not count as an ack either way.
      ++*torn;
      break;
    }
    acks[w].insert(seq);
    ++*lines_read;
  }
  fclose(in);
  return acks;
}

// --- run ---

// Appends a mark to the dm-log-writes device `dm_name`'s log, as
// `dmsetup message NAME 0 mark TEXT` would, through the device-mapper ioctl
// (a process per ack would change the timing under test). Returns 0 or
// -errno.
int DmMark(int control_fd, const std::string& dm_name, const char* text) {
  union {
    struct dm_ioctl io;
    char buf[2048];
  } u;
  memset(&u, 0, sizeof(u));
  u.io.version[0] = DM_VERSION_MAJOR;
  u.io.version[1] = 0;
  u.io.version[2] = 0;
  u.io.data_size = sizeof(u);
  u.io.data_start = sizeof(struct dm_ioctl);
  snprintf(u.io.name, sizeof(u.io.name), "%s", dm_name.c_str());
  auto* msg = reinterpret_cast<struct dm_target_msg*>(u.buf + u.io.data_start);
  msg->sector = 0;
  snprintf(msg->message, sizeof(u) - u.io.data_start - sizeof(*msg), "mark %s",
           text);
  return ioctl(control_fd, DM_TARGET_MSG, &u) == 0 ? 0 : -errno;
}

struct RunState {
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> acked{0};
  std::atomic<uint64_t> errors{0};
  std::mutex mu;
  std::string first_error;
  int ack_fd = -1;
  int dm_fd = -1;  // /dev/mapper/control when marking a log
  std::string dm_name;
};

void ReportAck(RunState* st, int w, uint64_t seq) {
  char line[kAckLineLen + 1];
  snprintf(line, sizeof(line), "%02d %010" PRIu64 "\n", w, seq);
  ssize_t n = write(st->ack_fd, line, kAckLineLen);
  if (n != static_cast<ssize_t>(kAckLineLen)) {
    // The oracle itself failed: stop at once rather than under-report.
    fprintf(stderr, "dur_workload: ack log write failed: %s\n",
            strerror(errno));
    _exit(4);
  }
  if (st->dm_fd >= 0) {
    // Sent after the ack, so the mark lands in the log after the flush or
    // FUA write that made this write durable: a replay that includes the
    // mark must include the write (README.md, "Power cut").
    char text[32];
    // One word: the target's message parser splits on spaces.
    snprintf(text, sizeof(text), "a:%02d:%010" PRIu64, w, seq);
    int r = DmMark(st->dm_fd, st->dm_name, text);
    if (r != 0) {
      fprintf(stderr, "dur_workload: dm mark on %s failed: %s\n",
              st->dm_name.c_str(), strerror(-r));
      _exit(4);
    }
  }
  st->acked.fetch_add(1);
}

void NoteError(RunState* st, int w, uint64_t seq, const rocksdb::Status& s) {
  st->errors.fetch_add(1);
  std::lock_guard<std::mutex> l(st->mu);
  if (st->first_error.empty()) {
    st->first_error = "writer " + std::to_string(w) + " seq " +
                      std::to_string(seq) + ": " + s.ToString();
  }
}

// Where writer w resumes after a crash: one past the highest seq recovered,
// so that seqs stay unique and in order across runs on the same DB.
uint64_t ResumeSeq(rocksdb::DB* db, int w) {
  std::string v;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), LastKey(w), &v);
  if (!s.ok()) return 0;
  return strtoull(v.c_str(), nullptr, 10) + 1;
}

rocksdb::WriteBatch MakeBatch(uint64_t seed, int w, uint64_t seq) {
  rocksdb::WriteBatch b;
  b.Put(Key(w, seq), Value(w, seq, ValueLen(seed, w, seq)));
  b.Put(LastKey(w), std::to_string(seq));
  return b;
}

#ifdef WTROCKS_HAVE_RESP
// --- run --server: the writers are clients of `wtkv serve` ---

// Connects to the --server address. Waits up to 30 s for a server that
// is not listening yet (still opening its DB). Returns the fd, or -1 with
// *why.
int ConnectServer(const std::string& spec, std::string* why) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (!ServerAddress(spec, &ss, &len, why)) return -1;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      *why = std::string("socket: ") + strerror(errno);
      return -1;
    }
    if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0) {
      int one = 1;
      if (ss.ss_family == AF_INET) {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      }
      // A server that stops answering is a failure, not a hang.
      timeval tv{60, 0};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      return fd;
    }
    int e = errno;
    close(fd);
    bool not_yet = e == ENOENT || e == ECONNREFUSED;
    if (!not_yet || std::chrono::steady_clock::now() >= deadline) {
      *why = "connect " + spec + ": " + strerror(e);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// One writer's connection. RESP has no request ids: replies come back in
// request order, which wtkv serve keeps per connection.
class ServerConn {
 public:
  explicit ServerConn(int fd) : fd_(fd) {}
  ~ServerConn() { close(fd_); }
  ServerConn(const ServerConn&) = delete;
  ServerConn& operator=(const ServerConn&) = delete;

  bool Send(const std::string& bytes, std::string* why) {
    for (size_t off = 0; off < bytes.size();) {
      // MSG_NOSIGNAL: a killed server is an error to report, not SIGPIPE.
      ssize_t n =
          send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        *why = std::string("send: ") + strerror(errno);
        return false;
      }
      off += static_cast<size_t>(n);
    }
    return true;
  }

  // The next reply, waiting for it; false with *why when the server closed
  // the connection, stopped answering, or sent something unreadable.
  bool Next(wtrocks::kv::server::RespReply* r, std::string* why) {
    using wtrocks::kv::server::ReplyParse;
    for (;;) {
      size_t used = 0;
      ReplyParse p = wtrocks::kv::server::ParseReply(
          std::string_view(in_).substr(off_), &used, r, why);
      if (p == ReplyParse::kReply) {
        off_ += used;
        return true;
      }
      if (p == ReplyParse::kError) return false;
      if (off_ > 0) in_.erase(0, std::exchange(off_, 0));
      char buf[16384];
      ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n > 0) {
        in_.append(buf, static_cast<size_t>(n));
      } else if (n == 0) {
        *why = "the server closed the connection";
        return false;
      } else if (errno != EINTR) {
        *why = errno == EAGAIN ? std::string("no reply from the server in 60 s")
                               : std::string("recv: ") + strerror(errno);
        return false;
      }
    }
  }

 private:
  int fd_;
  std::string in_;
  size_t off_ = 0;
};

std::string Command(std::initializer_list<std::string_view> args) {
  std::string out;
  wtrocks::kv::server::AppendArrayHeader(&out, args.size());
  for (std::string_view a : args) wtrocks::kv::server::AppendBulk(&out, a);
  return out;
}

std::string Describe(const wtrocks::kv::server::RespReply& r) {
  using T = wtrocks::kv::server::RespReply::Type;
  switch (r.type) {
    case T::kSimple:
      return "+" + r.str;
    case T::kError:
      return "-" + r.str;
    case T::kInteger:
      return ":" + std::to_string(r.integer);
    case T::kBulk:
      return "bulk '" + r.str.substr(0, 40) + "'";
    case T::kArray: {
      std::string out = "[";
      for (const auto& e : r.elements) {
        out += (out.size() > 1 ? ", " : "") + Describe(e);
      }
      return out + "]";
    }
    case T::kNull:
      break;
  }
  return "null";
}

// Writer w over its own connection: the same writes as the other run
// modes, { w<w>-<seq> = value, w<w>-last = seq }, which wtkv serve commits
// as one WriteBatch: an MSET for even seqs, MULTI / SET / SET / EXEC for
// odd ones, so that a crash test of the server covers both ways to write
// two keys at once (verify's w<w>-last check sees a torn one). Up to
// f.inflight are pipelined; the ack (log line, then dm mark) is given when
// the +OK (or EXEC's [OK, OK]) arrives, and only after it is seq + inflight
// sent, so the "never issued" bound of verify --inflight holds as for
// --async.
bool IsTransaction(uint64_t seq) { return seq % 2 == 1; }

// Whether `r`, the reply to write `seq` as sent, is its success; the
// MULTI's +OK and the SETs' +QUEUED are read before it.
bool ServerWriteOk(ServerConn* c, uint64_t seq,
                   wtrocks::kv::server::RespReply* r, std::string* why) {
  using T = wtrocks::kv::server::RespReply::Type;
  auto simple = [](const wtrocks::kv::server::RespReply& x, const char* want) {
    return x.type == T::kSimple && x.str == want;
  };
  if (IsTransaction(seq)) {
    for (const char* want : {"OK", "QUEUED", "QUEUED"}) {
      if (!c->Next(r, why)) return false;
      if (!simple(*r, want)) {
        *why = "MULTI/SET answered " + Describe(*r);
        return false;
      }
    }
  }
  if (!c->Next(r, why)) return false;
  const bool ok = IsTransaction(seq)
                      ? r->type == T::kArray && r->elements.size() == 2 &&
                            simple(r->elements[0], "OK") &&
                            simple(r->elements[1], "OK")
                      : simple(*r, "OK");
  if (!ok) {
    *why = std::string(IsTransaction(seq) ? "EXEC" : "MSET") + " answered " +
           Describe(*r);
  }
  return ok;
}

void ServerWriter(const Flags& f, RunState* st, int w) {
  using T = wtrocks::kv::server::RespReply::Type;
  auto fail = [&](uint64_t seq, const std::string& why) {
    NoteError(st, w, seq, rocksdb::Status::IOError("wtkv serve", why));
  };
  std::string why;
  int fd = ConnectServer(f.server, &why);
  if (fd < 0) return fail(0, why);
  ServerConn c(fd);
  wtrocks::kv::server::RespReply r;
  // Resume after what the server's database holds (ResumeSeq over RESP).
  if (!c.Send(Command({"GET", LastKey(w)}), &why) || !c.Next(&r, &why)) {
    return fail(0, "GET " + LastKey(w) + ": " + why);
  }
  uint64_t seq = 0;
  if (r.type == T::kBulk) {
    seq = strtoull(r.str.c_str(), nullptr, 10) + 1;
  } else if (r.type != T::kNull) {
    return fail(0, "GET " + LastKey(w) + " answered " + Describe(r));
  }
  // Read back from the database: acknowledged from now on (see Run).
  if (seq > 0) ReportAck(st, w, seq - 1);
  std::deque<uint64_t> sent;  // seqs whose replies are due, in order
  for (uint64_t issued = 0;;) {
    std::string out;
    while (!st->stop.load() && (f.ops == 0 || issued < f.ops) &&
           sent.size() < f.inflight) {
      std::string value = Value(w, seq, ValueLen(f.seed, w, seq));
      const std::string last = std::to_string(seq);
      if (IsTransaction(seq)) {
        out += Command({"MULTI"}) + Command({"SET", Key(w, seq), value}) +
               Command({"SET", LastKey(w), last}) + Command({"EXEC"});
      } else {
        out += Command({"MSET", Key(w, seq), value, LastKey(w), last});
      }
      sent.push_back(seq++);
      issued++;
    }
    if (!out.empty() && !c.Send(out, &why)) return fail(sent.front(), why);
    if (sent.empty()) return;
    uint64_t s = sent.front();
    if (!ServerWriteOk(&c, s, &r, &why)) {
      // Nothing after a failure: a later ack would sit behind a hole.
      return fail(
          s, why + " (" + std::to_string(sent.size()) + " writes pending)");
    }
    sent.pop_front();
    ReportAck(st, w, s);
  }
}
#endif

int Run(const Flags& f) {
  std::string desc;
  std::shared_ptr<rocksdb::FileSystem> fs;
  std::unique_ptr<rocksdb::Env> env;
  std::unique_ptr<rocksdb::DB> owned_db;
  rocksdb::DB* dbp = nullptr;
#ifdef WTROCKS_HAVE_KV
  std::unique_ptr<wtrocks::kv::KvDb> kv;
#endif
  rocksdb::Status s;
  if (!f.server.empty()) {
#ifdef WTROCKS_HAVE_RESP
    desc = "server:" + f.server;
#else
    printf("run: --server unavailable: engine/kv/server not built\n");
    return 77;
#endif
  } else if (f.async) {
#ifdef WTROCKS_HAVE_KV
    if (f.mode == "default" && f.uri.empty()) {
      printf("run: async commits need a wtrocks mode, not default\n");
      return 77;
    }
    wtrocks::kv::KvOptions ko;
    ko.path = f.db;
    ko.mode = f.mode;
    ko.fs_uri = f.uri;
    // The KV layer installs its own Env; ours must stay the default.
    ko.db_options = DbOptions(f, rocksdb::Env::Default());
    s = wtrocks::kv::KvDb::Open(ko, &kv);
    if (s.ok()) dbp = kv->db();
    desc = "kv:" + (f.uri.empty() ? f.mode : f.uri);
#else
    printf("run: async unavailable: engine/kv not built\n");
    return 77;
#endif
  } else {
    fs = MakeFs(f, &desc);
    env = rocksdb::NewCompositeEnv(fs);
    rocksdb::Options opts = DbOptions(f, env.get());
    s = rocksdb::DB::Open(opts, f.db, &dbp);
    owned_db.reset(dbp);
  }
  if (!s.ok()) {
    fprintf(stderr, "dur_workload run: open %s (%s): %s\n", f.db.c_str(),
            desc.c_str(), s.ToString().c_str());
    printf("run: open_error=\"%s\"\n", s.ToString().c_str());
    return 3;
  }
  rocksdb::DB* db = dbp;

  RunState st;
  st.ack_fd =
      open(f.acklog.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (st.ack_fd < 0) {
    fprintf(stderr, "dur_workload: open %s: %s\n", f.acklog.c_str(),
            strerror(errno));
    return 2;
  }

  if (!f.dm_mark.empty()) {
    st.dm_name = f.dm_mark;
    st.dm_fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
    if (st.dm_fd < 0 || DmMark(st.dm_fd, st.dm_name, "start") != 0) {
      fprintf(stderr, "dur_workload: cannot mark dm device %s: %s\n",
              f.dm_mark.c_str(), strerror(errno));
      return 2;
    }
  }

  // Tell the harness we are writing (it times kill points from here).
  printf("run: started mode=%s writers=%d seed=%" PRIu64 "\n", desc.c_str(),
         f.writers, f.seed);
  fflush(stdout);

  std::vector<std::thread> threads;
  for (int w = 0; w < f.writers; ++w) {
    threads.emplace_back([&, w] {
#ifdef WTROCKS_HAVE_RESP
      if (!f.server.empty()) return ServerWriter(f, &st, w);
#endif
      uint64_t seq = ResumeSeq(db, w);
      // What recovery brought back was read back from an open DB: from now
      // on it counts as acknowledged, or a later crash could lose it
      // unnoticed (and the "never issued" bound would misfire).
      if (seq > 0) ReportAck(&st, w, seq - 1);
#ifdef WTROCKS_HAVE_KV
      if (kv) {
        // Up to f.inflight commits in flight; callbacks arrive in commit
        // order, so acks stay in seq order per writer.
        std::mutex mu;
        std::condition_variable cv;
        uint64_t pending = 0;
        bool failed = false;
        for (uint64_t i = 0; !st.stop.load() && (f.ops == 0 || i < f.ops);
             ++i, ++seq) {
          {
            std::unique_lock<std::mutex> l(mu);
            cv.wait(l, [&] { return pending < f.inflight || failed; });
            if (failed) break;
            ++pending;
          }
          rocksdb::WriteBatch b = MakeBatch(f.seed, w, seq);
          kv->WriteAsync(&b, [&, w, seq](const rocksdb::Status& cs) {
            if (cs.ok()) {
              ReportAck(&st, w, seq);
            } else {
              NoteError(&st, w, seq, cs);
            }
            std::lock_guard<std::mutex> l(mu);
            if (!cs.ok()) failed = true;
            --pending;
            cv.notify_all();
          });
        }
        std::unique_lock<std::mutex> l(mu);
        cv.wait(l, [&] { return pending == 0; });
        return;
      }
#endif
      for (uint64_t i = 0; !st.stop.load() && (f.ops == 0 || i < f.ops);
           ++i, ++seq) {
        rocksdb::WriteBatch b = MakeBatch(f.seed, w, seq);
        rocksdb::WriteOptions wo;
        wo.sync = !f.unsafe_nosync;
        rocksdb::Status ws = db->Write(wo, &b);
        if (!ws.ok()) {
          NoteError(&st, w, seq, ws);
          return;  // nothing after a failure: the seq would leave a hole
        }
        ReportAck(&st, w, seq);
      }
    });
  }
  auto start = std::chrono::steady_clock::now();
  if (f.seconds > 0) {
    while (st.errors.load() < static_cast<uint64_t>(f.writers)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      std::chrono::duration<double> el =
          std::chrono::steady_clock::now() - start;
      if (el.count() >= f.seconds) break;
    }
    st.stop = true;
  }
  for (auto& t : threads) t.join();
  rocksdb::Status cs;
#ifdef WTROCKS_HAVE_KV
  if (kv) cs = kv->Close();
#endif
  if (owned_db) cs = owned_db->Close();
  close(st.ack_fd);
  printf("run: acked=%" PRIu64 " errors=%" PRIu64 " first_error=\"%s\"\n",
         st.acked.load(), st.errors.load(), st.first_error.c_str());
  if (!cs.ok()) printf("run: close_error=\"%s\"\n", cs.ToString().c_str());
  return st.errors.load() == 0 ? 0 : 3;
}

// --- verify ---

struct WriterSeen {
  std::map<uint64_t, bool> seqs;  // seq -> value ok
  bool has_last = false;
  uint64_t last = 0;
};

// The wal_recovery_mode names --wal_recovery_mode takes, in enum order.
constexpr auto& kRecoveryNames = wtrocks::engine::compat::kWalRecoveryModeNames;

// Checks the DB in `dir` opened through `fs`, in recovery mode `rm` (or the
// options' default when null). Returns 0, 1 (damage found) or 2 (could not
// check: the DB does not open).
int VerifyDir(const Flags& f, const std::string& dir,
              const std::shared_ptr<rocksdb::FileSystem>& fs,
              const std::string& desc, const rocksdb::WALRecoveryMode* rm,
              std::string* summary = nullptr) {
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  rocksdb::Options opts = DbOptions(f, env.get());
  opts.create_if_missing = false;
  if (rm != nullptr) opts.wal_recovery_mode = *rm;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = f.read_only
                          ? rocksdb::DB::OpenForReadOnly(opts, dir, &raw)
                          : rocksdb::DB::Open(opts, dir, &raw);
  uint64_t lines = 0, torn = 0;
  auto acks = ReadAcks(f.acklog, f.ack_lines, &lines, &torn);
  uint64_t acked_total = 0;
  for (auto& [w, set] : acks) acked_total += set.size();
  if (!s.ok()) {
    // An empty DB directory with no acks is a crash before the first
    // write: nothing to check, nothing lost.
    if (acked_total == 0 && s.IsInvalidArgument()) {
      printf(
          "checked=0 lost=0 corrupted=0 reordered=0 unexpected=0 keys=0 "
          "note=\"no DB yet: %s\"\n",
          s.ToString().c_str());
      return 0;
    }
    printf("verify: open_error=\"%s\" acked=%" PRIu64 "\n",
           s.ToString().c_str(), acked_total);
    fprintf(stderr, "dur_workload verify: open %s (%s): %s\n", dir.c_str(),
            desc.c_str(), s.ToString().c_str());
    return 2;
  }
  std::unique_ptr<rocksdb::DB> db(raw);

  // Every ack (not only the first N lines) bounds what may exist at all.
  std::map<int, uint64_t> max_acked_any;
  {
    uint64_t l2 = 0, t2 = 0;
    for (auto& [w, set] : ReadAcks(f.acklog, 0, &l2, &t2)) {
      max_acked_any[w] = *set.rbegin();
    }
  }

  std::map<int, WriterSeen> seen;
  uint64_t keys = 0, corrupted = 0;
  std::vector<std::string> details;
  auto detail = [&](const std::string& d) {
    if (details.size() < 20) details.push_back(d);
  };
  std::unique_ptr<rocksdb::Iterator> it(
      db->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ++keys;
    std::string k = it->key().ToString();
    std::string v = it->value().ToString();
    int w = -1;
    uint64_t seq = 0;
    char tail[16] = {0};
    if (sscanf(k.c_str(), "w%2d-%10" SCNu64 "%1s", &w, &seq, tail) == 2 &&
        k.size() == 14 && w >= 0 && w < kMaxWriters) {
      bool ok = ValueOk(v, w, seq);
      if (!ok) {
        ++corrupted;
        detail("corrupt value at " + k + " (" + std::to_string(v.size()) +
               " bytes, starts '" + v.substr(0, 40) + "')");
      }
      seen[w].seqs[seq] = ok;
    } else if (sscanf(k.c_str(), "w%2d-las%1s", &w, tail) == 2 &&
               k == LastKey(w)) {
      char* end = nullptr;
      uint64_t last = strtoull(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0') {
        ++corrupted;
        detail("corrupt " + k + " = '" + v.substr(0, 40) + "'");
      } else {
        seen[w].has_last = true;
        seen[w].last = last;
      }
    } else {
      ++corrupted;
      detail("unknown key '" + k.substr(0, 40) + "'");
    }
  }
  if (!it->status().ok()) {
    printf("verify: iterator_error=\"%s\"\n", it->status().ToString().c_str());
    return 2;
  }

  uint64_t checked = 0, lost = 0, reordered = 0, unexpected = 0;
  for (auto& [w, set] : acks) {
    for (uint64_t seq : set) {
      ++checked;
      auto& ws = seen[w].seqs;
      if (ws.find(seq) == ws.end()) {
        ++lost;
        detail("lost acked write " + Key(w, seq));
      }
    }
  }
  for (auto& [w, ws] : seen) {
    if (ws.seqs.empty()) {
      if (ws.has_last) {
        ++reordered;
        detail(LastKey(w) + " present without any " + Key(w, 0).substr(0, 4) +
               " key");
      }
      continue;
    }
    uint64_t max = ws.seqs.rbegin()->first;
    // Seqs below the lowest are never deleted, so the set must be 0..max.
    uint64_t holes = max + 1 - ws.seqs.size();
    if (holes != 0) {
      reordered += holes;
      uint64_t expect = 0;
      for (auto& [seq, ok] : ws.seqs) {
        if (seq != expect) {
          detail("hole before " + Key(w, seq) + ": missing from " +
                 Key(w, expect));
          break;
        }
        ++expect;
      }
    }
    if (!ws.has_last || ws.last != max) {
      ++reordered;
      detail(LastKey(w) + " = " +
             (ws.has_last ? std::to_string(ws.last) : "absent") +
             " but highest seq is " + std::to_string(max));
    }
    auto a = max_acked_any.find(w);
    uint64_t bound =
        (a == max_acked_any.end() ? 0 : a->second + 1) + (f.inflight - 1);
    // With no ack at all, seq 0 may still have been in flight; after a
    // resumed run the bound is loose only by the one in-flight write.
    if (max > bound) {
      ++unexpected;
      detail("writer " + std::to_string(w) + " has seq " + std::to_string(max) +
             " but its highest ack is " +
             (a == max_acked_any.end() ? "none" : std::to_string(a->second)));
    }
  }
  it.reset();  // an iterator must not outlive the DB
  for (auto& d : details) printf("verify: %s\n", d.c_str());
  char line[256];
  snprintf(line, sizeof(line),
           "checked=%" PRIu64 " lost=%" PRIu64 " corrupted=%" PRIu64
           " reordered=%" PRIu64 " unexpected=%" PRIu64 " keys=%" PRIu64,
           checked, lost, corrupted, reordered, unexpected, keys);
  printf("%s ack_lines=%" PRIu64 " torn_ack_lines=%" PRIu64 "\n", line, lines,
         torn);
  if (summary != nullptr) *summary = line;
  rocksdb::Status cs = db->Close();
  if (!cs.ok()) {
    printf("verify: close_error=\"%s\"\n", cs.ToString().c_str());
    return 1;
  }
  return lost + corrupted + reordered + unexpected == 0 ? 0 : 1;
}

int Verify(const Flags& f) {
  std::string desc;
  auto fs = MakeFs(f, &desc);
  if (f.recovery_modes.empty()) return VerifyDir(f, f.db, fs, desc, nullptr);

  std::vector<int> modes;
  std::string list = f.recovery_modes == "all"
                         ? "tolerate_corrupted_tail_records,absolute_"
                           "consistency,point_in_time_recovery,skip_any_"
                           "corrupted_records"
                         : f.recovery_modes;
  for (size_t b = 0; b <= list.size();) {
    size_t e = list.find(',', b);
    if (e == std::string::npos) e = list.size();
    std::string name = list.substr(b, e - b);
    int m = -1;
    for (int i = 0; i < 4; ++i) {
      if (name == kRecoveryNames[i]) m = i;
    }
    if (m < 0) Usage("unknown wal_recovery_mode " + name);
    modes.push_back(m);
    b = e + 1;
  }
  struct Fs {
    std::string tag, desc;
    std::shared_ptr<rocksdb::FileSystem> fs;
  };
  std::vector<Fs> systems = {{"tested", desc, fs}};
  if (f.reference && desc != "default") {
    systems.push_back({"reference", "default", rocksdb::FileSystem::Default()});
  }
  int rc = 0;
  for (int m : modes) {
    auto rm = static_cast<rocksdb::WALRecoveryMode>(m);
    int got[2] = {-1, -1};
    for (size_t i = 0; i < systems.size(); ++i) {
      // The reference decides only whether a failure to open is the
      // image's (an open under TCG costs seconds).
      if (i > 0 && got[0] != 2) break;
      // Recovery writes (a new WAL, an SST, a MANIFEST edit): every open
      // starts from its own copy of the crash image.
      std::string copy = f.db + "." + systems[i].tag + "." + kRecoveryNames[m];
      std::error_code ec;
      std::filesystem::remove_all(copy, ec);
      std::filesystem::copy(f.db, copy,
                            std::filesystem::copy_options::recursive, ec);
      if (ec) {
        fprintf(stderr, "dur_workload verify: copy %s to %s: %s\n",
                f.db.c_str(), copy.c_str(), ec.message().c_str());
        return 2;
      }
      std::string summary;
      got[i] =
          VerifyDir(f, copy, systems[i].fs, systems[i].desc, &rm, &summary);
      // One line per open for the harness: the counters when it opened.
      printf("recovery: fs=%s wal_recovery_mode=%s opened=%d %s\n",
             systems[i].tag.c_str(), kRecoveryNames[m], got[i] != 2 ? 1 : 0,
             summary.c_str());
      std::filesystem::remove_all(copy, ec);
    }
    // Damage where the tested FileSystem opens fails; so does a failure to
    // open the bytes the reference opens.
    if (got[0] == 1 || (got[0] == 2 && got[1] != -1 && got[1] != 2)) rc = 1;
  }
  return rc;
}

// Damages a DB on purpose, through RocksDB, so the harness can show that
// verify notices each kind of damage (a checker that cannot fail proves
// nothing).
int Tamper(const Flags& f) {
  std::string desc;
  auto fs = MakeFs(f, &desc);
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  rocksdb::Options opts = DbOptions(f, env.get());
  opts.create_if_missing = false;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(opts, f.db, &raw);
  if (!s.ok()) {
    fprintf(stderr, "tamper: open: %s\n", s.ToString().c_str());
    return 2;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  uint64_t lines = 0, torn = 0;
  auto acks = ReadAcks(f.acklog, 0, &lines, &torn);
  if (acks.empty() || acks.begin()->second.size() < 3) {
    fprintf(stderr, "tamper: need at least 3 acks of one writer\n");
    return 2;
  }
  int w = acks.begin()->first;
  const auto& seqs = acks.begin()->second;
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (f.what == "drop") {
    uint64_t top = *seqs.rbegin();
    s = db->Delete(wo, Key(w, top));
    if (s.ok()) s = db->Put(wo, LastKey(w), std::to_string(top - 1));
  } else if (f.what == "corrupt") {
    std::string v = Value(w, 1, ValueLen(f.seed, w, 1));
    v[v.size() - 1] ^= 1;
    s = db->Put(wo, Key(w, 1), v);
  } else if (f.what == "hole") {
    s = db->Delete(wo, Key(w, 1));
  } else {
    fprintf(stderr, "tamper: --what must be drop, corrupt or hole\n");
    return 2;
  }
  if (s.ok()) s = db->Close();
  if (!s.ok()) {
    fprintf(stderr, "tamper: %s\n", s.ToString().c_str());
    return 2;
  }
  return 0;
}

// Exit 0 when `mode` works for files in `dir`, else 77 (the ctest skip
// code) with the probe's reason, so harnesses skip instead of failing.
int ProbeMode(const std::string& dir, const std::string& mode) {
  if (mode == "default") return 0;
  wtrocks::engine::EngineConfig config;
  rocksdb::Status refused =
      wtrocks::engine::ParseUri("wtrocks://mode=" + mode, &config);
  if (!refused.ok()) {
    // The engine does not offer it (direct): nothing to test here.
    printf("%s\n", refused.ToString().c_str());
    return 77;
  }
  wtrocks::wal::ProbeResult probe;
  wtrocks::wal::Status s = wtrocks::wal::Probe(dir, &probe);
  if (!s.ok()) {
    printf("probe failed: %s\n", s.ToString().c_str());
    return 2;
  }
  if (mode == "auto") {
    printf("auto chooses %s\n", wtrocks::wal::ModeName(probe.best));
    return 0;
  }
  auto m = wtrocks::wal::ParseMode(mode);
  if (!m || *m == wtrocks::wal::Mode::kAuto) {
    printf("unknown mode %s\n", mode.c_str());
    return 2;
  }
  const auto& sup = probe.Of(*m);
  if (!sup.supported) {
    printf("%s unsupported on %s (%s, kernel %s): %s\n", mode.c_str(),
           dir.c_str(), probe.fs_type.c_str(), probe.kernel.c_str(),
           sup.reason.c_str());
    return 77;
  }
  printf("%s supported on %s (%s)\n", mode.c_str(), dir.c_str(),
         probe.fs_type.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  setvbuf(stdout, nullptr, _IOLBF, 0);
  Flags f = ParseFlags(argc, argv);
  if (f.cmd == "probe") return ProbeMode(f.db, f.mode);
  if (f.cmd == "run") return Run(f);
  if (f.cmd == "tamper") return Tamper(f);
  return Verify(f);
}
