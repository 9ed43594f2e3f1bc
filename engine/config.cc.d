plugin/wtrocks/engine_src/config.cc.d plugin/wtrocks/engine_src/config.o \
 plugin/wtrocks/engine_src/config.o: plugin/wtrocks/engine_src/config.cc \
 /work/wt/rocks9/engine/config.h include/rocksdb/status.h \
 include/rocksdb/slice.h include/rocksdb/cleanable.h \
 include/rocksdb/rocksdb_namespace.h /work/wt/rocks9/wal/durable_file.h \
 /work/wt/rocks9/wal/mode.h /work/wt/rocks9/wal/stats.h \
 /work/wt/rocks9/wal/status.h
