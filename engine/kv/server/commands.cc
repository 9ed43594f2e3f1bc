// Copyright (c) wtrocks authors.
#include "engine/kv/server/commands.h"

#include <strings.h>
#include <time.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <set>
#include <unordered_map>

#include "engine/kv/server/bits.h"
#include "engine/kv/server/lcs.h"
#include "engine/kv/server/resp.h"
#include "rocksdb/iterator.h"

namespace wtrocks::kv::server {
namespace {

using Args = std::vector<std::string>;

std::string Lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Err(std::string_view msg) {
  std::string r;
  AppendError(&r, msg);
  return r;
}
std::string Int(int64_t v) {
  std::string r;
  AppendInt(&r, v);
  return r;
}
std::string Bulk(std::string_view s) {
  std::string r;
  AppendBulk(&r, s);
  return r;
}
std::string Simple(std::string_view s) {
  std::string r;
  AppendSimple(&r, s);
  return r;
}
std::string Null() {
  std::string r;
  AppendNull(&r);
  return r;
}

const char kNotInt[] = "ERR value is not an integer or out of range";
const char kSyntax[] = "ERR syntax error";
const char kNotFloat[] = "ERR value is not a valid float";
const char kTooLong[] = "ERR string exceeds maximum allowed size (--max-bulk)";

// Whether a command may build a value of `want` bytes (APPEND, SETRANGE).
bool Fits(CommandContext* c, uint64_t want) {
  return want <= c->max_value_bytes();
}

std::string ReadFailed(const rocksdb::Status& s) {
  return Err("ERR wtkv: read failed: " + s.ToString());
}

// Appends the reply to one key's read, as GET, MGET and a batch of GETs
// give it.
void AppendValueReply(std::string* out, const rocksdb::Status& s,
                      std::string_view value) {
  if (s.ok()) {
    AppendBulk(out, value);
  } else if (s.IsNotFound()) {
    AppendNull(out);
  } else {
    *out += ReadFailed(s);
  }
}

// Reads `key`: true with *value, or false when absent. A read error other
// than NotFound becomes an error reply and `*failed` is set.
bool Read(CommandContext* c, const std::string& key, std::string* value,
          bool* failed) {
  rocksdb::Status s = c->Get(key, value);
  if (s.ok()) return true;
  if (!s.IsNotFound()) {
    c->Reply(ReadFailed(s));
    *failed = true;
  }
  return false;
}

// For the commands that write only where a key is absent (SETNX, MSETNX,
// RENAMENX, COPY without REPLACE): true when `key` is absent; otherwise
// the reply is sent, 0 when the key exists, the error when the read failed.
bool KeyIsFree(CommandContext* c, const std::string& key) {
  std::string v;
  bool failed = false;
  if (Read(c, key, &v, &failed)) {
    c->Reply(Int(0));
    return false;
  }
  return !failed;
}

void Ping(CommandContext* c, const Args& a) {
  if (a.size() > 2) {
    c->Reply(Err("ERR wrong number of arguments for 'ping' command"));
  } else {
    c->Reply(a.size() == 2 ? Bulk(a[1]) : Simple("PONG"));
  }
}

void Echo(CommandContext* c, const Args& a) { c->Reply(Bulk(a[1])); }

void GetOne(CommandContext* c, const std::string& key) {
  std::string v;
  rocksdb::Status s = c->Get(key, &v);
  std::string r;
  AppendValueReply(&r, s, v);
  c->Reply(std::move(r));
}

void Get(CommandContext* c, const Args& a) { GetOne(c, a[1]); }

// An option that would give a key a TTL (SET's and GETEX's; lower case).
bool IsExpiryOption(const std::string& o) {
  return o == "ex" || o == "px" || o == "exat" || o == "pxat";
}

// The refusal of whatever would give a key a TTL; `what` names it.
std::string NoExpiryError(const std::string& what) {
  return Err("ERR wtkv: " + what +
             " is not supported: keys never expire in wtkv");
}

// SET key value [NX|XX] [GET] [KEEPTTL]. Expiry options are refused: KvDb
// has no expiry, and a key that outlives its TTL would be a lie.
void Set(CommandContext* c, const Args& a) {
  bool nx = false, xx = false, get = false;
  for (size_t i = 3; i < a.size(); i++) {
    std::string o = Lower(a[i]);
    if (o == "nx" && !xx) {
      nx = true;
    } else if (o == "xx" && !nx) {
      xx = true;
    } else if (o == "get") {
      get = true;
    } else if (o == "keepttl") {
      // No key has a TTL, so keeping it is what already happens.
    } else if (IsExpiryOption(o)) {
      c->Reply(NoExpiryError("SET " + a[i]));
      return;
    } else {
      c->Reply(Err(kSyntax));
      return;
    }
  }
  std::string old;
  bool failed = false, exists = false;
  if (nx || xx || get) {
    exists = Read(c, a[1], &old, &failed);
    if (failed) return;
  }
  std::string reply = get ? (exists ? Bulk(old) : Null()) : Simple("OK");
  if ((nx && exists) || (xx && !exists)) {
    c->Reply(get ? reply : Null());
    return;
  }
  c->batch()->Put(a[1], a[2]);
  c->ReplyWhenDurable(std::move(reply));
}

void Del(CommandContext* c, const Args& a) {
  std::set<std::string> keys(a.begin() + 1, a.end());
  std::vector<const std::string*> present;
  for (const std::string& k : keys) {
    std::string v;
    bool failed = false;
    if (Read(c, k, &v, &failed)) {
      present.push_back(&k);
    } else if (failed) {
      return;
    }
  }
  if (present.empty()) return c->Reply(Int(0));
  for (const std::string* k : present) c->batch()->Delete(*k);
  c->ReplyWhenDurable(Int(static_cast<int64_t>(present.size())));
}

void Exists(CommandContext* c, const Args& a) {
  int64_t n = 0;
  for (size_t i = 1; i < a.size(); i++) {
    std::string v;
    bool failed = false;
    if (Read(c, a[i], &v, &failed)) n++;
    if (failed) return;
  }
  c->Reply(Int(n));
}

void MGet(CommandContext* c, const Args& a) {
  std::span<const std::string> keys(a.begin() + 1, a.end());
  std::vector<rocksdb::PinnableSlice> values;
  std::vector<rocksdb::Status> statuses;
  c->MultiGet(keys, &values, &statuses);
  // One failed read fails the whole reply, as a partial array would lie.
  for (const rocksdb::Status& s : statuses) {
    if (!s.ok() && !s.IsNotFound()) return c->Reply(ReadFailed(s));
  }
  std::string r;
  AppendArrayHeader(&r, keys.size());
  for (size_t i = 0; i < keys.size(); i++) {
    AppendValueReply(&r, statuses[i], values[i].ToStringView());
  }
  c->Reply(std::move(r));
}

void MSet(CommandContext* c, const Args& a) {
  if (a.size() % 2 != 1) {
    c->Reply(Err("ERR wrong number of arguments for 'mset' command"));
    return;
  }
  for (size_t i = 1; i < a.size(); i += 2) c->batch()->Put(a[i], a[i + 1]);
  c->ReplyWhenDurable(Simple("OK"));
}

void IncrBy(CommandContext* c, const std::string& key, int64_t by) {
  std::string v;
  bool failed = false;
  int64_t cur = 0;
  if (Read(c, key, &v, &failed)) {
    if (!ParseInt64(v, &cur)) {
      c->Reply(Err(kNotInt));
      return;
    }
  } else if (failed) {
    return;
  }
  if ((by > 0 && cur > INT64_MAX - by) || (by < 0 && cur < INT64_MIN - by)) {
    c->Reply(Err("ERR increment or decrement would overflow"));
    return;
  }
  int64_t next = cur + by;
  c->batch()->Put(key, std::to_string(next));
  c->ReplyWhenDurable(Int(next));
}

void Incr(CommandContext* c, const Args& a) { IncrBy(c, a[1], 1); }
void Decr(CommandContext* c, const Args& a) { IncrBy(c, a[1], -1); }
void IncrByCmd(CommandContext* c, const Args& a) {
  int64_t by;
  if (!ParseInt64(a[2], &by)) return c->Reply(Err(kNotInt));
  IncrBy(c, a[1], by);
}
void DecrByCmd(CommandContext* c, const Args& a) {
  int64_t by;
  if (!ParseInt64(a[2], &by) || by == INT64_MIN) return c->Reply(Err(kNotInt));
  IncrBy(c, a[1], -by);
}

void Append(CommandContext* c, const Args& a) {
  std::string v;
  bool failed = false;
  Read(c, a[1], &v, &failed);
  if (failed) return;
  if (!Fits(c, uint64_t{v.size()} + a[2].size()))
    return c->Reply(Err(kTooLong));
  v += a[2];
  c->batch()->Put(a[1], v);
  c->ReplyWhenDurable(Int(static_cast<int64_t>(v.size())));
}

void StrLen(CommandContext* c, const Args& a) {
  std::string v;
  bool failed = false;
  Read(c, a[1], &v, &failed);
  if (!failed) c->Reply(Int(static_cast<int64_t>(v.size())));
}

// SETNX key value: SET NX answered 1 (set) or 0 (the key exists).
void SetNx(CommandContext* c, const Args& a) {
  if (!KeyIsFree(c, a[1])) return;
  c->batch()->Put(a[1], a[2]);
  c->ReplyWhenDurable(Int(1));
}

// GETSET key value: SET key value GET.
void GetSet(CommandContext* c, const Args& a) {
  std::string old;
  bool failed = false;
  const bool exists = Read(c, a[1], &old, &failed);
  if (failed) return;
  c->batch()->Put(a[1], a[2]);
  c->ReplyWhenDurable(exists ? Bulk(old) : Null());
}

// GETDEL key: the value, once its removal is durable.
void GetDel(CommandContext* c, const Args& a) {
  std::string old;
  bool failed = false;
  const bool exists = Read(c, a[1], &old, &failed);
  if (failed) return;
  if (!exists) return c->Reply(Null());
  c->batch()->Delete(a[1]);
  c->ReplyWhenDurable(Bulk(old));
}

// MSETNX k v [k v ...]: all or nothing, 1 or 0.
void MSetNx(CommandContext* c, const Args& a) {
  if (a.size() % 2 != 1) {
    return c->Reply(Err("ERR wrong number of arguments for 'msetnx' command"));
  }
  for (size_t i = 1; i < a.size(); i += 2) {
    if (!KeyIsFree(c, a[i])) return;
  }
  for (size_t i = 1; i < a.size(); i += 2) c->batch()->Put(a[i], a[i + 1]);
  c->ReplyWhenDurable(Int(1));
}

// UNWATCH inside MULTI: EXEC has forgotten the connection's watches
// before it runs the queue (server.cc handles UNWATCH outside MULTI).
void Unwatch(CommandContext* c, const Args&) { c->Reply(Simple("OK")); }

// SETEX, PSETEX, EXPIRE and the like: refused, as SET EX is.
void NoExpiry(CommandContext* c, const Args& a) {
  c->Reply(NoExpiryError("'" + Lower(a[0]) + "'"));
}

// PERSIST key: 0, as Redis answers for a key without a TTL (every key).
void Persist(CommandContext* c, const Args& a) {
  std::string v;
  bool failed = false;
  Read(c, a[1], &v, &failed);
  if (!failed) c->Reply(Int(0));
}

// GETEX key [PERSIST]: GET; an expiry option is refused.
void GetEx(CommandContext* c, const Args& a) {
  for (size_t i = 2; i < a.size(); i++) {
    const std::string o = Lower(a[i]);
    if (IsExpiryOption(o)) return c->Reply(NoExpiryError("GETEX " + a[i]));
    if (o != "persist") return c->Reply(Err(kSyntax));
  }
  GetOne(c, a[1]);
}

// GETRANGE key start end: the bytes from start to end, both included;
// negative offsets count from the end, and the range is clipped to the
// value, as in Redis.
void GetRange(CommandContext* c, const Args& a) {
  int64_t start, end;
  if (!ParseInt64(a[2], &start) || !ParseInt64(a[3], &end)) {
    return c->Reply(Err(kNotInt));
  }
  std::string v;
  bool failed = false;
  Read(c, a[1], &v, &failed);
  if (failed) return;
  const int64_t len = static_cast<int64_t>(v.size());
  if (start < 0 && end < 0 && start > end) return c->Reply(Bulk(""));
  if (start < 0) start = std::max<int64_t>(0, len + start);
  if (end < 0) end = std::max<int64_t>(0, len + end);
  end = std::min(end, len - 1);
  if (len == 0 || start > end) return c->Reply(Bulk(""));
  c->Reply(Bulk(v.substr(static_cast<size_t>(start),
                         static_cast<size_t>(end - start + 1))));
}

// SETRANGE key offset value: `value` written over the stored one at
// `offset`, zero bytes filling any gap; the new length. An empty `value`
// writes nothing (not even a missing key), as in Redis.
void SetRange(CommandContext* c, const Args& a) {
  int64_t offset;
  if (!ParseInt64(a[2], &offset)) return c->Reply(Err(kNotInt));
  if (offset < 0) return c->Reply(Err("ERR offset is out of range"));
  std::string v;
  bool failed = false;
  Read(c, a[1], &v, &failed);
  if (failed) return;
  const std::string& part = a[3];
  if (part.empty()) return c->Reply(Int(static_cast<int64_t>(v.size())));
  const uint64_t end = static_cast<uint64_t>(offset) + part.size();
  if (!Fits(c, end)) return c->Reply(Err(kTooLong));
  if (v.size() < end) v.resize(end, '\0');
  v.replace(static_cast<size_t>(offset), part.size(), part);
  c->batch()->Put(a[1], v);
  c->ReplyWhenDurable(Int(static_cast<int64_t>(v.size())));
}

// A bit offset as SETBIT and GETBIT take it: an integer >= 0 whose byte a
// value could hold (--max-bulk, as Redis bounds it by its own bulk limit).
bool ParseBitOffset(CommandContext* c, const std::string& s, uint64_t* out) {
  int64_t v;
  if (!ParseInt64(s, &v) || v < 0 ||
      static_cast<uint64_t>(v) / 8 >= c->max_value_bytes()) {
    c->Reply(Err("ERR bit offset is not an integer or out of range"));
    return false;
  }
  *out = static_cast<uint64_t>(v);
  return true;
}

// SETBIT key offset 0|1: the bit it replaced. The value grows with zero
// bytes to reach the offset. A SETBIT that changes nothing writes nothing.
void SetBit(CommandContext* c, const Args& a) {
  uint64_t offset;
  if (!ParseBitOffset(c, a[2], &offset)) return;
  if (a[3] != "0" && a[3] != "1") {
    return c->Reply(Err("ERR bit is not an integer or out of range"));
  }
  const bool on = a[3] == "1";
  std::string v;
  bool failed = false;
  const bool exists = Read(c, a[1], &v, &failed);
  if (failed) return;
  const size_t before = v.size();
  const int old = bits::Set(&v, offset, on);
  if (exists && v.size() == before && old == static_cast<int>(on)) {
    return c->Reply(Int(old));
  }
  c->batch()->Put(a[1], v);
  c->ReplyWhenDurable(Int(old));
}

void GetBit(CommandContext* c, const Args& a) {
  uint64_t offset;
  if (!ParseBitOffset(c, a[2], &offset)) return;
  std::string v;
  bool failed = false;
  Read(c, a[1], &v, &failed);
  if (!failed) c->Reply(Int(bits::Get(v, offset)));
}

// The optional unit of BITCOUNT's and BITPOS' range; false (and a syntax
// error reply) for anything but BYTE or BIT.
bool ParseBitUnit(CommandContext* c, const std::string& s, bool* in_bits) {
  const std::string u = Lower(s);
  if (u != "byte" && u != "bit") {
    c->Reply(Err(kSyntax));
    return false;
  }
  *in_bits = u == "bit";
  return true;
}

// BITCOUNT key [start end [BYTE|BIT]]: the set bits of the value, or of
// the range (bytes by default; negative positions count from the end). The
// arguments are checked before the key is read, so a malformed request is
// an error even for an absent key, as in Redis 7.2 and later (7.0 answered
// 0 for an absent key whatever followed it).
void BitCount(CommandContext* c, const Args& a) {
  int64_t start = 0, end = -1;
  bool in_bits = false;
  if (a.size() == 4 || a.size() == 5) {
    if (!ParseInt64(a[2], &start) || !ParseInt64(a[3], &end)) {
      return c->Reply(Err(kNotInt));
    }
    if (a.size() == 5 && !ParseBitUnit(c, a[4], &in_bits)) return;
  } else if (a.size() != 2) {
    return c->Reply(Err(kSyntax));
  }
  std::string v;
  bool failed = false;
  if (!Read(c, a[1], &v, &failed)) {
    if (!failed) c->Reply(Int(0));
    return;
  }
  const uint64_t n =
      bits::Count(v, bits::Resolve(start, end, v.size(), in_bits));
  c->Reply(Int(static_cast<int64_t>(n)));
}

// BITPOS key 0|1 [start [end [BYTE|BIT]]]: the first bit with that value,
// or -1. An absent key reads as endless clear bits (0 for a clear bit);
// without an end, a value of set bits has its first clear bit just past
// its end, as in Redis. Arguments are checked first, as in BITCOUNT.
void BitPos(CommandContext* c, const Args& a) {
  int64_t bit;
  if (!ParseInt64(a[2], &bit)) return c->Reply(Err(kNotInt));
  if (bit != 0 && bit != 1) {
    return c->Reply(Err("ERR The bit argument must be 1 or 0."));
  }
  if (a.size() > 6) return c->Reply(Err(kSyntax));
  int64_t start = 0, end = -1;
  bool in_bits = false;
  const bool end_given = a.size() >= 5;
  if (a.size() >= 4 && !ParseInt64(a[3], &start)) {
    return c->Reply(Err(kNotInt));
  }
  if (end_given && !ParseInt64(a[4], &end)) return c->Reply(Err(kNotInt));
  if (a.size() == 6 && !ParseBitUnit(c, a[5], &in_bits)) return;
  std::string v;
  bool failed = false;
  if (!Read(c, a[1], &v, &failed)) {
    if (!failed) c->Reply(Int(bit ? -1 : 0));
    return;
  }
  const bits::Range r = bits::Resolve(start, end, v.size(), in_bits);
  int64_t pos = bits::Pos(v, static_cast<int>(bit), r);
  if (pos < 0 && bit == 0 && !end_given && !r.empty) {
    pos = static_cast<int64_t>(r.last + 1);
  }
  c->Reply(Int(pos));
}

// BITOP AND|OR|XOR|NOT destkey key...: the result's length. Absent keys
// are empty strings; an empty result deletes destkey, as in Redis.
void BitOp(CommandContext* c, const Args& a) {
  const std::string name = Lower(a[1]);
  bits::Op op;
  if (name == "and") {
    op = bits::Op::kAnd;
  } else if (name == "or") {
    op = bits::Op::kOr;
  } else if (name == "xor") {
    op = bits::Op::kXor;
  } else if (name == "not") {
    op = bits::Op::kNot;
  } else {
    return c->Reply(Err(kSyntax));
  }
  if (op == bits::Op::kNot && a.size() != 4) {
    return c->Reply(
        Err("ERR BITOP NOT must be called with a single source key."));
  }
  std::vector<std::string> inputs(a.size() - 3);
  bool failed = false;
  for (size_t i = 3; i < a.size(); i++) {
    Read(c, a[i], &inputs[i - 3], &failed);
    if (failed) return;
  }
  std::string out = bits::Combine(op, inputs);
  const int64_t n = static_cast<int64_t>(out.size());
  if (out.empty()) {
    std::string old;
    if (!Read(c, a[2], &old, &failed)) {
      if (!failed) c->Reply(Int(0));
      return;
    }
    c->batch()->Delete(a[2]);
  } else {
    c->batch()->Put(a[2], out);
  }
  c->ReplyWhenDurable(Int(n));
}

// LCS's dynamic-programming table is built on the loop thread, which
// serves nobody else meanwhile; this bounds it (about a quarter of a
// second of CPU), where Redis bounds only its memory.
constexpr uint64_t kMaxLcsTableBytes = 256u << 20;

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: the longest
// common subsequence of two values (absent keys are empty), its length, or
// where its runs lie in both ("matches", last run first, runs shorter
// than MINMATCHLEN left out, and "len").
void LcsCmd(CommandContext* c, const Args& a) {
  bool len_only = false, idx = false, with_len = false;
  int64_t min_len = 0;
  for (size_t i = 3; i < a.size(); i++) {
    const std::string o = Lower(a[i]);
    if (o == "idx") {
      idx = true;
    } else if (o == "len") {
      len_only = true;
    } else if (o == "withmatchlen") {
      with_len = true;
    } else if (o == "minmatchlen" && i + 1 < a.size()) {
      if (!ParseInt64(a[++i], &min_len)) return c->Reply(Err(kNotInt));
      min_len = std::max<int64_t>(min_len, 0);
    } else {
      return c->Reply(Err(kSyntax));
    }
  }
  if (idx && len_only) {
    return c->Reply(Err(
        "ERR If you want both the length and indexes, please just use IDX."));
  }
  std::string x, y;
  bool failed = false;
  Read(c, a[1], &x, &failed);
  if (failed) return;
  Read(c, a[2], &y, &failed);
  if (failed) return;
  if (LcsTableBytes(x, y) > kMaxLcsTableBytes) {
    return c->Reply(Err("ERR wtkv: LCS of values of " +
                        std::to_string(x.size()) + " and " +
                        std::to_string(y.size()) + " bytes would need " +
                        std::to_string(LcsTableBytes(x, y) >> 20) +
                        " MiB, over wtkv's limit of " +
                        std::to_string(kMaxLcsTableBytes >> 20) + " MiB"));
  }
  LcsResult r = Lcs(x, y);
  if (len_only) return c->Reply(Int(static_cast<int64_t>(r.common.size())));
  if (!idx) return c->Reply(Bulk(r.common));
  std::string matches;
  size_t kept = 0;
  for (const LcsMatch& m : r.matches) {
    if (m.length() < static_cast<uint64_t>(min_len)) continue;
    kept++;
    AppendArrayHeader(&matches, with_len ? 3 : 2);
    AppendArrayHeader(&matches, 2);
    AppendInt(&matches, static_cast<int64_t>(m.a_first));
    AppendInt(&matches, static_cast<int64_t>(m.a_last));
    AppendArrayHeader(&matches, 2);
    AppendInt(&matches, static_cast<int64_t>(m.b_first));
    AppendInt(&matches, static_cast<int64_t>(m.b_last));
    if (with_len) AppendInt(&matches, static_cast<int64_t>(m.length()));
  }
  std::string out;
  AppendArrayHeader(&out, 4);
  AppendBulk(&out, "matches");
  AppendArrayHeader(&out, kept);
  out += matches;
  AppendBulk(&out, "len");
  AppendInt(&out, static_cast<int64_t>(r.common.size()));
  c->Reply(std::move(out));
}

// A number as INCRBYFLOAT takes it: all of `s` read by strtold (so a NUL
// inside is not a number), no leading space, neither NaN nor out of range:
// Redis' rules, so that the same values are accepted and refused.
bool ParseLongDouble(const std::string& s, long double* out) {
  if (s.empty() || s.size() >= 5120) return false;
  if (isspace(static_cast<unsigned char>(s[0]))) return false;
  char* end = nullptr;
  errno = 0;
  long double v = strtold(s.c_str(), &end);
  if (end != s.c_str() + s.size() || errno == EINVAL || std::isnan(v)) {
    return false;
  }
  if (errno == ERANGE &&
      (v == HUGE_VALL || v == -HUGE_VALL || std::fpclassify(v) == FP_ZERO)) {
    return false;
  }
  *out = v;
  return true;
}

// `v` as INCRBYFLOAT stores it: 17 decimals, trailing zeros (and a bare
// point) dropped, "-0" as "0": Redis' human-friendly form, so that a
// client sees the same digits from both servers.
std::string FormatLongDouble(long double v) {
  // Room for LDBL_MAX's 4,933 integer digits, the point and 17 decimals.
  char buf[5120];
  snprintf(buf, sizeof(buf), "%.17Lf", v);
  std::string r(buf);
  if (r.find('.') != std::string::npos) {
    while (r.back() == '0') r.pop_back();
    if (r.back() == '.') r.pop_back();
  }
  if (r == "-0") r = "0";
  return r;
}

// INCRBYFLOAT key increment: the sum, in long double, stored as text.
void IncrByFloat(CommandContext* c, const Args& a) {
  std::string v;
  bool failed = false;
  long double cur = 0, by;
  if (Read(c, a[1], &v, &failed)) {
    if (!ParseLongDouble(v, &cur)) return c->Reply(Err(kNotFloat));
  } else if (failed) {
    return;
  }
  if (!ParseLongDouble(a[2], &by)) return c->Reply(Err(kNotFloat));
  const long double next = cur + by;
  if (std::isnan(next) || std::isinf(next)) {
    return c->Reply(Err("ERR increment would produce NaN or Infinity"));
  }
  std::string text = FormatLongDouble(next);
  c->batch()->Put(a[1], text);
  c->ReplyWhenDurable(Bulk(text));
}

// RENAME key newkey and RENAMENX: the value moves in one commit (the
// delete and the put are one WriteBatch), so a crash leaves it under one
// name, never both or neither.
void Move(CommandContext* c, const Args& a, bool nx) {
  std::string v;
  bool failed = false;
  if (!Read(c, a[1], &v, &failed)) {
    if (!failed) c->Reply(Err("ERR no such key"));
    return;
  }
  if (a[1] == a[2]) return c->Reply(nx ? Int(0) : Simple("OK"));
  if (nx && !KeyIsFree(c, a[2])) return;
  c->batch()->Delete(a[1]);
  c->batch()->Put(a[2], v);
  c->ReplyWhenDurable(nx ? Int(1) : Simple("OK"));
}
void Rename(CommandContext* c, const Args& a) { Move(c, a, false); }
void RenameNx(CommandContext* c, const Args& a) { Move(c, a, true); }

// COPY source destination [DB 0] [REPLACE]: 1 if copied; 0 if the source
// is absent or the destination exists without REPLACE.
void Copy(CommandContext* c, const Args& a) {
  bool replace = false;
  for (size_t i = 3; i < a.size(); i++) {
    const std::string o = Lower(a[i]);
    if (o == "replace") {
      replace = true;
    } else if (o == "db" && i + 1 < a.size()) {
      int64_t db;
      if (!ParseInt64(a[++i], &db)) return c->Reply(Err(kNotInt));
      if (db != 0) return c->Reply(Err("ERR wtkv: only database 0 exists"));
    } else {
      return c->Reply(Err(kSyntax));
    }
  }
  if (a[1] == a[2]) {
    return c->Reply(Err("ERR source and destination objects are the same"));
  }
  std::string v;
  bool failed = false;
  if (!Read(c, a[1], &v, &failed)) {
    if (!failed) c->Reply(Int(0));
    return;
  }
  if (!replace && !KeyIsFree(c, a[2])) return;
  c->batch()->Put(a[2], v);
  c->ReplyWhenDurable(Int(1));
}

// RANDOMKEY: a key chosen at random, or nil for an empty database. Up to
// kCountedKeys keys (what DBSIZE counts exactly) it walks them all and
// picks one uniformly; past that, it seeks to a random point between the
// first and the last key, so every key can come back but not equally
// often (a key after a sparse stretch of key space comes more often).
void RandomKey(CommandContext* c, const Args&) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::unique_ptr<rocksdb::Iterator> it(
      c->db()->db()->NewIterator(ScanReadOptions()));
  std::string pick;
  uint64_t seen = 0;
  for (it->SeekToFirst(); it->Valid() && seen < kCountedKeys; it->Next()) {
    if (rng() % ++seen == 0) pick = it->key().ToString();
  }
  if (it->Valid()) {
    std::string first, last;
    it->SeekToFirst();
    if (it->Valid()) first = it->key().ToString();
    it->SeekToLast();
    if (it->Valid()) last = it->key().ToString();
    // The common prefix, then a byte between the two keys' next bytes, then
    // random bytes: a point in [first, last].
    size_t k = 0;
    while (k < first.size() && k < last.size() && first[k] == last[k]) k++;
    std::string target = first.substr(0, k);
    const unsigned lo = k < first.size() ? static_cast<uint8_t>(first[k]) : 0;
    const unsigned hi = k < last.size() ? static_cast<uint8_t>(last[k]) : 0;
    target += static_cast<char>(lo + rng() % (hi - lo + 1));
    for (int i = 0; i < 8; i++) target += static_cast<char>(rng());
    it->Seek(target);
    if (!it->Valid() && it->status().ok()) it->SeekToFirst();
    if (it->Valid()) pick = it->key().ToString();
  }
  if (!it->status().ok()) {
    return c->Reply(
        Err("ERR wtkv: randomkey failed: " + it->status().ToString()));
  }
  c->Reply(seen == 0 ? Null() : Bulk(pick));
}

// KEYS pattern: every matching key, in key order. Like Redis', it walks
// the whole database in one call, and the loop serves nobody else
// meanwhile: SCAN is the way for a large one.
void Keys(CommandContext* c, const Args& a) {
  std::unique_ptr<rocksdb::Iterator> it(
      c->db()->db()->NewIterator(ScanReadOptions()));
  std::vector<std::string> keys;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    rocksdb::Slice k = it->key();
    if (GlobMatch(a[1], std::string_view(k.data(), k.size()))) {
      keys.emplace_back(k.data(), k.size());
    }
  }
  if (!it->status().ok()) {
    return c->Reply(Err("ERR wtkv: keys failed: " + it->status().ToString()));
  }
  std::string r;
  AppendArrayHeader(&r, keys.size());
  for (const std::string& k : keys) AppendBulk(&r, k);
  c->Reply(std::move(r));
}

