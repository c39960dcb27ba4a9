#!/usr/bin/env bats
# Output modes: grouped, -k, --line-buffer, -u, --tag, binary, big, --files.
load helper

@test "grouped output is never mixed between jobs" {
	run parx -q -j4 sh -c 'for i in 1 2 3 4 5; do echo "$1-$i"; sleep 0.01; done' sh ::: a b c d
	assert_success
	# each job's five lines are contiguous
	for j in a b c d; do
		span=$(grep -n "^$j-" <<<"$output" | cut -d: -f1 |
		    awk 'NR == 1 { f = $1 } { l = $1 } END { print l - f }')
		[ "$span" -eq 4 ]
	done
}

@test "grouped: stdout and stderr each go to their own stream" {
	run --separate-stderr parx -q -k sh -c 'echo out-$1; echo err-$1 >&2' sh ::: a b
	assert_output $'out-a\nout-b'
	assert_equal "$stderr" $'err-a\nerr-b'
}

@test "-k keeps input order even when the first job is slowest" {
	run parx -q -k -j3 sh -c 'sleep $1; echo $1' sh ::: 0.3 0.1 0
	assert_output $'0.3\n0.1\n0'
}

@test "without -k a fast job's output is not held behind a slow one" {
	run parx -q -j2 sh -c 'sleep $1; echo $1' sh ::: 1 0
	assert_output $'0\n1'
}

@test "--line-buffer prints whole lines, never a half line" {
	run parx -q -j2 --line-buffer sh -c 'printf "%s-part1 " $1; sleep 0.1; echo "$1-end"' sh ::: a b
	assert_success
	assert_line "a-part1 a-end"
	assert_line "b-part1 b-end"
}

@test "-k with --line-buffer keeps input order, however the jobs race" {
	# Later jobs finish first; each writes lines over time.
	run parx -k --lb -j4 -q sh -c 'for i in 1 2 3; do echo $1-$i; sleep 0.0$((9 - $1 % 9)); done' sh ::: $(seq 12)
	assert_success
	assert_output "$(for j in $(seq 12); do for i in 1 2 3; do echo $j-$i; done; done)"
	run parx -k --lb -j3 --tag -q sh -c 'printf "%s-a" $1; sleep 0.0$((4 - $1)); echo; echo $1-b' sh ::: 1 2 3
	assert_output $'1\t1-a\n1\t1-b\n2\t2-a\n2\t2-b\n3\t3-a\n3\t3-b'
}

@test "parx's own messages never land inside a line a job is writing" {
	# Job 1 owns stderr and is mid-line when job 2 fails and halts.
	run --separate-stderr timeout -k 2 20 "$PARX" -k -j2 --halt soon,fail=1 -q sh -c \
	    'if [ $1 = a ]; then printf part >&2; sleep 1; echo end >&2; else exit 3; fi' sh ::: a b
	assert_failure 3
	assert_equal "$stderr" $'partend\nparx: This job failed:\nsh -c \'if [ $1 = a ]; then printf part >&2; sleep 1; echo end >&2; else exit 3; fi\' sh b\nparx: Starting no more jobs. Waiting for 1 jobs to finish.'
}

@test "--tag prefixes every line, also without a final newline" {
	run parx -k -q --tag printf 'x\ny%.0s' ::: a
	assert_output $'a\tx\na\ty'
}

@test "--tagstring takes replacement strings" {
	run parx -k --tagstring '[{#}:{.}]' echo ::: f.txt
	assert_output $'[1:f]\tf.txt'
}

@test "-u passes output straight through" {
	run parx -u -j1 echo ::: a b
	assert_output $'a\nb'
}

@test "binary output with NUL bytes comes through byte for byte" {
	head -c 300000 /dev/urandom >blob
	parx -k cat ::: blob blob >out
	cat blob blob | cmp - out
}

@test "no final newline is kept as is" {
	parx -k printf %s ::: a b >out
	[ "$(od -c out | head -1)" = "0000000   a   b" ]
}

# bats test_tags=heavy
@test "big outputs of concurrent jobs come through whole and in order" {
	# the owner streams fast, so the others are taken at the held rate;
	# 60 MB go to a file, not through run
	parx -q -k -j3 sh -c 'head -c 20000000 /dev/zero | tr "\0" "$1"' sh ::: a b c >out
	[ "$(stat -c %s out)" -eq 60000000 ]
	[ "$(tr -s abc <out)" = abc ]
}

# bats test_tags=heavy
@test "big outputs held behind a quiet first job spill to disk and come through whole" {
	mkdir tmp
	# job a prints only once b and c have written all of theirs
	parx -q -k -j3 --tmpdir tmp sh -c '
		if [ "$1" = a ]; then
			while [ ! -e b.done ] || [ ! -e c.done ]; do sleep 0.05; done
		fi
		head -c 20000000 /dev/zero | tr "\0" "$1"
		touch "$1.done"' sh ::: a b c >out
	[ "$(stat -c %s out)" -eq 60000000 ]
	[ "$(tr -s abc <out)" = abc ]
	# nothing is left behind in the temporary directory
	[ -z "$(ls -A tmp)" ]
}

@test "--dry-run runs nothing" {
	run parx --dry-run touch {} ::: x y
	assert_output $'touch x\ntouch y'
	assert_file_not_exists x
}

@test "-v prints the command before its output" {
	run parx -k -v echo ::: a
	assert_output $'echo a\na'
}

