// Copyright (c) wtrocks authors.
//
// WalBarrier: "everything a DB::Write that just returned put into the WAL".
// Captured from WtrocksFileSystem::CaptureWalBarrier() right after the write
// returns; WtrocksFileSystem::WhenDurable() then reports when those bytes are
// durable. Why this is safe across WAL switches is argued in engine/README.md.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "rocksdb/io_status.h"
#include "wal/durable_file.h"

namespace wtrocks::engine {

struct WalBarrier {
  struct Point {
    // Shared so that a WAL closed after the capture stays queryable.
    std::shared_ptr<wal::DurableFile> file;
    uint64_t offset = 0;  // file size at capture: wait for bytes below it
  };
  std::vector<Point> points;
  // Non-OK when the barrier already cannot be met (an earlier WAL failed).
  rocksdb::IOStatus error;
};

// Runs exactly once: OK when every point is durable, or the first error.
// May run on wal/'s completion thread or inline in WhenDurable: must not
// block, must not call WaitDurable or close a DB.
using WhenDurableCallback = std::function<void(const rocksdb::IOStatus&)>;

}  // namespace wtrocks::engine
