// Copyright (c) wtrocks authors.
//
// The RESP2 parser and the SCAN glob, alone: no sockets, no RocksDB.
#include "engine/kv/server/resp.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/kv/server/commands.h"

namespace wtrocks::kv::server {
namespace {

using Result = RespParser::Result;
using Args = std::vector<std::string>;

// Feeds `stream` in pieces of `step` bytes, as reads would deliver it, and
// collects every request until the stream ends or an error.
std::vector<Args> ParseAll(const std::string& stream, size_t step,
                           std::string* error = nullptr,
                           RespLimits limits = RespLimits()) {
  RespParser p(limits);
  std::vector<Args> out;
  std::string buf;
  for (size_t at = 0; at < stream.size() || !buf.empty();) {
    if (at < stream.size()) {
      buf += stream.substr(at, step);
      at += step;
    }
    for (;;) {
      size_t used = 0;
      Args args;
      Result r = p.Parse(buf, &used, &args);
      buf.erase(0, used);
      if (r == Result::kCommand) {
        out.push_back(args);
        continue;
      }
      if (r == Result::kError) {
        if (error) *error = p.error();
        return out;
      }
      break;
    }
    if (at >= stream.size()) break;
  }
  return out;
}

TEST(RespParserTest, ArraysSplitAtEveryByte) {
  const std::string s =
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\na\r\nbc\r\n"
      "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$0\r\n\r\n";
  const std::vector<Args> want = {
      {"SET", "k", "a\r\nbc"}, {"PING"}, {"GET", ""}};
  for (size_t step = 1; step <= s.size(); step++) {
    EXPECT_EQ(ParseAll(s, step), want) << "step " << step;
  }
}

TEST(RespParserTest, InlineAndEmptyLines) {
  const std::string s = "\r\nPING\r\n  SET  a   b \n\nGET a\r\n";
  const std::vector<Args> want = {{"PING"}, {"SET", "a", "b"}, {"GET", "a"}};
  for (size_t step = 1; step <= s.size(); step++) {
    EXPECT_EQ(ParseAll(s, step), want) << "step " << step;
  }
}

// Quotes in inline requests mean what they mean to redis-server.
TEST(RespParserTest, InlineQuotes) {
  const std::string s =
      "SET \"a b\" 'c d'\r\n"
      "SET \"\\x41\\x7a\\n\\t\\\\\\\"\" 'it\\'s' \"\"\r\n"
      "SET \"\\xZZ\" '\\n' x\"y z\"\r\n";
  const std::vector<Args> want = {{"SET", "a b", "c d"},
                                  {"SET", "Az\n\t\\\"", "it's", ""},
                                  {"SET", "xZZ", "\\n", "xy z"}};
  for (size_t step = 1; step <= s.size(); step++) {
    EXPECT_EQ(ParseAll(s, step), want) << "step " << step;
  }
  for (const char* bad : {"SET \"a\r\n", "SET 'a\r\n", "SET \"a\"b c\r\n",
                          "set \"\"\"test-key\"\"\" v\r\n"}) {
    std::string error;
    EXPECT_TRUE(ParseAll(bad, 1, &error).empty()) << bad;
    EXPECT_EQ(error, "Protocol error: unbalanced quotes in request") << bad;
  }
}

TEST(RespParserTest, EmptyArraysAreNoRequest) {
  EXPECT_EQ(ParseAll("*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n", 3),
            (std::vector<Args>{{"PING"}}));
}

TEST(RespParserTest, Errors) {
  struct Case {
    std::string in;
    std::string error;
  } cases[] = {
      {"*x\r\n", "Protocol error: invalid multibulk length"},
      {"*2000000\r\n", "Protocol error: invalid multibulk length"},
      {"*1\r\n+PING\r\n", "Protocol error: expected '$', got '+'"},
      {"*1\r\n$-1\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$01\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$99999999999999999999\r\n",
       "Protocol error: invalid bulk length"},
      {"*1\r\n$2\r\nabc\r\n",
       "Protocol error: bulk string not terminated by CRLF"},
      {"*1\r\n$" + std::string(70000, '1'),
       "Protocol error: too big bulk count string"},
      {std::string(70000, 'x'), "Protocol error: too big inline request"},
  };
  for (const Case& c : cases) {
    std::string error;
    EXPECT_TRUE(ParseAll(c.in, 7, &error).empty()) << c.in.substr(0, 40);
    EXPECT_EQ(error, c.error) << c.in.substr(0, 40);
  }
}

TEST(RespParserTest, MaxBulkIsConfigurable) {
  RespLimits l;
  l.max_bulk = 4;
  std::string error;
  EXPECT_EQ(ParseAll("*1\r\n$4\r\nabcd\r\n", 1, &error, l),
            (std::vector<Args>{{"abcd"}}));
  EXPECT_TRUE(ParseAll("*1\r\n$5\r\nabcde\r\n", 1, &error, l).empty());
  EXPECT_EQ(error, "Protocol error: invalid bulk length");
}

TEST(RespParserTest, ParseInt64IsStrict) {
  int64_t v;
  EXPECT_TRUE(ParseInt64("0", &v) && v == 0);
  EXPECT_TRUE(ParseInt64("-12", &v) && v == -12);
  EXPECT_TRUE(ParseInt64("9223372036854775807", &v) && v == INT64_MAX);
  EXPECT_TRUE(ParseInt64("-9223372036854775808", &v) && v == INT64_MIN);
  for (const char* bad : {"", "-", "+1", " 1", "1 ", "01", "-0", "1.5",
                          "9223372036854775808", "-9223372036854775809",
                          "99999999999999999999", "18446744073709551616"}) {
    EXPECT_FALSE(ParseInt64(bad, &v)) << bad;
  }
}

TEST(RespEncodeTest, Replies) {
  std::string o;
  AppendSimple(&o, "OK");
  AppendError(&o, "ERR a\r\nb");
  AppendInt(&o, -3);
  AppendBulk(&o, "x\r\ny");
  AppendNull(&o);
  AppendArrayHeader(&o, 2);
  EXPECT_EQ(o, "+OK\r\n-ERR a  b\r\n:-3\r\n$4\r\nx\r\ny\r\n$-1\r\n*2\r\n");
}

// The client's reader: every reply the encoders write is read back, from a
// stream delivered in every split, and a partial reply consumes nothing.
TEST(RespReplyTest, ReadsWhatTheEncodersWrite) {
  std::string o;
  AppendSimple(&o, "OK");
  AppendError(&o, "ERR wtkv: write is not durable");
  AppendInt(&o, -3);
  AppendBulk(&o, "x\r\ny");
  AppendBulk(&o, "");
  AppendNull(&o);
  using T = RespReply::Type;
  const std::vector<std::pair<T, std::string>> want = {
      {T::kSimple, "OK"},  {T::kError, "ERR wtkv: write is not durable"},
      {T::kInteger, "-3"}, {T::kBulk, "x\r\ny"},
      {T::kBulk, ""},      {T::kNull, ""}};
  for (size_t step = 1; step <= o.size(); ++step) {
    std::string buf;
    std::vector<std::pair<T, std::string>> got;
    for (size_t at = 0; at < o.size(); at += step) {
      buf += o.substr(at, step);
      for (;;) {
        size_t used = 0;
        RespReply r;
        std::string error;
        ReplyParse p = ParseReply(buf, &used, &r, &error);
        ASSERT_NE(p, ReplyParse::kError) << error;
        if (p == ReplyParse::kNeedMore) break;
        ASSERT_GT(used, 0u);
        buf.erase(0, used);
        got.emplace_back(
            r.type, r.type == T::kInteger ? std::to_string(r.integer) : r.str);
      }
    }
    EXPECT_EQ(got, want) << "step " << step;
    EXPECT_TRUE(buf.empty());
  }
}

// Arrays, as EXEC answers (the oracle's MULTI/EXEC writes): elements of
// every type, nested, empty, and the null array of an aborted EXEC; a
// partial array consumes nothing, whatever the split.
TEST(RespReplyTest, ReadsArraysAsExecAnswersThem) {
  const std::string o =
      "*3\r\n+OK\r\n:7\r\n*2\r\n$1\r\na\r\n$-1\r\n*0\r\n*-1\r\n";
  using T = RespReply::Type;
  for (size_t step = 1; step <= o.size(); ++step) {
    std::string buf;
    std::vector<RespReply> got;
    for (size_t at = 0; at < o.size(); at += step) {
      buf += o.substr(at, step);
      for (;;) {
        size_t used = 0;
        RespReply r;
        std::string error;
        ReplyParse p = ParseReply(buf, &used, &r, &error);
        ASSERT_NE(p, ReplyParse::kError) << error;
        if (p == ReplyParse::kNeedMore) break;
        buf.erase(0, used);
        got.push_back(std::move(r));
      }
    }
    ASSERT_EQ(got.size(), 3u) << "step " << step;
    ASSERT_EQ(got[0].type, T::kArray);
    ASSERT_EQ(got[0].elements.size(), 3u);
    EXPECT_EQ(got[0].elements[0].str, "OK");
    EXPECT_EQ(got[0].elements[1].integer, 7);
    const RespReply& inner = got[0].elements[2];
    ASSERT_EQ(inner.type, T::kArray);
    ASSERT_EQ(inner.elements.size(), 2u);
    EXPECT_EQ(inner.elements[0].str, "a");
    EXPECT_EQ(inner.elements[1].type, T::kNull);
    EXPECT_EQ(got[1].type, T::kArray);
    EXPECT_TRUE(got[1].elements.empty());
    EXPECT_EQ(got[2].type, T::kNull);
    EXPECT_TRUE(buf.empty());
  }
}

TEST(RespReplyTest, RefusesWhatItCannotRead) {
  std::string deep;
  for (int i = 0; i < 9; i++) deep += "*1\r\n";
  deep += ":1\r\n";
  for (const std::string& bad : std::vector<std::string>{
           "?x\r\n", "\r\n", ":1x\r\n", "$-2\r\n", "$3\r\nabcd\r\n",
           "$99999999999\r\n", "*-2\r\n", "*x\r\n", "*99999999\r\n",
           "*2\r\n+OK\r\n?bad\r\n", deep}) {
    size_t used = 0;
    RespReply r;
    std::string error;
    EXPECT_EQ(ParseReply(bad, &used, &r, &error), ReplyParse::kError) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(GlobMatchTest, Patterns) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("a*", "abc"));
  EXPECT_TRUE(GlobMatch("*c", "abc"));
  EXPECT_TRUE(GlobMatch("a?c", "abc"));
  EXPECT_TRUE(GlobMatch("a[bx]c", "abc"));
  EXPECT_TRUE(GlobMatch("a[^x]c", "abc"));
  EXPECT_TRUE(GlobMatch("a[a-c]c", "abc"));
  EXPECT_TRUE(GlobMatch("a\\*c", "a*c"));
  EXPECT_TRUE(GlobMatch("*b*b*", "abxbx"));
  EXPECT_FALSE(GlobMatch("a\\*c", "abc"));
  EXPECT_FALSE(GlobMatch("a[^b]c", "abc"));
  EXPECT_FALSE(GlobMatch("a?", "a"));
  EXPECT_FALSE(GlobMatch("abc", "abcd"));
  EXPECT_FALSE(GlobMatch("[a-", "b"));
}

}  // namespace
}  // namespace wtrocks::kv::server
