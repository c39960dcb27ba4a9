# parx: build, install, test.
#   make              build/parx, and libparx (build/libparx.a, .so, parx.pc)
#   make install      installs parx, sem, env_parx, libparx with parx.h and
#                     parx.pc, and the man pages (PREFIX, DESTDIR)
#   make check        unit tests, then the CLI suite against a normal and
#                     an ASan+UBSan build; the last line says N passed, M failed
#   make bench        benchmarks against xargs, GNU parallel, a bare spawn loop
#   make fuzz         libFuzzer harnesses of the parsers (clang), FUZZ_TIME
#                     seconds each from the seed corpus; not part of check

PREFIX	?= /usr/local
DESTDIR	?=
BINDIR	 = $(PREFIX)/bin
MANDIR	 = $(PREFIX)/share/man/man1
MAN3DIR	 = $(PREFIX)/share/man/man3
LIBDIR	 = $(PREFIX)/lib
INCLUDEDIR = $(PREFIX)/include
PCDIR	 = $(LIBDIR)/pkgconfig
# libparx's version; the soname changes with the major number only.
LIB_MAJOR = 0
LIB_VERSION = 0.1.0
LIB_SO	 = libparx.so.$(LIB_VERSION)
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  = $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR = $(PREFIX)/share/fish/vendor_completions.d

CC	?= cc
CFLAGS	?= -O2 -g
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	    -fno-sanitize-recover=undefined

# Evaluated lazily: the deps targets may have just installed libbsd.
BSD_CFLAGS = $(shell pkg-config --cflags libbsd-overlay libpcre2-8)
BSD_LIBS   = $(shell pkg-config --libs libbsd-overlay libmd libpcre2-8)
WARN_FLAGS = -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
	    -Wmissing-prototypes -Wimplicit-fallthrough
# CI builds with -Werror; build-aux/lint (part of check) holds gcc and
# clang to it everywhere.
ifeq ($(CI),true)
WARN_FLAGS += -Werror
endif
BASE_FLAGS = -std=c11 -D_GNU_SOURCE $(WARN_FLAGS) $(BSD_CFLAGS)

