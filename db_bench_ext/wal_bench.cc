// Copyright (c) wtrocks authors.
//
// wal_bench: durable appends of small records from many threads, per wal/
// mode, plus a `posix` row that does what RocksDB's PosixWritableFile does
// when every write syncs (pwrite + fdatasync per record). Each appender
// waits until its record is durable before it appends the next one, so
// records/s is the rate of acknowledged durable writes and the latency is
// what a committing client would see.
//
// A benchmark, not a test: it prints numbers and never judges them, apart
// from the ratio lines against the `fsync` and `posix` rows of the same run.
//
//   wal_bench --dir=/mnt/xfs --mode=all --threads=32 --record_bytes=128
//
// Output: one db_bench-style line per run (shown wrapped here)
//   fsync        :   123.456 micros/op 8100 ops/sec 5.001 seconds
//       40500 operations;    1.0 MB/s p50_us=.. p99_us=.. fsyncs=.. ...
// then, with more than one mode, a summary of medians and ratios.
// SKIPPED lines carry the probe's reason; compare parses them.

#include <fcntl.h>
#include <gflags/gflags.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "wal/durable_file.h"
#include "wal/mode.h"
#include "wal/probe.h"
#include "wal/stats.h"
#include "wal/status.h"

DEFINE_string(mode, "all",
              "writethrough|direct|dsync|fsync|auto|posix|all, or a comma "
              "list; all = posix,fsync,dsync,direct,writethrough,auto");
DEFINE_string(dir, "", "directory to write the benchmark files in (required)");
DEFINE_uint64(record_bytes, 128, "bytes per record");
DEFINE_uint32(threads, 1, "concurrent appenders");
DEFINE_uint32(files, 1,
              "files the appenders are spread over (thread t appends to "
              "file t % files); 1 = one shared file, like a RocksDB WAL");
DEFINE_double(seconds, 5.0, "run length per mode (ignored with --records)");
DEFINE_uint64(records, 0, "records per thread; 0 = run for --seconds");
DEFINE_uint64(prealloc_bytes, 0,
              "keep this many bytes past the end preallocated with "
              "fallocate(FALLOC_FL_KEEP_SIZE), as RocksDB does (wal/ modes: "
              "rolling; posix: once before the timed part); the size stays "
              "at the data, so every durable append extends the file");
DEFINE_uint32(repeats, 1,
              "runs per mode, interleaved (A B C A B C ...) so drift hits "
              "every mode alike; the summary shows medians");
DEFINE_bool(waiter_writes, false,
            "a WaitDurable with nothing in flight writes on its own thread "
            "(wal::DurableFileOptions::waiter_writes; engine/ WALs use it)");
DEFINE_uint64(defer_bytes, 0,
              "appends start no write until someone waits or this many "
              "bytes are buffered (DurableFileOptions::defer_bytes)");
DEFINE_bool(process_crash_safe, false,
            "Append also copies into the page cache before returning, as "
            "engine/ WALs do (wal::DurableFileOptions::process_crash_safe; "
            "direct mode cannot)");
DEFINE_bool(sync_in_place, false,
            "with --process_crash_safe: durable writes are a datasync of the "
            "copied range (wal::DurableFileOptions::sync_in_place, engine "
            "inplace=on)");
DEFINE_bool(keep_files, false, "do not delete the benchmark files");
DEFINE_bool(probe, true, "print the probe report first");

namespace {

using Clock = std::chrono::steady_clock;
using wtrocks::wal::DurableFile;
using wtrocks::wal::Mode;

// A run of one mode. `posix` is not a wal::Mode, so modes are names here.
struct RunResult {
  std::string mode;
  bool skipped = false;
  std::string skip_reason;
  bool failed = false;
  std::string error;
  uint64_t records = 0;
  double seconds = 0;
  double p50_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
  uint64_t fsyncs = 0;
  uint64_t data_writes = 0;
  uint64_t durable_points = 0;
  // io-wq workers are per process and idle ones linger for a while after
  // the previous run, so the count at the start is printed too.
  int iou_wrk_start = 0;
  int iou_wrk_max = 0;
  double iou_wrk_mean = 0;
  std::string resolved;  // what auto chose

