#!/usr/bin/env bats
# Signals as GNU parallel 20221122 has them (SIGINT and SIGTERM end the
# run, SIGHUP drains it), and jobs that leave children behind: nothing
# parx started survives it, nothing it did not start is touched.
load helper

# The pids of processes whose command line holds marker $1, leaving out
# parx itself ($2), whose own argv holds the marker too.
job_pids() {
	pgrep -f -- "$1" | grep -vx -- "${2:-0}" || true
}

# Waits (up to 5 s) until at least $2 job processes carry marker $1.
wait_jobs() {
	local _
	for _ in $(seq 100); do
		[ "$(job_pids "$1" "$3" | wc -l)" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# Waits (up to 5 s) until no job process carries marker $1.
wait_no_jobs() {
	local _
	for _ in $(seq 100); do
		[ -z "$(job_pids "$1")" ] && return 0
		sleep 0.05
	done
	return 1
}

# Starts parx in the background under a 20 s timeout: $pid is parx's own
# pid (signals go to it, not to timeout), $tpid the one to wait for.
parx_bg() {
	local _
	# <&0: a background command would otherwise read /dev/null.
	timeout -k 2 20 "$PARX" "$@" <&0 &
	tpid=$!
	for _ in $(seq 200); do
		pid=$(pgrep -P "$tpid") && return 0
		sleep 0.02
	done
	return 1
}

wait_file() {
	local _
	for _ in $(seq 200); do [ -e "$1" ] && return 0; sleep 0.05; done
	return 1
}

@test "SIGINT ends every job and its children, and parx dies by SIGINT" {
	marker="parx-sigint-$$-$RANDOM"
	parx_bg -j2 -q sh -c "sh -c 'sleep 30; : $marker' & sleep 30; : $marker" ::: a b
	wait_jobs "$marker" 4 "$pid"
	kill -INT "$pid"
	wait "$tpid" || status=$?
	[ "$status" -eq 130 ]
	wait_no_jobs "$marker"
}

@test "SIGTERM ends the running jobs (it does not wait for them) and parx dies by it" {
	marker="parx-sigterm-$$-$RANDOM"
	parx_bg -q sh -c "touch started; sleep 10; touch finished; : $marker" ::: a
	wait_file started
	wait_jobs "$marker" 1 "$pid"
	kill -TERM "$pid"
	wait "$tpid" || status=$?
	[ "$status" -eq 143 ]
	wait_no_jobs "$marker"
	assert_file_not_exists finished
}

@test "SIGTERM starts no more jobs" {
	parx_bg -j1 -q sh -c 'touch ran.$1; sleep 10' sh ::: 1 2 3 4
	wait_file ran.1
	kill -TERM "$pid"
	wait "$tpid" || true
	assert_file_not_exists ran.2
	assert_file_not_exists ran.3
}

@test "a second SIGTERM sends SIGKILL at once instead of waiting out --termseq" {
	marker="parx-term2-$$-$RANDOM"
	# The job ignores TERM; the sequence would wait 60 s for it.
	parx_bg --termseq TERM,60000,KILL,25 -q sh -c "trap '' TERM; touch started; sleep 30; : $marker" ::: a
	wait_file started
	kill -TERM "$pid"
	sleep 0.2
	[ -n "$(job_pids "$marker" "$pid")" ]
	kill -TERM "$pid"
	wait "$tpid" || status=$?
	[ "$status" -eq 143 ]
	wait_no_jobs "$marker"
}

@test "SIGHUP starts no more jobs, waits for the running ones, and exits as they did" {
	parx_bg -j2 -q sh -c 'touch ran.$1; while [ ! -e go ]; do sleep 0.05; done; echo $1' sh ::: 1 2 3 >out 2>err
	wait_file ran.1
	wait_file ran.2
	kill -HUP "$pid"
	wait_file err
	for _ in $(seq 100); do grep -q SIGHUP err && break; sleep 0.05; done
	touch go
	wait "$tpid" || status=$?
	[ "${status:-0}" -eq 0 ]
	run sort out
	assert_output $'1\n2'
	assert_file_not_exists ran.3
	run cat err
	assert_output "parx: SIGHUP received: starting no more jobs, waiting for the 2 running (SIGTERM ends them)"
}

@test "after SIGHUP, SIGTERM ends the running jobs" {
	marker="parx-hupterm-$$-$RANDOM"
	parx_bg -q sh -c "touch started; sleep 30; : $marker" ::: a 2>/dev/null
	wait_file started
	kill -HUP "$pid"
	sleep 0.2
	[ -n "$(job_pids "$marker" "$pid")" ]
	kill -TERM "$pid"
	wait "$tpid" || status=$?
	[ "$status" -eq 143 ]
	wait_no_jobs "$marker"
}

@test "under nohup, SIGHUP stays ignored: for the jobs, and for parx" {
	# bit 0 of SigIgn is SIGHUP
	run bash -c "trap '' HUP; exec '$PARX' -q sh -c 'grep SigIgn /proc/\$\$/status' ::: 1"
	assert_output --regexp $'^SigIgn:\t[0-9a-f]*[13579bdf]$'
	run bash -c "'$PARX' -q sh -c 'grep SigIgn /proc/\$\$/status' ::: 1"
	assert_output --regexp $'^SigIgn:\t[0-9a-f]*[02468ace]$'
	# SIGHUP to a parx that started with it ignored changes nothing.
	parx_bg_ignoring_hup() {
		timeout -k 2 20 bash -c "trap '' HUP; exec '$PARX' -j1 -q sh -c 'touch ran.\$1; while [ ! -e go ]; do sleep 0.02; done' sh ::: 1 2" &
		tpid=$!
	}
	parx_bg_ignoring_hup
	wait_file ran.1
	pid=$(pgrep -P "$tpid")
	kill -HUP "$pid"
	touch go
	wait "$tpid"
	assert_file_exists ran.2
}

@test "Ctrl-C also ends a descendant that left with setsid" {
	marker="parx-sigint-setsid-$$-$RANDOM"
	parx_bg -q sh -c "setsid sh -c 'sleep 30; : $marker' & touch started; sleep 30" ::: a
	wait_file started
	wait_jobs "$marker" 1 "$pid"
	kill -INT "$pid"
	wait "$tpid" || true
	wait_no_jobs "$marker"
}

@test "a job's background child holding its output does not hold parx: grouped, -k, -u, --lb" {
	for opt in --group -k -u --lb; do
		marker="parx-linger-$$-$RANDOM"
		run --separate-stderr timeout -k 2 20 "$PARX" "$opt" -j2 "sleep 30 & : $marker; echo started {}" ::: 1 2
		assert_success
		run sort <<<"$output"
		assert_output $'started 1\nstarted 2'
		# The run ended them with it.
		wait_no_jobs "$marker"
	done
}

@test "the output a job wrote before it exited is all there, though a child holds its pipe" {
	run timeout -k 2 20 "$PARX" -k "sleep 30 & head -c 3000000 /dev/zero | tr '\\0' x; echo {}" ::: 1 2
	assert_success
	# Two jobs of 3,000,000 x and a line "N"; run drops the last newline.
	[ "${#output}" -eq 6000003 ]
}

@test "--timeout ends a job whose background child holds its pipe" {
	run --separate-stderr timeout -k 2 20 "$PARX" --timeout 0.5 'sleep 30 & echo started; sleep 30' ::: 1
	assert_failure 1
	assert_output "started"
	[[ $stderr == *"This job was killed because it timed out"* ]]
}

@test "--halt now does not wait for a failed job's background child" {
	run --separate-stderr timeout -k 2 20 "$PARX" -j2 --halt now,fail=1 'sleep 30 & exit {}' ::: 3 0
	assert_failure 3
}

@test "Ctrl-C ends what a finished job left behind, and the running jobs" {
	marker="parx-leftover-$$-$RANDOM"
	parx_bg -j2 -q sh -c "if [ \$1 = a ]; then sleep 30 & exit 0; fi; touch started; sleep 30; : $marker" sh ::: a b
	wait_file started
	kill -INT "$pid"
	wait "$tpid" || status=$?
	[ "$status" -eq 130 ]
	for _ in $(seq 100); do pgrep -fx "sleep 30" >/dev/null || break; sleep 0.05; done
	wait_no_jobs "$marker"
}

@test "the --termseq goes on to the job's process group after its first process has died" {
	# sh dies at the first TERM; perl, in its group, counts the rest.
	run --separate-stderr timeout -k 2 20 "$PARX" -u --timeout 0.3 \
	    "sh -c 'perl -e \"\\\$SIG{TERM} = sub { print STDERR qq(TERM\\\\n) }; sleep 1 while 1\"'" ::: 1
	assert_failure 1
	assert_equal "$(grep -c '^TERM$' <<<"$stderr")" 3
}

@test "--termseq INT,200,TERM,100,KILL,25 reaches the group signal by signal" {
	run --separate-stderr timeout -k 2 20 "$PARX" -u --timeout 0.3 --termseq INT,200,TERM,100,KILL,25 \
	    "sh -c 'perl -e \"\\\$SIG{\\\$_} = eval qq(sub { print STDERR qq(\\\$_\\\\\\\\n) }) for qw(INT TERM); sleep 1 while 1\"'" ::: 1
	assert_failure 1
	assert_equal "$(grep -E '^(INT|TERM)$' <<<"$stderr" | tr '\n' ' ')" "INT TERM "
}

@test "a child parx inherited is neither reaped nor killed" {
	# bash makes the process substitution a child of what becomes parx;
	# it outlives the run.
	run timeout -k 2 20 bash -c "echo 0.1 | '$PARX' sleep > >(sleep 1; echo survived >inherited.out)"
	assert_success
	wait_file inherited.out
	assert_file_contains inherited.out survived
}

@test "kill -9 of parx: no job survives, nor what it forked, nor what left with setsid" {
	marker="parx-kill9-$$-$RANDOM"
	# Job a forks a shell that forks sleep; job b's grandchild leaves the
	# session; both outer shells wait, so only parx's death ends them.
	parx_bg -j2 -q sh -c "if [ \$1 = a ]; then sh -c 'sleep 30; : $marker'; else setsid sh -c 'sleep 30; : $marker'; fi" sh ::: a b
	wait_jobs "$marker" 4 "$pid"
	kill -9 "$pid"
	wait "$tpid" || true
	wait_no_jobs "$marker"
}

@test "kill -9 of parx: --cat files and --fifo FIFOs are removed" {
	mkdir tmp
	seq 3 >in
	for opt in --cat --fifo; do
		rm -f started.*
		TMPDIR=$PWD/tmp parx_bg --pipe -N 1 "$opt" "touch started.{#}; sleep 30" <in
		wait_file started.1
		[ -n "$(ls tmp)" ]
		kill -9 "$pid"
		wait "$tpid" || true
		for _ in $(seq 100); do [ -z "$(ls tmp)" ] && break; sleep 0.05; done
		assert_equal "$(ls tmp)" ""
	done
}

@test "a closed pipe downstream removes the --cat and --fifo files" {
	mkdir tmp
	for opt in --cat --fifo; do
		# -k: without it any job's line may come first
		run bash -c "seq 10 | TMPDIR=$PWD/tmp '$PARX' -k --pipe -N 3 $opt 'cat {}' | head -1"
		assert_output 1
		assert_equal "$(ls tmp)" ""
	done
}

@test "when poll itself fails, parx ends its jobs and says so, exit 255" {
	[[ $PARX != */san/* ]] || skip "LD_PRELOAD cannot come before ASan"
	marker="parx-pollfail-$$-$RANDOM"
	run --separate-stderr timeout -k 2 20 env LD_PRELOAD="$HELPER/failpoll.so" FAILPOLL_AFTER=1 \
	    "$PARX" -j2 -q sh -c "sleep 30; : $marker" ::: a b
	assert_failure 255
	[[ $stderr == *"parx: cannot wait for the jobs: Cannot allocate memory" ]]
	wait_no_jobs "$marker"
}

@test "| head -1 with thousands of jobs ends in bounded time" {
	run timeout -k 2 20 bash -c "'$PARX' -j8 echo ::: \$(seq 5000) | head -1"
	assert_success
}

@test "ulimit -n 64 with -j 100: fewer slots, one warning, no job lost" {
	run --separate-stderr timeout -k 2 60 bash -c "ulimit -n 64; '$PARX' -j 100 -q sh -c 'sleep 0.1; echo \$1' sh ::: \$(seq 200)"
	assert_success
	[ "${#lines[@]}" -eq 200 ]
	assert_equal "$stderr" "parx: system limit reached: running fewer jobs at once"
}

@test "too few descriptors for even one job: one error, exit 255, no hang" {
	run --separate-stderr timeout -k 2 20 bash -c "ulimit -n 10; '$PARX' -j1 echo ::: 1 2"
	assert_failure 255
	assert_output ""
	assert_equal "$stderr" "parx: cannot start job 1: Too many open files"
}

@test "no process to spare while none runs: parx waits for one, then runs every job" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to run as another user"
	cp "$PARX" ./parx-copy
	chmod 755 . ./parx-copy
	# Four processes: bash, the sleep, parx, its sentinel; the jobs must
	# wait for the sleep to end.
	run --separate-stderr timeout -k 2 20 setpriv --reuid=65534 --regid=65534 --clear-groups \
	    bash -c 'ulimit -u 4; (sleep 1) & ./parx-copy -j1 echo ::: 1 2'
	assert_success
	assert_output $'1\n2'
}

# The state letter of pid in /proc (R, S, T for stopped, ...).
proc_state() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	echo "${stat%% *}"
}

@test "Ctrl-Z (SIGTSTP) stops the jobs and parx; fg (SIGCONT) goes on, and the stopped time is not --timeout's" {
	# Not under timeout(1): it continues a child that stops.
	"$PARX" -j2 --timeout 2 'echo $$ >pid.{}; sleep 1; echo done {}' ::: a b >out 2>err &
	pid=$!
	(sleep 20; kill -9 "$pid") 2>/dev/null &
	watchdog=$!
	wait_file pid.a && wait_file pid.b
	sleep 0.2
	kill -TSTP "$pid"
	for _ in $(seq 100); do [ "$(proc_state "$pid")" = T ] && break; sleep 0.05; done
	[ "$(proc_state "$pid")" = T ]
	[ "$(proc_state "$(cat pid.a)")" = T ]
	[ "$(proc_state "$(cat pid.b)")" = T ]
	# Stopped past the --timeout: it must not count.
	sleep 2.5
	[ "$(proc_state "$(cat pid.a)")" = T ]
	kill -CONT "$pid"
	wait "$pid" || status=$?
	kill "$watchdog" 2>/dev/null || true
	[ "${status:-0}" -eq 0 ]
	sort out >sorted
	[ "$(cat sorted)" = $'done a\ndone b' ]
}

@test "SIGUSR1 lists the running jobs on stderr, and the run goes on" {
	parx_bg -j2 'echo $$ >pid.{}; sleep 0.6; echo done {}' ::: a b 2>err >out
	wait_file pid.a && wait_file pid.b
	kill -USR1 "$pid"
	wait "$tpid"
	grep -qx "parx: 2 jobs running" err
	grep -q "^parx: job 1, slot 1, pid $(cat pid.a), [0-9.]* s: echo \$\$ >pid.a; sleep 0.6; echo done a\$" err
	grep -q "^parx: job 2, slot 2, pid $(cat pid.b), " err
	[ "$(sort out)" = $'done a\ndone b' ]
}
