#!/usr/bin/env bats
# Stopping early, retrying, bounding runaway jobs.
load helper

@test "--halt now,fail=1: stops at the first failure with its status" {
	run --separate-stderr parx -j2 --halt now,fail=1 'sleep {}; exit {}' ::: 1 3 4
	assert_failure 1
	[[ $stderr == *"parx: This job failed:"$'\n'"sleep 1; exit 1"* ]]
}

@test "--halt now,fail=1 gives 128+N for a job killed by signal N" {
	run parx -j1 --halt now,fail=1 -q sh -c 'kill -9 $$' ::: a
	assert_failure 137
}

@test "--halt now kills the running jobs and drops their output" {
	run --separate-stderr parx -j2 --halt now,fail=1 -q sh -c 'if [ $1 = a ]; then sleep 0.3; exit 1; fi; echo partial; sleep 10; echo never' sh ::: a b
	assert_failure 1
	refute_output --partial never
	refute_output --partial partial
}

@test "--halt soon waits for running jobs and starts no more" {
	run parx -j2 --halt soon,fail=1 -q sh -c 'sleep $1; echo done-$1; exit 2' sh ::: 0.1 0.5 0.6
	assert_failure 2
	assert_line done-0.5
	refute_line done-0.6
}

@test "a retry after a timeout is judged on its own: --halt sees its failure" {
	# The first attempt times out; the second exits 5 and must halt.
	run --separate-stderr timeout -k 2 20 "$PARX" -j1 --timeout 0.5 --retries 2 --halt now,fail=1 \
	    -q sh -c 'if [ -e tried ]; then exit 5; fi; touch tried; sleep 10' ::: a b
	assert_failure 5
	[[ $stderr == *"parx: This job failed:"$'\n'"sh -c "* ]]
}

@test "--halt: of two jobs that ended while parx looked away, the first in input order counts first" {
	# Job 1 is retried once, so its process is younger than job 2's and
	# the kernel lists job 2's exit first; job 2 succeeds, so it is not
	# retried.  parx is stopped while both exit; it then sees both exits
	# at once and must take them in input order: done=1 exits with job
	# 1's status.
	timeout -k 2 20 "$PARX" -j2 --retries 2 --halt soon,done=1 -q sh -c 'if [ $1 = 3 ] && [ ! -e retried ]; then touch retried; exit 9; fi; touch started.$1; while [ ! -e go ]; do sleep 0.01; done; exit $1' sh ::: 3 0 >out 2>err &
	tpid=$!
	for _ in $(seq 200); do [ -e started.3 ] && [ -e started.0 ] && break; sleep 0.02; done
	pid=$(pgrep -P "$tpid")
	kill -STOP "$pid"
	touch go
	sleep 0.5
	kill -CONT "$pid"
	wait "$tpid" || status=$?
	[ "$status" -eq 3 ]
	run cat err
	assert_line --index 0 "parx: This job finished:"
	[[ ${lines[1]} == *" sh 3" ]]
}

@test "--halt soon,fail=2: the number of failures" {
	run parx -j1 --halt soon,fail=2 'exit {}' ::: 0 3 0 4 5
	assert_failure 2
}

@test "--halt now,success=1 exits 0" {
	run parx -j1 --halt now,success=1 'exit {}' ::: 3 0 4
	assert_success
}

@test "--halt done=2 stops after two jobs" {
	run --separate-stderr parx -j1 --halt soon,done=2 echo ::: a b c
	assert_output $'a\nb'
}

@test "--halt fail=50%: the percentage of failed jobs" {
	run parx -j1 --halt soon,fail=50% 'exit {}' ::: 1 1 1 0
	assert_failure 50
}

@test "--halt 1 and 2 are soon,fail=1 and now,fail=1" {
	run parx -j1 --halt 2 'exit {}' ::: 0 5 0
	assert_failure 5
}

@test "bad --halt value" {
	run --separate-stderr parx --halt sometimes echo ::: a
	assert_failure 255
	[[ $stderr == "parx: invalid --halt value 'sometimes': "* ]]
}

@test "--retries reruns a failed job and shows only the last attempt" {
	run parx --retries 3 -q sh -c 'n=$(cat count 2>/dev/null || echo 0); echo $((n+1)) >count; echo attempt-$((n+1)); [ $n -ge 1 ]' ::: a
	assert_success
	assert_output attempt-2
}

@test "--retries: the exit status counts the last attempt" {
	run parx --retries 2 -q sh -c 'echo x >>tries; exit 3' ::: a
	assert_failure 1
	[ "$(wc -l <tries)" -eq 2 ]
}

@test "--timeout kills the job's process group, grandchildren too" {
	marker="parx-timeout-$$-$RANDOM"
	run --separate-stderr parx --timeout 0.3 -q sh -c "sleep 30 & sleep 31; : $marker" ::: a
	assert_failure 1
	[[ $stderr == *"parx: Warning: This job was killed because it timed out:"$'\n'"parx: Warning: sh -c "* ]]
	run pgrep -f "$marker"
	assert_failure
}

