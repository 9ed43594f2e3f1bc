# The user's front door. `make bench` and `make test` are the two commands in
# README.md; everything else is a step they share.
JOBS ?= $(shell nproc)
BUILD ?= build

.PHONY: all deps build bench test clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# The main job: a short db_bench comparison on the best mode this machine has.
# ROCKSDB=9: the same against RocksDB 9.10 in a Debian 13 root.
ifeq ($(ROCKSDB),9)
bench: deps
	@scripts/run-tests-rocksdb9.sh --build-only
	@db_bench_ext/main-job.sh --rocksdb 9 build-rocksdb9
else
bench: build
	@db_bench_ext/main-job.sh $(BUILD)
endif

# The whole suite: unit, integration, VM and durability tests, plus the
# ASan+UBSan and TSan builds.
test: deps
	@scripts/run-tests.sh

clean:
	rm -rf build build-asan build-tsan build-rocksdb9
