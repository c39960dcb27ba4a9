# parx: build, install, test.
#   make              build/parx
#   make install      installs parx and its man page (PREFIX, DESTDIR)
#   make check        unit tests, then the CLI suite against a normal and
#                     an ASan+UBSan build; the last line says N passed, M failed
#   make bench        benchmarks against xargs, GNU parallel, a bare spawn loop

PREFIX	?= /usr/local
DESTDIR	?=
BINDIR	 = $(PREFIX)/bin
MANDIR	 = $(PREFIX)/share/man/man1

CC	?= cc
CFLAGS	?= -O2 -g
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	    -fno-sanitize-recover=undefined

# Evaluated lazily: the deps targets may have just installed libbsd.
BSD_CFLAGS = $(shell pkg-config --cflags libbsd-overlay libpcre2-8)
BSD_LIBS   = $(shell pkg-config --libs libbsd-overlay libmd libpcre2-8)
BASE_FLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra $(BSD_CFLAGS)

LIB_SRC	 = $(wildcard lib/*.c)
LIB_OBJ	 = $(LIB_SRC:lib/%.c=build/obj/%.o)
SAN_OBJ	 = $(LIB_SRC:lib/%.c=build/san/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=build/unit/%)
HELPERS	 = $(patsubst tests/helper/%.c,build/helper/%,$(wildcard tests/helper/*.c))

.PHONY: all install uninstall check bench clean deps-build deps-test san unit helpers

all: build/parx

build/obj/%.o: lib/%.c lib/*.h
	@mkdir -p $(@D)
	$(CC) $(BASE_FLAGS) $(CFLAGS) -c -o $@ $<

build/san/%.o: lib/%.c lib/*.h
	@mkdir -p $(@D)
	$(CC) $(BASE_FLAGS) $(SAN_FLAGS) -c -o $@ $<

build/parx: cmd/parx.c cmd/*.h lib/*.h $(LIB_OBJ)
	$(CC) $(BASE_FLAGS) $(CFLAGS) -o $@ cmd/parx.c $(LIB_OBJ) $(BSD_LIBS) -lm

build/san/parx: cmd/parx.c cmd/*.h lib/*.h $(SAN_OBJ)
	$(CC) $(BASE_FLAGS) $(SAN_FLAGS) -o $@ cmd/parx.c $(SAN_OBJ) $(BSD_LIBS) -lm

build/unit/%: tests/unit/%.c lib/*.h $(SAN_OBJ)
	@mkdir -p $(@D)
	$(CC) $(BASE_FLAGS) $(SAN_FLAGS) -Ilib -o $@ $< $(SAN_OBJ) -lcmocka $(BSD_LIBS) -lm

build/helper/%: tests/helper/%.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra -O2 -o $@ $<

san: build/san/parx
unit: $(UNIT_BIN)
helpers: $(HELPERS)

deps-build:
	@build-aux/deps build

deps-test:
	@build-aux/deps test

install: deps-build
	@$(MAKE) --no-print-directory build/parx
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)
	install -m 755 build/parx $(DESTDIR)$(BINDIR)/parx
	install -m 644 man/parx.1 $(DESTDIR)$(MANDIR)/parx.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/parx $(DESTDIR)$(MANDIR)/parx.1

check: deps-test
	@$(MAKE) --no-print-directory all san unit helpers
	@tests/run

bench: deps-test
	@$(MAKE) --no-print-directory all helpers
	@tests/bench/run

clean:
	rm -rf build
