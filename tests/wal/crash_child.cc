// Copyright (c) wtrocks authors.
//
// wal_crash_child PATH MODE SAFE: appends records to PATH forever, writing
// each record's end offset to stdout (one line) only after Append returned.
// Every completion is delayed 20 ms, so appends pile up behind the write in
// flight: the window in which a process crash could lose them. The parent
// (wal_misc_test ProcessCrash) SIGKILLs us and checks the file.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "tests/wal/record_codec.h"
#include "wal/durable_file.h"

int main(int argc, char** argv) {
  using namespace wtrocks::wal;
  if (argc != 4) {
    fprintf(stderr, "usage: %s PATH MODE SAFE(0|1)\n", argv[0]);
    return 2;
  }
  DurableFileOptions o;
  o.mode = *ParseMode(argv[2]);
  o.zero_tail_ok = true;
  o.preallocate_bytes = 1 << 20;
  o.process_crash_safe = argv[3][0] == '1';
  o.completion_fault = [](uint64_t, uint64_t, int res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return res;
  };
  std::unique_ptr<DurableFile> f;
  Status s = DurableFile::Open(argv[1], o, &f);
  if (!s.ok()) {
    fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  for (uint64_t i = 0;; i++) {
    std::string rec = wtrocks::testing::MakeRecord(0, i, 200);
    uint64_t end;
    if (!f->Append(rec.data(), rec.size(), &end).ok()) return 1;
    std::string line = std::to_string(end) + "\n";
    if (write(1, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
      return 1;
    usleep(200);
  }
}
