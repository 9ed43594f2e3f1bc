// Copyright (c) wtrocks authors.
#include "wal/status.h"

#include <errno.h>
#include <string.h>

#include <cstdio>

namespace wtrocks::wal {

const char* ErrnoName(int err) {
  switch (err) {
    case EIO: return "EIO";
    case ENOSPC: return "ENOSPC";
    case EDQUOT: return "EDQUOT";
    case EINVAL: return "EINVAL";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EAGAIN: return "EAGAIN";
    case EBADF: return "EBADF";
    case EFBIG: return "EFBIG";
    case EROFS: return "EROFS";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ENOENT: return "ENOENT";
    case ENOSYS: return "ENOSYS";
    case ENOMEM: return "ENOMEM";
    case EMFILE: return "EMFILE";
    case EINTR: return "EINTR";
    case ENOTDIR: return "ENOTDIR";
    case EEXIST: return "EEXIST";
    case EFAULT: return "EFAULT";
    default: {
      static thread_local char buf[16];
      snprintf(buf, sizeof(buf), "E%d", err);
      return buf;
    }
  }
}

Status Status::FromErrno(int err, std::string_view context) {
  std::string msg(context);
  msg += ": ";
  msg += strerror(err);
  msg += " (";
  msg += ErrnoName(err);
  msg += ")";
  Code code =
      (err == ENOSPC || err == EDQUOT) ? Code::kNoSpace : Code::kIOError;
  return Status(code, err, std::move(msg));
}

Status Status::WithContext(std::string_view context) const {
  std::string msg(context);
  msg += ": ";
  msg += msg_;
  return Status(code_, err_, std::move(msg));
}

Status Status::NotSupported(std::string_view msg, int err) {
  return Status(Code::kNotSupported, err, std::string(msg));
}

Status Status::InvalidArgument(std::string_view msg) {
  return Status(Code::kInvalidArgument, 0, std::string(msg));
}

Status Status::Aborted(std::string_view msg) {
  return Status(Code::kAborted, 0, std::string(msg));
}

std::string Status::ToString() const {
  switch (code_) {
    case Code::kOk:
      return "OK";
    case Code::kIOError:
      return "IO error: " + msg_;
    case Code::kNoSpace:
      return "No space: " + msg_;
    case Code::kNotSupported:
      return "Not supported: " + msg_;
    case Code::kInvalidArgument:
      return "Invalid argument: " + msg_;
    case Code::kAborted:
      return "Aborted: " + msg_;
  }
  return msg_;
}

}  // namespace wtrocks::wal
