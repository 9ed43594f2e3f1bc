// Copyright (c) wtrocks authors.
//
// Probe: which durable-write modes work for files in a directory. Every mode
// is tried with exactly the flags the runtime will use, on a scratch file in
// that directory, because support depends on the kernel *and* the filesystem
// (an unpatched kernel and a filesystem without the opt-in both answer
// EOPNOTSUPP to RWF_WRITETHROUGH).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "wal/mode.h"
#include "wal/status.h"

namespace wtrocks::wal {

struct ModeSupport {
  bool supported = false;
  // Why not (or a note when supported), e.g.
  // "EOPNOTSUPP from an io_uring write with RWF_WRITETHROUGH|RWF_DSYNC:
  //  kernel 6.18.44 lacks the series in kernel-patches/ or xfs does not opt
  //  in".
  std::string reason;
};

struct ProbeResult {
  std::string dir;
  std::string fs_type;  // "xfs", "ext4", "tmpfs", or "0x<magic>"
  std::string kernel;   // uname release
  // Durability is meaningless on memory-backed filesystems; every mode then
  // "works" but nothing survives a power cut. Callers may refuse.
  bool volatile_fs = false;
  std::array<ModeSupport, 4> support;  // indexed like kConcreteModes
  // Bytes: the larger of the smallest O_DIRECT alignment the kernel takes
  // and the device's physical block (at most 4096); 0 when direct is
  // unsupported.
  uint32_t direct_alignment = 0;
  uint32_t block_size = 4096;  // filesystem block size
  Mode best = Mode::kFsync;
  std::string best_why;  // "auto chose direct: writethrough: EOPNOTSUPP ..."

  const ModeSupport& Of(Mode mode) const;
  // Multi-line human report, one line per mode.
  std::string ToString() const;
};

// Probes `dir` (a directory; a file path probes its directory). Results are
// cached per directory for the life of the process: the kernel and the
// filesystem cannot change under an open database.
// Errors: InvalidArgument when dir does not exist or is not writable.
Status Probe(const std::string& dir, ProbeResult* out);
// Same without the cache (tests, the `wal_probe` tool).
Status ProbeUncached(const std::string& dir, ProbeResult* out);

// Resolves `requested` against a probe: kAuto becomes `best`; a concrete
// mode the probe rejected is NotSupported with the probe's reason.
// `why` receives a one-line explanation suitable for a log.
Status ResolveMode(const ProbeResult& probe, Mode requested, Mode* chosen,
                   std::string* why);

}  // namespace wtrocks::wal