// Every wtkv value is a string and no key expires; TYPE and TTL say so in
// Redis' words, which is what tools built on them need (`redis-cli
// --bigkeys` asks TYPE of every key it scans).
void Type(CommandContext* c, const Args& a) {
  std::string v;
  bool failed = false;
  bool found = Read(c, a[1], &v, &failed);
  if (!failed) c->Reply(Simple(found ? "string" : "none"));
}

// TTL and PTTL: -1 for a key (it never expires), -2 for no key.
void Ttl(CommandContext* c, const Args& a) {
  std::string v;
  bool failed = false;
  bool found = Read(c, a[1], &v, &failed);
  if (!failed) c->Reply(Int(found ? -1 : -2));
}

// SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]: walks the keys in key
// order, examining about COUNT keys per call. Unlike Redis, a key is
// returned at most once per full iteration. TYPE string keeps every key;
// any other type none (as Redis 7.0, which does not check the name).
void Scan(CommandContext* c, const Args& a) {
  int64_t cursor_in;
  if (!ParseInt64(a[1], &cursor_in) || cursor_in < 0) {
    return c->Reply(Err("ERR invalid cursor"));
  }
  std::string pattern;
  bool match = false;
  int64_t count = 10;
  bool other_type = false;  // TYPE named anything but string
  for (size_t i = 2; i < a.size(); i += 2) {
    std::string o = Lower(a[i]);
    if (i + 1 >= a.size()) return c->Reply(Err(kSyntax));
    if (o == "match") {
      pattern = a[i + 1];
      match = true;
    } else if (o == "count") {
      if (!ParseInt64(a[i + 1], &count)) return c->Reply(Err(kNotInt));
      if (count < 1) return c->Reply(Err(kSyntax));
    } else if (o == "type") {
      other_type = Lower(a[i + 1]) != "string";
    } else {
      return c->Reply(Err(kSyntax));
    }
  }
  ScanCursors::Walk walk;
  if (!c->cursors()->Resume(c->db(), static_cast<uint64_t>(cursor_in), &walk)) {
    return c->Reply(
        Err("ERR wtkv: unknown or expired SCAN cursor; start "
            "again from 0"));
  }
  rocksdb::Iterator* it = walk.it.get();
  std::vector<std::string> keys;
  for (int64_t seen = 0; it->Valid() && seen < count; it->Next(), seen++) {
    rocksdb::Slice k = it->key();
    if (other_type) continue;
    if (!match || GlobMatch(pattern, std::string_view(k.data(), k.size()))) {
      keys.emplace_back(k.data(), k.size());
    }
  }
  if (!it->status().ok()) {
    return c->Reply(Err("ERR wtkv: scan failed: " + it->status().ToString()));
  }
  uint64_t next = 0;
  if (it->Valid()) next = c->cursors()->Save(std::move(walk));
  std::string r;
  AppendArrayHeader(&r, 2);
  AppendBulk(&r, std::to_string(next));
  AppendArrayHeader(&r, keys.size());
  for (const std::string& k : keys) AppendBulk(&r, k);
  c->Reply(std::move(r));
}

