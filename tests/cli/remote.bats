#!/usr/bin/env bats
# Jobs on other machines (-S, --slf, --ssh) against a real OpenSSH sshd
# on the loopback addresses (tests/helper/sshd): h1, h2 and h3 reach it,
# "closed" is a port where nothing listens.
load helper

setup_file() {
	export HOME=$BATS_FILE_TMPDIR/home
	mkdir -p "$HOME/.parallel"
	: >"$HOME/.parallel/will-cite"
	export SSHD_DIR=$BATS_FILE_TMPDIR/sshd
	"$TOP/tests/helper/sshd" up "$SSHD_DIR" >&3 2>&3
	export SSH="ssh -F $SSHD_DIR/ssh_config"
}

teardown_file() {
	"$TOP/tests/helper/sshd" down "$SSHD_DIR"
}

setup() {
	parx_setup
}

# The remote address a job's ssh session came in on.
WHERE='echo $SSH_CONNECTION | cut -d" " -f3'

@test "-S: jobs run on the hosts given, output and exit status as here; N/ sets a host's slots" {
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S 1/h1,1/h2 -k "echo {} on \$($WHERE)" ::: a b c d
	assert_success
	# the first two go one a host; the others where a slot is free
	assert_line --index 0 "a on 127.0.0.1"
	assert_line --index 1 "b on 127.0.0.2"
	assert_line --index 2 --regexp '^c on 127\.0\.0\.[12]$'
	assert_line --index 3 --regexp '^d on 127\.0\.0\.[12]$'
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1 'echo out; echo err >&2; exit {}' ::: 3
	assert_failure 1
	assert_output --partial out
	assert_output --partial err
	# PARALLEL_SEQ reaches the job there
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1 -k 'echo $PARALLEL_SEQ {}' ::: x y
	assert_output $'1 x\n2 y'
}

@test "-S: any argument arrives byte for byte, as it does here" {
	args=("a b" "it's" 'x"y' '$HOME' $'new\nline' '-n' '*' '\\' '' ';|&')
	"$PARX" -k "printf '[%s]\n'" ::: "${args[@]}" >here
	timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1,h2 -k "printf '[%s]\n'" ::: "${args[@]}" >there
	cmp here there
	[ "$(wc -l <here)" -eq 11 ]
}

@test "--slf: a login a line, comments and blank lines skipped; ':' runs here; the job log names the host" {
	printf '# the hosts\n1/h1\n\n1/h2 # and another\n1/:\n' >logins
	run timeout -k 5 60 "$PARX" --ssh "$SSH" --slf logins --joblog log -k "echo {}" ::: 1 2 3
	assert_success
	assert_output $'1\n2\n3'
	[ "$(cut -f2 log | sed 1d | sort | tr '\n' ' ')" = ": h1 h2 " ]
}

@test "-S: a host that cannot be reached is said once and dropped; its jobs run on the others" {
	run --separate-stderr timeout -k 5 60 "$PARX" --ssh "$SSH" -S 1/closed,1/h1 -k "echo {} on \$($WHERE)" ::: a b c
	assert_success
	assert_output $'a on 127.0.0.1\nb on 127.0.0.1\nc on 127.0.0.1'
	[[ $stderr == "parx: cannot reach 'closed', its jobs go elsewhere: ssh: connect to host 127.0.0.1 port "*"Connection refused" ]]
	run --separate-stderr timeout -k 5 60 "$PARX" --ssh "$SSH" -S closed echo ::: a
	assert_failure 255
	[[ $stderr == *"no host to run jobs on"* ]]
}

@test "-S: a login with its own ssh command and options; a bad login is refused before anything runs" {
	run timeout -k 5 60 "$PARX" -S "1/$SSH -o ConnectTimeout=7 h3" "echo {} on \$($WHERE)" ::: a
	assert_success
	assert_output "a on 127.0.0.3"
	run --separate-stderr "$PARX" -S 0/h1 echo ::: a
	assert_failure 255
	[[ $stderr == *"invalid --sshlogin: job slots too small: '0/h1'"* ]]
	run --separate-stderr "$PARX" --slf missing echo ::: a
	assert_failure 255
	[[ $stderr == *"invalid --sshloginfile: cannot read 'missing': No such file or directory"* ]]
}