@test "--timeout also ends a descendant that left with setsid" {
	marker="parx-setsid-$$-$RANDOM"
	run parx --timeout 0.3 -q sh -c "setsid sh -c 'sleep 30; : $marker' & sleep 31" ::: a
	assert_failure 1
	run pgrep -f "$marker"
	assert_failure
}

@test "--timeout with units and as a percentage of the median" {
	run parx --timeout 1s true ::: a
	assert_success
	run parx -j1 --timeout 300% -q sh -c 'sleep $1' sh ::: 0.1 0.1 0.1 3
	assert_failure 1
}

@test "--termseq: a job that ignores TERM still dies" {
	run parx --timeout 0.2 --termseq TERM,100,KILL,10 -q sh -c 'trap "" TERM; sleep 30' ::: a
	assert_failure 1
}

@test "bad --termseq and --timeout values" {
	run parx --termseq NOPE,1 echo ::: a
	assert_failure 255
	run parx --timeout abc echo ::: a
	assert_failure 255
}

@test "--delay spaces job starts" {
	run parx -j2 --delay 0.2 -q sh -c 'date +%s.%N' ::: a b c
	assert_success
	# three starts with two 0.2 s gaps take at least 0.4 s
	first=$(sort -n <<<"$output" | head -1)
	last=$(sort -n <<<"$output" | tail -1)
	awk -v a="$first" -v b="$last" 'BEGIN { exit !(b - a >= 0.35) }'
}

@test "--nice runs jobs at that niceness" {
	run parx --nice 7 -q sh -c 'cut -d" " -f19 /proc/$$/stat' ::: a
	assert_output 7
}

@test "--memfree and --load accept sizes and numbers" {
	run parx --memfree 1M --load 1000 echo ::: a
	assert_output a
	run parx --memfree lots echo ::: a
	assert_failure 255
}

@test "--memsuspend: short of memory, one job runs at a time; --noswap runs jobs on a machine not swapping" {
	# 100T is more than any machine has: never two jobs at once
	run parx --memsuspend 100T -j4 --lb 'echo start {}; sleep 0.2; echo end {}' ::: 1 2 3
	assert_success
	assert_output $'start 1\nend 1\nstart 2\nend 2\nstart 3\nend 3'
	run parx --memsuspend 1k -j3 --lb 'echo start {}; sleep 0.5; echo end {}' ::: 1 2 3
	[ "$(printf '%s\n' "${lines[@]:0:3}" | sort | tr '\n' ' ')" = "start 1 start 2 start 3 " ]
	if [ "$(awk '/^pswp(in|out)/ { n += $2 } END { print n + 0 }' /proc/vmstat)" = 0 ]; then
		run parx --noswap -k echo ::: a b
		assert_output $'a\nb'
	fi
	run parx --memsuspend lots echo ::: a
	assert_failure 255
}

