// Copyright (c) wtrocks authors.
//
// The bit-array and LCS helpers behind SETBIT/GETBIT/BITCOUNT/BITPOS/BITOP
// and LCS, against bit-by-bit and brute-force references on random strings.
// Their replies against redis-server are conformance.redis; Redis' own
// tests for them run in server_redis_suite (unit/bitops, unit/type/string).
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "engine/kv/server/bits.h"
#include "engine/kv/server/lcs.h"

namespace wtrocks::testing {
namespace {

namespace bits = kv::server::bits;
using kv::server::Lcs;
using kv::server::LcsResult;

std::string RandomBytes(std::mt19937_64* rng, size_t max_len, int alphabet) {
  std::string s((*rng)() % (max_len + 1), '\0');
  for (char& ch : s) ch = static_cast<char>((*rng)() % alphabet);
  return s;
}

// Bit i of s, the slow way.
int SlowBit(const std::string& s, uint64_t i) {
  if (i / 8 >= s.size()) return 0;
  return (static_cast<uint8_t>(s[i / 8]) & (0x80 >> (i % 8))) ? 1 : 0;
}

TEST(BitsTest, GetAndSetFollowRedisBitOrder) {
  std::string s;
  EXPECT_EQ(bits::Set(&s, 1, true), 0);
  EXPECT_EQ(s, std::string("\x40", 1));  // SETBIT k 1 1 on no key: 0100 0000
  EXPECT_EQ(bits::Set(&s, 1, true), 1);
  EXPECT_EQ(bits::Set(&s, 17, true), 0);  // grows with zero bytes
  EXPECT_EQ(s, std::string("\x40\x00\x40", 3));
  EXPECT_EQ(bits::Get(s, 17), 1);
  EXPECT_EQ(bits::Get(s, 16), 0);
  EXPECT_EQ(bits::Get(s, 1000), 0);  // past the end reads 0
  EXPECT_EQ(bits::Set(&s, 1, false), 1);
  EXPECT_EQ(s, std::string("\x00\x00\x40", 3));
}

TEST(BitsTest, ResolveClipsAndCountsFromTheEnd) {
  // "foobar": 6 bytes, 48 bits.
  bits::Range r = bits::Resolve(1, -2, 6, false);
  EXPECT_FALSE(r.empty);
  EXPECT_EQ(r.first, 8u);
  EXPECT_EQ(r.last, 39u);
  EXPECT_TRUE(bits::Resolve(-2, 1, 6, false).empty);   // start after end
  EXPECT_TRUE(bits::Resolve(-6, -7, 6, false).empty);  // both negative
  EXPECT_TRUE(bits::Resolve(4, 10, 4, false).empty);   // start past the end
  r = bits::Resolve(0, 1000, 6, false);                // end clipped
  EXPECT_EQ(r.last, 47u);
  r = bits::Resolve(-100, 3, 6, true);  // start clipped to 0, in bits
  EXPECT_EQ(r.first, 0u);
  EXPECT_EQ(r.last, 3u);
  EXPECT_TRUE(bits::Resolve(0, -1, 0, false).empty);  // empty string
}

TEST(BitsTest, CountAndPosMatchABitByBitReference) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 3000; round++) {
    const std::string s = RandomBytes(&rng, 40, round % 3 == 0 ? 2 : 256);
    const bool in_bits = rng() % 2;
    const int64_t span = static_cast<int64_t>(s.size() * (in_bits ? 8 : 1));
    const int64_t start =
        static_cast<int64_t>(rng() % (2 * span + 3)) - span - 1;
    const int64_t end = static_cast<int64_t>(rng() % (2 * span + 3)) - span - 1;
    const bits::Range r = bits::Resolve(start, end, s.size(), in_bits);
    uint64_t count = 0;
    int64_t first[2] = {-1, -1};
    if (!r.empty) {
      ASSERT_LE(r.first, r.last);
      ASSERT_LT(r.last, s.size() * 8);
      for (uint64_t i = r.first; i <= r.last; i++) {
        const int b = SlowBit(s, i);
        count += b;
        if (first[b] < 0) first[b] = static_cast<int64_t>(i);
      }
    }
    SCOPED_TRACE("round " + std::to_string(round) + " start " +
                 std::to_string(start) + " end " + std::to_string(end));
    EXPECT_EQ(bits::Count(s, r), count);
    EXPECT_EQ(bits::Pos(s, 0, r), first[0]);
    EXPECT_EQ(bits::Pos(s, 1, r), first[1]);
  }
}