# Anything left of a job shows as a process named sleep with this
# argument (a name of parx's own argv would match parx itself).
left() {
	pgrep -a -x sleep | grep -c " $1\$" || true
}

# Waits up to 10 s for at least $2 processes "sleep $1" to run.
started() {
	for _ in $(seq 100); do
		[ "$(left "$1")" -ge "$2" ] && return
		sleep 0.1
	done
	[ "$(left "$1")" -ge "$2" ]
}

# Waits up to 10 s for process $1 to exit; if it does not, kills it
# and what it left (sleep $2), and fails.
ends() {
	for _ in $(seq 100); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	pkill -KILL -f "sleep $2"
	kill -KILL "$1"
	false
}

# Waits up to 6 s for the remote side to end what is left of a job.
gone() {
	for _ in $(seq 60); do
		[ "$(left "$1")" -eq 0 ] && return
		sleep 0.1
	done
	[ "$(left "$1")" -eq 0 ]
}

@test "--timeout, SIGTERM and kill -9 of parx leave nothing running on the hosts, nor a control socket" {
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1 --timeout 1 'sleep 3041; echo never' ::: a
	assert_failure 1
	gone 3041
	for sig in TERM KILL; do
		"$PARX" --ssh "$SSH" -S h1,h2 'sleep 3042 # {}' ::: a b c d &
		pid=$!
		started 3042 4
		kill -$sig $pid
		wait $pid || true
		gone 3042
		! pgrep -f 'ControlPath=/tmp/parx-ssh' >/dev/null
	done
	# after kill -9 the sentinel removes the sockets' directory
	for _ in $(seq 60); do
		ls -d /tmp/parx-ssh.* >/dev/null 2>&1 || break
		sleep 0.1
	done
	! ls -d /tmp/parx-ssh.* 2>/dev/null
}

@test "-S 25/host: 50 jobs at once over two hosts (beyond sshd's 10 sessions a connection), none lost, none twice" {
	run timeout -k 5 120 "$PARX" --ssh "$SSH" -S 25/h1,25/h2 'sleep 1; echo {}' ::: $(seq 50)
	assert_success
	[ "$(echo "$output" | sort -n | tr '\n' ' ')" = "$(seq 50 | tr '\n' ' ')" ]
}

# What is in DIR on host h1, a path a line, sorted ("" if nothing).
there() {
	$SSH h1 "cd $1 2>/dev/null && find . -mindepth 1 | sort"
}

@test "--trc: files of any name go to the host and come back byte for byte; --cleanup leaves nothing there" {
	names=($'new\nline' '-dash' 'd$ol`x`' "it's" 'q"uo' 'sp ace' 'sub dir/in it' '*')
	mkdir 'sub dir'
	for n in "${names[@]}"; do
		printf 'content of %s\n' "$n" >"$n"
	done
	far=$BATS_TEST_TMPDIR/far
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1,h2 --wd "$far" --trc '{}.out' \
	    'tr a-z A-Z <{} >{}.out; [ -f {} ] && echo sent' ::: "${names[@]}"
	assert_success
	[ "${#lines[@]}" -eq 8 ]
	for n in "${names[@]}"; do
		[ "$(cat -- "$n.out")" = "CONTENT OF ${n^^}" ]
		[ -f "$n" ]
	done
	if [ -f "$SSHD_DIR/separate" ]; then
		# the host's own file system: what was sent is gone from there
		[ -z "$(there "$far")" ]
	fi
	# without --cleanup the files stay there
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1 --wd "$BATS_TEST_TMPDIR/far2" \
	    --transfer --return '{}.out' 'cp {} {}.out' ::: 'sp ace'
	assert_success
	[ "$(there "$BATS_TEST_TMPDIR/far2")" = $'./sp ace\n./sp ace.out' ]
}

