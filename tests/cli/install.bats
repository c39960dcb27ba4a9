#!/usr/bin/env bats
# make install, as the README's quick start runs it: the files land where
# each shell and man look, and only what needs root asks for it.
load helper

# bats test_tags=heavy
@test "make install DESTDIR puts parx, env_parx, its man page and three completions in place" {
	[[ $PARX != */san/* ]] || skip "installs the normal build"
	run make -s -C "$TOP" install DESTDIR="$PWD/root" PREFIX=/usr
	assert_success
	[ -x root/usr/bin/parx ]
	cmp root/usr/bin/parx "$TOP/build/parx"
	[ "$(readlink root/usr/bin/sem)" = parx ]
	cmp root/usr/bin/env_parx "$TOP/cmd/env_parx"
	cmp root/usr/share/man/man1/parx.1 "$TOP/man/parx.1"
	# bash-completion loads completions/NAME on demand
	run bash -c 'source root/usr/share/bash-completion/completions/parx
	    COMP_WORDS=(parx --jo); COMP_CWORD=1; _parx; echo "${COMPREPLY[*]}"'
	assert_output --partial --joblog
	head -1 root/usr/share/zsh/site-functions/_parx | grep -qx '#compdef parx'
	grep -q -- '-l joblog' root/usr/share/fish/vendor_completions.d/parx.fish
}

# bats test_tags=heavy
@test "make install: libparx, parx.h and parx.pc build the README's example outside the tree" {
	[[ $PARX != */san/* ]] || skip "installs the normal build"
	run make -s -C "$TOP" install DESTDIR="$PWD/root" PREFIX=/opt/parx
	assert_success
	cmp root/opt/parx/include/parx.h "$TOP/lib/parx.h"
	cmp root/opt/parx/share/man/man3/parx.3 "$TOP/man/parx.3"
	[ "$(readlink root/opt/parx/lib/libparx.so)" = libparx.so.0 ]
	[ -f root/opt/parx/lib/libparx.a ]
	readelf -d root/opt/parx/lib/libparx.so.0 | grep -q 'SONAME.*libparx\.so\.0'
	# Only the API is exported, not the engine inside.
	run sh -c "nm -D --defined-only root/opt/parx/lib/libparx.so | awk '\$2 == \"T\" { print \$3 }' | grep -v '^parx_'"
	assert_output ''
	mkdir elsewhere
	awk '/^## Using parx from C/ { on = 1 } on && /^```c$/ { code = 1; next }
	    code && /^```$/ { exit } code' "$TOP/README.md" >elsewhere/example.c
	grep -q parx_wait_any elsewhere/example.c
	printf 'a\nb\n' >elsewhere/two
	printf 'c\n' >elsewhere/one
	cd elsewhere
	# As a user's own build would find it, the install's root aside
	# (under a prefix that is no system directory, which pkg-config
	# would leave out of -I).
	export PKG_CONFIG_LIBDIR="$BATS_TEST_TMPDIR/root/opt/parx/lib/pkgconfig"
	export PKG_CONFIG_SYSROOT_DIR="$BATS_TEST_TMPDIR/root"
	run sh -c 'cc -std=c11 -Wall -Wextra -Werror example.c \
	    $(pkg-config --cflags --libs parx) -o example'
	assert_success
	run env LD_LIBRARY_PATH="$BATS_TEST_TMPDIR/root/opt/parx/lib" ./example two one
	assert_success
	assert_line 'exit 0: 2 two'
	assert_line 'exit 0: 1 one'
	run env LD_LIBRARY_PATH="$BATS_TEST_TMPDIR/root/opt/parx/lib" ldd ./example
	assert_output --partial "$BATS_TEST_TMPDIR/root/opt/parx/lib/libparx.so.0"
}

# asroot DIR ARGS... as nobody, in a directory nobody can reach (the
# test's own is not), with a PATH of the tools asroot uses and, if the
# test made one, a sudo that says how it was called.
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    env PATH="$open/bin" "$TOP/build-aux/asroot" "$@"
}

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	open=$(mktemp -d)
	chmod 755 "$open"
	mkdir "$open/bin"
	for t in sh id touch; do ln -s "$(command -v $t)" "$open/bin/$t"; done
}

teardown() {
	rm -rf "$open"
}

@test "asroot: a destination the user can write needs no root" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to act as nobody"
	mkdir -m 777 "$open/dest"
	run as_nobody "$open/dest/new/dir" touch "$open/dest/made"
	assert_success
	[ -e "$open/dest/made" ]
}

@test "asroot: otherwise sudo, or one line that says what to do" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to act as nobody"
	run as_nobody /usr/local touch /usr/local/x
	assert_failure 1
	assert_output "touch needs root to write to /usr/local: run this as root, or install sudo"
	printf '#!/bin/sh\necho "sudo $*"\n' >"$open/bin/sudo"
	chmod 755 "$open/bin/sudo"
	run as_nobody /usr/local touch /usr/local/x
	assert_success
	assert_output "sudo -- touch /usr/local/x"
	# apt-get always needs root: an empty DIR
	run as_nobody "" apt-get install x
	assert_output "sudo -- apt-get install x"
}
