#!/usr/bin/env bats
# --semaphore (sem): a counting semaphore across parx invocations.
load helper

setup() {
	parx_setup
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/run
	mkdir -p "$XDG_RUNTIME_DIR" running
	id=t$BATS_TEST_NUMBER
}

# A command that notes how many of its kind run with it, then sleeps.
job='touch running/$$; ls running | wc -l >>counts; sleep 0.3; rm running/$$; echo ran >>ran'

@test "20 invocations contending for -j3: never more than three at once, every one runs" {
	for i in $(seq 20); do
		timeout -k 2 60 "$PARX" --semaphore -j3 --id "$id" "$job" &
	done
	wait
	timeout -k 2 60 "$PARX" --semaphore --wait --id "$id"
	[ "$(wc -l <ran)" -eq 20 ]
	[ "$(sort -n counts | tail -1)" -le 3 ]
	# and they did run side by side
	[ "$(sort -n counts | tail -1)" -ge 2 ]
}

@test "a holder killed by SIGKILL frees its slot" {
	"$PARX" --semaphore --fg --id "$id" 'echo $$ >child; sleep 30' &
	holder=$!
	for _ in $(seq 100); do [ -s child ] && break; sleep 0.05; done
	# taken: one that will not wait gives up
	run --separate-stderr timeout -k 2 20 "$PARX" --semaphore --fg --id "$id" --st -0.3 echo ran
	assert_failure 255
	[[ $stderr == *"no slot came free within 0.3 s"* ]]
	kill -9 "$holder"
	wait "$holder" || true
	run timeout -k 2 20 "$PARX" --semaphore --fg --id "$id" --st -5 echo ran
	kill "$(cat child)" 2>/dev/null || true
	assert_success
	assert_output ran
}

@test "--fg gives the command's exit status; --st N goes ahead after N seconds" {
	run "$PARX" --semaphore --fg --id "$id" 'exit 3'
	assert_failure 3
	"$PARX" --semaphore --fg --id "$id" 'sleep 2' &
	sleep 0.3
	t0=$EPOCHREALTIME
	run timeout -k 2 20 "$PARX" --semaphore --fg --id "$id" --st 0.3 echo went ahead
	assert_success
	assert_output "went ahead"
	# well before the holder's 2 s are up
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { exit !(b - a < 1.5) }'
	wait
}

@test "installed as sem it is parx --semaphore; in the background it returns at once" {
	ln -s "$PARX" sem
	t0=$EPOCHREALTIME
	./sem --id "$id" 'sleep 1; echo done >out'
	# back before the command's second is up (SECONDS ticks on whole
	# seconds of the clock, so it cannot say this)
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { exit !(b - a < 0.8) }'
	[ ! -e out ]
	./sem --wait --id "$id"
	[ "$(cat out)" = done ]
	run --separate-stderr ./sem --id "$id"
	assert_failure 255
	[[ $stderr == *"--semaphore needs a command, or --wait"* ]]
}

@test "--id, --st, --fg, --bg and --wait each mean --semaphore, as in GNU" {
	run env -u PARALLEL_SEQ "$PARX" --fg --id "$id" 'echo $PARALLEL_SEQ-ran' </dev/null
	assert_success
	assert_output "-ran"
	"$PARX" --id "$id" --bg 'sleep 0.5; echo done >out'
	[ ! -e out ]
	timeout -k 2 20 "$PARX" --wait --id "$id"
	[ "$(cat out)" = done ]
}
