// Copyright (c) wtrocks authors.
//
// Skipping a test for a wal/ mode this machine cannot do, with the probe's
// reason (SKIPPED, never passed). Header-only: its users link wal/ already.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "wal/mode.h"
#include "wal/probe.h"

namespace wtrocks::testing {

// Empty when `mode` works for files in `dir`, else the probe's reason.
inline std::string ModeUnsupportedReason(const std::string& dir,
                                         wal::Mode mode) {
  wal::ProbeResult probe;
  wal::Status s = wal::Probe(dir, &probe);
  if (!s.ok()) return "probe failed: " + s.ToString();
  const wal::ModeSupport& m = probe.Of(mode);
  return m.supported ? "" : (m.reason.empty() ? "unsupported" : m.reason);
}

}  // namespace wtrocks::testing

// Skips the test when `mode` does not work on `dir`, with the probe's reason;
// fails it when the probe itself could not run.
#define WTROCKS_MODE_OR_SKIP(dir, mode)                         \
  do {                                                          \
    std::string wtrocks_reason_ =                               \
        ::wtrocks::testing::ModeUnsupportedReason(dir, mode);   \
    if (wtrocks_reason_.rfind("probe failed", 0) == 0) {        \
      GTEST_FAIL() << wtrocks_reason_;                          \
    }                                                           \
    if (!wtrocks_reason_.empty()) {                             \
      GTEST_SKIP() << ::wtrocks::wal::ModeName(mode)            \
                   << " unsupported here: " << wtrocks_reason_; \
    }                                                           \
  } while (0)
