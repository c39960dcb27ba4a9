#!/usr/bin/env bats
# The same invocations through GNU parallel and parx: same stdout, same
# exit status.  Cases where parx deliberately differs are in tests/cli.
# Job control, --pipe, perl expressions.
load helper

# --- job control
@test "compat: --halt now,fail=1 status" {
	compat -j1 --halt now,fail=1 'exit {}' ::: 0 4 0
}
@test "compat: --halt soon,fail=2 status" {
	compat -j1 --halt soon,fail=2 'exit {}' ::: 0 3 0 4 5
}
@test "compat: --halt soon,fail=50% status" {
	compat -j1 --halt soon,fail=50% 'exit {}' ::: 1 1 1 0
}
@test "compat: --halt with no failures under a percentage" {
	compat -j1 --halt soon,fail=50% 'exit {}' ::: 0 1 0 0 0 0
}
@test "compat: --halt now,success=1" {
	COMPAT_EMPTY_OK=1 compat -j1 --halt now,success=1 'exit {}' ::: 3 0 4
}
@test "compat: --halt 2" {
	compat -j1 --halt 2 'exit {}' ::: 0 5 0
}
@test "compat: --retries shows the last attempt" {
	compat --retries 3 'echo x >>c.{}; n=$(wc -l <c.{}); echo try-$n; [ $n -lt 3 ] || rm c.{}; exit 1' ::: a
}
@test "compat: --timeout fails the job" {
	compat --timeout 0.2 'sleep {}' ::: 3
}

# --- --pipe
@test "compat: --pipe -N" {
	compat -i '1\n2\n3\n4\n5\n6\n7\n' -k --pipe -N 3 'paste -sd+'
}
@test "compat: --pipe --block" {
	seq 20000 >in
	compat -f in -k --pipe --block 10k 'wc -l'
}
@test "compat: --pipe --block from a pipe" {
	seq 20000 >in
	compat -p in -k --pipe --block 10k 'wc -l'
}
@test "compat: --pipe --recstart" {
	compat -i '>a\nx\n>b\ny\n' -k --pipe --recstart '>' -N 1 'tr -d "\\n"; echo'
}
@test "compat: --pipe --recend" {
	compat -i 'a;b;c;' -k --pipe --recend ';' -N 2 'cat; echo'
}
@test "compat: --pipe --header" {
	compat -i 'H\n1\n2\n3\n' -k --pipe --header 1 -N 1 'paste -sd,'
}
@test "compat: --pipepart covers the file" {
	seq 50000 >in
	compat -k --pipepart -a in --block 20k cat
}
@test "compat: --pipe {#}" {
	compat -i '1\n2\n3\n' -k --pipe -N 1 'echo {#}; cat'
}

@test "compat: --number-of-cores, -threads, -sockets, -cpus" {
	compat --number-of-cores
	compat --number-of-threads
	compat --number-of-sockets
	compat --number-of-cpus
	# taskset limits what may be used, and GNU counts that
	taskset -c 0 true 2>/dev/null || skip "no taskset here"
	[ "$(taskset -c 0 "$PARX" --number-of-threads)" = "$(taskset -c 0 parallel --number-of-threads)" ]
	[ "$(taskset -c 0 "$PARX" --number-of-cores)" = "$(taskset -c 0 parallel --number-of-cores)" ]
}

@test "compat: --use-cores-instead-of-threads and --use-sockets-instead-of-threads set -j's CPUs" {
	# the most slots in use at once, the highest {%}, is the count GNU
	# reports for that basis (timing GNU's own run instead was flaky:
	# under load it may end a job before it starts the next)
	cores=$(parallel --number-of-cores)
	sockets=$(parallel --number-of-sockets)
	for opt in --use-cores-instead-of-threads:$cores \
	    --use-sockets-instead-of-threads:$sockets \
	    --use-cpus-instead-of-cores:$cores; do
		n=${opt#*:}
		for j in 100% +1; do
			[ "$j" = 100% ] || n=$((n + 1))
			# one job more than slots: each slot is used at once
			ours=$("$PARX" "${opt%:*}" -j"$j" 'sleep 0.3; echo {%}' ::: $(seq $((n + 1))) | sort -n | tail -1)
			assert_equal "$ours" "$n"
		done
	done
}

# --- perl expressions and --rpl
@test "compat: {= perl =} changes \$_, spaces inside kept" {
	compat -k echo {= s/a/b/ =} {= 's/a b/X/' =} ::: abc 'a b c'
}
@test "compat: {= =} on every value, {=N =} on one, a missing one gives nothing" {
	compat -k echo '{= $_ = uc($_) =}' '{=2 s/x/y/ =}' '{=-1 $_ .= "!" =}' '{=3 $_ = "never" =}' ::: a ::: x
}
@test "compat: --rpl, with groups and positional forms" {
	compat -k --rpl '{..} s:\.[^/.]+$::;s:\.[^/.]+$::;' --rpl '{%(.+?)} s/$$1$//' \
	    --rpl '{r(\d+)\.\.(\d+)} $_="$$1-$$2"' echo {..} {2..} {%.gz} {r3..5} {2r3..5} ::: a.tar.gz ::: b.c.gz
}
@test "compat: \$job->seq(), slot(), @arg, total_jobs(), Q(), uq()" {
	compat -k -j1 echo '{= $_ = $job->seq() . "-" . slot() . "-" . $arg[1] . "/" . total_jobs() =}' \
	    '{= $_ = Q($_) =}' ::: "a'b" b 'c d'
	compat -k echo '{= $_ = "x;echo hi"; uq() =}' ::: 1
}
@test "compat: an expression keeps state from job to job, run once per job" {
	compat -k echo {= '$a++; $_ = $a' =} ::: a b c
}
@test "compat: {= =} with -X, -m, -q, -N and --parens" {
	compat -k -X echo 'pre{= s/a/A/ =}post' ::: a1 a2 a3
	compat -k -m echo '{= s/a/A/ =}' ::: a1 a2 a3
	compat -k -q echo '{= s/a b/X/ =}' ::: 'a b c'
	compat -kN2 echo '{= $_ = "[$_]" =}' ::: a b c
	compat -k --parens '[[]]' echo '[[s/a/b/]]' ::: aa
}
@test "compat: --tagstring with {= =}" {
	compat -k --tagstring '{= $_ = "T".$_ =}' --tag echo hi ::: a
}
@test "compat: --plus strings GNU defines in perl: {^a} {^^a} {,A} {,,A} {slot}" {
	compat -k --plus echo '{^a}' '{^^a}' '{,A}' '{,,A}' ::: abaA
	compat -k --plus -j1 echo {slot} ::: x
}
@test "compat: a record longer than --block makes blocks bigger, 30% at a time, from a file or a pipe" {
	{ printf '%050d\n' 0; seq 30; } >long
	compat -f long --pipe --block 10 -k 'echo B; wc -c'
	compat -p long --pipe --block 10 -k 'echo B; wc -c'
	run --separate-stderr "$PARX" --pipe --block 10 -k wc -c <long
	assert_equal "$stderr" "$(parallel --pipe --block 10 -k wc -c <long 2>&1 >/dev/null |
	    sed 's/^parallel: Warning:/parx: warning:/')"
}
@test "compat: --pipe jobs take the ::: values a set a job, then none" {
	seq 100000 >n100k
	compat -p n100k --pipe --block 100k -k 'echo {}; wc -l' ::: A B C
}
