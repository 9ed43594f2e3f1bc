// Copyright (c) wtrocks authors.
//
// DurableFile: an append-only file whose appends become durable through the
// chosen mode's completions, tracked by a watermark. The public face of wal/;
// engine/ uses only this header, probe.h, stats.h and status.h.
//
// Model
//   Append() copies the bytes into the file's pending buffer and returns the
//   end offset they occupy. At most one data write per file is in flight; all
//   appends that arrive meanwhile are coalesced into the next write, which is
//   submitted from the completion of the previous one (file-level group
//   commit). With defer_bytes, Append starts no write at all: the bytes wait
//   until someone waits for them, or until defer_bytes of them are waiting.
//   Because writes are issued and completed in file order, the durable
//   watermark is always a contiguous prefix of what was appended and a crash
//   can never leave a hole between two durable records.
//
// Threads
//   Every method may be called from any thread, concurrently. Completions
//   are reaped by wal/'s own reaper thread; OnDurable callbacks run there
//   (or inline in OnDurable when the offset is already durable, or, with
//   waiter_writes, in a WaitDurable that made the write itself) and must
//   not block: no WaitDurable, no Close of the same file.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "wal/mode.h"
#include "wal/stats.h"
#include "wal/status.h"

namespace wtrocks::wal {

enum class Durability {
  // Every data write is a durability point (WAL, MANIFEST).
  kEveryWrite,
  // Data writes are started at once but carry no integrity flag; Sync()
  // waits for them and then makes one durability point (SST files).
  kOnSync,
};

enum class OpenMode {
  kTruncate,  // create or truncate to zero
  // Overwrite an existing file from offset 0, treating its current blocks as
  // already allocated and written (RocksDB's recycle_log_file_num). Only for
  // zero_tail_ok formats that detect stale records themselves.
  kReuse,
};

// A hook for tests: called with each completion's raw result (bytes or
// -errno); its return value replaces it. Lets a test inject EIO or a short
// write at the completion, which no real device produces on demand.
using CompletionFault =
    std::function<int(uint64_t offset, uint64_t len, int res)>;

using DurableCallback = std::function<void(const Status&)>;

// Asked once, before a file's first data write would start (with
// defer_bytes that can be long after its first Append, or never), on
// whichever thread got there (an appender, a waiter, Close), holding none
// of the file's locks. No data write starts until `go` is called: go(OK) lets
// them start; go(error) fails the file with that error (sticky, as any write
// error). `go` may be called inline or later from any thread (another file's
// OnDurable callback, on wal/'s reaper, is the intended use). Appends still
// copy to the page cache meanwhile (process_crash_safe): the gate orders
// durable writes, not the kernel's writeback. Close waits for `go`.
using FirstWriteGate = std::function<void(DurableCallback go)>;

struct DurableFileOptions {
  Mode mode = Mode::kAuto;
  Durability durability = Durability::kEveryWrite;
  OpenMode open_mode = OpenMode::kTruncate;
  // The file's format treats zero bytes after its last record as the end
  // (RocksDB's WAL and MANIFEST readers skip zero padding). Required for the
  // direct mode, which pads every write to whole blocks and so leaves zeros
  // inside the file's size until Close trims them, and for kReuse.
  bool zero_tail_ok = false;
  // Keep this many bytes past the end allocated with
  // fallocate(FALLOC_FL_KEEP_SIZE), as RocksDB's own files do: the blocks are
  // reserved (no allocation transaction in a later append) but the file's
  // size stays at the last appended byte, so a reader that follows the file
  // while it grows (RocksDB's secondary instances, GetUpdatesSince) sees
  // exactly what was appended and never a zero region it would skip as
  // padding. 0 disables it. An optimisation only: a filesystem without
  // fallocate, or without room, just turns it off for the file.
  uint64_t preallocate_bytes = 0;
  // Largest single data write; a longer backlog goes out as several writes,
  // one after the other.
  uint64_t max_write_bytes = 4u << 20;
  // Append returns only once the bytes are in the kernel's page cache, so a
  // crash of this process cannot lose them and another process reading the
  // file sees them (RocksDB's Flush contract for sync=false writes); only a
  // machine crash can lose them, until they are durable. Costs a plain
  // pwrite per Append. The direct mode cannot do it (O_DIRECT bypasses the
  // page cache, and its block padding would show zeros to readers), so
  // Open refuses direct with it and `auto` skips direct for such files.
  bool process_crash_safe = false;
  // kEveryWrite only. 0: Append starts a durable write at once when none is
  // in flight. N > 0: Append starts none; the buffered bytes go out in one
  // durable write when something waits for them (WaitDurable, OnDurable,
  // Sync, Close) or once N bytes are waiting. For writers that do not wait
  // after every append (RocksDB's sync=false writes): they then pay no
  // device write per append, only the buffer copy (and, with
  // process_crash_safe, the page-cache pwrite, which still happens before
  // Append returns). Deferred bytes are exactly what a machine crash may
  // lose anyway: nobody was told they are durable.
  uint64_t defer_bytes = 0;
  // kEveryWrite only. A WaitDurable that finds no write in flight and bytes
  // it needs not yet submitted does the write itself, on its own thread
  // (pwritev2 with the mode's flags; fsync mode: pwrite + fdatasync), and
  // handles its completion there: no hand-over to the reaper and back. A
  // write in flight is still waited for, and the reaper still writes
  // everything nobody waits on (appends meanwhile, OnDurable). OnDurable
  // callbacks may then run on that thread.
  bool waiter_writes = false;
  // kEveryWrite with process_crash_safe only. Append copies the bytes into
  // the page cache before they may be written durably, and a durable write
  // the backend can make in place (dsync; write-through's extending writes;
  // fsync) is a datasync of its range instead of a second copy with
  // RWF_DSYNC (or pwrite + fdatasync). The kernel does the same integrity
  // work either way (vfs_fsync_range); the range's completion still means
  // stable. These count as fsync_calls (and in_place_syncs): the choice
  // trades the "no fsync call" property for one copy less per write. In
  // dsync mode wal/ then keeps no copy of unsynced bytes at all.
  bool sync_in_place = false;
  // kEveryWrite only: see FirstWriteGate. Empty: no gate.
  FirstWriteGate first_write_gate;
  CompletionFault completion_fault;
};

class DurableFile {
 public:
  // Creates (or reuses, see OpenMode) `path`. kAuto resolves through Probe();
  // an explicit mode the probe rejected fails with NotSupported and the
  // probe's reason. The chosen mode and why are in mode() / mode_reason().
  static Status Open(const std::string& path, const DurableFileOptions& opts,
                     std::unique_ptr<DurableFile>* out);