  double ops_per_sec() const { return seconds > 0 ? records / seconds : 0; }
  double mb_per_sec() const {
    return ops_per_sec() * FLAGS_record_bytes / 1048576.0;
  }
};

// Samples the io-wq worker count while a run is going: workers come and go
// within milliseconds, so one reading at the end would see none.
class WorkerSampler {
 public:
  WorkerSampler() : thread_([this] { Loop(); }) {}
  ~WorkerSampler() { Stop(); }
  void Stop() {
    if (thread_.joinable()) {
      stop_.store(true);
      thread_.join();
    }
  }
  int max() const { return max_; }
  double mean() const { return samples_ ? double(sum_) / samples_ : 0; }

 private:
  void Loop() {
    while (!stop_.load()) {
      int n = wtrocks::wal::CountIoWorkerThreads();
      max_ = std::max(max_, n);
      sum_ += n;
      ++samples_;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  std::atomic<bool> stop_{false};
  int max_ = 0;
  uint64_t sum_ = 0, samples_ = 0;
  std::thread thread_;
};

// The loop every appender runs, whatever it appends through: `one` makes
// one record durable and returns false on error. Latencies are kept exactly
// (a few MB at most) so p99.9 is not a bucket edge.
struct Appenders {
  std::vector<std::vector<uint32_t>> lat_ns_per_thread;  // saturates at 4 s
  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};
  std::string first_error;
  std::mutex error_mu;

  template <typename OneRecord>
  double Run(uint32_t threads, OneRecord one) {
    lat_ns_per_thread.assign(threads, {});
    std::vector<std::thread> workers;
    std::atomic<uint32_t> ready{0};
    std::atomic<bool> go{false};
    for (uint32_t t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        auto& lat = lat_ns_per_thread[t];
        lat.reserve(FLAGS_records ? FLAGS_records : 1 << 16);
        std::string record(FLAGS_record_bytes, char('a' + t % 26));
        ready.fetch_add(1);
        while (!go.load()) std::this_thread::yield();
        for (uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
          if (FLAGS_records && i >= FLAGS_records) break;
          auto start = Clock::now();
          std::string err;
          if (!one(t, record, &err)) {
            std::lock_guard<std::mutex> l(error_mu);
            if (!failed.exchange(true)) first_error = err;
            stop.store(true);
            break;
          }
          uint64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            Clock::now() - start)
                            .count();
          lat.push_back(uint32_t(std::min<uint64_t>(ns, UINT32_MAX)));
        }
      });
    }
    while (ready.load() < threads) std::this_thread::yield();
    auto start = Clock::now();
    go.store(true);
    if (!FLAGS_records) {
      std::this_thread::sleep_for(std::chrono::duration<double>(FLAGS_seconds));
      stop.store(true);
    }
    for (auto& w : workers) w.join();
    return std::chrono::duration<double>(Clock::now() - start).count();
  }

  void Fill(RunResult* r) {
    std::vector<uint32_t> all;
    for (auto& v : lat_ns_per_thread) all.insert(all.end(), v.begin(), v.end());
    r->records = all.size();
    if (all.empty()) return;
    std::sort(all.begin(), all.end());
    auto pct = [&](double p) {
      size_t i = std::min(all.size() - 1, size_t(p / 100.0 * all.size()));
      return all[i] / 1000.0;
    };
    r->p50_us = pct(50);
    r->p99_us = pct(99);
    r->p999_us = pct(99.9);
    r->max_us = all.back() / 1000.0;
  }
};

std::string BenchPath(const std::string& mode, uint32_t file) {
  return FLAGS_dir + "/wal_bench." + mode + "." + std::to_string(getpid()) +
         "." + std::to_string(file);
}

std::string ErrnoText(const char* what, const std::string& path) {
  int e = errno;
  return std::string(what) + " " + path + ": " + wtrocks::wal::ErrnoName(e) +
         " (" + std::strerror(e) + ")";
}