@test "--transferfile: a path with /./ goes under the directory, an absolute one where it is; on a shared file system --cleanup removes neither the input nor the output" {
	mkdir -p in/deep
	echo data >in/deep/f
	printf 'keep\n' >"$BATS_TEST_TMPDIR/abs file"
	far=$BATS_TEST_TMPDIR/far
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1 --wd "$far" --tf '{}' \
	    --return '{}.out' --cleanup 'ls deep; cp deep/f deep/f.out # {}' ::: in/./deep/f
	assert_success
	assert_output f
	[ "$(cat in/deep/f.out)" = data ]
	# the same path here and there: no file is lost
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1 --trc '{}.out' --cleanup \
	    'tr a-z A-Z <{} >{}.out' ::: "$BATS_TEST_TMPDIR/abs file"
	assert_success
	[ "$(cat "$BATS_TEST_TMPDIR/abs file")" = keep ]
	[ "$(cat "$BATS_TEST_TMPDIR/abs file.out")" = KEEP ]
}

@test "--transfer into the login's home, which is a file system of its own there (as root)" {
	[ -f "$SSHD_DIR/separate" ] || skip "not root: the hosts share this file system"
	echo hello >greeting
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1 --transfer \
	    'pwd; cat {}; ls' ::: greeting
	assert_success
	assert_output "$SSHD_DIR/home"$'\nhello\ngreeting'
	# the host keeps it (no --cleanup); here that home has nothing
	[ "$(there .)" = ./greeting ]
	[ -z "$(ls -A "$SSHD_DIR/home")" ]
	# --cleanup removes only what was not there before
	echo bye >farewell
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1 --transfer --cleanup 'cat {}' ::: greeting farewell
	assert_success
	[ "$(there .)" = ./greeting ]
}

@test "--transfer of a directory sends the regular files in it, at any depth, of any name; --cleanup takes them and the directories it made away" {
	mkdir -p 'tree/a b/c' tree/-d tree/empty
	printf 'one\n' >tree/f1
	printf 'two\n' >"tree/a b/c/it's"
	printf 'three\n' >tree/-d/$'new\nline'
	ln -s f1 tree/link
	list='find tree -type f -print0 | LC_ALL=C sort -z | xargs -0 cat; find tree | LC_ALL=C sort # {}'
	want=$(sh -c "${list% #*}" | grep -v -e empty -e link)
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1 --wd "$BATS_TEST_TMPDIR/far" --transfer "$list" ::: tree/
	assert_success
	assert_output "$want"
	assert_line "tree/a b/c/it's"
	refute_line tree/link
	refute_line tree/empty
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1 --wd "$BATS_TEST_TMPDIR/far2" --transfer --cleanup "$list" ::: tree
	assert_success
	assert_output "$want"
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/far2")" ]
}

@test "a file that cannot be sent fails its job before it runs (255); one that cannot be fetched fails the job" {
	run --separate-stderr timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1 --transfer --joblog log 'echo ran {}' ::: missing
	assert_failure 1
	assert_output ''
	[[ $stderr == *"parx: cannot send missing to h1"* ]]
	[ "$(cut -f7 log | sed 1d)" = 255 ]
	run --separate-stderr timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1 --wd "$BATS_TEST_TMPDIR/far" \
	    --return '{}.none' 'echo ran {}' ::: x
	assert_failure 1
	assert_output 'ran x'
	[[ $stderr == *"parx: cannot fetch x.none from h1"* ]]
	# no partial copy of it here
	! ls -A | grep -e none -e parx-fetch
}

@test "--basefile goes to each host once, before the jobs, executable if it was; --cleanup removes it; one that cannot be read stops parx" {
	printf '#!/bin/sh\necho tool "$@"\n' >tool
	chmod 755 tool
	far=$BATS_TEST_TMPDIR/far
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1,h2 --wd "$far" --bf tool -k './tool {}' ::: 1 2 3
	assert_success
	assert_output $'tool 1\ntool 2\ntool 3'
	[ "$(there "$far")" = ./tool ]
	$SSH h1 "rm -rf $far"
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1,h2 --wd "$far" --bf tool --cleanup './tool {}' ::: 1
	assert_success
	[ -z "$(there "$far")" ]
	run --separate-stderr timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1 --bf nosuch echo ::: 1
	assert_failure 255
	[[ $stderr == *"cannot read --basefile 'nosuch': No such file or directory"* ]]
}