void DbSize(CommandContext* c, const Args&) {
  c->Reply(Int(static_cast<int64_t>(KeyCount(c->db()))));
}

// INFO [section ...] (several since Redis 7.0).
void Info(CommandContext* c, const Args& a) {
  std::vector<std::string> sections;
  for (size_t i = 1; i < a.size(); i++) sections.push_back(Lower(a[i]));
  c->Reply(Bulk(c->Info(sections)));
}

// One durable commit: a range delete from the first key to the last, plus
// the last key itself (a range's end is exclusive). With RocksDB's row
// cache, a delete per key instead: the row cache does not see range
// deletes, and RocksDB 9.2+ refuses DeleteRange when one is configured.
void FlushAll(CommandContext* c, const Args& a) {
  for (size_t i = 1; i < a.size(); i++) {
    std::string o = Lower(a[i]);
    if (o != "sync" && o != "async") return c->Reply(Err(kSyntax));
  }
  std::unique_ptr<rocksdb::Iterator> it(
      c->db()->db()->NewIterator(ScanReadOptions()));
  const bool per_key = c->db()->db()->GetDBOptions().row_cache != nullptr;
  std::vector<std::string> keys;  // every key, or the first and the last
  it->SeekToFirst();
  if (per_key) {
    for (; it->Valid(); it->Next()) keys.push_back(it->key().ToString());
  } else if (it->Valid()) {
    keys.push_back(it->key().ToString());
    it->SeekToLast();
    if (it->Valid()) keys.push_back(it->key().ToString());
  }
  if (!it->status().ok()) {
    return c->Reply(
        Err("ERR wtkv: flushall failed: " + it->status().ToString()));
  }
  if (keys.empty()) return c->Reply(Simple("OK"));
  if (per_key) {
    for (const std::string& k : keys) c->batch()->Delete(k);
  } else {
    if (keys.front() != keys.back()) {
      c->batch()->DeleteRange(keys.front(), keys.back());
    }
    c->batch()->Delete(keys.back());
  }
  // A kept iterator would still show the keys this removes to a scan
  // begun before it; a new one will not.
  c->cursors()->Release();
  c->ReplyWhenDurable(Simple("OK"));
}

