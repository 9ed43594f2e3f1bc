// Copyright (c) wtrocks authors.
#include "wal/mode.h"

namespace wtrocks::wal {

const char* ModeName(Mode mode) {
  switch (mode) {
    case Mode::kWriteThrough: return "writethrough";
    case Mode::kDirect: return "direct";
    case Mode::kDsync: return "dsync";
    case Mode::kFsync: return "fsync";
    case Mode::kAuto: return "auto";
  }
  return "?";
}

std::optional<Mode> ParseMode(std::string_view name) {
  for (Mode m : {Mode::kWriteThrough, Mode::kDirect, Mode::kDsync, Mode::kFsync,
                 Mode::kAuto}) {
    if (name == ModeName(m)) return m;
  }
  return std::nullopt;
}

}  // namespace wtrocks::wal
