plugin/wtrocks/wal_src/io_service.cc.d \
 plugin/wtrocks/wal_src/io_service.o plugin/wtrocks/wal_src/io_service.o: \
 plugin/wtrocks/wal_src/io_service.cc /work/wt/rocks9/wal/io_service.h \
 /work/wt/rocks9/wal/status.h
