plugin/wtrocks/wal_src/mode.cc.d plugin/wtrocks/wal_src/mode.o \
 plugin/wtrocks/wal_src/mode.o: plugin/wtrocks/wal_src/mode.cc \
 /work/wt/rocks9/wal/mode.h
