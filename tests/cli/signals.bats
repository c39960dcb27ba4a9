#!/usr/bin/env bats
# Ctrl-C and friends: nothing parx started survives it.
load helper

# The pids of processes whose command line holds $1.
pids_with() {
	pgrep -f -- "$1" || true
}

@test "SIGINT ends every job and its children, and parx dies by SIGINT" {
	marker="parx-sigint-$$-$RANDOM"
	"$PARX" -j2 -q sh -c "sh -c 'sleep 30; : $marker' & sleep 30; : $marker" ::: a b &
	pid=$!
	for _ in $(seq 100); do [ "$(pids_with "$marker" | wc -l)" -ge 4 ] && break; sleep 0.05; done
	[ "$(pids_with "$marker" | wc -l)" -ge 4 ]
	kill -INT "$pid"
	wait "$pid" || status=$?
	[ "$status" -eq 130 ]
	for _ in $(seq 60); do [ -z "$(pids_with "$marker")" ] && break; sleep 0.05; done
	[ -z "$(pids_with "$marker")" ]
}

@test "SIGTERM stops starting jobs" {
	"$PARX" -j1 -q sh -c 'touch ran.$1; sleep 1' sh ::: 1 2 3 4 &
	pid=$!
	for _ in $(seq 100); do [ -e ran.1 ] && break; sleep 0.05; done
	kill -TERM "$pid"
	wait "$pid" || true
	assert_file_not_exists ran.3
	assert_file_not_exists ran.4
}

@test "Ctrl-C also ends a descendant that left with setsid" {
	marker="parx-sigint-setsid-$$-$RANDOM"
	"$PARX" -q sh -c "setsid sh -c 'sleep 30; : $marker' & sleep 30" ::: a &
	pid=$!
	for _ in $(seq 100); do pgrep -f "$marker" >/dev/null && break; sleep 0.05; done
	kill -INT "$pid"
	wait "$pid" || true
	for _ in $(seq 60); do pgrep -f "$marker" >/dev/null || break; sleep 0.05; done
	run pgrep -f "$marker"
	assert_failure
}

@test "a second SIGTERM ends the running jobs" {
	marker="parx-term2-$$-$RANDOM"
	"$PARX" -q sh -c "sleep 30; : $marker" ::: a &
	pid=$!
	for _ in $(seq 100); do pgrep -f "$marker" >/dev/null && break; sleep 0.05; done
	kill -TERM "$pid"
	sleep 0.2
	pgrep -f "$marker" >/dev/null
	kill -TERM "$pid"
	wait "$pid" || status=$?
	[ "$status" -eq 143 ]
	run pgrep -f "$marker"
	assert_failure
}

@test "| head -1 with thousands of jobs ends in bounded time" {
	run timeout 20 bash -c "'$PARX' -j8 echo ::: \$(seq 5000) | head -1"
	assert_success
}

@test "ulimit -n 64 with -j 100: fewer slots, one warning, no job lost" {
	run --separate-stderr bash -c "ulimit -n 64; '$PARX' -j 100 -q sh -c 'sleep 0.1; echo \$1' sh ::: \$(seq 200)"
	assert_success
	[ "${#lines[@]}" -eq 200 ]
	assert_equal "$stderr" "parx: system limit reached: running fewer jobs at once"
}