TEST(BitsTest, CombinePadsShorterInputsWithZeros) {
  const std::vector<std::string> in = {std::string("\x01\x02\xff\xff", 4),
                                       std::string("\x01\x02\xff", 3)};
  EXPECT_EQ(bits::Combine(bits::Op::kAnd, in),
            std::string("\x01\x02\xff\x00", 4));
  EXPECT_EQ(bits::Combine(bits::Op::kOr, in),
            std::string("\x01\x02\xff\xff", 4));
  EXPECT_EQ(bits::Combine(bits::Op::kXor, in),
            std::string("\x00\x00\x00\xff", 4));
  EXPECT_EQ(bits::Combine(bits::Op::kNot, {std::string("\xaa\x00", 2)}),
            std::string("\x55\xff", 2));
  EXPECT_EQ(bits::Combine(bits::Op::kOr, {"", ""}), "");
}

// The LCS length by plain recursion over a memo table, written apart from
// the implementation's table.
size_t SlowLcsLength(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> m(a.size() + 1,
                                     std::vector<size_t>(b.size() + 1, 0));
  for (size_t i = a.size(); i-- > 0;) {
    for (size_t j = b.size(); j-- > 0;) {
      m[i][j] = a[i] == b[j] ? m[i + 1][j + 1] + 1
                             : std::max(m[i + 1][j], m[i][j + 1]);
    }
  }
  return m[0][0];
}

TEST(LcsTest, RedisDocumentationExample) {
  // The example of Redis' LCS documentation.
  LcsResult r = Lcs("ohmytext", "mynewtext");
  EXPECT_EQ(r.common, "mytext");
  ASSERT_EQ(r.matches.size(), 2u);
  EXPECT_EQ(r.matches[0].a_first, 4u);  // "text"
  EXPECT_EQ(r.matches[0].a_last, 7u);
  EXPECT_EQ(r.matches[0].b_first, 5u);
  EXPECT_EQ(r.matches[0].b_last, 8u);
  EXPECT_EQ(r.matches[1].a_first, 2u);  // "my"
  EXPECT_EQ(r.matches[1].a_last, 3u);
  EXPECT_EQ(r.matches[1].b_first, 0u);
  EXPECT_EQ(r.matches[1].b_last, 1u);
  EXPECT_EQ(Lcs("", "abc").common, "");
  EXPECT_TRUE(Lcs("abc", "").matches.empty());
}

TEST(LcsTest, MatchesSpellTheCommonSubsequenceInBothStrings) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 500; round++) {
    const std::string a = RandomBytes(&rng, 30, 4);
    const std::string b = RandomBytes(&rng, 30, 4);
    SCOPED_TRACE("round " + std::to_string(round));
    const LcsResult r = Lcs(a, b);
    EXPECT_EQ(r.common.size(), SlowLcsLength(a, b));
    // Last run first, each run contiguous and equal in both strings, runs
    // strictly before one another in both, and together the subsequence.
    std::string spelled;
    for (size_t k = r.matches.size(); k-- > 0;) {
      const auto& m = r.matches[k];
      ASSERT_LE(m.a_first, m.a_last);
      ASSERT_EQ(m.a_last - m.a_first, m.b_last - m.b_first);
      ASSERT_LT(m.a_last, a.size());
      ASSERT_LT(m.b_last, b.size());
      EXPECT_EQ(a.substr(m.a_first, m.length()),
                b.substr(m.b_first, m.length()));
      if (k + 1 < r.matches.size()) {
        const auto& before = r.matches[k + 1];
        EXPECT_LT(before.a_last, m.a_first);
        EXPECT_LT(before.b_last, m.b_first);
        // Adjacent in both strings would have been one run.
        EXPECT_FALSE(before.a_last + 1 == m.a_first &&
                     before.b_last + 1 == m.b_first);
      }
      spelled += a.substr(m.a_first, m.length());
    }
    EXPECT_EQ(spelled, r.common);
  }
}

}  // namespace
}  // namespace wtrocks::testing
