// Copyright (c) wtrocks authors.
//
// The one place a wal::Status becomes a rocksdb::IOStatus. RocksDB reacts to
// the IOStatus kind (NoSpace is a retryable background error, IOError is hard),
// so the mapping must keep ENOSPC distinguishable.
#pragma once

#include <string_view>

#include "rocksdb/io_status.h"
#include "wal/status.h"

namespace wtrocks::engine {

// `context` names the operation and file ("Sync /db/000012.log"); it is put
// in front of wal/'s own message, which carries the offset and errno.
//   kNoSpace         -> IOStatus::NoSpace, retryable (as PosixFileSystem does)
//   kIOError         -> IOStatus::IOError
//   kNotSupported    -> IOStatus::NotSupported
//   kInvalidArgument -> IOStatus::InvalidArgument
//   kAborted         -> IOStatus::Aborted
rocksdb::IOStatus ToIOStatus(const wal::Status& s, std::string_view context);

}  // namespace wtrocks::engine
