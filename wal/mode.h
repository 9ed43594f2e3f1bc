// Copyright (c) wtrocks authors.
//
// The durable-write modes wal/ knows, best first.
#pragma once

#include <optional>
#include <string_view>

namespace wtrocks::wal {

// RWF_WRITETHROUGH from the RFC series (uapi include/uapi/linux/fs.h). Not in
// any released kernel's headers, so we carry the value; kernel-patches/ uses
// the same bit.
inline constexpr int kRwfWriteThrough = 0x00000200;

enum class Mode {
  // Buffered io_uring write with RWF_WRITETHROUGH|RWF_DSYNC: the completion
  // means stable; the page cache stays warm. Needs the patched kernel.
  kWriteThrough,
  // O_DIRECT + RWF_DSYNC: the completion means stable (FUA where the device
  // has it). Whole aligned blocks only, so the tail block is rewritten from
  // our own buffer.
  kDirect,
  // Buffered io_uring write with RWF_DSYNC: the completion means stable, but
  // the stock kernel executes it inline in submit or on an io-wq worker.
  kDsync,
  // Buffered write then fdatasync(): what RocksDB's PosixWritableFile does.
  // The only mode that makes fsync-family syscalls per durability point.
  kFsync,
  // Pick the best mode the file's filesystem and kernel support (probe.h).
  kAuto,
};

inline constexpr Mode kConcreteModes[] = {Mode::kWriteThrough, Mode::kDirect,
                                          Mode::kDsync, Mode::kFsync};

const char* ModeName(Mode mode);  // "writethrough", "direct", ...
std::optional<Mode> ParseMode(std::string_view name);

// True when a write's completion alone means its bytes are stable, so no
// fsync-family syscall is needed to make them durable.
inline bool HasDurableCompletions(Mode mode) {
  return mode == Mode::kWriteThrough || mode == Mode::kDirect ||
         mode == Mode::kDsync;
}

}  // namespace wtrocks::wal
