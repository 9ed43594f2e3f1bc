plugin/wtrocks/wal_src/durable_file.cc.d \
 plugin/wtrocks/wal_src/durable_file.o \
 plugin/wtrocks/wal_src/durable_file.o: \
 plugin/wtrocks/wal_src/durable_file.cc \
 /work/wt/rocks9/wal/durable_file.h /work/wt/rocks9/wal/mode.h \
 /work/wt/rocks9/wal/stats.h /work/wt/rocks9/wal/status.h \
 /work/wt/rocks9/wal/backend.h /work/wt/rocks9/wal/io_service.h \
 /work/wt/rocks9/wal/probe.h
