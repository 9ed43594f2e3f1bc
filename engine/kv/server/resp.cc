// Copyright (c) wtrocks authors.
#include "engine/kv/server/resp.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace wtrocks::kv::server {
namespace {

// The line starting at in[0] up to (not including) CRLF, if complete.
// Returns false when no CRLF is there yet.
bool Line(std::string_view in, std::string_view* line, size_t* line_end) {
  size_t cr = in.find("\r\n");
  if (cr == std::string_view::npos) return false;
  *line = in.substr(0, cr);
  *line_end = cr + 2;
  return true;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool IsSeparator(char c) {
  return c == '\0' || isspace(static_cast<unsigned char>(c));
}

// An inline request's words, as redis-server splits them (so that what a
// person types means the same to both): whitespace separates words;
// "double quotes" take \n \r \t \b \a \xHH and \<any> escapes; 'single
// quotes' take \' only; a closing quote must end the word. False for
// unbalanced quotes.
bool SplitInline(std::string_view line, std::vector<std::string>* words) {
  size_t i = 0;
  const size_t n = line.size();
  if (line.find_first_of("\"'") == std::string_view::npos) {
    // No quotes (redis-benchmark's inline PING, most typed lines): each
    // word whole, not byte by byte.
    while (i < n) {
      while (i < n && IsSeparator(line[i])) i++;
      size_t start = i;
      while (i < n && !IsSeparator(line[i])) i++;
      if (i > start) words->emplace_back(line.substr(start, i - start));
    }
    return true;
  }
  for (;;) {
    while (i < n && IsSeparator(line[i])) i++;
    if (i == n) return true;
    std::string w;
    char quote = 0;  // the open quote, or 0
    for (;;) {
      if (i == n) {
        if (quote != 0) return false;
        break;
      }
      char c = line[i];
      if (quote == '"' && c == '\\' && i + 3 < n && line[i + 1] == 'x' &&
          HexDigit(line[i + 2]) >= 0 && HexDigit(line[i + 3]) >= 0) {
        w += static_cast<char>(HexDigit(line[i + 2]) * 16 +
                               HexDigit(line[i + 3]));
        i += 4;
      } else if (quote == '"' && c == '\\' && i + 1 < n) {
        char e = line[i + 1];
        w += e == 'n'   ? '\n'
             : e == 'r' ? '\r'
             : e == 't' ? '\t'
             : e == 'b' ? '\b'
             : e == 'a' ? '\a'
                        : e;
        i += 2;
      } else if (quote == '\'' && c == '\\' && i + 1 < n &&
                 line[i + 1] == '\'') {
        w += '\'';
        i += 2;
      } else if (quote != 0 && c == quote) {
        i++;
        if (i < n && !IsSeparator(line[i])) return false;
        quote = 0;
        break;
      } else if (quote == 0 && IsSeparator(c)) {
        break;
      } else if (quote == 0 && (c == '"' || c == '\'')) {
        quote = c;
        i++;
      } else {
        w += c;
        i++;
      }
    }
    words->push_back(std::move(w));
  }
}

}  // namespace

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  bool neg = s[0] == '-';
  std::string_view d = neg ? s.substr(1) : s;
  if (d.empty() || (d[0] == '0' && (d.size() > 1 || neg))) return false;
  uint64_t v = 0;
  for (char c : d) {
    if (c < '0' || c > '9') return false;
    uint64_t next = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > UINT64_MAX / 10 || next < v) return false;
    v = next;
  }
  if (neg) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = v == static_cast<uint64_t>(INT64_MAX) + 1 ? INT64_MIN
                                                     : -static_cast<int64_t>(v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

RespParser::Result RespParser::Fail(std::string why) {
  error_ = "Protocol error: " + std::move(why);
  return Result::kError;
}

RespParser::Result RespParser::ParseInline(std::string_view in, size_t* used,
                                           std::vector<std::string>* args) {
  size_t nl = in.find('\n');
  if (nl == std::string_view::npos) {
    if (in.size() > limits_.max_inline) return Fail("too big inline request");
    return Result::kNeedMore;
  }
  if (nl > limits_.max_inline) return Fail("too big inline request");
  std::string_view line = in.substr(0, nl);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  *used += nl + 1;
  args->clear();
  if (!SplitInline(line, args)) return Fail("unbalanced quotes in request");
  if (args->size() > limits_.max_args) return Fail("too many arguments");
  return args->empty() ? Result::kNeedMore : Result::kCommand;
}

RespParser::Result RespParser::Parse(std::string_view in, size_t* used,
                                     std::vector<std::string>* args) {
  *used = 0;
  for (;;) {
    std::string_view rest = in.substr(*used);
    if (args_left_ < 0) {
      if (rest.empty()) return Result::kNeedMore;
      if (rest[0] != '*') {
        size_t before = *used;
        Result r = ParseInline(rest, used, args);
        // An empty line is no request; look for the next one.
        if (r == Result::kNeedMore && *used > before) continue;
        return r;
      }
      std::string_view line;
      size_t end;
      if (!Line(rest, &line, &end)) {
        if (rest.size() > limits_.max_inline)
          return Fail("too big mbulk count string");
        return Result::kNeedMore;
      }
      int64_t n;
      if (!ParseInt64(line.substr(1), &n) ||
          n > static_cast<int64_t>(limits_.max_args)) {
        return Fail("invalid multibulk length");
      }
      *used += end;
      if (n <= 0) continue;  // "*0" and "*-1" are no request, as in Redis
      args_left_ = n;
      pending_.clear();
      // Reserve only a little: the header alone proves nothing.
      pending_.reserve(std::min<int64_t>(n, 64));
      continue;
    }
    if (args_left_ == 0) {
      args_left_ = -1;
      *args = std::move(pending_);
      pending_.clear();
      return Result::kCommand;
    }
    if (bulk_len_ < 0) {
      if (rest.empty()) return Result::kNeedMore;
      if (rest[0] != '$') {
        return Fail(
            std::string("expected '$', got '") +
            (isprint(static_cast<unsigned char>(rest[0])) ? rest[0] : '?') +
            "'");
      }
      std::string_view line;
      size_t end;
      if (!Line(rest, &line, &end)) {
        if (rest.size() > limits_.max_inline)
          return Fail("too big bulk count string");
        return Result::kNeedMore;
      }
      int64_t n;
      if (!ParseInt64(line.substr(1), &n) || n < 0 ||
          static_cast<uint64_t>(n) > limits_.max_bulk) {
        return Fail("invalid bulk length");
      }
      bulk_len_ = n;
      *used += end;
      continue;
    }
    size_t need = static_cast<size_t>(bulk_len_) + 2;
    if (rest.size() < need) return Result::kNeedMore;
    if (rest[need - 2] != '\r' || rest[need - 1] != '\n') {
      return Fail("bulk string not terminated by CRLF");
    }
    pending_.emplace_back(rest.substr(0, need - 2));
    *used += need;
    bulk_len_ = -1;
    args_left_--;
  }
}

void AppendSimple(std::string* out, std::string_view s) {
  out->push_back('+');
  out->append(s);
  out->append("\r\n");
}

void AppendError(std::string* out, std::string_view msg) {
  out->push_back('-');
  size_t start = out->size();
  out->append(msg);
  std::replace_if(
      out->begin() + start, out->end(),
      [](char c) { return c == '\r' || c == '\n'; }, ' ');
  out->append("\r\n");
}

void AppendInt(std::string* out, int64_t v) {
  out->push_back(':');
  out->append(std::to_string(v));
  out->append("\r\n");
}

void AppendBulk(std::string* out, std::string_view s) {
  out->push_back('$');
  out->append(std::to_string(s.size()));
  out->append("\r\n");
  out->append(s);
  out->append("\r\n");
}

void AppendNull(std::string* out) { out->append("$-1\r\n"); }

void AppendArrayHeader(std::string* out, size_t n) {
  out->push_back('*');
  out->append(std::to_string(n));
  out->append("\r\n");
}

namespace {

// A reply larger than a request may be (RespLimits' default max_bulk) is a
// broken stream, not a value to allocate for; so are arrays longer or
// deeper than any reply this client asks for could be.
constexpr int64_t kMaxReplyBulk = 512 << 20;
constexpr int64_t kMaxReplyElements = 1 << 20;
constexpr int kMaxReplyDepth = 8;

ReplyParse ParseReplyAt(std::string_view in, size_t* used, RespReply* reply,
                        std::string* error, int depth);

ReplyParse ParseArray(std::string_view in, size_t header_end, int64_t n,
                      size_t* used, RespReply* reply, std::string* error,
                      int depth) {
  if (depth >= kMaxReplyDepth) {
    *error = "array reply nested deeper than " + std::to_string(kMaxReplyDepth);
    return ReplyParse::kError;
  }
  std::vector<RespReply> elements;
  // Grown as elements arrive: a header alone allocates nothing large.
  elements.reserve(static_cast<size_t>(std::min<int64_t>(n, 64)));
  size_t at = header_end;
  for (int64_t i = 0; i < n; i++) {
    size_t len = 0;
    RespReply e;
    ReplyParse p = ParseReplyAt(in.substr(at), &len, &e, error, depth + 1);
    if (p != ReplyParse::kReply) return p;
    elements.push_back(std::move(e));
    at += len;
  }
  reply->type = RespReply::Type::kArray;
  reply->elements = std::move(elements);
  *used = at;
  return ReplyParse::kReply;
}

ReplyParse ParseReplyAt(std::string_view in, size_t* used, RespReply* reply,
                        std::string* error, int depth) {
  std::string_view line;
  size_t end = 0;
  if (!Line(in, &line, &end)) return ReplyParse::kNeedMore;
  if (line.empty()) {
    *error = "empty reply line";
    return ReplyParse::kError;
  }
  std::string_view body = line.substr(1);
  switch (line[0]) {
    case '+':
    case '-':
      reply->type =
          line[0] == '+' ? RespReply::Type::kSimple : RespReply::Type::kError;
      reply->str.assign(body);
      *used = end;
      return ReplyParse::kReply;
    case ':':
      if (!ParseInt64(body, &reply->integer)) break;
      reply->type = RespReply::Type::kInteger;
      *used = end;
      return ReplyParse::kReply;
    case '$': {
      int64_t n = 0;
      if (body == "-1") {
        reply->type = RespReply::Type::kNull;
        *used = end;
        return ReplyParse::kReply;
      }
      if (!ParseInt64(body, &n) || n < 0 || n > kMaxReplyBulk) break;
      size_t len = static_cast<size_t>(n);
      if (in.size() < end + len + 2) return ReplyParse::kNeedMore;
      if (in.substr(end + len, 2) != "\r\n") {
        *error = "bulk reply not ended by CRLF";
        return ReplyParse::kError;
      }
      reply->type = RespReply::Type::kBulk;
      reply->str.assign(in.substr(end, len));
      *used = end + len + 2;
      return ReplyParse::kReply;
    }
    case '*': {
      int64_t n = 0;
      if (body == "-1") {
        reply->type = RespReply::Type::kNull;
        *used = end;
        return ReplyParse::kReply;
      }
      if (!ParseInt64(body, &n) || n < 0 || n > kMaxReplyElements) break;
      return ParseArray(in, end, n, used, reply, error, depth);
    }
    default:
      break;
  }
  *error = "bad reply line '" + std::string(line.substr(0, 40)) + "'";
  return ReplyParse::kError;
}

}  // namespace

ReplyParse ParseReply(std::string_view in, size_t* used, RespReply* reply,
                      std::string* error) {
  return ParseReplyAt(in, used, reply, error, 0);
}

}  // namespace wtrocks::kv::server