// TIME: the server's clock, seconds and microseconds, as Redis gives it.
void Time(CommandContext* c, const Args&) {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  std::string r;
  AppendArrayHeader(&r, 2);
  AppendBulk(&r, std::to_string(ts.tv_sec));
  AppendBulk(&r, std::to_string(ts.tv_nsec / 1000));
  c->Reply(std::move(r));
}

// A WAIT or WAITAOF timeout, in Redis' words when it is not one.
bool ParseTimeout(CommandContext* c, const std::string& s) {
  int64_t ms;
  if (!ParseInt64(s, &ms)) {
    c->Reply(Err("ERR timeout is not an integer or out of range"));
    return false;
  }
  if (ms < 0) {
    c->Reply(Err("ERR timeout is negative"));
    return false;
  }
  return true;
}

std::string NoReplicas(int64_t n) {
  return Err("ERR wtkv has no replicas: waiting for " + std::to_string(n) +
             " of them would never end");
}

// WAIT numreplicas timeout: wtkv has no replicas. 0 for none (what Redis
// answers without replicas), an error instead of a wait that could never
// be satisfied otherwise.
void Wait(CommandContext* c, const Args& a) {
  if (!ParseTimeout(c, a[2])) return;
  int64_t n;
  if (!ParseInt64(a[1], &n)) return c->Reply(Err(kNotInt));
  c->Reply(n > 0 ? NoReplicas(n) : Int(0));
}

