// Copyright (c) wtrocks authors.
//
// A string as a bit array, for SETBIT, GETBIT, BITCOUNT, BITPOS and BITOP:
// Redis' numbering (bit 0 is the most significant bit of byte 0) and its
// rules for ranges. Pure functions on std::string; the commands (reading the
// key, the reply, the write) are in commands.cc.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wtrocks::kv::server::bits {

// The bit at `offset` (0 past the end).
int Get(std::string_view s, uint64_t offset);

// Sets the bit at `offset` to `on`, growing `*s` with zero bytes to reach
// it; returns the bit it replaced.
int Set(std::string* s, uint64_t offset, bool on);

// A range of bits [first, last], both included, inside a string.
struct Range {
  uint64_t first = 0;
  uint64_t last = 0;
  bool empty = true;
};

// The bits BITCOUNT and BITPOS look at for `start`/`end` (bytes, or bits
// with `in_bits`) of a string of `len` bytes, with Redis' rules: negative
// positions count from the end, both are clipped to the string, and a start
// past the end (after clipping) is an empty range.
Range Resolve(int64_t start, int64_t end, uint64_t len, bool in_bits);

// The set bits in `r` (0 for an empty range).
uint64_t Count(std::string_view s, const Range& r);

// The first bit equal to `bit` in `r`, or -1. A clear bit is never found
// in an empty range; past the string's end bits read as clear, which
// BITPOS uses when no end was given (see Pos's caller).
int64_t Pos(std::string_view s, int bit, const Range& r);

enum class Op { kAnd, kOr, kXor, kNot };

// BITOP: the inputs, zero-padded to the longest, combined byte by byte
// (kNot takes exactly one input).
std::string Combine(Op op, const std::vector<std::string>& inputs);

}  // namespace wtrocks::kv::server::bits
