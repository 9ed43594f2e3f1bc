// Copyright (c) wtrocks authors.
//
// wtkv: the KV database from the command line. Usage and exit codes are in
// Usage() below and in engine/kv/README.md; keep the two in step.
#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/config.h"
#include "engine/kv/ack_log.h"
#include "engine/kv/kv_db.h"
#include "engine/kv/server/server.h"
#include "engine/rocksdb_compat.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "wal/mode.h"

namespace wtrocks::kv {
namespace {

enum Exit {
  kOk = 0,
  kNotFound = 1,
  kUsage = 2,
  kOpenFailed = 3,
  kOpFailed = 4,
};

const char* Usage() {
  return "usage: wtkv --db DIR [--mode MODE | --uri wtrocks://...]\n"
         "            [--recycle-wals N] [--write-buffer-size BYTES]\n"
         "            [--memtable skiplist|hash] [--row-cache BYTES] COMMAND "
         "[ARGS]\n"
         "commands:\n"
         "  put KEY VALUE     write; returns once it is durable\n"
         "  get KEY           print the value (exit 1 if absent)\n"
         "  delete KEY        delete; returns once it is durable\n"
         "  scan [--prefix P] [--limit N]\n"
         "                    print KEY<TAB>VALUE lines in key order\n"
         "  load [--count N] [--inflight K] [--batch B] [--value-size BYTES]\n"
         "       [--key-prefix S] [--ack-file FILE|-]\n"
         "                    write N generated keys as async durable "
         "commits,\n"
         "                    K in flight, B keys per commit; progress on "
         "stderr;\n"
         "                    --ack-file logs 'ack KEY...' per durable "
         "commit\n"
         "  stats             commit counters, RocksDB sizes, wtrocks stats\n"
         "  serve [--bind ADDR] [--port N] [--unix PATH [--unix-perm OCTAL]]\n"
         "        [--durability durable|async] [--max-bulk BYTES]\n"
         "        [--max-clients N] [--read-cache BYTES]\n"
         "                    a Redis-protocol (RESP2) server on ADDR:N\n"
         "                    (default 127.0.0.1:6380), and/or on the Unix\n"
         "                    socket PATH (mode 0700 by default; with --unix\n"
         "                    TCP only if --port or --bind is given).\n"
         "                    durable: a write is answered once it is\n"
         "                    durable. async: answered BEFORE it is durable\n"
         "                    (comparison only; a crash loses acknowledged\n"
         "                    writes). SIGTERM/SIGINT: stop, deliver pending\n"
         "                    replies, close the database (and remove the\n"
         "                    Unix socket file). --read-cache: bytes of\n"
         "                    the server's cache of what GETs read\n"
         "                    (default 0 = none; 67108864 for GET-heavy\n"
         "                    loads; it slows SETs once full)\n"
         "MODE: auto (default), writethrough, dsync, fsync\n"
         "--recycle-wals N: RocksDB reuses up to N old WAL files, so a WAL\n"
         "  write overwrites blocks already on disk instead of appending\n"
         "  (what makes writethrough fast); sets the recovery mode that\n"
         "  keeps recycling (skip_any_corrupted_records on RocksDB 7.8)\n"
         "--write-buffer-size BYTES: RocksDB memtable size (default 64 "
         "MiB);\n"
         "  WALs roll, and recycling starts, once a memtable fills\n"
         "--memtable hash: a hash memtable for point lookups (GET/SET);\n"
         "  every scan/SCAN first copies the memtable in key order\n"
         "  (default: skiplist)\n"
         "--row-cache BYTES: RocksDB's cache of looked-up rows (default 0 =\n"
         "  none); with it the server's FLUSHALL deletes key by key\n"
         "exit: 0 ok, 1 key not found, 2 usage error, 3 cannot open the "
         "database,\n"
         "      4 the operation failed\n";
}

int UsageError(const std::string& msg) {
  fprintf(stderr, "wtkv: %s\n(run 'wtkv --help' for usage)\n", msg.c_str());
  return kUsage;
}

struct Args {
  std::map<std::string, std::string> flags;  // name without "--"
  std::vector<std::string> positional;       // command first
};

// Flags that take a value, and where they are allowed ("" = everywhere).
const std::map<std::string, std::string>& KnownFlags() {
  static const std::map<std::string, std::string> k = {
      {"db", ""},
      {"mode", ""},
      {"uri", ""},
      {"recycle-wals", ""},
      {"write-buffer-size", ""},
      {"memtable", ""},
      {"row-cache", ""},
      {"prefix", "scan"},
      {"limit", "scan"},
      {"count", "load"},
      {"inflight", "load"},
      {"batch", "load"},
      {"value-size", "load"},
      {"key-prefix", "load"},
      {"ack-file", "load"},
      {"bind", "serve"},
      {"port", "serve"},
      {"unix", "serve"},
      {"unix-perm", "serve"},
      {"durability", "serve"},
      {"max-bulk", "serve"},
      {"max-clients", "serve"},
      {"read-cache", "serve"},
  };
  return k;
}

// Returns kOk or kUsage (message printed).
int Parse(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; i++) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      a->positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2), value;
    size_t eq = name.find('=');
    bool has_value = eq != std::string::npos;
    if (has_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (KnownFlags().count(name) == 0) {
      return UsageError("unknown flag '--" + name + "'");
    }
    if (!has_value) {
      if (i + 1 >= argc) return UsageError("flag --" + name + " needs a value");
      value = argv[++i];
    }
    if (a->flags.count(name))
      return UsageError("flag --" + name + " given twice");
    a->flags[name] = value;
  }
  return kOk;
}

