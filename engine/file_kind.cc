// Copyright (c) wtrocks authors.
#include "engine/file_kind.h"

namespace wtrocks::engine {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

FileKind ClassifyFile(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view base =
      slash == std::string_view::npos ? path : path.substr(slash + 1);
  // Case matters: the info log is "LOG" (and "LOG.old.*"), never "*.log".
  if (EndsWith(base, ".log")) return FileKind::kWal;
  if (EndsWith(base, ".sst")) return FileKind::kSst;
  return FileKind::kOther;
}

const char* FileKindName(FileKind kind) {
  switch (kind) {
    case FileKind::kWal:
      return "wal";
    case FileKind::kSst:
      return "sst";
    case FileKind::kOther:
      return "other";
  }
  return "?";
}

}  // namespace wtrocks::engine