# bats test_tags=heavy
@test "-k holding 20 MB behind a slow first job keeps memory bounded" {
	# Job 1 runs until job 200 has written, so the other jobs' 100 KB
	# each is all held at once; it must spill, not stay in memory.
	local script='if [ $1 = 1 ]; then i=0; while [ ! -e "$0" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done; fi; printf "%0100000d\n" $1; [ $1 != 200 ] || touch "$0"'
	timeout -k 5 120 /usr/bin/time -o rss -f %M "$PARX" -k -j4 -q sh -c "$script" ready :::: <(seq 200) >out
	[ -e ready ]
	awk -v n=0 '{ n++; if ($0 + 0 != n || length($0) != 100000) { print "line " n " is wrong"; exit 1 } } END { if (n != 200) { print n " lines"; exit 1 } }' out
	# the sanitizers' shadow memory says nothing about parx's own
	[[ $PARX == */san/* ]] || [ "$(cat rss)" -lt 16384 ]
}

@test "--timeout: with a writable cgroup v2 tree each slot gets a group" {
	grep -q ' - cgroup2 ' /proc/self/mountinfo || skip "no cgroup v2"
	run parx --timeout 10 -k 'grep ^0:: /proc/self/cgroup #{}' ::: 1
	[[ $output == *"/parx."*"/slot.1" ]] || skip "cgroup v2 tree not writable here"
	run parx -k 'grep ^0:: /proc/self/cgroup #{}' ::: 1
	[[ $output != *"/parx."* ]]
}

@test "--load counts what runs this instant, as GNU: no job starts while busy loops run" {
	local busy=()
	# Six loops against --load 5: what the tests running beside this
	# one add neither holds the job back nor lets it start early.
	for _ in 1 2 3 4 5 6; do
		timeout 20 sh -c 'while :; do :; done' &
		busy+=($!)
	done
	timeout -k 2 30 "$PARX" --load 5 'touch started' ::: x &
	pid=$!
	sleep 2
	[ ! -e started ]
	kill "${busy[@]}"
	wait "$pid"
	[ -e started ]
}

@test "-p without a terminal to ask on is an error, and nothing runs" {
	run --separate-stderr setsid "$PARX" -p echo ::: ran </dev/null
	assert_failure 255
	assert_output ""
	[[ $stderr == "parx: -p needs a terminal to ask on: "* ]]
}

@test "-j FILE: the file says how many at once, read again as jobs end" {
	echo 1 >procfile
	timeout -k 2 30 "$PARX" -j procfile -k 'touch started.{}; sleep 0.4; echo {%}' ::: 1 2 3 4 5 6 7 8 >out 2>err &
	pid=$!
	for _ in $(seq 200); do [ -e started.2 ] && break; sleep 0.02; done
	# job 2 is running alone now; from its end, three at once
	echo 3 >procfile
	wait "$pid"
	[ "$(head -2 out)" = $'1\n1' ]
	[ "$(sort -n out | tail -1)" = 3 ]
	# a value that does not parse keeps the number, and says so
	echo 1 >procfile
	timeout -k 2 30 "$PARX" -j procfile 'touch begun.{}; sleep 0.3' ::: 1 2 3 2>err &
	pid=$!
	for _ in $(seq 200); do [ -e begun.1 ] && break; sleep 0.02; done
	echo junk >procfile
	wait "$pid"
	grep -qx "parx: -j procfile: not a number of jobs; still 1 at once" err
	# and one that is bad from the start is an error
	run --separate-stderr parx -j procfile echo ::: a
	assert_failure 255
	[[ $stderr == "parx: invalid -j file 'procfile': not a number of jobs"* ]]
}

@test "--tty without a terminal: the jobs read nothing, one at a time (-j1), output ungrouped (-u), as GNU" {
	run timeout -k 1 10 setsid -w "$PARX" --tty 'cat; echo start {}; sleep 0.2; echo end {}' ::: 1 2 </dev/null
	assert_success
	assert_output "$(printf 'start 1\nend 1\nstart 2\nend 2')"
	# -u: the job writes to parx's own stdout
	timeout -k 1 10 setsid -w "$PARX" --tty '[ /dev/stdout -ef out ] && echo ungrouped {}' ::: 1 </dev/null >out
	[ "$(cat out)" = 'ungrouped 1' ]
	# given -j and --group win
	run timeout -k 1 10 setsid -w "$PARX" --tty -j2 --group 'echo start {}; sleep 0.{}; echo end {}' ::: 3 1 </dev/null
	assert_success
	[[ $output == "$(printf 'start 1\nend 1\nstart 3\nend 3')" ||
	   $output == "$(printf 'start 3\nend 3\nstart 1\nend 1')" ]]
	run timeout -k 1 10 setsid -w "$PARX" -o -j2 'cat; echo {}' ::: 1 </dev/null
	assert_success
	assert_output 1
}

@test "--limit CMD: no job starts while CMD exits 1; exit 2 ends the youngest job, which runs again, once" {
	mkdir running
	# at most two at once: the limit counts reservations, makes one when
	# it says yes (the job starts right after), and each job hands one
	# back as it ends, so no start can race a count
	run timeout -k 5 30 "$PARX" -j4 --limit 'test $(ls running | wc -l) -lt 2 && mktemp -p running >/dev/null' \
	    'sleep 0.3; ls running | wc -l; flock lock sh -c "rm running/\$(ls running | head -1)" # {}' ::: 1 2 3 4 5 6
	assert_success
	refute_output --partial 3
	refute_output --partial 4
	[ "$(echo "$output" | wc -l)" -eq 6 ]
	# 2 once job 2 has started: job 2 is ended and run again, in its
	# place for -k
	run timeout -k 5 30 "$PARX" -k -j4 --delay 0.2 --joblog log \
	    --limit 'if [ -e s2 ] && [ ! -e once ]; then touch once; exit 2; fi' \
	    'echo run >>runs.{}; touch s{}; sleep 1; echo done {}' ::: 1 2 3
	assert_success
	assert_output "done 1
done 2
done 3"
	[ "$(wc -l <runs.1)" -eq 1 ] && [ "$(wc -l <runs.2)" -eq 2 ] &&
	    [ "$(wc -l <runs.3)" -eq 1 ]
	[ "$(cut -f1 log | sort | tr '\n' ' ')" = "1 2 3 Seq " ]
	# the command sees SSHLOGIN=: and does not read parx's stdin
	run bash -c "echo input | timeout -k 5 30 '$PARX' --limit 'test \"\$SSHLOGIN\" = : && ! read x' echo ::: ok"
	assert_output "ok"
}

@test "--limit 'mem SIZE', 'load N', 'io N' are measured by parx; a builtin without its number is refused" {
	run timeout -k 5 30 "$PARX" --limit 'mem 1k' echo ::: enough
	assert_output "enough"
	run timeout -k 5 30 "$PARX" --limit 'load 1000' echo ::: light
	assert_output "light"
	# io looks twice, a second apart, before the first job starts
	run timeout -k 5 30 "$PARX" --limit 'io 100' echo ::: idle
	assert_output "idle"
	run --separate-stderr "$PARX" --limit 'mem' echo ::: x
	assert_failure 255
	[[ $stderr == *"invalid --limit value 'mem': 'mem' takes one number"* ]]
}
