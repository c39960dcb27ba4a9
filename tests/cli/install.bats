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
