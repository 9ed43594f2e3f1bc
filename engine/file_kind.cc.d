plugin/wtrocks/engine_src/file_kind.cc.d \
 plugin/wtrocks/engine_src/file_kind.o \
 plugin/wtrocks/engine_src/file_kind.o: \
 plugin/wtrocks/engine_src/file_kind.cc \
 /work/wt/rocks9/engine/file_kind.h
