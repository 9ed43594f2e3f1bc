// Copyright (c) wtrocks authors.
//
// Watches: the keys connections WATCH before a MULTI, and which of those
// connections saw a watched key written since (their EXEC then fails, as
// in Redis: optimistic locking). Touched by WriteGroup, the one funnel of
// every update the server makes, as the update joins the pending batch:
// by the loop thread alone, so no locks.
//
// A range delete (FLUSHALL) touches every watched key, present or not: an
// EXEC failing when Redis' would not is safe (the client retries); the
// reverse would not be.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace wtrocks::kv::server {

class Watches {
 public:
  void Watch(uint64_t conn, const std::string& key);
  // Forgets every key `conn` watches, and that one was touched.
  void Unwatch(uint64_t conn);
  void Touch(std::string_view key);
  void TouchAll();
  // A key `conn` watches was written since it watched it.
  bool Touched(uint64_t conn) const { return touched_.count(conn) > 0; }

 private:
  // A key's watchers, and a connection's keys (a connection may watch a key
  // more than once; each list is short).
  std::unordered_map<std::string, std::vector<uint64_t>> by_key_;
  std::unordered_map<uint64_t, std::vector<std::string>> by_conn_;
  std::unordered_set<uint64_t> touched_;
};

}  // namespace wtrocks::kv::server