@test "--files prints the names of files holding the output" {
	mkdir tmp
	run parx -k --files --tmpdir tmp echo ::: a b
	assert_success
	# GNU's names, which scripts and GNU's own tests look for
	[[ ${lines[0]} == tmp/par?????.par && ${lines[1]} == tmp/par?????.par ]]
	[ "$(cat "${lines[0]}")" = a ]
	[ "$(cat "${lines[1]}")" = b ]
	rm -f "${lines[@]}"
}

@test "a write error on stdout is reported and fails the run" {
	run --separate-stderr parx echo ::: a b
	run --separate-stderr bash -c "'$PARX' echo ::: a b >/dev/full"
	assert_failure 255
	assert_equal "$stderr" "parx: cannot write output: No space left on device"
}

@test "a closed pipe downstream ends parx promptly and quietly" {
	run --separate-stderr bash -c "set -o pipefail; seq 100000 | '$PARX' -j4 echo | head -1"
	# without -k any of the first jobs may finish, and print, first
	[[ $output =~ ^[0-9]+$ ]]
	assert_equal "$stderr" ""
	assert_equal "$status" 141
}

@test "PARALLEL_SEQ, PARALLEL_JOBSLOT, PARX_SEQ and PARX_SLOT are set" {
	run parx -q -j1 -k sh -c 'echo $PARALLEL_SEQ $PARALLEL_JOBSLOT $PARX_SEQ $PARX_SLOT' ::: a b
	assert_output $'1 1 1 1\n2 1 2 1'
}

@test "a job's stdin is empty, so cat cannot eat the input" {
	run parx -k 'cat; echo {}' <<<$'a\nb'
	assert_success
	assert_output $'a\nb'
}

@test "--bar, --eta, --progress to a file or pipe: plain lines, no escape codes, output untouched" {
	run --separate-stderr parx -k --bar 'echo {}' ::: a b c
	assert_success
	assert_output $'a\nb\nc'
	[[ $stderr == "parx: 100% 3/3 done, "* ]]
	[[ $stderr != *$'\e'* && $stderr != *$'\r'* ]]
	run --separate-stderr parx --eta --progress 'exit {}' ::: 0 1 0
	assert_failure 1
	[[ $stderr == "parx: 100% 3/3 done, 1 failed, 0 running, "* ]]
	# nor in a terminal that cannot take them
	TERM=dumb script -qec "'$PARX' --bar true ::: 1 2" /dev/null >tty.out
	! grep -q $'\e' tty.out
	grep -q "^parx: 100% 2/2 done" tty.out
}

@test "failed jobs at a terminal: one line says how to see which; never in a script" {
	TERM=screen script -qec "'$PARX' false ::: 1 2" /dev/null >tty.out || true
	grep -q "^parx: 2 jobs failed; --joblog FILE records which" tty.out
	TERM=screen script -qec "'$PARX' --joblog log false ::: 1 2" /dev/null >tty.out || true
	! grep -q "jobs failed" tty.out
	run --separate-stderr parx false ::: 1 2
	assert_failure 2
	assert_equal "$stderr" ""
}

@test "--color: each job's lines in a colour of their own, ended before each newline, a last line ended; nothing else changes" {
	run parx --color -k 'printf "x\ny\n"; echo {}' ::: a b
	assert_success
	esc=$'\e'
	assert_output "${esc}[30;42mx${esc}[m
${esc}[30;42my${esc}[m
${esc}[30;42ma${esc}[m
${esc}[30;43mx${esc}[m
${esc}[30;43my${esc}[m
${esc}[30;43mb${esc}[m"
	# without the colours it is the plain output, byte for byte
	parx --color -k --tag 'seq 3; echo {}' ::: a b | sed 's/\x1b\[[0-9;]*m//g' >coloured
	parx -k --tag 'seq 3; echo {}' ::: a b >plain
	cmp coloured plain
	# a job's last line without a newline gets one, as in GNU parallel
	parx --color -k printf ::: x y >ended
	printf '\e[30;42mx\e[m\n\e[30;43my\e[m\n' >wanted
	cmp ended wanted
	run --separate-stderr parx --color -u echo ::: a
	assert_failure 255
}

@test "--ctag and --ctagstring colour only at a terminal, and not under NO_COLOR" {
	run parx --ctag -k echo ::: a b
	assert_output $'a\ta\nb\tb'
	run parx --ctagstring 'X{}' -k echo ::: a
	assert_output $'Xa\ta'
	TERM=screen script -qec "'$PARX' --ctag -k echo ::: a" /dev/null >tty.out
	grep -q $'^\e\\[30;42ma\ta\e\\[m' tty.out
	NO_COLOR=1 TERM=screen script -qec "'$PARX' --ctag -k echo ::: a" /dev/null >tty.out
	! grep -q $'\e' tty.out
	grep -q $'^a\ta' tty.out
}

@test "grouped output comes in completion order, as GNU's: a long job holds back no job that ends before it" {
	run parx -j2 'echo {}-start; sleep {}; echo {}-end' ::: 1 0.2
	assert_success
	assert_output $'0.2-start\n0.2-end\n1-start\n1-end'
	# one slot: the job streams, nothing can be held back by it
	run timeout -k 1 2 sh -c '"$1" -j1 "echo one; sleep 10; echo two" ::: x | head -1' sh "$PARX"
	assert_output 'one'
}