bool ParseCount(const Args& a, const std::string& name, uint64_t def,
                uint64_t min, uint64_t* out, int* rc) {
  auto it = a.flags.find(name);
  if (it == a.flags.end()) {
    *out = def;
    return true;
  }
  char* end = nullptr;
  errno = 0;
  unsigned long long v = strtoull(it->second.c_str(), &end, 10);
  if (it->second.empty() || *end != '\0' || errno != 0 || v < min ||
      it->second[0] == '-') {
    *rc = UsageError("--" + name + " must be an integer >= " +
                     std::to_string(min) + ", got '" + it->second + "'");
    return false;
  }
  *out = v;
  return true;
}

int Failed(const char* what, const rocksdb::Status& s) {
  fprintf(stderr, "wtkv: %s failed: %s\n", what, s.ToString().c_str());
  return kOpFailed;
}

int Load(KvDb* db, const Args& a) {
  int rc = kOk;
  uint64_t count, inflight, batch, value_size;
  if (!ParseCount(a, "count", 100000, 1, &count, &rc) ||
      !ParseCount(a, "inflight", 64, 1, &inflight, &rc) ||
      !ParseCount(a, "batch", 1, 1, &batch, &rc) ||
      !ParseCount(a, "value-size", 100, 0, &value_size, &rc)) {
    return rc;
  }
  std::string key_prefix =
      a.flags.count("key-prefix") ? a.flags.at("key-prefix") : "key";
  std::unique_ptr<AckLog> ack;
  if (a.flags.count("ack-file")) {
    rocksdb::Status s = AckLog::Open(a.flags.at("ack-file"), &ack);
    if (!s.ok()) return Failed("load", s);
  }

  std::mutex mu;
  std::condition_variable cv;
  uint64_t in_flight = 0, acked = 0, failed = 0;  // guarded by mu
  rocksdb::Status first_error;                    // guarded by mu
  auto done = [&](uint64_t keys, const rocksdb::Status& s) {
    std::lock_guard<std::mutex> lock(mu);
    in_flight--;
    (s.ok() ? acked : failed) += keys;
    if (!s.ok() && first_error.ok()) first_error = s;
    cv.notify_one();
  };

  using Clock = std::chrono::steady_clock;
  auto start = Clock::now(), last_report = start;
  std::string value(value_size, 'v');
  char key[256];
  for (uint64_t i = 0; i < count;) {
    rocksdb::WriteBatch b;
    std::vector<std::string> keys;
    for (uint64_t j = 0; j < batch && i < count; j++, i++) {
      snprintf(key, sizeof(key), "%s%012llu", key_prefix.c_str(),
               static_cast<unsigned long long>(i));
      // Vary the value so a scan shows which write it came from.
      for (size_t p = 0; p < value.size(); p++) value[p] = 'a' + (i + p) % 26;
      b.Put(key, value);
      if (ack) keys.push_back(key);
    }
    uint64_t n = b.Count();
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return in_flight < inflight; });
      if (!first_error.ok()) break;  // stop generating after the first failure
      in_flight++;
    }
    CommitCallback cb = [&done, n](const rocksdb::Status& s) { done(n, s); };
    if (ack) cb = ack->Wrap(std::move(keys), std::move(cb));
    db->WriteAsync(&b, std::move(cb));
    auto now = Clock::now();
    if (now - last_report >= std::chrono::seconds(1)) {
      last_report = now;
      std::lock_guard<std::mutex> lock(mu);
      double secs = std::chrono::duration<double>(now - start).count();
      fprintf(stderr, "load: %llu/%llu acked (%.0f keys/s)\n",
              static_cast<unsigned long long>(acked),
              static_cast<unsigned long long>(count), acked / secs);
    }
  }
  rocksdb::Status w = db->WaitForCommits();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::lock_guard<std::mutex> lock(mu);
  fprintf(stderr,
          "load: %llu keys acked durable, %llu failed, in %.2f s (%.0f "
          "keys/s, %llu in flight, %llu per commit)\n",
          static_cast<unsigned long long>(acked),
          static_cast<unsigned long long>(failed), secs,
          secs > 0 ? acked / secs : 0.0,
          static_cast<unsigned long long>(inflight),
          static_cast<unsigned long long>(batch));
  if (!w.ok()) return Failed("load", w);
  if (!first_error.ok()) return Failed("load", first_error);
  if (ack && !ack->status().ok()) return Failed("load", ack->status());
  return kOk;
}

