#!/usr/bin/env bats
# Exit statuses and error messages.
load helper

@test "0 when every job succeeds" {
	run parx true ::: a b c
	assert_success
}

@test "the number of failed jobs" {
	run parx -q sh -c 'exit $1' sh ::: 0 3 0 5
	assert_failure 2
}

@test "101 when more than 100 jobs failed" {
	run parx -j8 false ::: $(seq 120)
	assert_failure 101
}

@test "a job killed by a signal is a failure" {
	run parx -q sh -c 'kill -TERM $$' ::: a
	assert_failure 1
}

@test "a program that is not found: 127 for the job, a message, one failure" {
	run --separate-stderr parx nosuch-program-parx ::: a
	assert_failure 1
	[[ $stderr == *"nosuch-program-parx"*"not found"* ]]
}

@test "bad -j value: one line, a hint, 255, nothing run" {
	run --separate-stderr parx -j abc touch x ::: a
	assert_failure 255
	assert_equal "$stderr" "parx: invalid -j value 'abc': not a number of jobs (see 'parx --help')"
	assert_file_not_exists x
	assert_file_not_exists a
}

@test "unknown long and short options" {
	run --separate-stderr parx --frobnicate echo
	assert_failure 255
	assert_equal "$stderr" "parx: unknown option '--frobnicate' (see 'parx --help')"
	run --separate-stderr parx -Z echo
	assert_failure 255
	assert_equal "$stderr" "parx: unknown option '-Z' (see 'parx --help')"
}

@test "an option without its value" {
	run --separate-stderr parx -j
	assert_failure 255
	assert_equal "$stderr" "parx: option '-j' needs a value (see 'parx --help')"
}

@test "-j forms: +N, -N, N%, 0" {
	forms="+1 50% 200% 0 1"
	[ "$(nproc)" -gt 1 ] && forms="$forms -1"
	for j in $forms; do
		run parx -j "$j" echo ::: a
		assert_success
		assert_output a
	done
}

@test "-j -N that leaves no slot is an error, as in GNU parallel" {
	run --separate-stderr parx -j -99999 touch x ::: a
	assert_failure 255
	assert_equal "$stderr" "parx: invalid -j value '-99999': $(nproc) CPUs less 99999 leaves no job slot (see 'parx --help')"
	assert_file_not_exists x
}

@test "with fds 0-2 closed, no job output lands in parx's own files" {
	# stdout closed: the job log would otherwise become the jobs' stdout.
	run bash -c "'$PARX' --joblog log printf 'x\\ty\\n' ::: 1 >&-"
	assert_success
	[ "$(wc -l <log)" -eq 2 ]
	run awk -F'\t' 'NF != 9' log
	assert_output ""
	# stdin closed: nothing to read, rather than parx's own descriptors.
	run timeout -k 2 10 bash -c "'$PARX' echo <&-"
	assert_success
	assert_output ""
	# stderr closed: the results table keeps only the rows.
	run bash -c "'$PARX' --results r.csv -q sh -c 'printf out; printf err >&2' ::: 1 2>&-"
	assert_success
	[ "$(wc -l <r.csv)" -eq 2 ]
	[ "$(grep -c "^1,.*,out,err$" r.csv)" -eq 1 ]
}

@test "-j runs that many at once" {
	# Fewer at once than asked would wait for ever: the timeout fails it.
	run timeout -k 2 20 "$PARX" -q -j3 sh -c 'touch started.$1; while [ $(ls started.* | wc -l) -lt 3 ]; do sleep 0.01; done; echo ok' sh ::: 1 2 3
	assert_success
	assert_output $'ok\nok\nok'
}

@test "--help and --version" {
	run parx --help
	assert_success
	assert_line --partial "usage: parx"
	run parx --version
	assert_success
	assert_output --regexp '^parx [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "\$PARALLEL holds default options" {
	PARALLEL="-k --tag" run parx echo ::: a b
	assert_output $'a\ta\nb\tb'
}

@test "--env is accepted" {
	FOO=bar run parx -q --env FOO sh -c 'echo $FOO' ::: a
	assert_output bar
}

@test "a bad --tmpdir is reported" {
	run --separate-stderr parx --tmpdir /nonexistent echo ::: a
	assert_failure 255
	assert_equal "$stderr" "parx: cannot use temporary directory '/nonexistent': No such file or directory"
}