// WAITAOF numlocal numreplicas timeout (Redis 7.2): [1, 0] once every
// write this connection made before it is durable, which in wtkv is what
// "written to the local AOF and fsynced" means. In the default mode that
// holds as soon as the earlier replies have been sent; with
// --durability=async it is the way to wait for durability.
void WaitAof(CommandContext* c, const Args& a) {
  if (!ParseTimeout(c, a[3])) return;
  int64_t local, replicas;
  for (auto [s, v] : {std::pair{&a[1], &local}, {&a[2], &replicas}}) {
    if (!ParseInt64(*s, v)) return c->Reply(Err(kNotInt));
    if (*v < 0)
      return c->Reply(Err("ERR value is out of range, must be positive"));
  }
  if (replicas > 0) return c->Reply(NoReplicas(replicas));
  std::string r;
  AppendArrayHeader(&r, 2);
  r += Int(1);
  r += Int(0);
  c->ReplyWhenAllDurable(std::move(r));
}

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: a clean stop, as SIGTERM.
// The options change nothing: every acknowledged write is already durable
// (there is nothing to save) and there are no replicas to wait for. There
// is no reply: the connection closes once its earlier replies are sent.
void Shutdown(CommandContext* c, const Args& a) {
  bool save = false, nosave = false, abort = false;
  for (size_t i = 1; i < a.size(); i++) {
    const std::string o = Lower(a[i]);
    if (o == "save") {
      save = true;
    } else if (o == "nosave") {
      nosave = true;
    } else if (o == "abort") {
      abort = true;
    } else if (o != "now" && o != "force") {
      return c->Reply(Err(kSyntax));
    }
  }
  if ((save && nosave) || (abort && a.size() > 2))
    return c->Reply(Err(kSyntax));
  if (abort) return c->Reply(Err("ERR No shutdown in progress."));
  c->Shutdown();
}

