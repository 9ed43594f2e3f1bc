// Copyright (c) wtrocks authors.
//
// The wtkv command-line tool, run as a user would: put/get/scan/delete/load/
// stats on a real XFS scratch directory, and the documented exit codes and
// messages for bad input.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/kv/kv_test_util.h"
#include "tests/lib/scratch_fs.h"

namespace wtrocks::testing {
namespace {

int Wtkv(const std::string& args, std::string* out) {
  return RunCommand(WtkvPath() + " " + args, out);
}

TEST(WtkvCliTest, PutGetScanDeleteLoadStats) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  const std::string db = "--db " + dir + "/db";
  std::string out;
  ASSERT_EQ(Wtkv(db + " put apple red", &out), 0) << out;
  ASSERT_EQ(Wtkv(db + " put apricot orange", &out), 0) << out;
  ASSERT_EQ(Wtkv(db + " --mode=auto put banana yellow", &out), 0) << out;
  ASSERT_EQ(Wtkv(db + " get apple", &out), 0) << out;
  EXPECT_EQ(out, "red\n");
  ASSERT_EQ(Wtkv(db + " scan --prefix ap", &out), 0) << out;
  EXPECT_EQ(out, "apple\tred\napricot\torange\n");
  ASSERT_EQ(Wtkv(db + " delete apple", &out), 0) << out;
  EXPECT_EQ(Wtkv(db + " get apple", &out), 1) << out;
  EXPECT_NE(out.find("not found"), std::string::npos) << out;

  const std::string acks = dir + "/acks";
  ASSERT_EQ(Wtkv(db +
                     " load --count 2000 --inflight 32 --batch 4 "
                     "--value-size 50 --key-prefix L --ack-file " +
                     acks,
                 &out),
            0)
      << out;
  EXPECT_NE(out.find("2000 keys acked durable, 0 failed"), std::string::npos)
      << out;
  // One "ack" line per commit of 4 keys, in key order.
  std::ifstream in(acks);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    char expect[64];
    snprintf(expect, sizeof(expect), "ack L%012d L%012d L%012d L%012d",
             lines * 4, lines * 4 + 1, lines * 4 + 2, lines * 4 + 3);
    ASSERT_EQ(line, expect);
    lines++;
  }
  EXPECT_EQ(lines, 500);
  ASSERT_EQ(Wtkv(db + " scan --prefix L --limit 3", &out), 0) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 3) << out;
  ASSERT_EQ(Wtkv(db + " get L000000001999", &out), 0) << out;
  EXPECT_EQ(out.size(), 51u) << out;
  ASSERT_EQ(Wtkv(db + " stats", &out), 0) << out;
  EXPECT_NE(out.find("estimate-num-keys="), std::string::npos) << out;
  EXPECT_NE(out.find("wtrocks-stats"), std::string::npos) << out;
}

TEST(WtkvCliTest, BadInputExitCodesAndMessages) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  const std::string db = "--db " + dir + "/db";
  struct Case {
    std::string args;
    int code;
    std::string message;
  } cases[] = {
      {"", 2, "no command given"},
      {db, 2, "no command given"},
      {"get k", 2, "--db DIR is required"},
      {db + " frobnicate", 2, "unknown command 'frobnicate'"},
      {db + " --bogus 1 get k", 2, "unknown flag '--bogus'"},
      {db + " get", 2, "get takes 1 argument(s), got 0"},
      {db + " put k", 2, "put takes 2 argument(s), got 1"},
      {db + " --mode fast get k", 2, "bad --mode 'fast'"},
      {db + " --uri wtrocks://colour=red get k", 2, "colour"},
      {db + " --mode auto --uri wtrocks:// get k", 2, "not both"},
      {db + " get k --prefix p", 2, "--prefix is only for 'scan'"},
      {db + " --memtable btree get k", 2, "bad --memtable 'btree'"},
      {db + " --row-cache lots get k", 2, "--row-cache must be"},
      {db + " load --count -5", 2, "--count must be an integer >= 1"},
      {db + " load --inflight 0", 2, "--inflight must be an integer >= 1"},
      {db + " get", 2, "wtkv --help"},
      // Readers never create a database: a mistyped --db is an error.
      {"--db " + dir + "/nope get k", 3, "cannot open database"},
      {db + " load --count 1 --ack-file " + dir + "/no/such/dir/acks", 4,
       "cannot open ack file"},
  };
  for (const Case& c : cases) {
    std::string out;
    EXPECT_EQ(Wtkv(c.args, &out), c.code) << c.args << "\n" << out;
    EXPECT_NE(out.find(c.message), std::string::npos)
        << c.args << ": expected '" << c.message << "' in:\n"
        << out;
  }
  std::string out;
  EXPECT_EQ(Wtkv("--help", &out), 0);
  EXPECT_NE(out.find("exit: 0 ok, 1 key not found"), std::string::npos) << out;
}

}  // namespace
}  // namespace wtrocks::testing
