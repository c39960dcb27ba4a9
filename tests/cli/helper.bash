# Shared setup for the bats suites: the libraries, the binary under test
# ($PARX, default build/parx) and a private working directory.
bats_require_minimum_version 1.5.0
# Each library's load.bash sources its files through "$(dirname ...)",
# a fork each, about fifteen a test; fork is what these machines are slow
# at, so the same files are sourced directly (130 ms a test less).
load_bats_library() {
	local dir f IFS=:

	for dir in ${BATS_LIB_PATH:-/usr/lib/bats}; do
		[[ -d $dir/$1/src ]] || continue
		for f in "$dir/$1"/src/*.bash; do
			source "$f" || return
		done
		return
	done
	bats_load_library "$1"
}
load_bats_library bats-support
load_bats_library bats-assert
load_bats_library bats-file

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
PARX=${PARX:-$TOP/build/parx}
HELPER=$TOP/build/helper
export LC_ALL=C

# A HOME of the suite's own: a ~/.parallel/config of the user running
# the tests must not change what parx or GNU parallel do in them.
setup_file() {
	export HOME=$BATS_FILE_TMPDIR/home
	mkdir -p "$HOME/.parallel"
	: >"$HOME/.parallel/will-cite"
}

parx_setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	# GNU parallel (which runs bats --jobs) gives its jobs these too
	unset PARALLEL_SSHLOGIN PARALLEL_SSHHOST PARALLEL_SEQ PARALLEL_JOBSLOT
	unset PARALLEL PARX_SHELL PARALLEL_SHELL PARX_EXEC PARALLEL_HOME \
	    XDG_CONFIG_HOME XDG_CONFIG_DIRS
}

setup() {
	parx_setup
}

parx() {
	"$PARX" "$@"
}
