plugin/wtrocks/wal_src/stats.cc.d plugin/wtrocks/wal_src/stats.o \
 plugin/wtrocks/wal_src/stats.o: plugin/wtrocks/wal_src/stats.cc \
 /work/wt/rocks9/wal/stats.h
