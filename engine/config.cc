// Copyright (c) wtrocks authors.
#include "engine/config.h"

#include <optional>
#include <set>

namespace wtrocks::engine {
namespace {

constexpr std::string_view kScheme = "wtrocks://";
constexpr const char* kModeValues = "auto, writethrough, dsync, fsync";

// Why `direct` is not a value for RocksDB files (docs/design.md, "No direct
// mode for RocksDB files").
constexpr const char* kNoDirect =
    "direct is not offered for RocksDB files: O_DIRECT appends are not in the "
    "file until their durable write completes, so a sync=false DB::Write "
    "would not survive a crash of the process and readers that follow the "
    "WAL would not see it, and its block padding puts zeros inside the file; "
    "use dsync (or auto)";

rocksdb::Status Bad(std::string_view uri, const std::string& what) {
  return rocksdb::Status::InvalidArgument("wtrocks: bad URI '" +
                                          std::string(uri) + "': " + what);
}

std::optional<wal::Mode> ParseModeValue(std::string_view v) {
  if (v == "auto") return wal::Mode::kAuto;
  return wal::ParseMode(v);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string SizeToString(uint64_t v) {
  if (v != 0 && v % (1u << 30) == 0) return std::to_string(v >> 30) + "G";
  if (v != 0 && v % (1u << 20) == 0) return std::to_string(v >> 20) + "M";
  if (v != 0 && v % (1u << 10) == 0) return std::to_string(v >> 10) + "K";
  return std::to_string(v);
}

const char* ModeOrAuto(wal::Mode m) {
  return m == wal::Mode::kAuto ? "auto" : wal::ModeName(m);
}

bool ParseOnOff(std::string_view text, bool* out) {
  if (text != "on" && text != "off") return false;
  *out = text == "on";
  return true;
}

}  // namespace

const char* ValidUriKeys() {
  return "mode, wal, sst, sst_sync, prealloc, max_write, defer, waiter, "
         "inplace, stats";
}

bool ParseSize(std::string_view text, uint64_t* out) {
  if (text.empty()) return false;
  uint64_t v = 0;
  size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (v > (UINT64_MAX - 9) / 10) return false;
    v = v * 10 + static_cast<uint64_t>(text[i] - '0');
  }
  if (i == 0) return false;
  int shift = 0;
  if (i < text.size()) {
    if (i + 1 != text.size()) return false;
    switch (text[i]) {
      case 'k':
      case 'K':
        shift = 10;
        break;
      case 'm':
      case 'M':
        shift = 20;
        break;
      case 'g':
      case 'G':
        shift = 30;
        break;
      default:
        return false;
    }
  }
  if (shift != 0 && v > (UINT64_MAX >> shift)) return false;
  *out = v << shift;
  return true;
}

std::string EngineConfig::ToUri() const {
  std::string uri(kScheme);
  uri += "wal=";
  uri += ModeOrAuto(wal_mode);
  uri += ",sst=";
  uri += sst_route == SstRoute::kPassthrough ? "posix" : ModeOrAuto(sst_mode);
  uri += ",sst_sync=";
  uri += sst_sync == SstSync::kEnd ? "end" : "chunk";
  uri += ",prealloc=" + SizeToString(prealloc_bytes);
  uri += ",max_write=" + SizeToString(max_write_bytes);
  uri += ",defer=" + SizeToString(defer_bytes);
  uri += waiter_writes ? ",waiter=on" : ",waiter=off";
  uri += sync_in_place ? ",inplace=on" : ",inplace=off";
  if (!stats.empty()) uri += ",stats=" + stats;
  return uri;
}

rocksdb::Status ParseUri(std::string_view uri, EngineConfig* out) {
  *out = EngineConfig();
  if (uri.substr(0, kScheme.size()) != kScheme) {
    return Bad(uri, "it must start with 'wtrocks://'");
  }
  std::string_view rest = uri.substr(kScheme.size());
  // A trailing '/' is what people type after a scheme; accept it.
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty()) return rocksdb::Status::OK();

