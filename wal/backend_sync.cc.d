plugin/wtrocks/wal_src/backend_sync.cc.d \
 plugin/wtrocks/wal_src/backend_sync.o \
 plugin/wtrocks/wal_src/backend_sync.o: \
 plugin/wtrocks/wal_src/backend_sync.cc /work/wt/rocks9/wal/backend.h \
 /work/wt/rocks9/wal/io_service.h /work/wt/rocks9/wal/status.h \
 /work/wt/rocks9/wal/mode.h