CMD_SRC	 = $(wildcard cmd/*.c)
LIB_SRC	 = $(wildcard lib/*.c)
LIB_OBJ	 = $(LIB_SRC:lib/%.c=build/obj/%.o)
SAN_OBJ	 = $(LIB_SRC:lib/%.c=build/san/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=build/unit/%)
HELPERS	 = $(patsubst tests/helper/%.c,build/helper/%,\
	    $(filter-out tests/helper/failpoll.c,$(wildcard tests/helper/*.c))) \
	    build/helper/failpoll.so
FUZZERS	 = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CC	 = clang
FUZZ_FLAGS = -O1 -g -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined
FUZZ_TIME ?= 60

.PHONY: all install uninstall check bench fuzz clean deps-build deps-test san \
	compat-record lint \
	unit helpers

COMPLETIONS = build/completions/parx.bash build/completions/_parx \
	    build/completions/parx.fish

all: build/parx build/$(LIB_SO) build/parx.pc $(COMPLETIONS)

build/obj/%.o: lib/%.c lib/*.h
	@mkdir -p $(@D)
	$(CC) $(BASE_FLAGS) $(CFLAGS) -fPIC -c -o $@ $<

build/san/%.o: lib/%.c lib/*.h
	@mkdir -p $(@D)
	$(CC) $(BASE_FLAGS) $(SAN_FLAGS) -c -o $@ $<

# The CLI links the same engine the library is: libparx.a.
build/parx: $(CMD_SRC) cmd/*.h lib/*.h build/libparx.a
	$(CC) $(BASE_FLAGS) $(CFLAGS) -o $@ $(CMD_SRC) build/libparx.a \
	    $(BSD_LIBS) -lm

build/libparx.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

# Only parx_* is exported (lib/parx.map); the engine stays inside.
build/$(LIB_SO): $(LIB_OBJ) lib/parx.map
	$(CC) $(CFLAGS) -shared -Wl,-soname,libparx.so.$(LIB_MAJOR) \
	    -Wl,--version-script=lib/parx.map -Wl,-z,defs -o $@ $(LIB_OBJ) \
	    $(BSD_LIBS) -lm
	ln -sf $(LIB_SO) build/libparx.so.$(LIB_MAJOR)
	ln -sf libparx.so.$(LIB_MAJOR) build/libparx.so

# Made again each time: it holds PREFIX, which each make may change.
build/parx.pc: lib/parx.pc.in FORCE
	@mkdir -p $(@D)
	@sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(LIB_VERSION)|' \
	    -e 's|@PRIVATE_LIBS@|$(BSD_LIBS) -lm|' lib/parx.pc.in >$@

FORCE:

build/san/parx: $(CMD_SRC) cmd/*.h lib/*.h $(SAN_OBJ)
	$(CC) $(BASE_FLAGS) $(SAN_FLAGS) -o $@ $(CMD_SRC) $(SAN_OBJ) $(BSD_LIBS) -lm

# The completions come from the option table, through parx itself.
build/completions/parx.bash: build/parx
	@mkdir -p $(@D)
	build/parx --shell-completion bash >$@

build/completions/_parx: build/parx
	@mkdir -p $(@D)
	build/parx --shell-completion zsh >$@

build/completions/parx.fish: build/parx
	@mkdir -p $(@D)
	build/parx --shell-completion fish >$@

build/unit/%: tests/unit/%.c tests/unit/*.h lib/*.h $(SAN_OBJ)
	@mkdir -p $(@D)
	$(CC) $(BASE_FLAGS) $(SAN_FLAGS) -Ilib -o $@ $< $(SAN_OBJ) -lcmocka $(BSD_LIBS) -lm

build/helper/%: tests/helper/%.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra -O2 -o $@ $<

build/helper/nothing: tests/helper/nothing.c
	@mkdir -p $(@D)
ifeq ($(shell uname -m),x86_64)
	$(CC) -std=c11 -Wall -Wextra -O2 -static -nostdlib -DNOTHING_BARE \
	    -o $@ $<
else
	$(CC) -std=c11 -Wall -Wextra -O2 -static -o $@ $<
endif

# The benchmarks' pool client: libparx through its header, as a user's.
build/helper/poolrun: tests/helper/poolrun.c lib/parx.h build/libparx.a
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra -O2 -Ilib -o $@ $< \
	    build/libparx.a $(BSD_LIBS) -lm

build/helper/failpoll.so: tests/helper/failpoll.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -Wall -Wextra -O2 -shared -fPIC -o $@ $< -ldl

build/fuzz/%: tests/fuzz/%.c lib/*.c lib/*.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(BASE_FLAGS) $(FUZZ_FLAGS) -Ilib -o $@ $< $(LIB_SRC) \
	    $(BSD_LIBS) -lm

san: build/san/parx
unit: $(UNIT_BIN)
helpers: $(HELPERS)

deps-build:
	@build-aux/deps build

deps-test:
	@build-aux/deps test

# Built as the user who runs make; only the copying runs as root, through
# sudo, when the destination is not the user's to write (build-aux/asroot).
AS_ROOT	 = build-aux/asroot "$(DESTDIR)$(PREFIX)"

install: deps-build
	@$(MAKE) --no-print-directory all
	$(AS_ROOT) install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	    $(DESTDIR)$(FISHCOMPDIR) $(DESTDIR)$(LIBDIR) \
	    $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PCDIR) $(DESTDIR)$(MAN3DIR)
	$(AS_ROOT) install -m 755 build/parx $(DESTDIR)$(BINDIR)/parx
	$(AS_ROOT) ln -sf parx $(DESTDIR)$(BINDIR)/sem
	$(AS_ROOT) install -m 755 cmd/env_parx $(DESTDIR)$(BINDIR)/env_parx
	$(AS_ROOT) install -m 644 man/parx.1 $(DESTDIR)$(MANDIR)/parx.1
	$(AS_ROOT) install -m 644 build/completions/parx.bash \
	    $(DESTDIR)$(BASHCOMPDIR)/parx
	$(AS_ROOT) install -m 644 build/completions/_parx $(DESTDIR)$(ZSHCOMPDIR)/_parx
	$(AS_ROOT) install -m 644 build/completions/parx.fish \
	    $(DESTDIR)$(FISHCOMPDIR)/parx.fish
	$(AS_ROOT) install -m 644 build/libparx.a $(DESTDIR)$(LIBDIR)/libparx.a
	$(AS_ROOT) install -m 755 build/$(LIB_SO) $(DESTDIR)$(LIBDIR)/$(LIB_SO)
	$(AS_ROOT) ln -sf $(LIB_SO) $(DESTDIR)$(LIBDIR)/libparx.so.$(LIB_MAJOR)
	$(AS_ROOT) ln -sf libparx.so.$(LIB_MAJOR) $(DESTDIR)$(LIBDIR)/libparx.so
	$(AS_ROOT) install -m 644 lib/parx.h $(DESTDIR)$(INCLUDEDIR)/parx.h
	$(AS_ROOT) install -m 644 build/parx.pc $(DESTDIR)$(PCDIR)/parx.pc
	$(AS_ROOT) install -m 644 man/parx.3 $(DESTDIR)$(MAN3DIR)/parx.3
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then ldconfig; fi

uninstall:
	$(AS_ROOT) rm -f $(DESTDIR)$(BINDIR)/parx $(DESTDIR)$(BINDIR)/sem \
	    $(DESTDIR)$(BINDIR)/env_parx \
	    $(DESTDIR)$(MANDIR)/parx.1 \
	    $(DESTDIR)$(BASHCOMPDIR)/parx $(DESTDIR)$(ZSHCOMPDIR)/_parx \
	    $(DESTDIR)$(FISHCOMPDIR)/parx.fish \
	    $(DESTDIR)$(LIBDIR)/libparx.a $(DESTDIR)$(LIBDIR)/$(LIB_SO) \
	    $(DESTDIR)$(LIBDIR)/libparx.so.$(LIB_MAJOR) \
	    $(DESTDIR)$(LIBDIR)/libparx.so $(DESTDIR)$(INCLUDEDIR)/parx.h \
	    $(DESTDIR)$(PCDIR)/parx.pc $(DESTDIR)$(MAN3DIR)/parx.3

check: deps-test
	@$(MAKE) --no-print-directory all san unit helpers
	@tests/run

# check's compiler gate and clang's static analyzer, which CI runs too.
lint: deps-test
	@build-aux/lint --scan-build

# GNU parallel's side of tests/compat, recorded: check replays it.  Run
# after adding or changing a case, with Debian's parallel (20221122).
compat-record: deps-test
	@$(MAKE) --no-print-directory all
	@rm -rf tests/compat/gnu
	@PARX_COMPAT=record PARX="$$PWD/build/parx" bats tests/compat

# Each harness runs from a copy of its seed corpus, so what it finds stays
# in build/; a crash leaves its input there and fails the target.
fuzz: deps-test
	@command -v $(FUZZ_CC) >/dev/null || build-aux/deps fuzz
	@$(MAKE) --no-print-directory $(FUZZERS)
	@for f in $(FUZZERS); do \
		n=$$(basename $$f); mkdir -p build/fuzz/corpus/$$n; \
		cp tests/fuzz/corpus/$$n/* build/fuzz/corpus/$$n/ 2>/dev/null; \
		echo "fuzz: $$n for $(FUZZ_TIME) s"; \
		(cd build/fuzz && ./$$n -max_total_time=$(FUZZ_TIME) \
		    -timeout=10 -rss_limit_mb=2048 corpus/$$n \
		    >$$n.log 2>&1) || { tail -30 build/fuzz/$$n.log; exit 1; }; \
		grep -E '^(#[0-9]+.*DONE|Done)' build/fuzz/$$n.log | tail -1; \
	done

bench: deps-test
	@$(MAKE) --no-print-directory all helpers
	@tests/bench/run

clean:
	rm -rf build
