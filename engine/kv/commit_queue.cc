// Copyright (c) wtrocks authors.
#include "engine/kv/commit_queue.h"

#include <cassert>

namespace wtrocks::kv {

CommitQueue::CommitQueue(Delivery delivery) : delivery_(delivery) {
  if (delivery_ == Delivery::kOwnThread)
    thread_ = std::thread([this] { Run(); });
}

CommitQueue::~CommitQueue() { Stop().PermitUncheckedError(); }

uint64_t CommitQueue::Add(CommitCallback cb) {
  std::lock_guard<std::mutex> lock(mu_);
  assert(!stop_);
  Entry e;
  e.cb = std::move(cb);
  e.reached_wal = true;
  queue_.push_back(std::move(e));
  stats_.added++;
  return head_ticket_ + queue_.size() - 1;
}

void CommitQueue::AddFailed(CommitCallback cb, rocksdb::Status error) {
  std::unique_lock<std::mutex> lock(mu_);
  assert(!stop_);
  Entry e;
  e.cb = std::move(cb);
  e.status = std::move(error);
  e.done = true;
  queue_.push_back(std::move(e));
  stats_.added++;
  if (queue_.size() != 1) return;
  if (delivery_ == Delivery::kOnCompletion) return DeliverReady(&lock);
  ready_cv_.notify_one();
}

void CommitQueue::Complete(uint64_t ticket, const rocksdb::Status& s) {
  std::unique_lock<std::mutex> lock(mu_);
  assert(ticket >= head_ticket_ && ticket - head_ticket_ < queue_.size());
  Entry& e = queue_[ticket - head_ticket_];
  assert(!e.done);
  e.status = s;
  e.done = true;
  // Only the front matters: the deliverer takes every consecutive done
  // entry behind it in one go.
  if (ticket != head_ticket_) return;
  if (delivery_ == Delivery::kOnCompletion) return DeliverReady(&lock);
  ready_cv_.notify_one();
}

rocksdb::Status CommitQueue::WaitIdle() {
  if (OnDeliveryThread()) {
    return rocksdb::Status::InvalidArgument(
        "wtkv: Close (or waiting for all commits) from inside a commit "
        "callback would wait for itself");
  }
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait(lock, [&] { return queue_.empty() && !delivering_; });
  return rocksdb::Status::OK();
}

rocksdb::Status CommitQueue::Stop() {
  rocksdb::Status s = WaitIdle();
  if (!s.ok()) return s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return rocksdb::Status::OK();
    stop_ = true;
  }
  if (thread_.joinable()) {
    ready_cv_.notify_one();
    thread_.join();
  }
  return rocksdb::Status::OK();
}

bool CommitQueue::OnDeliveryThread() const {
  if (delivery_ == Delivery::kOwnThread) {
    return std::this_thread::get_id() == thread_.get_id();
  }
  std::lock_guard<std::mutex> lock(mu_);
  return delivering_ && deliverer_ == std::this_thread::get_id();
}

CommitQueueStats CommitQueue::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  CommitQueueStats s = stats_;
  s.in_flight = s.added - s.delivered_ok - s.delivered_failed;
  return s;
}

void CommitQueue::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    ready_cv_.wait(lock, [&] {
      return (!queue_.empty() && queue_.front().done) ||
             (stop_ && queue_.empty());
    });
    if (queue_.empty()) return;  // stopped, nothing left to deliver
    DeliverReady(&lock);
  }
}

void CommitQueue::DeliverReady(std::unique_lock<std::mutex>* lock) {
  std::vector<Entry> batch;
  // With kOnCompletion another thread may be delivering (perhaps this one,
  // completing a commit from inside a callback): it looks again before it
  // stops, and takes these too.
  while (!delivering_ && !queue_.empty() && queue_.front().done) {
    while (!queue_.empty() && queue_.front().done) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
      head_ticket_++;
    }
    delivering_ = true;
    deliverer_ = std::this_thread::get_id();
    lock->unlock();
    Deliver(&batch);
    lock->lock();
    for (const Entry& e : batch) {
      (e.status.ok() ? stats_.delivered_ok : stats_.delivered_failed)++;
    }
    batch.clear();
    delivering_ = false;
    if (queue_.empty()) idle_cv_.notify_all();
  }
}

void CommitQueue::Deliver(std::vector<Entry>* batch) {
  for (Entry& e : *batch) {
    if (e.reached_wal) {
      if (!sticky_.ok()) {
        e.status = sticky_;
      } else if (!e.status.ok()) {
        sticky_ = e.status;
      }
    }
    e.cb(e.status);
    e.cb = nullptr;  // release what the callback captured now, not later
  }
}

}  // namespace wtrocks::kv
