// Copyright (c) wtrocks authors.
#include "engine/kv/server/watches.h"

#include <algorithm>

namespace wtrocks::kv::server {

void Watches::Watch(uint64_t conn, const std::string& key) {
  std::vector<uint64_t>& w = by_key_[key];
  if (std::find(w.begin(), w.end(), conn) != w.end()) return;
  w.push_back(conn);
  by_conn_[conn].push_back(key);
}

void Watches::Unwatch(uint64_t conn) {
  touched_.erase(conn);
  auto keys = by_conn_.find(conn);
  if (keys == by_conn_.end()) return;
  for (const std::string& key : keys->second) {
    auto w = by_key_.find(key);
    if (w == by_key_.end()) continue;
    std::erase(w->second, conn);
    if (w->second.empty()) by_key_.erase(w);
  }
  by_conn_.erase(keys);
}

void Watches::Touch(std::string_view key) {
  if (by_key_.empty()) return;  // the write path's usual case: one branch
  auto w = by_key_.find(std::string(key));
  if (w == by_key_.end()) return;
  touched_.insert(w->second.begin(), w->second.end());
}

void Watches::TouchAll() {
  for (const auto& [conn, keys] : by_conn_) touched_.insert(conn);
}

}  // namespace wtrocks::kv::server