// FUNCTION FLUSH and FUNCTION LIST: wtkv stores no functions (there is
// no scripting), so flushing them is done and the list is empty; what
// harnesses that reset a server between tests send. Anything else that
// would load or call one is refused.
void Function(CommandContext* c, const Args& a) {
  const std::string sub = Lower(a[1]);
  if (sub == "flush" && a.size() <= 3) return c->Reply(Simple("OK"));
  if (sub == "list") {
    std::string r;
    AppendArrayHeader(&r, 0);
    return c->Reply(std::move(r));
  }
  c->Reply(Err("ERR wtkv: functions and scripts are not supported"));
}

void Quit(CommandContext* c, const Args&) {
  c->CloseAfterReply();
  c->Reply(Simple("OK"));
}

void Select(CommandContext* c, const Args& a) {
  c->Reply(a[1] == "0" ? Simple("OK")
                       : Err("ERR wtkv: only database 0 exists"));
}

// A client name as Redis takes it: printable ASCII without spaces.
bool ValidClientName(const std::string& name) {
  return std::all_of(name.begin(), name.end(),
                     [](char ch) { return ch > ' ' && ch <= '~'; });
}

const char kBadClientName[] =
    "ERR Client names cannot contain spaces, newlines or special characters.";

// CLIENT ID | SETNAME name | GETNAME | SETINFO LIB-NAME|LIB-VER value:
// what client libraries send as they connect. SETINFO is accepted and
// forgotten (Redis 7.2 shows it in CLIENT LIST, which wtkv has not).
void Client(CommandContext* c, const Args& a) {
  const std::string sub = Lower(a[1]);
  auto arity = [&] {
    c->Reply(
        Err("ERR wrong number of arguments for 'client|" + sub + "' command"));
  };
  if (sub == "id") {
    if (a.size() != 2) return arity();
    c->Reply(Int(static_cast<int64_t>(c->client_id())));
  } else if (sub == "getname") {
    if (a.size() != 2) return arity();
    const std::string* name = c->client_name();
    c->Reply(name->empty() ? Null() : Bulk(*name));
  } else if (sub == "setname") {
    if (a.size() != 3) return arity();
    if (!ValidClientName(a[2])) return c->Reply(Err(kBadClientName));
    *c->client_name() = a[2];
    c->Reply(Simple("OK"));
  } else if (sub == "setinfo") {
    if (a.size() != 4) return arity();
    const std::string attr = Lower(a[2]);
    if (attr != "lib-name" && attr != "lib-ver") {
      return c->Reply(Err("ERR Unrecognized option '" + a[2] + "'"));
    }
    c->Reply(Simple("OK"));
  } else {
    c->Reply(Err("ERR wtkv: CLIENT " + a[1] + " is not supported"));
  }
}

