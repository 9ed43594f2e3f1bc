// Copyright (c) wtrocks authors.
//
// The longest common subsequence of two strings, as Redis' LCS command
// reports it: the subsequence itself and the runs of it that are
// contiguous in both strings ("matches"), last run first. Redis walks the
// dynamic-programming table back from the ends and, where two ways keep the
// length, moves along the second string; clients compare match lists, so
// this walk makes the same choices.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wtrocks::kv::server {

struct LcsMatch {
  // Both ends included, as LCS IDX prints them.
  uint64_t a_first, a_last, b_first, b_last;
  uint64_t length() const { return a_last - a_first + 1; }
};

struct LcsResult {
  std::string common;
  std::vector<LcsMatch> matches;  // from the end of the strings backwards
};

// The table has (a.size() + 1) * (b.size() + 1) cells of 4 bytes.
inline uint64_t LcsTableBytes(std::string_view a, std::string_view b) {
  return (static_cast<uint64_t>(a.size()) + 1) * (b.size() + 1) * 4;
}

LcsResult Lcs(std::string_view a, std::string_view b);

}  // namespace wtrocks::kv::server