// Room for --max-clients connections: Debian's soft limit of 1024 open
// files would refuse the 1025th client.
void RaiseFileLimit() {
  rlimit r;
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
}

int Serve(KvDb* db, const Args& a, const std::string& wal_mode) {
  int rc = kOk;
  server::ServerOptions so;
  uint64_t port, max_bulk, max_clients, read_cache;
  if (!ParseCount(a, "port", 6380, 0, &port, &rc) ||
      !ParseCount(a, "max-bulk", so.limits.max_bulk, 1, &max_bulk, &rc) ||
      !ParseCount(a, "max-clients", so.max_clients, 1, &max_clients, &rc) ||
      !ParseCount(a, "read-cache", so.read_cache_bytes, 0, &read_cache, &rc)) {
    return rc;
  }
  if (port > 65535) return UsageError("--port must be <= 65535");
  so.port = static_cast<int>(port);
  so.limits.max_bulk = max_bulk;
  so.max_clients = max_clients;
  so.read_cache_bytes = read_cache;
  if (a.flags.count("bind")) so.bind = a.flags.at("bind");
  if (a.flags.count("unix")) {
    so.unix_path = a.flags.at("unix");
    if (so.unix_path.empty()) return UsageError("--unix needs a path");
    // As redis with `port 0`: a Unix socket alone, unless TCP is asked for.
    so.tcp = a.flags.count("port") || a.flags.count("bind");
  }
  if (a.flags.count("unix-perm")) {
    if (so.unix_path.empty()) return UsageError("--unix-perm needs --unix");
    const std::string& p = a.flags.at("unix-perm");
    char* end = nullptr;
    unsigned long v = strtoul(p.c_str(), &end, 8);
    if (p.empty() || *end != '\0' || v > 0777 || p[0] == '-') {
      return UsageError(
          "--unix-perm must be octal permissions like 700 or "
          "0770, got '" +
          p + "'");
    }
    so.unix_perm = static_cast<unsigned>(v);
  }
  std::string durability =
      a.flags.count("durability") ? a.flags.at("durability") : "durable";
  if (durability != "durable" && durability != "async") {
    return UsageError("--durability must be durable or async, got '" +
                      durability + "'");
  }
  so.reply_before_durable = durability == "async";
  so.wal_mode = wal_mode;
  server::Server srv(db, so);
  rocksdb::Status s = srv.Listen();
  if (!s.ok()) {
    fprintf(stderr, "wtkv: %s\n", s.ToString().c_str());
    return kOpFailed;
  }
  std::string where;
  if (so.tcp) where = so.bind + ":" + std::to_string(srv.port());
  if (!so.unix_path.empty()) {
    char perm[8];
    snprintf(perm, sizeof(perm), "%04o", so.unix_perm);
    where += (where.empty() ? "unix:" : " and unix:") + so.unix_path + " (" +
             perm + ")";
  }
  // What RocksDB kept: it drops recycling silently in some recovery modes.
  const rocksdb::DBOptions dbo = db->db()->GetDBOptions();
  std::string wals = "fresh WAL files (appends)";
  if (dbo.recycle_log_file_num > 0) {
    wals = "recycled WAL files (up to " +
           std::to_string(dbo.recycle_log_file_num) + ", wal_recovery_mode " +
           engine::compat::WalRecoveryModeName(dbo.wal_recovery_mode) + ")";
  }
  fprintf(stderr, "wtkv serve: listening on %s, database %s, %s, %s\n",
          where.c_str(), a.flags.at("db").c_str(),
          so.reply_before_durable
              ? "durability=async: replies are sent BEFORE writes are "
                "durable (a crash loses acknowledged writes)"
              : "durability=durable: a write is answered once it is durable",
          wals.c_str());
  s = srv.Run();
  if (!s.ok()) return Failed("serve", s);
  return kOk;
}