@test "--wd there: a template is made if missing, ... is each job's own and removed after, . is where parx runs" {
	far=$BATS_TEST_TMPDIR/far
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1 -k --wd "$far/{}" 'pwd' ::: a b
	assert_output "$far/a"$'\n'"$far/b"
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1 -k --wd ... 'pwd; touch made' ::: a b
	assert_success
	assert_line --index 0 --regexp '/\.parallel/tmp/[^/]+-[0-9]+-1$'
	[ -z "$($SSH h1 'ls -A .parallel/tmp 2>/dev/null')" ]
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1 --wd . 'pwd' ::: a
	assert_output "$PWD"
	# a job that stays here (:) makes its directory here
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S 1/: --wd 'here/{}' 'pwd' ::: a
	assert_output "$PWD/here/a"
}

@test "--env: named variables reach remote jobs exactly; _ sends all not recorded by --record-env" {
	run env 'ONE=a b$c'"'"'d' TWO=$'x\ny' timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1 --env ONE,TWO \
	    'printf "[%s]\n" "$ONE" "$TWO" "$NOT" # {}' ::: a
	assert_success
	assert_output $'[a b$c\'d]\n[x\ny]\n[]'
	run env -i HOME="$HOME" PATH="$PATH" "$PARX" --record-env
	assert_success
	run env NEW=sent timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1 --env _ 'echo "[$NEW]"' ::: a
	assert_output '[sent] a'
	rm "$HOME/.parallel/ignored_vars"
	run --separate-stderr "$PARX" --ssh "$SSH" -S h1 --env _ echo ::: a
	assert_failure 255
	[[ $stderr == *"--env _: run 'parx --record-env' in a clean environment first"* ]]
	run --separate-stderr "$PARX" --env 'A-B' echo ::: a
	assert_failure 255
}

@test "--onall runs every job on every host, in order there, grouped by host; --nonall the command once a host; the job log has them all" {
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1,h2 --onall --tag -k "echo {} on \$($WHERE)" ::: a b c
	assert_success
	assert_output "$(printf 'h1\t%s on 127.0.0.1\n' a b c; printf 'h2\t%s on 127.0.0.2\n' a b c)"
	# values from stdin reach every host whole
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1,h2,h3 --onall -k 'echo {}' < <(seq 3)
	assert_output "$(seq 3; seq 3; seq 3)"
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1,h2,h3 --nonall --joblog log -k "$WHERE"
	assert_success
	assert_output $'127.0.0.1\n127.0.0.2\n127.0.0.3'
	[ "$(sed 1d log | cut -f1,2 | sort | tr '\t\n' ': ')" = "1:h1 1:h2 1:h3 " ]
	[ "$(head -1 log | cut -f1)" = Seq ]
	# the exit status counts the hosts where a job failed
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1,h2 --onall 'exit {}' ::: 0 3
	assert_failure 2
	run --separate-stderr "$PARX" --onall echo ::: a
	assert_failure 255
	[[ $stderr == *"--onall needs hosts (-S or --slf)"* ]]
	# -S @g: only the hosts of group g
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1,@g2/h2,@g2 --nonall "$WHERE"
	assert_output 127.0.0.2
	# a parx that a job runs is a run of its own, not a host's of this one
	run timeout -k 5 60 "$PARX" -S 1/: --onall 'echo ${PARX_ONALL_HOST-none} {}' ::: a
	assert_output 'none a' 
}

@test "--onall: SIGTERM of parx ends the jobs on every host" {
	# not under timeout, whose signals reach the whole process group
	"$PARX" --ssh "$SSH" -S h1,h2 --onall 'sleep 3044 # {}' ::: a &
	pid=$!
	started 3044 2
	kill -TERM $pid
	ends $pid 3044
	gone 3044
	! ls -d "${TMPDIR:-/tmp}"/parx-onall.* 2>/dev/null
}

@test "--sshdelay: jobs start, and connections open, that far apart; --filter-hosts is accepted" {
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S 1/h1,1/h2 --sshdelay 0.3 --filter-hosts --joblog log 'echo {}' ::: 1 2 3
	assert_success
	# starts at least 0.3 s apart (the clock's millisecond rounding aside)
	run awk 'NR > 2 { if ($3 - prev < 0.29) print "too soon: " $0 } NR > 1 { prev = $3 }' log
	assert_output ''
	[ "$(sed 1d log | wc -l)" -eq 3 ]
}