// HELLO [protover [SETNAME name]]: RESP2 only. A client that tries RESP3
// first (HELLO 3) falls back to RESP2 on the NOPROTO error, as it does
// with Redis 5. The reply is Redis' map, as RESP2 sends it: a flat array.
void Hello(CommandContext* c, const Args& a) {
  size_t i = 1;
  if (a.size() > 1) {
    int64_t proto;
    if (!ParseInt64(a[1], &proto)) {
      return c->Reply(
          Err("ERR Protocol version is not an integer or out of range"));
    }
    if (proto != 2) {
      return c->Reply(Err("NOPROTO unsupported protocol version"));
    }
    i = 2;
  }
  std::string name;
  bool rename = false;
  for (; i < a.size(); i++) {
    const std::string o = Lower(a[i]);
    if (o == "setname" && i + 1 < a.size()) {
      name = a[++i];
      if (!ValidClientName(name)) return c->Reply(Err(kBadClientName));
      rename = true;
    } else if (o == "auth") {
      return c->Reply(Err("ERR wtkv: AUTH is not supported"));
    } else {
      return c->Reply(Err("ERR Syntax error in HELLO option '" + a[i] + "'"));
    }
  }
  if (rename) *c->client_name() = name;
  std::string r;
  AppendArrayHeader(&r, 14);
  AppendBulk(&r, "server");
  AppendBulk(&r, "wtkv");
  AppendBulk(&r, "version");
  AppendBulk(&r, "7.0.0");  // the Redis release whose replies wtkv's follow
  AppendBulk(&r, "proto");
  r += Int(2);
  AppendBulk(&r, "id");
  r += Int(static_cast<int64_t>(c->client_id()));
  AppendBulk(&r, "mode");
  AppendBulk(&r, "standalone");
  AppendBulk(&r, "role");
  AppendBulk(&r, "master");
  AppendBulk(&r, "modules");
  AppendArrayHeader(&r, 0);
  c->Reply(std::move(r));
}

struct Spec;
const std::unordered_map<std::string, Spec>& Table();

// COMMAND [COUNT|DOCS|...]: just enough for redis-cli, which asks for
// command docs to show hints and carries on with an empty answer.
void Command(CommandContext* c, const Args& a);

// CONFIG GET: redis-benchmark asks for "save" and "appendonly" to print
// them, redis-cli 8 for "databases" (it asserts on an empty answer). Only
// those are known; other patterns match nothing.
void Config(CommandContext* c, const Args& a) {
  if (Lower(a[1]) != "get" || a.size() != 3) {
    return c->Reply(Err("ERR wtkv: only CONFIG GET is supported"));
  }
  std::string r;
  std::vector<std::pair<std::string, std::string>> hits;
  for (const auto& [k, v] : {std::pair<std::string, std::string>{"save", ""},
                             {"appendonly", "no"},
                             {"databases", "1"}}) {
    if (GlobMatch(Lower(a[2]), k)) hits.emplace_back(k, v);
  }
  AppendArrayHeader(&r, hits.size() * 2);
  for (const auto& [k, v] : hits) {
    AppendBulk(&r, k);
    AppendBulk(&r, v);
  }
  c->Reply(std::move(r));
}

struct Spec {
  // Redis's convention: N means exactly N words with the name, -N at least N.
  int arity;
  void (*fn)(CommandContext*, const Args&);
  // Refused inside MULTI: it walks the database (db()), where a
  // transaction's reads see only its point reads' view (commands.h), or it
  // acts on the server or the connection, not on keys (SHUTDOWN, WAITAOF,
  // FUNCTION).
  bool no_multi = false;
};

const std::unordered_map<std::string, Spec>& Table() {
  static const auto* t = new std::unordered_map<std::string, Spec>{
      {"ping", {-1, Ping}},
      {"echo", {2, Echo}},
      {"get", {2, Get}},
      {"set", {-3, Set}},
      {"del", {-2, Del}},
      {"exists", {-2, Exists}},
      {"mget", {-2, MGet}},
      {"mset", {-3, MSet}},
      {"incr", {2, Incr}},
      {"decr", {2, Decr}},
      {"incrby", {3, IncrByCmd}},
      {"decrby", {3, DecrByCmd}},
      {"append", {3, Append}},
      {"strlen", {2, StrLen}},
      {"scan", {-2, Scan, true}},
      {"dbsize", {1, DbSize, true}},
      {"info", {-1, Info}},
      {"flushall", {-1, FlushAll, true}},
      {"flushdb", {-1, FlushAll, true}},
      {"quit", {-1, Quit}},
      {"select", {2, Select}},
      {"command", {-1, Command}},
      {"config", {-2, Config}},
      {"type", {2, Type}},
      {"ttl", {2, Ttl}},
      {"pttl", {2, Ttl}},
      {"setnx", {3, SetNx}},
      {"getset", {3, GetSet}},
      {"getdel", {2, GetDel}},
      {"unlink", {-2, Del}},
      {"msetnx", {-3, MSetNx}},
      {"getex", {-2, GetEx}},
      {"getrange", {4, GetRange}},
      {"keys", {2, Keys, true}},
      {"persist", {2, Persist}},
      {"setex", {4, NoExpiry}},
      {"psetex", {4, NoExpiry}},
      {"expire", {-3, NoExpiry}},
      {"pexpire", {-3, NoExpiry}},
      {"expireat", {-3, NoExpiry}},
      {"pexpireat", {-3, NoExpiry}},
      {"unwatch", {1, Unwatch}},
      {"client", {-2, Client}},
      {"hello", {-1, Hello}},
      {"setrange", {4, SetRange}},
      {"incrbyfloat", {3, IncrByFloat}},
      {"rename", {3, Rename}},
      {"renamenx", {3, RenameNx}},
      {"time", {1, Time}},
      {"wait", {3, Wait}},
      {"waitaof", {4, WaitAof, true}},
      {"shutdown", {-1, Shutdown, true}},
      {"copy", {-3, Copy}},
      {"function", {-2, Function, true}},
      {"setbit", {4, SetBit}},
      {"getbit", {3, GetBit}},
      {"bitcount", {-2, BitCount}},
      {"bitpos", {-3, BitPos}},
      {"bitop", {-4, BitOp}},
      {"lcs", {-3, LcsCmd}},
      {"randomkey", {1, RandomKey, true}},
  };
  return *t;
}

void Command(CommandContext* c, const Args& a) {
  if (a.size() >= 2 && Lower(a[1]) == "count") {
    return c->Reply(Int(static_cast<int64_t>(Table().size())));
  }
  std::string r;
  AppendArrayHeader(&r, 0);
  c->Reply(std::move(r));
}

}  // namespace

