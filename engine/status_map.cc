// Copyright (c) wtrocks authors.
#include "engine/status_map.h"

#include <string>

namespace wtrocks::engine {

rocksdb::IOStatus ToIOStatus(const wal::Status& s, std::string_view context) {
  if (s.ok()) return rocksdb::IOStatus::OK();
  std::string msg = "wtrocks: " + std::string(context);
  std::string detail = s.message();
  if (s.err() != 0 &&
      detail.find(wal::ErrnoName(s.err())) == std::string::npos) {
    detail += detail.empty() ? "" : " ";
    detail += "(";
    detail += wal::ErrnoName(s.err());
    detail += ")";
  }
  switch (s.code()) {
    case wal::Status::Code::kOk:
      break;
    case wal::Status::Code::kNoSpace: {
      rocksdb::IOStatus io = rocksdb::IOStatus::NoSpace(msg, detail);
      io.SetRetryable(true);
      return io;
    }
    case wal::Status::Code::kNotSupported:
      return rocksdb::IOStatus::NotSupported(msg, detail);
    case wal::Status::Code::kInvalidArgument:
      return rocksdb::IOStatus::InvalidArgument(msg, detail);
    case wal::Status::Code::kAborted:
      return rocksdb::IOStatus::Aborted(msg, detail);
    case wal::Status::Code::kIOError:
      break;
  }
  return rocksdb::IOStatus::IOError(msg, detail);
}

}  // namespace wtrocks::engine
