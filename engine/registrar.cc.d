plugin/wtrocks/engine_src/registrar.cc.d \
 plugin/wtrocks/engine_src/registrar.o \
 plugin/wtrocks/engine_src/registrar.o: \
 plugin/wtrocks/engine_src/registrar.cc \
 /work/wt/rocks9/engine/wtrocks_fs.h /work/wt/rocks9/engine/config.h \
 include/rocksdb/status.h include/rocksdb/slice.h \
 include/rocksdb/cleanable.h include/rocksdb/rocksdb_namespace.h \
 /work/wt/rocks9/wal/durable_file.h /work/wt/rocks9/wal/mode.h \
 /work/wt/rocks9/wal/stats.h /work/wt/rocks9/wal/status.h \
 /work/wt/rocks9/engine/engine_state.h \
 /work/wt/rocks9/engine/engine_stats.h /work/wt/rocks9/engine/file_kind.h \
 /work/wt/rocks9/engine/wal_barrier.h include/rocksdb/io_status.h \
 include/rocksdb/env.h include/rocksdb/customizable.h \
 include/rocksdb/configurable.h include/rocksdb/functor_wrapper.h \
 include/rocksdb/port_defs.h include/rocksdb/thread_status.h \
 include/rocksdb/types.h include/rocksdb/file_system.h \
 include/rocksdb/options.h include/rocksdb/advanced_options.h \
 include/rocksdb/cache.h include/rocksdb/compression_type.h \
 include/rocksdb/data_structure.h include/rocksdb/memory_allocator.h \
 include/rocksdb/memtablerep.h include/rocksdb/universal_compaction.h \
 include/rocksdb/comparator.h include/rocksdb/file_checksum.h \
 include/rocksdb/listener.h include/rocksdb/compaction_job_stats.h \
 include/rocksdb/table_properties.h include/rocksdb/sst_partitioner.h \
 include/rocksdb/version.h include/rocksdb/write_buffer_manager.h \
 include/rocksdb/table.h include/rocksdb/utilities/object_registry.h
