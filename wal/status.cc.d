plugin/wtrocks/wal_src/status.cc.d plugin/wtrocks/wal_src/status.o \
 plugin/wtrocks/wal_src/status.o: plugin/wtrocks/wal_src/status.cc \
 /work/wt/rocks9/wal/status.h
