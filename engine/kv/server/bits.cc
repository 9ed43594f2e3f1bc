// Copyright (c) wtrocks authors.
#include "engine/kv/server/bits.h"

#include <algorithm>
#include <bit>

namespace wtrocks::kv::server::bits {
namespace {

uint8_t Byte(std::string_view s, uint64_t i) {
  return static_cast<uint8_t>(s[static_cast<size_t>(i)]);
}

// The bits of byte `i` that lie inside `r`, as a mask (bit 0 = 0x80).
uint8_t MaskFor(const Range& r, uint64_t i) {
  uint8_t m = 0xFF;
  if (i == r.first / 8) m &= static_cast<uint8_t>(0xFF >> (r.first % 8));
  if (i == r.last / 8) m &= static_cast<uint8_t>(0xFF << (7 - r.last % 8));
  return m;
}

}  // namespace

int Get(std::string_view s, uint64_t offset) {
  const uint64_t i = offset / 8;
  if (i >= s.size()) return 0;
  return (Byte(s, i) >> (7 - offset % 8)) & 1;
}

int Set(std::string* s, uint64_t offset, bool on) {
  const uint64_t i = offset / 8;
  if (i >= s->size()) s->resize(static_cast<size_t>(i + 1), '\0');
  const uint8_t bit = static_cast<uint8_t>(0x80 >> (offset % 8));
  uint8_t b = Byte(*s, i);
  const int old = (b & bit) != 0;
  b = on ? (b | bit) : (b & ~bit);
  (*s)[static_cast<size_t>(i)] = static_cast<char>(b);
  return old;
}

Range Resolve(int64_t start, int64_t end, uint64_t len, bool in_bits) {
  Range r;
  if (start < 0 && end < 0 && start > end) return r;
  const int64_t total = static_cast<int64_t>(in_bits ? len * 8 : len);
  if (start < 0) start = std::max<int64_t>(0, total + start);
  if (end < 0) end = std::max<int64_t>(0, total + end);
  end = std::min(end, total - 1);
  if (start > end) return r;
  r.empty = false;
  r.first =
      in_bits ? static_cast<uint64_t>(start) : static_cast<uint64_t>(start) * 8;
  r.last =
      in_bits ? static_cast<uint64_t>(end) : static_cast<uint64_t>(end) * 8 + 7;
  return r;
}

uint64_t Count(std::string_view s, const Range& r) {
  if (r.empty) return 0;
  uint64_t n = 0;
  for (uint64_t i = r.first / 8; i <= r.last / 8; i++) {
    n += static_cast<uint64_t>(
        std::popcount(static_cast<uint8_t>(Byte(s, i) & MaskFor(r, i))));
  }
  return n;
}

int64_t Pos(std::string_view s, int bit, const Range& r) {
  if (r.empty) return -1;
  for (uint64_t i = r.first / 8; i <= r.last / 8; i++) {
    const uint8_t mask = MaskFor(r, i);
    // Looking for a clear bit is looking for a set bit in the complement;
    // outside the range, the mask hides whatever the byte holds.
    const uint8_t b =
        static_cast<uint8_t>((bit ? Byte(s, i) : ~Byte(s, i)) & mask);
    if (b != 0) return static_cast<int64_t>(i * 8) + std::countl_zero(b);
  }
  return -1;
}

std::string Combine(Op op, const std::vector<std::string>& inputs) {
  size_t len = 0;
  for (const std::string& in : inputs) len = std::max(len, in.size());
  std::string out(len, '\0');
  for (size_t i = 0; i < len; i++) {
    auto at = [&](size_t k) -> uint8_t {
      return i < inputs[k].size() ? static_cast<uint8_t>(inputs[k][i]) : 0;
    };
    uint8_t b = at(0);
    if (op == Op::kNot) b = static_cast<uint8_t>(~b);
    for (size_t k = 1; k < inputs.size(); k++) {
      if (op == Op::kAnd) b &= at(k);
      if (op == Op::kOr) b |= at(k);
      if (op == Op::kXor) b ^= at(k);
    }
    out[i] = static_cast<char>(b);
  }
  return out;
}

}  // namespace wtrocks::kv::server::bits
