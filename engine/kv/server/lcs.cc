// Copyright (c) wtrocks authors.
#include "engine/kv/server/lcs.h"

#include <algorithm>

namespace wtrocks::kv::server {

LcsResult Lcs(std::string_view a, std::string_view b) {
  const size_t w = b.size() + 1;
  // len[i * w + j]: the LCS length of a's first i bytes and b's first j.
  std::vector<uint32_t> len((a.size() + 1) * w, 0);
  for (size_t i = 1; i <= a.size(); i++) {
    for (size_t j = 1; j <= b.size(); j++) {
      len[i * w + j] = a[i - 1] == b[j - 1]
                           ? len[(i - 1) * w + j - 1] + 1
                           : std::max(len[(i - 1) * w + j], len[i * w + j - 1]);
    }
  }
  LcsResult r;
  r.common.resize(len[a.size() * w + b.size()]);
  size_t out = r.common.size();
  size_t i = a.size(), j = b.size();
  while (i > 0 && j > 0) {
    if (a[i - 1] == b[j - 1]) {
      r.common[--out] = a[i - 1];
      i--;
      j--;
      // A pair right before the last run's start in both strings extends
      // it; anything else starts a run.
      if (!r.matches.empty() && r.matches.back().a_first == i + 1 &&
          r.matches.back().b_first == j + 1) {
        r.matches.back().a_first = i;
        r.matches.back().b_first = j;
      } else {
        r.matches.push_back(LcsMatch{i, i, j, j});
      }
    } else if (len[(i - 1) * w + j] > len[i * w + j - 1]) {
      i--;
    } else {
      j--;
    }
  }
  return r;
}

}  // namespace wtrocks::kv::server