// RocksDB's way when every write syncs: each thread writes its record at an
// offset it reserved and fdatasyncs, on its own fd. No group commit beyond
// what the filesystem's log force happens to merge.
RunResult RunPosix() {
  RunResult r;
  r.mode = "posix";
  auto fail = [&](const char* what, const std::string& path) {
    if (!r.failed) {
      r.failed = true;
      r.error = ErrnoText(what, path);
    }
  };
  std::vector<std::string> paths;
  for (uint32_t i = 0; i < FLAGS_files; ++i) {
    paths.push_back(BenchPath("posix", i));
    int fd = open(paths.back().c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
      fail("open", paths.back());
      continue;
    }
    if (FLAGS_prealloc_bytes &&
        fallocate(fd, FALLOC_FL_KEEP_SIZE, 0,
                  static_cast<off_t>(FLAGS_prealloc_bytes)) != 0) {
      fail("fallocate", paths.back());
    }
    close(fd);
  }
  std::vector<int> fds(FLAGS_threads, -1);
  for (uint32_t t = 0; t < FLAGS_threads && !r.failed; ++t) {
    fds[t] = open(paths[t % FLAGS_files].c_str(), O_WRONLY);
    if (fds[t] < 0) fail("open", paths[t % FLAGS_files]);
  }
  if (!r.failed) {
    std::vector<std::atomic<uint64_t>> next_offset(FLAGS_files);
    std::atomic<uint64_t> fsyncs{0};
    Appenders app;
    r.seconds = app.Run(FLAGS_threads, [&](uint32_t t, const std::string& rec,
                                           std::string* err) {
      const std::string& path = paths[t % FLAGS_files];
      uint64_t off = next_offset[t % FLAGS_files].fetch_add(rec.size());
      if (pwrite(fds[t], rec.data(), rec.size(), off) != ssize_t(rec.size())) {
        *err = ErrnoText("pwrite", path);
        return false;
      }
      fsyncs.fetch_add(1, std::memory_order_relaxed);
      if (fdatasync(fds[t]) != 0) {
        *err = ErrnoText("fdatasync", path);
        return false;
      }
      return true;
    });
    app.Fill(&r);
    r.fsyncs = fsyncs.load();
    r.data_writes = r.durable_points = r.records;
    if (app.failed) {
      r.failed = true;
      r.error = app.first_error;
    }
  }
  for (int fd : fds)
    if (fd >= 0) close(fd);
  if (!FLAGS_keep_files)
    for (const auto& p : paths) unlink(p.c_str());
  return r;
}

// A wal/ mode: one DurableFile shared by every appender, as a RocksDB WAL is.
RunResult RunWal(Mode mode, const wtrocks::wal::ProbeResult& probe) {
  RunResult r;
  r.mode = wtrocks::wal::ModeName(mode);
  if (mode != Mode::kAuto && !probe.Of(mode).supported) {
    r.skipped = true;
    r.skip_reason = probe.Of(mode).reason;
    return r;
  }
  wtrocks::wal::DurableFileOptions opts;
  opts.mode = mode;
  opts.durability = wtrocks::wal::Durability::kEveryWrite;
  // Our records are opaque bytes, but the bench never reads them back, and
  // the direct mode requires a zero-tolerant format.
  opts.zero_tail_ok = true;
  opts.preallocate_bytes = FLAGS_prealloc_bytes;
  opts.waiter_writes = FLAGS_waiter_writes;
  opts.defer_bytes = FLAGS_defer_bytes;
  opts.process_crash_safe = FLAGS_process_crash_safe;
  opts.sync_in_place = FLAGS_sync_in_place;
  // wal/ keeps one data write in flight per file; several files show what
  // more durable writes in flight would buy on this device.
  std::vector<std::unique_ptr<DurableFile>> files(FLAGS_files);
  std::vector<std::string> paths;
  wtrocks::wal::Status s;
  for (uint32_t i = 0; i < FLAGS_files && s.ok(); ++i) {
    paths.push_back(BenchPath(r.mode, i));
    s = DurableFile::Open(paths.back(), opts, &files[i]);
  }
  if (!s.ok()) {
    if (s.IsNotSupported()) {
      r.skipped = true;
      r.skip_reason = s.ToString();
    } else {
      r.failed = true;
      r.error = s.ToString();
    }
    for (auto& f : files)
      if (f) f->Close();
    for (const auto& p : paths) unlink(p.c_str());
    return r;
  }
  if (mode == Mode::kAuto) {
    r.resolved = wtrocks::wal::ModeName(files[0]->mode());
  }
  auto sum = [&](auto member) {
    uint64_t n = 0;
    for (auto& f : files) n += (f->stats().*member).load();
    return n;
  };
  using wtrocks::wal::Stats;
  uint64_t fsync0 = sum(&Stats::fsync_calls),
           writes0 = sum(&Stats::data_writes),
           points0 = sum(&Stats::durable_points);
  Appenders app;
  r.iou_wrk_start = wtrocks::wal::CountIoWorkerThreads();
  WorkerSampler sampler;
  r.seconds = app.Run(
      FLAGS_threads, [&](uint32_t t, const std::string& rec, std::string* err) {
        DurableFile* file = files[t % FLAGS_files].get();
        uint64_t end = 0;
        wtrocks::wal::Status s = file->Append(rec.data(), rec.size(), &end);
        if (s.ok()) s = file->WaitDurable(end);
        if (!s.ok()) *err = s.ToString();
        return s.ok();
      });
  sampler.Stop();
  app.Fill(&r);
  r.fsyncs = sum(&Stats::fsync_calls) - fsync0;
  r.data_writes = sum(&Stats::data_writes) - writes0;
  r.durable_points = sum(&Stats::durable_points) - points0;
  r.iou_wrk_max = sampler.max();
  r.iou_wrk_mean = sampler.mean();
  if (app.failed) {
    r.failed = true;
    r.error = app.first_error;
  }
  for (auto& f : files) {
    s = f->Close();
    if (!s.ok() && !r.failed) {
      r.failed = true;
      r.error = "Close: " + s.ToString();
    }
  }
  if (!FLAGS_keep_files)
    for (const auto& p : paths) unlink(p.c_str());
  return r;
}

