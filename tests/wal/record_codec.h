// Copyright (c) wtrocks authors.
//
// Self-checking records for wal/ tests: each names its writer and sequence
// number and carries a checksummed payload derived from them, so a read-back
// tells loss, duplication, reordering and corruption apart.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace wtrocks::testing {

struct RecordHeader {
  uint32_t magic;
  uint32_t writer;
  uint64_t seq;
  uint32_t payload_len;
  uint32_t checksum;
};
inline constexpr uint32_t kRecordMagic = 0x57545231;  // "WTR1"

inline uint32_t Fnv1a(const uint8_t* p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

inline std::string MakeRecord(uint32_t writer, uint64_t seq, uint32_t payload_len) {
  std::string rec(sizeof(RecordHeader) + payload_len, '\0');
  auto* payload = reinterpret_cast<uint8_t*>(rec.data() + sizeof(RecordHeader));
  uint64_t x = (uint64_t{writer} << 40) ^ (seq * 0x9E3779B97F4A7C15ull) ^ 1;
  for (uint32_t i = 0; i < payload_len; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    payload[i] = static_cast<uint8_t>(x);
  }
  RecordHeader h{kRecordMagic, writer, seq, payload_len, Fnv1a(payload, payload_len)};
  memcpy(rec.data(), &h, sizeof(h));
  return rec;
}

// Parses `data` as back-to-back records. Returns "" when every record is
// intact and each writer's sequence numbers run 0,1,2,... with no gap, else
// a description of the first problem. `counts[w]` gets writer w's count.
inline std::string CheckRecords(const std::string& data, uint32_t writers,
                                std::vector<uint64_t>* counts) {
  counts->assign(writers, 0);
  size_t pos = 0;
  while (pos < data.size()) {
    if (data.size() - pos < sizeof(RecordHeader)) {
      return "truncated header at " + std::to_string(pos);
    }
    RecordHeader h;
    memcpy(&h, data.data() + pos, sizeof(h));
    if (h.magic != kRecordMagic) return "bad magic at " + std::to_string(pos);
    if (h.writer >= writers) return "bad writer at " + std::to_string(pos);
    if (data.size() - pos - sizeof(h) < h.payload_len) {
      return "truncated payload at " + std::to_string(pos);
    }
    if (MakeRecord(h.writer, h.seq, h.payload_len) != data.substr(pos, sizeof(h) + h.payload_len)) {
      return "corrupt record at " + std::to_string(pos);
    }
    if (h.seq != (*counts)[h.writer]) {
      return "writer " + std::to_string(h.writer) + " expected seq " +
             std::to_string((*counts)[h.writer]) + " got " + std::to_string(h.seq) +
             " at " + std::to_string(pos);
    }
    (*counts)[h.writer]++;
    pos += sizeof(h) + h.payload_len;
  }
  return "";
}

}  // namespace wtrocks::testing
