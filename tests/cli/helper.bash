# Shared setup for the bats suites: the libraries, the binary under test
# ($PARX, default build/parx) and a private working directory.
bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
PARX=${PARX:-$TOP/build/parx}
HELPER=$TOP/build/helper
export LC_ALL=C

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	unset PARALLEL PARX_SHELL PARALLEL_SHELL PARX_EXEC
}

parx() {
	"$PARX" "$@"
}
