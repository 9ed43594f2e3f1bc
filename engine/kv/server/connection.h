// Copyright (c) wtrocks authors.
//
// Connection: one client socket's state on the event loop thread. Replies
// leave in request order even though they become ready out of order (a
// read is answered at once, a write only when its durable callback comes
// back): each request takes a numbered slot, and only the ready prefix of
// the slots is moved to the output buffer.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "engine/kv/server/resp.h"

namespace wtrocks::kv::server {

class Connection {
 public:
  Connection(int fd, uint64_t id, const RespLimits& limits)
      : fd_(fd), id_(id), parser_(limits) {}
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  uint64_t id() const { return id_; }

  // Input: bytes read but not yet parsed.
  std::string& in() { return in_; }
  RespParser& parser() { return parser_; }

  // A new reply slot, in request order; its number is for Fill.
  uint64_t NewSlot();
  // The reply for slot `seq`; `close_after` ends the connection once it is
  // sent. Slots of a connection are filled exactly once each; a slot behind
  // a final reply (QUIT) is dropped.
  void Fill(uint64_t seq, std::string reply, bool close_after = false);
  size_t pending_slots() const { return slots_.size(); }

  // Moves the ready prefix of the slots to the output buffer, then writes
  // what the socket takes. False when the connection is dead (write error)
  // or has sent its last reply (QUIT, protocol error).
  bool Flush();
  size_t unsent() const { return out_.size() - out_off_; }

  // No more requests are read (peer closed its side, QUIT, protocol error,
  // shutdown); the connection ends once every slot is filled and sent.
  bool stop_reading = false;
  // Reading is paused while too many replies wait (backpressure).
  bool paused = false;
  uint32_t epoll_mask = 0;  // what the loop registered
  std::string name;         // CLIENT SETNAME

  // MULTI ... EXEC (server.h): the requests queued since MULTI, their
  // bytes, and whether one was refused (EXEC then aborts).
  bool in_multi = false;
  bool multi_failed = false;
  std::vector<std::vector<std::string>> queued;
  size_t queued_bytes = 0;

  bool Finished() const {
    return stop_reading && slots_.empty() && unsent() == 0;
  }

 private:
  struct Slot {
    bool ready = false;
    bool close_after = false;
    std::string reply;
  };
  int fd_;
  uint64_t id_;
  std::string in_;
  RespParser parser_;
  std::deque<Slot> slots_;
  uint64_t first_seq_ = 0;  // the number of slots_.front()
  std::string out_;
  size_t out_off_ = 0;
  bool closing_ = false;  // a close_after reply was queued for sending
};

}  // namespace wtrocks::kv::server