  // Closes if the caller did not, logging nothing: call Close() to see errors.
  virtual ~DurableFile() = default;

  // Appends `n` bytes (copied before returning). `*end_offset` receives the
  // logical file size just after them: pass it to WaitDurable/OnDurable.
  // Returns the sticky error once any write of this file has failed.
  virtual Status Append(const void* data, size_t n,
                        uint64_t* end_offset = nullptr) = 0;

  // Blocks until every byte below `offset` is durable, or returns the error
  // that prevented it. With kOnSync files this makes the durability point
  // (equivalent to Sync() when offset == size()).
  virtual Status WaitDurable(uint64_t offset) = 0;

  // Calls `cb` exactly once: with OK when every byte below `offset` is
  // durable, or with the error that prevented it (also on Close). Callbacks
  // for smaller offsets run first. kEveryWrite files only.
  virtual void OnDurable(uint64_t offset, DurableCallback cb) = 0;

  // WaitDurable(size()).
  virtual Status Sync() = 0;

  // Reserves the blocks of [offset, offset + len) with
  // fallocate(FALLOC_FL_KEEP_SIZE); the file's size does not change. A hint
  // (RocksDB's Allocate): its failure (NotSupported, NoSpace, IOError) is
  // returned but is not the file's sticky error.
  virtual Status Allocate(uint64_t offset, uint64_t len) = 0;

  // Waits for every write in flight, makes the appended bytes durable, trims
  // the direct mode's block padding back to the logical size, releases the
  // preallocated blocks past it, and closes the fd.
  // Idempotent; returns the sticky error if there is one.
  virtual Status Close() = 0;

  virtual uint64_t size() const = 0;            // logical size (appended)
  virtual uint64_t durable_offset() const = 0;  // watermark
  virtual Status status() const = 0;            // sticky error or OK
  virtual Mode mode() const = 0;
  virtual const std::string& mode_reason() const = 0;
  virtual const std::string& path() const = 0;
  virtual const Stats& stats() const = 0;
};

}  // namespace wtrocks::wal
