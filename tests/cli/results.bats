#!/usr/bin/env bats
# --results: directory layout, hostile values, CSV, TSV and JSON Lines.
load helper

@test "--results DIR: GNU's layout with stdout, stderr, seq" {
	run parx -k --results out -q sh -c 'echo o$1; echo e$1 >&2' sh ::: a b ::: 1
	assert_success
	assert_equal "$(cat out/1/a/2/1/stdout)" oa
	assert_equal "$(cat out/1/b/2/1/stderr)" eb
	assert_equal "$(cat out/1/b/2/1/seq)" 2
}

@test "--results: no value can write outside its own directory" {
	mkdir out
	run parx --results out/r echo ::: .. . / ../.. '' 'a/../../b' $'ctl\x01'
	assert_success
	# everything is below out/r/1/<one component>/
	[ -z "$(find out -mindepth 1 -maxdepth 1 ! -name r)" ]
	[ -z "$(find out/r -mindepth 1 -maxdepth 1 ! -name 1)" ]
	[ "$(find out/r/1 -mindepth 1 -maxdepth 1 | wc -l)" -eq 7 ]
	[ -f 'out/r/1/\../stdout' ]
	[ -f 'out/r/1/a\_..\_..\_b/stdout' ]
}

@test "--results DIR: long values that share their first 250 bytes get directories of their own" {
	long=$(printf 'v%.0s' $(seq 300))
	run parx --results out echo ::: "${long}1" "${long}2"
	assert_success
	[ "$(ls out/1 | wc -l)" -eq 2 ]
	for d in out/1/*; do
		[ "${#d}" -lt 250 ]
		[[ $d == *'\~'* ]]
	done
	assert_equal "$(cat out/1/*/stdout | sort | cut -c301-)" $'1\n2'
}

@test "--results uses --header names" {
	run parx --results out --colsep , --header : echo {name} <<<$'name\nx'
	[ -f out/name/x/stdout ]
}

@test "--results DIR on a full disk: the lost output fails the run" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a small file system"
	mkdir small
	# A 1 MiB tmpfs in a mount namespace of its own: nothing to unmount.
	# The job frees some room before it exits, so that the seq file
	# (written last) fits: its success must not hide the lost output.
	run --separate-stderr unshare -m bash -c "mount -t tmpfs -o size=1m tmpfs small &&
	    head -c 300000 /dev/zero >small/filler &&
	    '$PARX' --results small/r -q sh -c 'head -c 1500000 /dev/zero; rm small/filler' ::: a"
	assert_failure 255
	assert_output ""
	[[ $stderr == "parx: cannot write --results for job 1: No space left on device" ]]
}

@test "--results FILE.csv" {
	run parx -k --results r.csv echo ::: 'a,b' 'c"d'
	assert_success
	run cat r.csv
	assert_line --index 0 "Seq,Host,Starttime,JobRuntime,Send,Receive,Exitval,Signal,Command,V1,Stdout,Stderr"
	assert_line --partial ',0,4,0,0,"echo '\''a,b'\''","a,b","a,b'
	assert_line --partial '"c""d","c""d'
}

@test "--results FILE.tsv" {
	run parx --results r.tsv echo ::: a
	run head -1 r.tsv
	assert_output $'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\tV1\tStdout\tStderr'
}

@test "--results FILE.json: one object per job" {
	run parx -k --results r.json -q sh -c 'printf "%s\n" "$1"; exit 3' sh ::: 'q"t'
	run cat r.json
	assert_output --regexp '^\{"seq":1,"command":"sh -c .*","args":\["q\\"t"\],"exit":3,"signal":0,"start":[0-9.]+,"runtime":[0-9.]+,"max_rss_kb":[0-9]+,"user_cpu":[0-9.]+,"system_cpu":[0-9.]+,"stdout":"q\\"t\\n","stderr":""\}$'
}

@test "--results FILE.json: each job's peak memory and CPU seconds, its shell's commands counted" {
	# 1: 64 MB of memory and more; 2: a busy loop; 3: next to nothing
	parx -k --results r.json ::: \
	    'awk "BEGIN { while (length(s) < 33554432) s = s s \"x\"; print length(s) }"' \
	    'awk "BEGIN { for (i = 0; i < 20000000; i++) n += i; print n > \"/dev/null\" }"' \
	    true
	run perl -MJSON::PP -ne 'my $o = decode_json($_);
	    print "$o->{seq} ", ($o->{max_rss_kb} > 60000 ? "big" : "small"), " ",
	    ($o->{user_cpu} + $o->{system_cpu} > 0.2 ? "busy" : "idle"), "\n"' r.json
	assert_line --regexp '^1 big '
	assert_line --regexp '^2 small busy$'
	assert_line '3 small idle'
}

@test "--results FILE.json stays valid JSON whatever bytes a job prints" {
	run parx --results r.json -q sh -c 'printf "ok \303\251 \377\376 \342\202 \355\240\200 \360\237\230\200 \001"' ::: 1
	assert_success
	# Every line parses; bytes that are no UTF-8 come back as \u00XX.
	run perl -MJSON::PP -ne 'my $o = JSON::PP->new->utf8->decode($_);
	    binmode STDOUT, ":utf8"; print $o->{stdout}' r.json
	assert_success
	assert_output "$(printf 'ok \303\251 \303\277\303\276 \303\242\302\202 \303\255\302\240\302\200 \360\237\230\200 \001')"
}

@test "--results keeps the output instead of printing it, as GNU 20221122; -.csv writes the table to stdout" {
	run --separate-stderr parx -k --results out echo ::: a 'b c'
	assert_success
	assert_output ""
	[ "$(cat out/1/a/stdout)" = a ]
	run --separate-stderr parx -k --results -.csv echo ::: a 'b c'
	assert_success
	assert_line --index 0 "Seq,Host,Starttime,JobRuntime,Send,Receive,Exitval,Signal,Command,V1,Stdout,Stderr"
	# as GNU's: a field with white space is quoted
	[[ $output == *$'\n2,:,'*",0,0,\"echo 'b c'\",\"b c\",\"b c"$'\n"'* ]]
	[ ! -e -.csv ]
}