@test "--plus {host} and {sshlogin} name where each job runs (: here); the job gets PARALLEL_SSHHOST and PARALLEL_SSHLOGIN" {
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S 1/h1,1/:,1/$(id -un)@h2 --plus --tagstring '{host}' -k \
	    'echo {} {sshlogin} ${PARALLEL_SSHHOST-unset} ${PARALLEL_SSHLOGIN-unset}' ::: a b c
	assert_success
	assert_output "$(printf 'h1\ta h1 h1 h1\n:\tb : unset unset\nh2\tc %s@h2 h2 %s@h2' "$(id -un)" "$(id -un)")"
}

@test "a host whose connection ends mid-run is said once and dropped; its jobs run again on the others, none lost, none failed; all lost fails the rest" {
	# h1's connection (its ControlMaster) goes once h1 has jobs running;
	# the option marks this run's masters, so no other parx's are hit
	( started 2.3045 4
	pkill -f 'ServerAliveCountMax=3045 -o ControlMaster=yes -o ControlPath=[^ ]*/0\.0 ' ) &
	killer=$!
	run --separate-stderr timeout -k 5 120 "$PARX" --ssh "$SSH -o ServerAliveCountMax=3045" -S 2/h1,2/h2 --joblog log \
	    "sleep 2.3045; echo {} on \$($WHERE)" ::: $(seq 8)
	wait $killer
	assert_success
	[ "$(sort -n <<<"$output" | tr '\n' ' ')" = "$(printf '%s on 127.0.0.2 ' $(seq 8))" ]
	[[ $stderr == *"parx: lost 'h1' (its connection ended), its jobs go elsewhere"* ]]
	[ "$(grep -c "lost 'h1'" <<<"$stderr")" -eq 1 ]
	# each job logged once, from the host that ran it
	[ "$(sed 1d log | cut -f1,2 | sort -n | tr '\t\n' ': ')" = "$(printf '%s:h2 ' $(seq 8))" ]
	gone 2.3045
	# with no host left, the jobs fail, saying why, and nothing hangs
	( started 2.3046 1
	pkill -f 'ServerAliveCountMax=3046 -o ControlMaster=yes' ) &
	killer=$!
	run --separate-stderr timeout -k 5 60 "$PARX" --ssh "$SSH -o ServerAliveCountMax=3046" -S 1/h1 'sleep 2.3046; echo {}' ::: 1 2
	wait $killer
	assert_failure 2
	[[ $stderr == *"no host left to run it on"* ]]
	gone 2.3046
}

@test "--retries: a failed job tries another host next" {
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S 1/h1,2/h2 --retries 2 --joblog log -k \
	    "echo {} on \$($WHERE); [ \"\$($WHERE)\" = 127.0.0.2 ] # {}" ::: a b
	assert_success
	assert_output $'a on 127.0.0.2\nb on 127.0.0.2'
	[ "$(sed 1d log | cut -f2 | sort -u)" = h2 ]
}

# Once a job has written to ./out (up to 10 s), replaces ./logins with
# the lines $1, whole at once (a rename).
logins_after_first_job() {
	for _ in $(seq 100); do
		[ -s out ] && break
		sleep 0.1
	done
	printf '%s\n' "$1" >logins.new && mv logins.new logins
}

@test "--slf read again when it changes: a host added joins the run, one taken out gets no more jobs" {
	printf '1/h1\n' >logins
	# h2 is added once the first job has run
	logins_after_first_job $'1/h1\n1/h2' &
	run timeout -k 5 60 "$PARX" --ssh "$SSH" --slf logins --joblog log \
	    "sleep 0.3; echo {} >>$PWD/out" ::: $(seq 12)
	wait
	assert_success
	[ "$(wc -l <out)" -eq 12 ]
	[ "$(sed 1d log | cut -f2 | sort -u | tr '\n' ' ')" = "h1 h2 " ]
	# h1 taken out: the jobs after it go to h2
	rm out
	printf '1/h1\n1/h2\n' >logins
	logins_after_first_job 1/h2 &
	run timeout -k 5 60 "$PARX" --ssh "$SSH" --slf logins --joblog log -j1 \
	    "sleep 0.3; echo {} >>$PWD/out" ::: $(seq 12)
	wait
	assert_success
	[ "$(wc -l <out)" -eq 12 ]
	[ "$(sed 1d log | tail -4 | cut -f2 | sort -u)" = h2 ]
}

