#!/usr/bin/env bats
# --joblog, --resume, --resume-failed, --retry-failed.
load helper

@test "--joblog writes GNU parallel's columns" {
	run parx -k --joblog log echo ::: a b
	assert_success
	run head -1 log
	assert_output $'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand'
	run bash -c "awk -F'\\t' 'NR > 1 { print \$1, \$2, \$5, \$6, \$7, \$8, \$9 }' log | sort -n"
	assert_output $'1 : 0 2 0 0 echo a\n2 : 0 2 0 0 echo b'
}

@test "--joblog: a job parx killed shows Exitval -1 and the signal; one that died by a signal of its own, 0 (GNU)" {
	run parx --joblog log --timeout 0.2 'sleep {}' ::: 5
	run awk -F'\t' 'NR == 2 { print $7, $8 }' log
	assert_output "-1 15"
	run parx --joblog log2 'kill -9 $$' ::: 1
	assert_failure 1
	run awk -F'\t' 'NR == 2 { print $7, $8 }' log2
	assert_output "0 9"
	# still a failure for --resume-failed
	run parx --joblog log2 --resume-failed 'echo again' ::: 1
	assert_output "again 1"
}

@test "--joblog +FILE appends" {
	parx --joblog log echo ::: a
	parx --joblog +log echo ::: b
	[ "$(grep -c Seq log)" -eq 1 ]
	[ "$(wc -l <log)" -eq 3 ]
}

@test "--joblog to a full disk is reported and fails the run" {
	run --separate-stderr parx --joblog /dev/full echo ::: a
	assert_failure 255
	[[ $stderr == *"cannot write job log '/dev/full'"* ]]
}

@test "--resume skips jobs the log has" {
	parx --joblog log echo ::: a b
	run parx -k --resume --joblog log echo ::: a b c d
	assert_output $'c\nd'
}

@test "--resume-failed reruns the failed ones" {
	parx --joblog log 'exit {}' ::: 0 1 0 1 || true
	run parx --resume-failed --joblog log 'echo {}; exit 0' ::: 0 1 0 1
	assert_success
	assert_output $'1\n1'
	run parx --resume-failed --joblog log 'echo {}' ::: 0 1 0 1
	assert_output ""
}

@test "--retry-failed reruns the failed commands from the log alone" {
	touch fix
	parx --joblog log -q sh -c '[ -e ok.$1 ] || exit 1; echo $1' sh ::: x y || true
	touch ok.x ok.y
	run parx -k --retry-failed --joblog log
	assert_success
	assert_output $'x\ny'
}

@test "--retry-failed runs the same command when it held a newline" {
	run parx --joblog log -q sh -c 'printf "<%s>" "$1"; exit 1' sh ::: $'a\nb'
	assert_failure 1
	first=$output
	run parx --joblog log --retry-failed
	assert_failure 1
	assert_output "$first"
}

@test "--resume: a last line cut short is ignored with a warning, and its job runs again" {
	parx --joblog log echo ::: a b
	printf '3\t:\t1.0\t1.0\t0\t0\t0\t0\techo' >>log
	run --separate-stderr parx -k --resume --joblog log echo ::: a b c
	assert_success
	assert_output c
	assert_equal "$stderr" "parx: job log 'log': ignoring its last line, which was cut short"
	run awk -F'\t' 'NF != 9' log
	assert_output ""
	[ "$(wc -l <log)" -eq 4 ]
}

@test "--resume needs --joblog" {
	run --separate-stderr parx --resume echo ::: a
	assert_failure 255
	[[ $stderr == *"need --joblog"* ]]
}

# bats test_tags=heavy
@test "kill -9 mid-run, then --resume: logged jobs never rerun, the rest once" {
	mkdir marks
	# Each job's shell forks the one that leaves the mark: the death of
	# the first alone would not stop the second.
	"$PARX" -j4 --joblog log -q sh -c 'sh -c "sleep 0.$(($1 % 4)); touch marks/$1.\$\$"' sh ::: $(seq 60) &
	pid=$!
	for _ in $(seq 200); do [ "$(ls marks | wc -l)" -ge 12 ] && break; sleep 0.02; done
	kill -9 "$pid"
	wait "$pid" || true
	sleep 0.1	# a touch already under way finishes
	ls marks | cut -d. -f1 | sort -n >at_kill
	# the jobs still running died with parx: none leaves a mark later
	sleep 0.6
	ls marks | cut -d. -f1 | sort -n | diff at_kill -
	logged=$(awk -F'\t' 'NR > 1 { print $1 }' log)
	run parx -j4 --resume --joblog log -q sh -c 'touch marks/$1.$$' sh ::: $(seq 60)
	assert_success
	# every job ran, a logged one exactly once
	[ "$(ls marks | cut -d. -f1 | sort -un | wc -l)" -eq 60 ]
	for n in $logged; do
		[ "$(ls marks | grep -c "^$n\.")" -eq 1 ]
	done
	# Twice only a job that ended, unlogged, as parx died (the window
	# between a job's exit and its log line cannot be closed): at most
	# the four running then, each with its mark made before the kill.
	dups=$(ls marks | cut -d. -f1 | sort | uniq -d)
	[ "$(printf '%s' "$dups" | grep -c .)" -le 4 ]
	for n in $dups; do
		grep -qx "$n" at_kill
	done
	# no line of the log is torn
	run awk -F'\t' 'NF != 9' log
	assert_output ""
}

@test "--joblog -: the header first, each job's line after its output, in -k order" {
	run parx -k -j2 --joblog - 'sleep {}; echo out{}' ::: 0.6 0.1
	assert_success
	[ "${lines[0]}" = "$(printf 'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand')" ]
	[ "${lines[1]}" = out0.6 ]
	[[ ${lines[2]} == 1$'\t'* ]]
	[ "$(cut -f5-9 <<<"${lines[2]}")" = "$(printf '0\t7\t0\t0\tsleep 0.6; echo out0.6')" ]
	[ "${lines[3]}" = out0.1 ]
	[[ ${lines[4]} == 2$'\t'* ]]
	[ "${#lines[@]}" -eq 5 ]
	[ ! -e ./- ]
	run --separate-stderr parx --joblog - --resume echo ::: a
	assert_failure 255
}

@test "--joblog: Send counts the bytes a --pipe job was given" {
	printf 'a\nb\nc\n' | parx -j1 --pipe -N2 --joblog log cat >/dev/null
	run cut -f5,6 log
	assert_output $'Send\tReceive\n4\t4\n2\t2'
	printf 'a\nb\nc\n' >abc
	parx -j1 --pipepart -a abc --block 2 --joblog log cat >/dev/null
	run cut -f5 log
	assert_output $'Send\n4\n2'
}
