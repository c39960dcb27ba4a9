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
