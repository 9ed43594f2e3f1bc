plugin/wtrocks/wal_src/probe.cc.d plugin/wtrocks/wal_src/probe.o \
 plugin/wtrocks/wal_src/probe.o: plugin/wtrocks/wal_src/probe.cc \
 /work/wt/rocks9/wal/probe.h /work/wt/rocks9/wal/mode.h \
 /work/wt/rocks9/wal/status.h /work/wt/rocks9/wal/io_service.h
