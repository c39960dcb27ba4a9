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
		for _ in $(seq 100); do
			[ "$(left 3042)" -ge 4 ] && break
			sleep 0.1
		done
		[ "$(left 3042)" -ge 4 ]
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