bool IsCommand(const std::vector<std::string>& args, std::string_view name) {
  // By length, not strcasecmp: a command name may hold a NUL byte.
  return !args.empty() && args[0].size() == name.size() &&
         strncasecmp(args[0].data(), name.data(), name.size()) == 0;
}

bool IsGet(const std::vector<std::string>& args) {
  return args.size() == 2 && IsCommand(args, "get");
}

void GetMany(CommandContext* c, const std::vector<std::string>& keys) {
  // A batch of one costs MultiGet's batch setup for nothing.
  if (keys.size() == 1) return GetOne(c, keys[0]);
  std::vector<rocksdb::PinnableSlice> values;
  std::vector<rocksdb::Status> statuses;
  c->MultiGet(keys, &values, &statuses);
  for (size_t i = 0; i < keys.size(); i++) {
    std::string r;
    AppendValueReply(&r, statuses[i], values[i].ToStringView());
    c->Reply(std::move(r));
  }
}

bool ScanCursors::Resume(KvDb* db, uint64_t cursor, Walk* walk) {
  std::string key;
  if (cursor != 0) {
    auto e = cursors_.find(cursor);
    if (e == cursors_.end()) return false;
    key = e->second.key;
    // Taken, not copied: the iterator moves on. The cursor stays, seeking
    // afresh, for a client that repeats a call after a lost reply.
    if (e->second.walk.it != nullptr &&
        Clock::now() - e->second.walk.made <= kMaxAge) {
      *walk = std::move(e->second.walk);
      live_.erase(cursor);
      return true;
    }
    Release(cursor);
  }
  walk->it.reset(db->db()->NewIterator(ScanReadOptions()));
  walk->made = Clock::now();
  opened_++;
  if (cursor == 0) {
    walk->it->SeekToFirst();
  } else {
    walk->it->Seek(key);
  }
  return true;
}

uint64_t ScanCursors::Save(Walk walk) {
  if (cursors_.size() >= kMax) {
    live_.erase(cursors_.begin()->first);
    cursors_.erase(cursors_.begin());
  }
  if (live_.size() >= kMaxLive) Release(*live_.begin());
  uint64_t id = next_id_++;
  std::string key = walk.it->key().ToString();
  cursors_.emplace(id, Entry{std::move(key), std::move(walk)});
  live_.insert(id);
  return id;
}

void ScanCursors::Release(uint64_t id) {
  auto e = cursors_.find(id);
  if (e != cursors_.end()) e->second.walk.it.reset();
  live_.erase(id);
}

void ScanCursors::Release() {
  while (!live_.empty()) Release(*live_.begin());
}

void ScanCursors::Expire(Clock::time_point now) {
  for (auto id = live_.begin(); id != live_.end();) {
    uint64_t cursor = *id++;  // Release erases it from live_
    if (now - cursors_.at(cursor).walk.made > kMaxAge) Release(cursor);
  }
}

uint64_t IntProperty(KvDb* db, const char* name) {
  uint64_t v = 0;
  db->db()->GetIntProperty(name, &v);
  return v;
}

uint64_t KeyCount(KvDb* db) {
  // At most kCountedKeys + 1 steps (a millisecond or two on the loop):
  // reaching the end counts them all.
  std::unique_ptr<rocksdb::Iterator> it(
      db->db()->NewIterator(ScanReadOptions()));
  uint64_t n = 0;
  for (it->SeekToFirst(); it->Valid() && n <= kCountedKeys; it->Next()) n++;
  if (!it->Valid() && it->status().ok()) return n;
  return std::max(n, IntProperty(db, "rocksdb.estimate-num-keys"));
}

bool GlobMatch(std::string_view p, std::string_view s) {
  size_t pi = 0, si = 0;
  size_t star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    bool advanced = false;
    if (pi < p.size()) {
      char pc = p[pi];
      if (pc == '*') {
        star_p = pi++;
        star_s = si;
        continue;
      }
      if (pc == '?') {
        pi++;
        si++;
        advanced = true;
      } else if (pc == '[') {
        size_t j = pi + 1;
        bool neg = j < p.size() && p[j] == '^';
        if (neg) j++;
        bool hit = false;
        while (j < p.size() && p[j] != ']') {
          if (p[j] == '\\' && j + 1 < p.size()) {
            hit |= p[j + 1] == s[si];
            j += 2;
          } else if (j + 2 < p.size() && p[j + 1] == '-' && p[j + 2] != ']') {
            char lo = std::min(p[j], p[j + 2]), hi = std::max(p[j], p[j + 2]);
            hit |= s[si] >= lo && s[si] <= hi;
            j += 3;
          } else {
            hit |= p[j] == s[si];
            j++;
          }
        }
        if (hit != neg) {
          pi = j < p.size() ? j + 1 : j;
          si++;
          advanced = true;
        }
      } else {
        if (pc == '\\' && pi + 1 < p.size()) pc = p[++pi];
        if (pc == s[si]) {
          pi++;
          si++;
          advanced = true;
        }
      }
    }
    if (!advanced) {
      if (star_p == std::string_view::npos) return false;
      pi = star_p + 1;
      si = ++star_s;
    }
  }
  while (pi < p.size() && p[pi] == '*') pi++;
  return pi == p.size();
}

namespace {

// The command `args` names, or null with the error reply Dispatch would
// give (see Refusal) in *refused. One table lookup per request.
const Spec* Lookup(const Args& args, bool in_multi, std::string* refused) {
  std::string name = Lower(args[0]);
  auto it = Table().find(name);
  if (it == Table().end()) {
    std::string shown;
    for (size_t i = 1; i < args.size() && shown.size() < 128; i++) {
      shown += "'" + args[i].substr(0, 128 - shown.size()) + "' ";
    }
    *refused = Err("ERR unknown command '" + args[0].substr(0, 128) +
                   "', with args beginning with: " + shown);
    return nullptr;
  }
  int arity = it->second.arity;
  int n = static_cast<int>(std::min<size_t>(args.size(), INT32_MAX));
  if ((arity > 0 && n != arity) || (arity < 0 && n < -arity)) {
    *refused = Err("ERR wrong number of arguments for '" + name + "' command");
    return nullptr;
  }
  if (in_multi && it->second.no_multi) {
    *refused = Err("ERR wtkv: " + name + " inside MULTI is not supported");
    return nullptr;
  }
  return &it->second;
}

}  // namespace

std::string Refusal(const std::vector<std::string>& args, bool in_multi) {
  std::string refused;
  Lookup(args, in_multi, &refused);
  return refused;
}

void Dispatch(CommandContext* ctx, const std::vector<std::string>& args) {
  std::string refused;
  const Spec* spec = Lookup(args, /*in_multi=*/false, &refused);
  if (spec == nullptr) return ctx->Reply(std::move(refused));
  spec->fn(ctx, args);
}

}  // namespace wtrocks::kv::server
