// Copyright (c) wtrocks authors.
//
// wt_uri_check: the preflight db_bench_wt runs before the stock db_bench.
// Why stock db_bench crashes silently on an unknown --fs_uri: with default
// ConfigOptions (ignore_unsupported_options = true) RocksDB 7.8.3 answers an
// unknown URI with OK and a null FileSystem, wraps that in an Env, and the
// first file operation dereferences it. This tool makes the same
// Env::CreateFromUri call, strictly, in a process started the same way
// (LD_PRELOAD=libwtrocks.so), and says what went wrong instead.
//
//   LD_PRELOAD=build/libwtrocks.so wt_uri_check --lib=build/libwtrocks.so
//       --fs_uri=wtrocks://mode=fsync
//
// Exit status: 0 the URI loads; 1 it does not (reason on stderr); 2 usage.

#include <dlfcn.h>
#include <rocksdb/convenience.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

namespace {

bool Flag(const char* arg, const char* name, std::string* value) {
  size_t n = std::strlen(name);
  if (std::strncmp(arg, name, n) != 0 || arg[n] != '=') return false;
  *value = arg + n + 1;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string lib, fs_uri;
  for (int i = 1; i < argc; ++i) {
    if (!Flag(argv[i], "--lib", &lib) && !Flag(argv[i], "--fs_uri", &fs_uri)) {
      std::fprintf(stderr, "wt_uri_check: unknown argument '%s'\n", argv[i]);
      return 2;
    }
  }
  if (fs_uri.empty()) {
    std::fprintf(stderr,
                 "usage: LD_PRELOAD=LIB wt_uri_check --lib=LIB --fs_uri=URI\n");
    return 2;
  }
  if (!lib.empty()) {
    // RTLD_NOLOAD: only look, so we learn whether the preload really took
    // (ld.so merely warns and carries on when it cannot preload).
    if (dlopen(lib.c_str(), RTLD_NOW | RTLD_NOLOAD) == nullptr) {
      void* h = dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
      std::fprintf(stderr,
                   "wt_uri_check: plugin %s was not preloaded (LD_PRELOAD=%s)"
                   "%s%s\n",
                   lib.c_str(),
                   getenv("LD_PRELOAD") ? getenv("LD_PRELOAD") : "",
                   h ? "" : ": ", h ? "" : dlerror());
      return 1;
    }
  }
  rocksdb::ConfigOptions config;
  config.ignore_unsupported_options = false;
  config.ignore_unknown_options = false;
  rocksdb::Env* env = nullptr;
  std::shared_ptr<rocksdb::Env> guard;
  rocksdb::Status s =
      rocksdb::Env::CreateFromUri(config, "", fs_uri, &env, &guard);
  if (s.ok() && (env == nullptr || env->GetFileSystem() == nullptr)) {
    s = rocksdb::Status::NotSupported("no FileSystem registered for this URI");
  }
  if (!s.ok()) {
    std::fprintf(stderr, "wt_uri_check: --fs_uri=%s does not load: %s\n",
                 fs_uri.c_str(), s.ToString().c_str());
    return 1;
  }
  std::printf("wt_uri_check: --fs_uri=%s loads (FileSystem %s)\n",
              fs_uri.c_str(), env->GetFileSystem()->Name());
  return 0;
}