@test "a signal while parx is still connecting ends it at once, leaving no ssh, proxy or socket directory" {
	for n in 1/h1 h1; do
		# a host that never answers: its proxy only sleeps
		"$PARX" --ssh "$SSH -o 'ProxyCommand=sleep 3048'" -S $n echo ::: a &
		pid=$!
		started 3048 1
		kill -TERM $pid
		ends $pid 3048
		run wait $pid
		assert_failure 143
		gone 3048
		! ls -d /tmp/parx-ssh.* 2>/dev/null
	done
}

@test "a --pipe job there ends with parx's ssh too, though it reads its block and writes nothing" {
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1 --pipe --timeout 1 'cat >/dev/null; sleep 3050' < <(seq 3)
	assert_failure 1
	gone 3050
	# blocks still arrive whole
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S h1,h2 --pipe -N 1000 -k 'wc -l' < <(seq 3000)
	assert_success
	assert_output $'1000\n1000\n1000'
}

@test "--hostgroups: a value's @GROUPS (taken off it) keeps its job to the hosts of those groups; -S @g uses only group g's hosts" {
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S @g1/1/h1,@g1+g2/1/h2,@g3/1/h3 --hostgroups --joblog log \
	    "sleep 0.2; echo {} on \$($WHERE) \$PARALLEL_ARGHOSTGROUPS" ::: a@g2 b@g2 c@g2 d@g1 e@g3 f@g3 g@nowhere
	assert_success
	[ "$(sort <<<"$output" | tr '\n' '|')" = "a on 127.0.0.2 g2|b on 127.0.0.2 g2|c on 127.0.0.2 g2|d on 127.0.0.1 g1|e on 127.0.0.3 g3|f on 127.0.0.3 g3|g on $(grep '^g on' <<<"$output" | cut -d' ' -f3) nowhere|" ]
	# the g2 jobs waited for h2, one slot, while the others ran elsewhere
	[ "$(awk -F'\t' '$1 <= 3 { print $2 }' log | sort -u)" = h2 ]
	run awk -F'\t' '$2 == "h2" && $1 <= 3 { if (n++ && $3 - prev < 0.19) print "overlap"; prev = $3 }' log
	assert_output ''
	[ "$(awk -F'\t' '$1 == 4 || $1 == 5 || $1 == 6 { print $2 }' log | sort | tr '\n' ' ')" = "h1 h3 h3 " ]
	# -k: jobs start in input order, output as ever; --plus {hgrp} and
	# {agrp} are the host's groups (its login's first) and the job's,
	# every group for a value that names none, as in GNU (and so is
	# PARALLEL_ARGHOSTGROUPS)
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S @g1/1/h1,@g2/1/h2 --hostgroups --plus -k \
	    "echo {} on \$($WHERE) {hgrp} {agrp} \$PARALLEL_ARGHOSTGROUPS" ::: a@g2 b@g2 c@g1 d
	assert_line --index 0 'a on 127.0.0.2 h2+g2 g2 g2'
	assert_line --index 1 'b on 127.0.0.2 h2+g2 g2 g2'
	assert_line --index 2 'c on 127.0.0.1 h1+g1 g1 g1'
	assert_line --index 3 --regexp '^d on 127\.0\.0\.[12] h[12]\+g[12] h1\+g1\+h2\+g2 h1\+g1\+h2\+g2$'
	# -S @g2: only h2 runs jobs; without --hostgroups a value keeps its @
	run timeout -k 5 60 "$PARX" --ssh "$SSH" -S @g1/1/h1,@g2/1/h2,@g2 -k "echo {} on \$($WHERE)" ::: x@y z
	assert_output $'x@y on 127.0.0.2\nz on 127.0.0.2'
}