int Main(int argc, char** argv) {
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h" || a == "help") {
      fputs(Usage(), stdout);
      return kOk;
    }
  }
  Args a;
  if (int rc = Parse(argc, argv, &a); rc != kOk) return rc;
  if (a.positional.empty()) return UsageError("no command given");
  const std::string cmd = a.positional[0];
  static const std::map<std::string, size_t> kArity = {
      {"put", 2},  {"get", 1},   {"delete", 1}, {"scan", 0},
      {"load", 0}, {"stats", 0}, {"serve", 0}};
  auto arity = kArity.find(cmd);
  if (arity == kArity.end()) return UsageError("unknown command '" + cmd + "'");
  if (a.positional.size() - 1 != arity->second) {
    return UsageError(cmd + " takes " + std::to_string(arity->second) +
                      " argument(s), got " +
                      std::to_string(a.positional.size() - 1));
  }
  for (const auto& [name, value] : a.flags) {
    const std::string& only = KnownFlags().at(name);
    if (!only.empty() && only != cmd) {
      return UsageError("--" + name + " is only for '" + only + "'");
    }
  }
  if (!a.flags.count("db")) return UsageError("--db DIR is required");
  KvOptions o;
  o.path = a.flags["db"];
  if (a.flags.count("mode") && a.flags.count("uri")) {
    return UsageError("give --mode or --uri, not both");
  }
  if (a.flags.count("mode")) {
    o.mode = a.flags["mode"];
    if (o.mode == "direct" || (o.mode != "auto" && !wal::ParseMode(o.mode))) {
      return UsageError("bad --mode '" + o.mode +
                        "'; valid: auto, writethrough, dsync, fsync");
    }
  }
  if (a.flags.count("uri")) {
    o.fs_uri = a.flags["uri"];
    engine::EngineConfig config;
    rocksdb::Status bad = engine::ParseUri(o.fs_uri, &config);
    if (!bad.ok()) return UsageError(bad.ToString());
  }
  uint64_t recycle = 0, write_buffer = 0, row_cache = 0;
  int rc = kOk;
  if (!ParseCount(a, "recycle-wals", 0, 0, &recycle, &rc) ||
      !ParseCount(a, "write-buffer-size", o.db_options.write_buffer_size,
                  64 << 10, &write_buffer, &rc) ||
      !ParseCount(a, "row-cache", 0, 0, &row_cache, &rc)) {
    return rc;
  }
  if (recycle > 1000) return UsageError("--recycle-wals must be <= 1000");
  std::string memtable =
      a.flags.count("memtable") ? a.flags["memtable"] : "skiplist";
  if (memtable != "skiplist" && memtable != "hash") {
    return UsageError("bad --memtable '" + memtable +
                      "'; valid: skiplist, hash");
  }
  o.db_options.write_buffer_size = write_buffer;
  if (recycle > 0) engine::compat::EnableWalRecycling(&o.db_options, recycle);
  if (memtable == "hash") UseHashMemtable(&o.db_options);
  // Opt-in: a GET that misses the memtable then skips the SST's index and
  // block search, but RocksDB's row cache ignores range deletes and 9.2+
  // refuses DeleteRange with one (facebook/rocksdb#4122), so the server's
  // FLUSHALL turns into a delete per key (commands.cc).
  if (row_cache > 0) o.db_options.row_cache = rocksdb::NewLRUCache(row_cache);
  // A server answers point lookups: a bloom filter per SST lets a GET skip
  // every L0 file and level that cannot hold the key (RocksDB's default
  // table has none), and a block cache larger than the default 8 MiB
  // keeps the blocks a GET does read. Neither changes what is durable.
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = rocksdb::NewLRUCache(64 << 20);
  // A GET that reaches a data block finds its key through a small hash
  // index in the block instead of a binary search over the restart points
  // and a scan between them: that search, scan and their key compares were
  // about a seventh of the server's CPU under redis-benchmark GET at
  // pipeline 16 (perf). Readers of any RocksDB version since 5.16 read it.
  table.data_block_index_type =
      rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
  o.db_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Only writers create a database: a typo in --db for get/scan should say
  // so, not answer from a fresh empty database.
  o.db_options.create_if_missing =
      cmd == "put" || cmd == "load" || cmd == "serve";
  if (cmd == "serve") {
    // Before KvDb starts threads, so that they inherit the blocked signals
    // and the server's signalfd is the only one to see SIGTERM.
    server::BlockShutdownSignals();
    RaiseFileLimit();
    // The server's commit callbacks only queue replies for its loop and
    // wake it (server.h): they can run on the completing thread.
    o.callbacks_on_completion = true;
  }

  std::unique_ptr<KvDb> db;
  rocksdb::Status s = KvDb::Open(o, &db);
  if (!s.ok() && s.ToString().find("/LOCK") != std::string::npos) {
    fprintf(stderr,
            "wtkv: cannot open database %s: it is in use by another process "
            "(RocksDB's LOCK file is held): %s\n",
            o.path.c_str(), s.ToString().c_str());
    return kOpenFailed;
  }
  if (!s.ok()) {
    fprintf(stderr, "wtkv: cannot open database %s: %s\n", o.path.c_str(),
            s.ToString().c_str());
    return kOpenFailed;
  }

  const auto& p = a.positional;
  if (cmd == "put") {
    s = db->Put(p[1], p[2]);
    if (!s.ok()) rc = Failed("put", s);
  } else if (cmd == "get") {
    std::string v;
    s = db->Get(p[1], &v);
    if (s.IsNotFound()) {
      fprintf(stderr, "wtkv: key '%s' not found\n", p[1].c_str());
      rc = kNotFound;
    } else if (!s.ok()) {
      rc = Failed("get", s);
    } else {
      fwrite(v.data(), 1, v.size(), stdout);
      fputc('\n', stdout);
    }
  } else if (cmd == "delete") {
    s = db->Delete(p[1]);
    if (!s.ok()) rc = Failed("delete", s);
  } else if (cmd == "scan") {
    uint64_t limit = 0;
    if (!ParseCount(a, "limit", UINT64_MAX, 1, &limit, &rc)) return rc;
    std::string prefix = a.flags.count("prefix") ? a.flags["prefix"] : "";
    uint64_t n = 0;
    s = db->Scan(prefix, [&](const rocksdb::Slice& k, const rocksdb::Slice& v) {
      fwrite(k.data(), 1, k.size(), stdout);
      fputc('\t', stdout);
      fwrite(v.data(), 1, v.size(), stdout);
      fputc('\n', stdout);
      return ++n < limit;
    });
    if (!s.ok()) rc = Failed("scan", s);
  } else if (cmd == "load") {
    rc = Load(db.get(), a);
  } else if (cmd == "stats") {
    fputs(db->StatsText().c_str(), stdout);
  } else if (cmd == "serve") {
    rc = Serve(db.get(), a, o.fs_uri.empty() ? o.mode : o.fs_uri);
  }
  s = db->Close();
  if (!s.ok() && rc == kOk) rc = Failed("close", s);
  if (fflush(stdout) != 0 && rc == kOk) rc = kOpFailed;
  return rc;
}

}  // namespace
}  // namespace wtrocks::kv

int main(int argc, char** argv) { return wtrocks::kv::Main(argc, argv); }
