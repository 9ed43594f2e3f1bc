// Copyright (c) wtrocks authors.
//
// ReadCache alone: what it answers, what it forgets, and its bound. That it
// agrees with the database under every write command is server_loop_test's
// ReadCacheAgreesWithTheDatabase.
#include "engine/kv/server/read_cache.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace wtrocks::testing {
namespace {

using kv::server::ReadCache;

// "" when `key` is not cached, "(absent)" for a cached absence, else the
// cached value.
std::string Lookup(ReadCache* c, const std::string& key) {
  bool present = false;
  std::string_view v;
  if (!c->Find(key, &present, &v)) return "";
  return present ? std::string(v) : "(absent)";
}

TEST(ReadCacheTest, AnswersWhatWasInsertedAndForgetsWrittenKeys) {
  ReadCache c(1 << 20);
  EXPECT_EQ(Lookup(&c, "a"), "");
  c.Insert("a", true, "1");
  c.Insert("b", false, "ignored");
  c.Insert(std::string("n\0ul", 4), true, std::string("v\0", 2));
  EXPECT_EQ(Lookup(&c, "a"), "1");
  EXPECT_EQ(Lookup(&c, "b"), "(absent)");
  EXPECT_EQ(Lookup(&c, std::string("n\0ul", 4)), std::string("v\0", 2));
  EXPECT_EQ(Lookup(&c, "n"), "");
  EXPECT_EQ(c.hits(), 3u);
  EXPECT_EQ(c.misses(), 2u);

  c.Erase("a");
  c.Erase("never-there");
  EXPECT_EQ(Lookup(&c, "a"), "");
  EXPECT_EQ(Lookup(&c, "b"), "(absent)");
  // An absence costs its key and the overhead, not the value it was given.
  EXPECT_EQ(c.bytes(), 2 * ReadCache::kEntryOverhead + 1 + 4 + 2);

  c.Clear();
  EXPECT_EQ(Lookup(&c, "b"), "");
  EXPECT_EQ(c.entries(), 0u);
  EXPECT_EQ(c.bytes(), 0u);
}

TEST(ReadCacheTest, ALaterInsertOfTheSameKeyReplacesIt) {
  ReadCache c(1 << 20);
  c.Insert("k", true, "old");
  c.Insert("k", true, "newer");
  EXPECT_EQ(Lookup(&c, "k"), "newer");
  EXPECT_EQ(c.entries(), 1u);
  EXPECT_EQ(c.bytes(), ReadCache::kEntryOverhead + 1 + 5);
  c.Insert("k", false, "");
  EXPECT_EQ(Lookup(&c, "k"), "(absent)");
  EXPECT_EQ(c.bytes(), ReadCache::kEntryOverhead + 1);
}

TEST(ReadCacheTest, StaysWithinItsBoundAndKeepsWhatIsRead) {
  const size_t entry = ReadCache::kEntryOverhead + 4 + 100;
  ReadCache c(100 * entry);
  auto key = [](int i) {
    char k[8];
    snprintf(k, sizeof(k), "%04d", i);
    return std::string(k);
  };
  const std::string value(100, 'v');
  for (int i = 0; i < 100; i++) c.Insert(key(i), true, value);
  EXPECT_EQ(c.entries(), 100u);
  EXPECT_EQ(c.evictions(), 0u);
  // Read the even keys; CLOCK then evicts only unread (odd) ones.
  for (int i = 0; i < 100; i += 2) EXPECT_EQ(Lookup(&c, key(i)), value);
  for (int i = 100; i < 150; i++) {
    c.Insert(key(i), true, value);
    EXPECT_LE(c.bytes(), c.capacity());
  }
  EXPECT_EQ(c.evictions(), 50u);
  for (int i = 0; i < 100; i += 2) {
    EXPECT_EQ(Lookup(&c, key(i)), value) << key(i);
  }
  for (int i = 1; i < 100; i += 2) EXPECT_EQ(Lookup(&c, key(i)), "") << key(i);
  // Many more than fit: the bound holds throughout, and freed slots are
  // reused (the cache keeps working after Erase and eviction mix).
  for (int i = 150; i < 5000; i++) {
    c.Insert(key(i), true, value);
    if (i % 3 == 0) c.Erase(key(i - 1));
    ASSERT_LE(c.bytes(), c.capacity());
  }
  EXPECT_EQ(Lookup(&c, key(4999)), value);
  EXPECT_LE(c.entries(), 100u);
}

TEST(ReadCacheTest, LargeValuesAndAZeroBoundCacheNothing) {
  ReadCache c(64 * 1024);
  c.Insert("big", true, std::string(1024, 'x'));  // over capacity / 64
  EXPECT_EQ(Lookup(&c, "big"), "");
  c.Insert("small", true, std::string(100, 'x'));
  EXPECT_EQ(Lookup(&c, "small"), std::string(100, 'x'));

  ReadCache off(0);
  off.Insert("k", true, "v");
  EXPECT_EQ(Lookup(&off, "k"), "");
  EXPECT_EQ(off.entries(), 0u);
  // Off is not a cache that always misses: INFO shows no misses for it.
  EXPECT_EQ(off.misses(), 0u);
}

}  // namespace
}  // namespace wtrocks::testing
