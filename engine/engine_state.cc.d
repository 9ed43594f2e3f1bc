plugin/wtrocks/engine_src/engine_state.cc.d \
 plugin/wtrocks/engine_src/engine_state.o \
 plugin/wtrocks/engine_src/engine_state.o: \
 plugin/wtrocks/engine_src/engine_state.cc \
 /work/wt/rocks9/engine/engine_state.h /work/wt/rocks9/engine/config.h \
 include/rocksdb/status.h include/rocksdb/slice.h \
 include/rocksdb/cleanable.h include/rocksdb/rocksdb_namespace.h \
 /work/wt/rocks9/wal/durable_file.h /work/wt/rocks9/wal/mode.h \
 /work/wt/rocks9/wal/stats.h /work/wt/rocks9/wal/status.h \
 /work/wt/rocks9/engine/engine_stats.h /work/wt/rocks9/engine/file_kind.h \
 /work/wt/rocks9/engine/wal_barrier.h include/rocksdb/io_status.h \
 include/rocksdb/env.h include/rocksdb/customizable.h \
 include/rocksdb/configurable.h include/rocksdb/functor_wrapper.h \
 include/rocksdb/port_defs.h include/rocksdb/thread_status.h \
 include/rocksdb/types.h /work/wt/rocks9/engine/status_map.h