void PrintRun(const RunResult& r) {
  if (r.skipped) {
    std::printf("%-12s : SKIPPED (%s)\n", r.mode.c_str(),
                r.skip_reason.c_str());
  } else if (r.failed && r.records == 0) {
    std::printf("%-12s : FAILED (%s)\n", r.mode.c_str(), r.error.c_str());
  } else {
    double ops = r.ops_per_sec();
    std::printf("%-12s : %11.3f micros/op %.0f ops/sec %.3f seconds %" PRIu64
                " operations; %6.1f MB/s p50_us=%.0f p99_us=%.0f p999_us=%.0f "
                "max_us=%.0f fsyncs=%" PRIu64
                " fsyncs_per_rec=%.3f data_writes=%" PRIu64
                " recs_per_write=%.2f iou_wrk_start=%d iou_wrk_max=%d "
                "iou_wrk_mean=%.1f",
                r.mode.c_str(), ops > 0 ? 1e6 / ops : 0.0, ops, r.seconds,
                r.records, r.mb_per_sec(), r.p50_us, r.p99_us, r.p999_us,
                r.max_us, r.fsyncs,
                r.records ? double(r.fsyncs) / r.records : 0.0, r.data_writes,
                r.data_writes ? double(r.records) / r.data_writes : 0.0,
                r.iou_wrk_start, r.iou_wrk_max, r.iou_wrk_mean);
    if (!r.resolved.empty()) std::printf(" resolved=%s", r.resolved.c_str());
    if (r.failed) std::printf(" FAILED (%s)", r.error.c_str());
    std::printf("\n");
  }
  std::fflush(stdout);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n == 0 ? 0 : (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
}

// Medians per mode, and each mode's ratio to the fsync and posix rows of
// this same run: the only comparison the numbers support on a shared box.
void PrintSummary(const std::vector<std::string>& modes,
                  const std::vector<RunResult>& runs) {
  std::map<std::string, std::vector<double>> ops, p99;
  for (const auto& r : runs) {
    if (r.skipped || r.records == 0) continue;
    ops[r.mode].push_back(r.ops_per_sec());
    p99[r.mode].push_back(r.p99_us);
  }
  auto med = [&](const std::string& m) {
    return ops.count(m) ? Median(ops[m]) : 0.0;
  };
  double fsync = med("fsync"), posix = med("posix");
  std::printf("\nsummary threads=%u files=%u record_bytes=%" PRIu64
              " prealloc_bytes=%" PRIu64 " repeats=%u\n",
              FLAGS_threads, FLAGS_files, FLAGS_record_bytes,
              FLAGS_prealloc_bytes, FLAGS_repeats);
  for (const auto& m : modes) {
    if (!ops.count(m)) {
      std::printf("%-12s : no result (skipped or failed, see above)\n",
                  m.c_str());
      continue;
    }
    auto [mn, mx] = std::minmax_element(ops[m].begin(), ops[m].end());
    std::printf("%-12s : median %.0f ops/sec (min %.0f max %.0f) p99_us=%.0f",
                m.c_str(), med(m), *mn, *mx, Median(p99[m]));
    if (fsync > 0) std::printf(" vs_fsync=%.2fx", med(m) / fsync);
    if (posix > 0) std::printf(" vs_posix=%.2fx", med(m) / posix);
    std::printf("\n");
  }
}

// Our guest kernel under TCG ends up on refined-jiffies: every latency is
// then a multiple of the tick, and a p50 of 0 means "below one tick".
void WarnIfCoarseClock() {
  FILE* f = std::fopen(
      "/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
  if (f == nullptr) return;
  char src[64] = {0};
  if (std::fgets(src, sizeof src, f) != nullptr &&
      std::strstr(src, "jiffies") != nullptr) {
    src[std::strcspn(src, "\n")] = '\0';
    std::printf(
        "WARNING: clocksource is %s: latencies are multiples of the timer "
        "tick; only records/s is meaningful\n",
        src);
  }
  std::fclose(f);
}

std::string RunLength() {
  char buf[64];
  if (FLAGS_records)
    std::snprintf(buf, sizeof buf, "records=%" PRIu64 "/thread", FLAGS_records);
  else
    std::snprintf(buf, sizeof buf, "seconds=%g", FLAGS_seconds);
  return buf;
}

std::vector<std::string> SplitModes(const std::string& spec) {
  std::vector<std::string> out;
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item == "all") {
      for (const char* m :
           {"posix", "fsync", "dsync", "direct", "writethrough", "auto"})
        out.push_back(m);
    } else if (!item.empty()) {
      out.push_back(item);
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  gflags::SetUsageMessage(
      "durable appends per wal/ mode vs pwrite+fdatasync\n"
      "  wal_bench --dir=DIR [--mode=all] [--threads=32] [--record_bytes=128]");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  if (argc > 1) {
    std::fprintf(stderr, "wal_bench: unexpected argument '%s'\n", argv[1]);
    return 2;
  }
  if (FLAGS_dir.empty()) {
    std::fprintf(stderr, "wal_bench: --dir is required\n");
    return 2;
  }
  struct stat sb;
  if (stat(FLAGS_dir.c_str(), &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    std::fprintf(stderr, "wal_bench: --dir=%s is not a directory\n",
                 FLAGS_dir.c_str());
    return 2;
  }
  if (FLAGS_threads == 0 || FLAGS_record_bytes == 0 || FLAGS_repeats == 0 ||
      FLAGS_files == 0 || (!FLAGS_records && FLAGS_seconds <= 0)) {
    std::fprintf(stderr,
                 "wal_bench: --threads, --files, --record_bytes, --repeats "
                 "and --seconds (or --records) must be positive\n");
    return 2;
  }
  std::vector<std::string> modes = SplitModes(FLAGS_mode);
  for (const auto& m : modes) {
    if (m != "posix" && !wtrocks::wal::ParseMode(m)) {
      std::fprintf(stderr,
                   "wal_bench: unknown mode '%s' (writethrough, direct, "
                   "dsync, fsync, auto, posix, all)\n",
                   m.c_str());
      return 2;
    }
  }
  if (modes.empty()) {
    std::fprintf(stderr, "wal_bench: --mode is empty\n");
    return 2;
  }

  wtrocks::wal::ProbeResult probe;
  wtrocks::wal::Status s = wtrocks::wal::Probe(FLAGS_dir, &probe);
  if (!s.ok()) {
    std::fprintf(stderr, "wal_bench: probe of %s failed: %s\n",
                 FLAGS_dir.c_str(), s.ToString().c_str());
    return 1;
  }
  std::printf(
      "wal_bench: dir=%s fs=%s kernel=%s threads=%u files=%u "
      "record_bytes=%" PRIu64 " %s prealloc_bytes=%" PRIu64 " repeats=%u\n",
      FLAGS_dir.c_str(), probe.fs_type.c_str(), probe.kernel.c_str(),
      FLAGS_threads, FLAGS_files, FLAGS_record_bytes, RunLength().c_str(),
      FLAGS_prealloc_bytes, FLAGS_repeats);
  if (FLAGS_probe) std::printf("%s\n", probe.ToString().c_str());
  WarnIfCoarseClock();
  if (probe.volatile_fs)
    std::printf("WARNING: %s is memory-backed: nothing here is durable\n",
                FLAGS_dir.c_str());

  std::vector<RunResult> runs;
  for (uint32_t rep = 0; rep < FLAGS_repeats; ++rep) {
    for (const auto& m : modes) {
      RunResult r = m == "posix" ? RunPosix()
                                 : RunWal(*wtrocks::wal::ParseMode(m), probe);
      if (r.skipped && rep > 0) continue;  // said once is enough
      PrintRun(r);
      runs.push_back(std::move(r));
    }
  }
  if (modes.size() > 1 || FLAGS_repeats > 1) PrintSummary(modes, runs);
  bool any_failed = std::any_of(runs.begin(), runs.end(),
                                [](const RunResult& r) { return r.failed; });
  return any_failed ? 1 : 0;
}
