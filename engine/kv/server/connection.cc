// Copyright (c) wtrocks authors.
#include "engine/kv/server/connection.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cassert>

namespace wtrocks::kv::server {

Connection::~Connection() { close(fd_); }

uint64_t Connection::NewSlot() {
  slots_.emplace_back();
  return first_seq_ + slots_.size() - 1;
}

void Connection::Fill(uint64_t seq, std::string reply, bool close_after) {
  // Slots behind a final reply were dropped (see Flush); so is their reply.
  if (seq < first_seq_) return;
  assert(seq - first_seq_ < slots_.size());
  Slot& s = slots_[seq - first_seq_];
  assert(!s.ready);
  s.ready = true;
  s.close_after = close_after;
  s.reply = std::move(reply);
}

bool Connection::Flush() {
  while (!slots_.empty() && slots_.front().ready && !closing_) {
    Slot& s = slots_.front();
    out_ += s.reply;
    if (s.close_after) {
      closing_ = true;
      stop_reading = true;
    }
    slots_.pop_front();
    first_seq_++;
  }
  // After the last reply, the slots behind it will never be sent.
  if (closing_) {
    first_seq_ += slots_.size();
    slots_.clear();
  }
  while (unsent() > 0) {
    ssize_t n = send(fd_, out_.data() + out_off_, unsent(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return false;
    }
    out_off_ += static_cast<size_t>(n);
  }
  if (out_off_ == out_.size()) {
    out_.clear();
    out_off_ = 0;
  } else if (out_off_ > (1u << 20)) {
    out_.erase(0, out_off_);
    out_off_ = 0;
  }
  return !(closing_ && unsent() == 0);
}

}  // namespace wtrocks::kv::server
