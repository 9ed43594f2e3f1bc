plugin/wtrocks/engine_src/status_map.cc.d \
 plugin/wtrocks/engine_src/status_map.o \
 plugin/wtrocks/engine_src/status_map.o: \
 plugin/wtrocks/engine_src/status_map.cc \
 /work/wt/rocks9/engine/status_map.h include/rocksdb/io_status.h \
 include/rocksdb/slice.h include/rocksdb/cleanable.h \
 include/rocksdb/rocksdb_namespace.h include/rocksdb/status.h \
 /work/wt/rocks9/wal/status.h
