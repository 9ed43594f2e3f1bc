// Copyright (c) wtrocks authors.
//
// wal_probe DIR...: prints which durable-write modes work in each DIR and
// which one `auto` picks, with the reasons. Exit status 1 if a DIR cannot
// be probed.
#include <cstdio>

#include "wal/probe.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DIR...\n", argv[0]);
    return 2;
  }
  int rc = 0;
  for (int i = 1; i < argc; i++) {
    wtrocks::wal::ProbeResult r;
    wtrocks::wal::Status s = wtrocks::wal::ProbeUncached(argv[i], &r);
    if (!r.dir.empty()) fputs(r.ToString().c_str(), stdout);
    if (!s.ok()) {
      fprintf(stderr, "wal_probe: %s\n", s.ToString().c_str());
      rc = 1;
    }
  }
  return rc;
}
