plugin/wtrocks/engine_src/engine_stats.cc.d \
 plugin/wtrocks/engine_src/engine_stats.o \
 plugin/wtrocks/engine_src/engine_stats.o: \
 plugin/wtrocks/engine_src/engine_stats.cc \
 /work/wt/rocks9/engine/engine_stats.h /work/wt/rocks9/wal/mode.h \
 /work/wt/rocks9/wal/stats.h