  std::set<std::string, std::less<>> seen;
  std::optional<wal::Mode> mode, wal_mode, sst_mode;
  bool sst_posix = false;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view item = Trim(rest.substr(0, comma));
    if (item.empty()) {
      return Bad(uri, "empty item (two commas in a row, or a trailing comma)");
    }
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return Bad(uri, "item '" + std::string(item) +
                          "' is not key=value; valid keys: " + ValidUriKeys());
    }
    std::string_view key = Trim(item.substr(0, eq));
    std::string_view value = Trim(item.substr(eq + 1));
    std::string k(key);
    if (!seen.insert(k).second) {
      return Bad(uri, "key '" + k + "' given twice");
    }
    auto bad_value = [&](const std::string& valid) {
      return Bad(uri, "bad value '" + std::string(value) + "' for key '" + k +
                          "'; valid values: " + valid);
    };
    if ((key == "mode" || key == "wal" || key == "sst") && value == "direct") {
      return Bad(uri, "bad value 'direct' for key '" + k + "': " + kNoDirect);
    }
    if (key == "mode" || key == "wal") {
      auto m = ParseModeValue(value);
      if (!m) return bad_value(kModeValues);
      (key == "mode" ? mode : wal_mode) = *m;
    } else if (key == "sst") {
      if (value == "posix") {
        sst_posix = true;
      } else {
        auto m = ParseModeValue(value);
        if (!m) return bad_value(std::string(kModeValues) + ", posix");
        sst_mode = *m;
      }
    } else if (key == "sst_sync") {
      if (value == "end") {
        out->sst_sync = SstSync::kEnd;
      } else if (value == "chunk") {
        out->sst_sync = SstSync::kChunk;
      } else {
        return bad_value("end, chunk");
      }
    } else if (key == "prealloc" || key == "prezero") {
      // prezero: the key's old name, from when wal/ wrote zeros ahead of
      // the end (docs/design.md, "Preallocation, not a zero tail").
      if (!seen.insert(key == "prealloc" ? "prezero" : "prealloc").second) {
        return Bad(uri, "prealloc and prezero are the same key; give one");
      }
      if (!ParseSize(value, &out->prealloc_bytes)) {
        return bad_value("a byte count like 0, 65536, 512K, 4M");
      }
    } else if (key == "max_write") {
      uint64_t v = 0;
      if (!ParseSize(value, &v) || v < 4096) {
        return bad_value("a byte count of at least 4K, like 1M");
      }
      out->max_write_bytes = v;
    } else if (key == "defer") {
      if (!ParseSize(value, &out->defer_bytes)) {
        return bad_value("a byte count like 0, 64K, 1M (0: no deferral)");
      }
    } else if (key == "waiter") {
      if (!ParseOnOff(value, &out->waiter_writes)) return bad_value("on, off");
    } else if (key == "inplace") {
      if (!ParseOnOff(value, &out->sync_in_place)) return bad_value("on, off");
    } else if (key == "stats") {
      if (value.empty()) return bad_value("stderr, or a file path");
      out->stats = std::string(value);
    } else {
      return Bad(uri, "unknown key '" + k + "'; valid keys: " + ValidUriKeys());
    }
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  out->wal_mode = wal_mode.value_or(mode.value_or(wal::Mode::kAuto));
  if (sst_posix) {
    out->sst_route = SstRoute::kPassthrough;
    return rocksdb::Status::OK();
  }
  out->sst_route = SstRoute::kDurable;
  out->sst_mode = sst_mode.value_or(mode.value_or(wal::Mode::kAuto));
  return ValidateConfig(*out);
}

rocksdb::Status ValidateConfig(const EngineConfig& config) {
  if (config.wal_mode == wal::Mode::kDirect ||
      (config.sst_route == SstRoute::kDurable &&
       config.sst_mode == wal::Mode::kDirect)) {
    return rocksdb::Status::InvalidArgument(std::string("wtrocks: ") +
                                            kNoDirect);
  }
  return rocksdb::Status::OK();
}

}  // namespace wtrocks::engine
