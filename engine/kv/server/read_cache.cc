// Copyright (c) wtrocks authors.
#include "engine/kv/server/read_cache.h"

#include <cassert>

namespace wtrocks::kv::server {

ReadCache::ReadCache(size_t capacity) : capacity_(capacity) {}

bool ReadCache::Find(const std::string& key, bool* present,
                     std::string_view* value) {
  if (capacity_ == 0) return false;  // off: not a miss either
  auto it = map_.find(key);
  if (it == map_.end()) {
    misses_++;
    return false;
  }
  hits_++;
  it->second.referenced = true;
  *present = it->second.present;
  *value = it->second.value;
  return true;
}

void ReadCache::Insert(std::string_view key, bool present,
                       std::string_view value) {
  if (!present) value = {};
  const size_t charge = Charge(key, value);
  if (capacity_ == 0 || charge > capacity_ / 64) return;
  std::string k(key);
  // A batch of reads may ask for one key twice; the later read wins, and
  // both saw the same database.
  auto old = map_.find(k);
  if (old != map_.end()) Remove(old);
  while (bytes_ + charge > capacity_ && !map_.empty()) EvictOne();

  auto [it, inserted] =
      map_.try_emplace(std::move(k), Entry{std::string(value), present});
  assert(inserted);
  Node* n = &*it;
  if (!free_slots_.empty()) {
    n->second.slot = free_slots_.back();
    free_slots_.pop_back();
    ring_[n->second.slot] = n;
  } else {
    n->second.slot = static_cast<uint32_t>(ring_.size());
    ring_.push_back(n);
  }
  bytes_ += charge;
}

void ReadCache::Erase(const std::string& key) {
  if (map_.empty()) return;
  auto it = map_.find(key);
  if (it != map_.end()) Remove(it);
}

void ReadCache::Clear() {
  map_.clear();
  ring_.clear();
  free_slots_.clear();
  hand_ = 0;
  bytes_ = 0;
}

void ReadCache::Remove(Map::iterator it) {
  bytes_ -= Charge(it->first, it->second.value);
  ring_[it->second.slot] = nullptr;
  free_slots_.push_back(it->second.slot);
  map_.erase(it);
}

void ReadCache::EvictOne() {
  // Ends: every pass clears the flags it passes, so the second pass finds
  // an unflagged entry (the map is not empty, so the ring holds one).
  for (;;) {
    if (hand_ >= ring_.size()) hand_ = 0;
    Node* n = ring_[hand_++];
    if (n == nullptr) continue;
    if (n->second.referenced) {
      n->second.referenced = false;
      continue;
    }
    evictions_++;
    Remove(map_.find(n->first));
    return;
  }
}

}  // namespace wtrocks::kv::server
