// Copyright (c) wtrocks authors.
//
// RESP2 (the Redis protocol): an incremental request parser and the reply
// encoders for the server, and for clients (the durability oracle's server
// mode) the request encoder's parts and a reply reader. Requests are arrays of
// bulk strings
// ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") or, as redis-cli and telnet users send
// them, inline lines ("GET k\r\n").
//
// The parser keeps its place between calls, so a request that arrives in
// many reads (a 64 MiB value, or a pipeline cut anywhere) is scanned once.
// Every limit is checked before memory is reserved for it: a client can make
// the server hold at most max_bulk bytes per argument and max_args arguments
// per request, never what a header merely claims.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wtrocks::kv::server {

struct RespLimits {
  size_t max_bulk = 64u << 20;    // one argument, bytes ("$N")
  size_t max_args = 1u << 20;     // arguments in one request ("*N")
  size_t max_inline = 64u << 10;  // an inline request line, or a header line
};

class RespParser {
 public:
  enum class Result {
    kNeedMore,  // everything given was consumed or must be kept; read more
    kCommand,   // *args holds one request
    kError,     // protocol error: error() says which; the stream is lost
  };

  explicit RespParser(const RespLimits& limits) : limits_(limits) {}

  // Parses from `in`. *used is how many bytes of `in` were consumed; the
  // caller drops them and passes the rest (plus new bytes) next time. On
  // kCommand, *args is the request (the command name first). After kError
  // the parser must not be used again.
  Result Parse(std::string_view in, size_t* used,
               std::vector<std::string>* args);

  // "Protocol error: ..." (without the "ERR " prefix).
  const std::string& error() const { return error_; }

 private:
  Result Fail(std::string why);
  Result ParseInline(std::string_view in, size_t* used,
                     std::vector<std::string>* args);

  RespLimits limits_;
  int64_t args_left_ = -1;  // -1: not inside an array request
  int64_t bulk_len_ = -1;   // -1: expecting a "$N" header next
  std::vector<std::string> pending_;
  std::string error_;
};

// Strict decimal int64 as Redis accepts it for integers: an optional '-',
// no '+', no spaces, no leading zeros, no overflow.
bool ParseInt64(std::string_view s, int64_t* out);

// Reply encoders: each appends one RESP2 value to *out.
void AppendSimple(std::string* out, std::string_view s);  // +s
// -msg; CR and LF in msg become spaces, as they would end the line.
void AppendError(std::string* out, std::string_view msg);
void AppendInt(std::string* out, int64_t v);
void AppendBulk(std::string* out, std::string_view s);
void AppendNull(std::string* out);  // $-1
void AppendArrayHeader(std::string* out, size_t n);

// The client's side: one reply as read from a server (the durability
// oracle's: GET, MSET, and MULTI/EXEC, whose reply is an array). A null
// array (an EXEC that WATCH aborted) reads as kNull.
struct RespReply {
  enum class Type { kSimple, kError, kInteger, kBulk, kNull, kArray };
  Type type = Type::kNull;
  std::string str;  // kSimple, kBulk; kError without the '-'
  int64_t integer = 0;
  std::vector<RespReply> elements;  // kArray
};
enum class ReplyParse {
  kNeedMore,  // no whole reply at the front of `in` yet; nothing consumed
  kReply,     // *reply is the first reply, *used its length in bytes
  kError,     // *error says what is wrong; the stream cannot be read on
};
ReplyParse ParseReply(std::string_view in, size_t* used, RespReply* reply,
                      std::string* error);

}  // namespace wtrocks::kv::server
