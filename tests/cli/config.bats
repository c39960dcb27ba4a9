#!/usr/bin/env bats
# Default options where GNU parallel users keep them: config files, -J
# profiles, $PARALLEL, and the order in which they override each other.
load helper

# Each test writes its own config files: a HOME of its own.
setup() {
	parx_setup
	export HOME=$BATS_TEST_TMPDIR/home
	mkdir -p "$HOME/.parallel"
}

@test "~/.parallel/config holds default options; comments and blank lines are skipped" {
	printf '# my defaults\n\n   # indented comment\n-k --tag\n' >"$HOME/.parallel/config"
	run parx echo ::: a b
	assert_success
	assert_output $'a\ta\nb\tb'
}

@test "later places override earlier ones, the command line last" {
	mkdir -p "$HOME/.config/parx"
	echo "--tagstring gnu-config" >"$HOME/.parallel/config"
	run parx -k echo ::: a
	assert_output $'gnu-config\ta'
	echo "--tagstring parallelrc" >"$HOME/.parallelrc"
	run parx -k echo ::: a
	assert_output $'parallelrc\ta'
	echo "--tagstring parx-config" >"$HOME/.config/parx/config"
	run parx -k echo ::: a
	assert_output $'parx-config\ta'
	PARALLEL="--tagstring env" run parx -k echo ::: a
	assert_output $'env\ta'
	PARALLEL="--tagstring env" run parx -k --tagstring cli echo ::: a
	assert_output $'cli\ta'
}

@test "\$PARALLEL_HOME and \$XDG_CONFIG_HOME/parallel are config directories, as in GNU" {
	mkdir -p ph xdg/parallel
	echo "--tag" >ph/config
	PARALLEL_HOME=$PWD/ph run parx echo ::: a
	assert_output $'a\ta'
	echo "--tagstring X" >xdg/parallel/config
	XDG_CONFIG_HOME=$PWD/xdg run parx echo ::: a
	assert_output $'X\ta'
}

@test "-J reads profiles instead of the config files, in the order given" {
	echo "--tag" >"$HOME/.parallel/config"
	echo "--tagstring one" >"$HOME/.parallel/one"
	echo "-k --tagstring two" >"$HOME/.parallel/two"
	run parx -J one echo ::: a
	assert_output $'one\ta'
	run parx -J one --profile two echo ::: b a
	assert_output $'two\tb\ntwo\ta'
	echo "--tagstring local" >./mine
	run parx -J ./mine echo ::: a
	assert_output $'local\ta'
	# without -J the config file counts again
	run parx echo ::: a
	assert_output $'a\ta'
}

@test "a -J profile that is nowhere is an error, not a run without its options" {
	run --separate-stderr parx -J nosuch echo ::: ran
	assert_failure 255
	assert_output ""
	[[ $stderr == "parx: no profile 'nosuch' in ~/.parallel"* ]]
}

@test "--plain ignores the config files, profiles and \$PARALLEL" {
	echo "--tag" >"$HOME/.parallel/config"
	PARALLEL="--tagstring env" run parx --plain echo ::: a
	assert_output a
}

@test "an option parx cannot take in a config file is reported with the file and line" {
	printf -- '-k\n# fine\n--tmux\n' >"$HOME/.parallel/config"
	run --separate-stderr parx echo ::: ran
	assert_failure 255
	assert_output ""
	assert_equal "$stderr" "parx: $HOME/.parallel/config:3: --tmux is a GNU parallel option parx does not support: see DIFFERENCES FROM GNU PARALLEL in parx(1) (see 'parx --help')"
	printf -- '--timeout\n' >"$HOME/.parallel/config"
	run --separate-stderr parx echo ::: ran
	assert_failure 255
	[[ $stderr == "parx: $HOME/.parallel/config:1: option '--timeout' needs a value"* ]]
	printf -- "-k 'unbalanced\n" >"$HOME/.parallel/config"
	run --separate-stderr parx echo ::: ran
	assert_failure 255
	[[ $stderr == "parx: $HOME/.parallel/config:1: cannot parse"* ]]
	rm "$HOME/.parallel/config"
	PARALLEL="--nonsense" run --separate-stderr parx --tag echo ::: ran
	assert_failure 255
	[[ $stderr == "parx: \$PARALLEL: unknown option '--nonsense'"* ]]
	# the command line's own mistakes carry no place
	run --separate-stderr parx --nonsense echo ::: ran
	[[ $stderr == "parx: unknown option '--nonsense'"* ]]
}

@test "a config file that exists but cannot be read is an error" {
	mkdir "$HOME/.parallel/config"
	run --separate-stderr parx echo ::: ran
	assert_failure 255
	assert_output ""
	[[ $stderr == "parx: cannot read options from '$HOME/.parallel/config': Is a directory" ]]
}

@test "a config file parx may not read is passed over: with a warning if it is there, in silence if HOME is shut" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to act as nobody"
	open=$(mktemp -d)
	chmod 755 "$open"
	mkdir -p "$open/.parallel"
	chmod 755 "$open/.parallel"
	echo "--tag" >"$open/.parallel/config"
	chmod 000 "$open/.parallel/config"
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    env HOME="$open" "$PARX" echo ::: ran
	assert_success
	assert_output ran
	assert_equal "$stderr" "parx: ignoring options in '$open/.parallel/config': Permission denied"
	chmod 700 "$open"
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    env HOME="$open" "$PARX" echo ::: ran
	rm -rf "$open"
	assert_success
	assert_output ran
	assert_equal "$stderr" ""
}

@test "--record-env writes the environment's variable names to GNU's ignored_vars" {
	run env -i HOME="$PWD/h" A=1 B_C=x "$PARX" --record-env
	assert_success
	run sort h/.parallel/ignored_vars
	assert_output $'A\nB_C\nHOME'
	run env -i PARALLEL_HOME="$PWD/ph" Z=1 "$PARX" --record-env
	run sort ph/ignored_vars
	assert_output $'PARALLEL_HOME\nZ'
}
