// Copyright (c) wtrocks authors.
#include "tests/lib/completion_gate.h"

namespace wtrocks::testing {

wal::CompletionFault CompletionGate::Hook() {
  return [this](uint64_t, uint64_t, int res) {
    std::unique_lock<std::mutex> lock(mu_);
    if (armed_ && !released_) {
      held_ = true;
      cv_.notify_all();
      cv_.wait(lock, [&] { return released_; });
    }
    return res;
  };
}

void CompletionGate::Arm() {
  std::lock_guard<std::mutex> lock(mu_);
  armed_ = true;
}

void CompletionGate::WaitHeld() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return held_; });
}

void CompletionGate::Release() {
  std::lock_guard<std::mutex> lock(mu_);
  released_ = true;
  cv_.notify_all();
}

}  // namespace wtrocks::testing
