// Copyright (c) wtrocks authors.
//
// CommitQueue on its own (no RocksDB, no I/O), with either delivery: outcomes
// completed in any order, from many threads, are delivered once each and in
// ticket order; the first durability error sticks; refused commits do not
// latch; waiting from a callback is refused. kOnCompletion runs callbacks on
// the completing thread, never two at once.
#include "engine/kv/commit_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>
#include <utility>
#include <vector>

namespace wtrocks::testing {
namespace {

using Delivery = kv::CommitQueue::Delivery;

class CommitQueueTest : public ::testing::TestWithParam<Delivery> {};

TEST_P(CommitQueueTest, OutOfOrderCompletionsAreDeliveredInOrderOnce) {
  constexpr int kThreads = 4, kPerThread = 2000;
  kv::CommitQueue q(GetParam());
  std::atomic<int> inside{0};  // callbacks running now
  std::vector<int> delivered;  // only the deliverer appends
  std::vector<std::atomic<int>> calls(kThreads * kPerThread);
  std::mutex mu;
  std::vector<uint64_t> tickets;  // guarded by mu
  std::vector<int> ids;           // guarded by mu; id of each ticket
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; t++) {
    ts.emplace_back([&, t] {
      std::mt19937 rng(t);
      std::vector<uint64_t> mine;
      for (int i = 0; i < kPerThread; i++) {
        int id = t * kPerThread + i;
        std::lock_guard<std::mutex> lock(mu);  // ticket order = ids order
        uint64_t ticket = q.Add([&, id](const rocksdb::Status& s) {
          EXPECT_EQ(inside.fetch_add(1), 0) << "two callbacks at once";
          EXPECT_TRUE(s.ok()) << s.ToString();
          delivered.push_back(id);
          calls[id]++;
          inside.fetch_sub(1);
        });
        tickets.push_back(ticket);
        ids.push_back(id);
        mine.push_back(ticket);
      }
      // Complete this thread's commits in a random order, interleaved with
      // the other threads'.
      std::shuffle(mine.begin(), mine.end(), rng);
      for (uint64_t ticket : mine) q.Complete(ticket, rocksdb::Status::OK());
    });
  }
  for (auto& t : ts) t.join();
  ASSERT_TRUE(q.WaitIdle().ok());
  ASSERT_EQ(delivered.size(), ids.size());
  EXPECT_EQ(delivered, ids) << "not delivered in ticket order";
  for (auto& c : calls) ASSERT_EQ(c.load(), 1);
  kv::CommitQueueStats st = q.stats();
  EXPECT_EQ(st.added, ids.size());
  EXPECT_EQ(st.delivered_ok, ids.size());
  EXPECT_EQ(st.in_flight, 0u);
}

TEST_P(CommitQueueTest, FirstDurabilityErrorSticksRefusalsDoNot) {
  kv::CommitQueue q(GetParam());
  std::vector<rocksdb::Status> got;
  auto record = [&](const rocksdb::Status& s) { got.push_back(s); };
  q.AddFailed(record, rocksdb::Status::InvalidArgument("refused"));
  uint64_t a = q.Add(record);
  uint64_t b = q.Add(record);
  q.AddFailed(record, rocksdb::Status::Busy("refused too"));
  uint64_t c = q.Add(record);
  // c completes OK first, then b fails, then a succeeds: a is delivered OK
  // (it precedes the failure), b and c get b's error.
  q.Complete(c, rocksdb::Status::OK());
  q.Complete(b, rocksdb::Status::IOError("EIO at 4096"));
  q.Complete(a, rocksdb::Status::OK());
  ASSERT_TRUE(q.WaitIdle().ok());
  ASSERT_EQ(got.size(), 5u);
  EXPECT_TRUE(got[0].IsInvalidArgument());
  EXPECT_TRUE(got[1].ok());
  EXPECT_TRUE(got[2].IsIOError());
  EXPECT_TRUE(got[3].IsBusy()) << "a refusal keeps its own status";
  EXPECT_TRUE(got[4].IsIOError()) << "c must not be acknowledged after b";
  EXPECT_EQ(got[4].ToString(), got[2].ToString());
  kv::CommitQueueStats st = q.stats();
  EXPECT_EQ(st.delivered_ok, 1u);
  EXPECT_EQ(st.delivered_failed, 4u);
}

TEST_P(CommitQueueTest, WaitingFromACallbackIsRefused) {
  kv::CommitQueue q(GetParam());
  rocksdb::Status wait, stop;
  uint64_t t = q.Add([&](const rocksdb::Status&) {
    wait = q.WaitIdle();
    stop = q.Stop();
  });
  q.Complete(t, rocksdb::Status::OK());
  ASSERT_TRUE(q.Stop().ok());
  EXPECT_TRUE(wait.IsInvalidArgument()) << wait.ToString();
  EXPECT_TRUE(stop.IsInvalidArgument()) << stop.ToString();
  EXPECT_EQ(q.stats().delivered_ok, 1u);
}

// Completions that each make the front known, from four threads at once,
// while every callback takes a while: a second deliverer would start while
// the first is inside a callback.
TEST_P(CommitQueueTest, SlowCallbacksNeverOverlap) {
  constexpr int kCommits = 400;
  kv::CommitQueue q(GetParam());
  std::atomic<int> inside{0}, overlaps{0};
  std::vector<int> delivered;  // only the deliverer appends
  std::vector<uint64_t> tickets;
  for (int i = 0; i < kCommits; i++) {
    tickets.push_back(q.Add([&, i](const rocksdb::Status&) {
      if (inside.fetch_add(1) != 0) overlaps++;
      std::this_thread::sleep_for(std::chrono::microseconds(50));
      delivered.push_back(i);
      inside.fetch_sub(1);
    }));
  }
  std::atomic<int> next{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; t++) {
    ts.emplace_back([&] {
      for (int i; (i = next.fetch_add(1)) < kCommits;) {
        q.Complete(tickets[i], rocksdb::Status::OK());
      }
    });
  }
  for (auto& t : ts) t.join();
  ASSERT_TRUE(q.WaitIdle().ok());
  EXPECT_EQ(overlaps.load(), 0) << "callbacks ran concurrently";
  std::vector<int> want(kCommits);
  for (int i = 0; i < kCommits; i++) want[i] = i;
  EXPECT_EQ(delivered, want);
}

INSTANTIATE_TEST_SUITE_P(Deliveries, CommitQueueTest,
                         ::testing::Values(Delivery::kOwnThread,
                                           Delivery::kOnCompletion),
                         [](const ::testing::TestParamInfo<Delivery>& d) {
                           return d.param == Delivery::kOwnThread
                                      ? "OwnThread"
                                      : "OnCompletion";
                         });

// kOnCompletion: the thread whose Complete makes the oldest commit known
// delivers it and every later known one before Complete returns; a later
// commit's completion alone delivers nothing; a refusal with nothing older
// outstanding is delivered inside AddFailed.
TEST(CommitQueueOnCompletionTest, CompletingThreadDelivers) {
  kv::CommitQueue q(Delivery::kOnCompletion);
  std::vector<std::pair<int, std::thread::id>> got;
  auto record = [&](int id) {
    return [&, id](const rocksdb::Status&) {
      got.emplace_back(id, std::this_thread::get_id());
    };
  };
  uint64_t a = q.Add(record(0));
  uint64_t b = q.Add(record(1));
  std::thread([&] { q.Complete(b, rocksdb::Status::OK()); }).join();
  EXPECT_TRUE(got.empty()) << "commit 1 delivered before commit 0";
  std::thread::id completer;
  std::thread([&] {
    completer = std::this_thread::get_id();
    q.Complete(a, rocksdb::Status::OK());
    EXPECT_EQ(got.size(), 2u) << "Complete returned before delivering";
  }).join();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], std::make_pair(0, completer));
  EXPECT_EQ(got[1], std::make_pair(1, completer));
  q.AddFailed(record(2), rocksdb::Status::Busy("refused"));
  ASSERT_EQ(got.size(), 3u) << "a refusal waited for another thread";
  EXPECT_EQ(got[2], std::make_pair(2, std::this_thread::get_id()));
  EXPECT_EQ(q.stats().in_flight, 0u);
}

}  // namespace
}  // namespace wtrocks::testing
