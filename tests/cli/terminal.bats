#!/usr/bin/env bats
# parx at a terminal, as a person meets it: tmux runs an interactive
# shell in a pane, send-keys types, capture-pane reads the screen.
load helper

setup() {
	parx_setup
	command -v tmux >/dev/null || skip "no tmux"
	sock=parx-test-$$-$BATS_TEST_NUMBER
	tmux -L "$sock" new-session -d -x 150 -y 40 \
	    "env -i PATH=$PATH HOME=$HOME TERM=screen PS1='$ ' bash --norc --noprofile -i"
}

teardown() {
	tmux -L "$sock" kill-server 2>/dev/null || true
}

type_line() {
	tmux -L "$sock" send-keys -l "$1"
	tmux -L "$sock" send-keys Enter
}

# Waits (up to 10 s) until the screen shows a line matching $1.
wait_screen() {
	local _
	for _ in $(seq 200); do
		tmux -L "$sock" capture-pane -p | grep -q -- "$1" && return 0
		sleep 0.05
	done
	tmux -L "$sock" capture-pane -p >&3
	return 1
}

state() {
	local stat
	stat=$(cat "/proc/$1/stat") || return 1
	stat=${stat##*) }
	echo "${stat%% *}"
}

@test "Ctrl-Z in a terminal stops parx and its jobs; fg continues them, --timeout not counting the pause" {
	type_line "cd '$PWD' && '$PARX' -j2 --timeout 3 'echo \$\$ >pid.{}; sleep 1.5; echo done {}' ::: a b"
	for _ in $(seq 100); do [ -s pid.a ] && [ -s pid.b ] && break; sleep 0.05; done
	tmux -L "$sock" send-keys C-z
	wait_screen 'Stopped'
	[ "$(state "$(cat pid.a)")" = T ]
	[ "$(state "$(cat pid.b)")" = T ]
	sleep 3.2
	[ "$(state "$(cat pid.a)")" = T ]
	type_line fg
	wait_screen '^done b$'
	wait_screen '^done a$'
	type_line 'echo status=$?'
	wait_screen '^status=0$'
}

@test "--bar in a terminal: one line redrawn in place, below whole lines of the jobs' output" {
	type_line "cd '$PWD' && '$PARX' --bar -j2 'sleep 0.3; echo out {}; echo err {} >&2; [ {} = 4 ] && sleep 3; true' ::: 1 2 3 4"
	# while job 4 runs on: the bar, full width, on the last line
	wait_screen '^\[#*-*\] 75% 3/4 done, .*ETA'
	tmux -L "$sock" capture-pane -p >screen
	for i in 1 2 3; do grep -qx "out $i" screen; grep -qx "err $i" screen; done
	# no line of a job's carries bar text
	! grep -E '(out|err) [0-9].*(done|#)' screen
	wait_screen '^parx: \[#*\] 100% 4/4 done'
	tmux -L "$sock" capture-pane -p >screen
	grep -qx "out 4" screen
}

@test "inputs typed at a terminal: a hint, each line's job at once, and Ctrl-C ends the wait" {
	type_line "'$PARX' echo got"
	wait_screen '^parx: reading inputs from the terminal, one a line; Ctrl-D ends them'
	type_line one
	# its job runs before the next line is typed
	wait_screen '^got one$'
	tmux -L "$sock" send-keys C-c
	type_line 'echo status=$?'
	wait_screen '^status=130$'
}

@test "--load holding jobs back says so once at a terminal" {
	type_line "cd '$PWD'; for i in 1 2 3; do timeout 20 sh -c 'while :; do :; done' & done"
	type_line "'$PARX' --load 2 'echo started' ::: x"
	wait_screen '^parx: --load 2: holding jobs back while [0-9]* processes run or wait for a disk$'
	tmux -L "$sock" send-keys C-c
	# the busy loops must not outlive the test
	type_line 'kill %1 %2 %3; wait; echo stopped'
	wait_screen '^stopped$'
}

@test "-p asks on the terminal before each job: y runs it, anything else skips it; Ctrl-C ends the asking" {
	type_line "'$PARX' -j1 -p echo ::: a b c; echo status=\$?"
	wait_screen '^echo a ?\.\.\.$'
	type_line y
	wait_screen '^echo b ?\.\.\.$'
	type_line no
	wait_screen '^echo c ?\.\.\.$'
	type_line ' Yes'
	wait_screen '^status=0$'
	tmux -L "$sock" capture-pane -p >screen
	grep -qx a screen
	grep -qx c screen
	! grep -qx b screen
	type_line "'$PARX' -p echo ::: a"
	wait_screen '^echo a ?\.\.\.$'
	tmux -L "$sock" send-keys C-c
	type_line 'echo status=$?'
	wait_screen '^status=130$'
}

@test "--tty: each job in turn has the terminal (reads what is typed, writes to it), --timeout still ends one, Ctrl-C at a job ends parx" {
	type_line "'$PARX' --tty 'read -p \"name{}? \" x; echo got{} \$x; test -t 1 && echo out{}-is-tty' ::: 1 2; echo status=\$?"
	wait_screen '^name1? *$'
	type_line alice
	wait_screen '^name2? *$'
	type_line bob
	wait_screen '^status=0$'
	tmux -L "$sock" capture-pane -p >screen
	grep -qx 'got1 alice' screen
	grep -qx 'got2 bob' screen
	grep -qx 'out2-is-tty' screen
	tmux -L "$sock" send-keys C-l
	# GNU's --tty cannot kill its jobs; parx's can
	type_line "'$PARX' --tty --timeout 0.5 'read x; echo never' ::: 1; echo status=\$?"
	wait_screen '^status=1$'
	# the terminal is the shell's again
	type_line 'read -p "shell? " y; echo shell got $y'
	wait_screen '^shell? *$'
	type_line carol
	wait_screen '^shell got carol$'
	type_line "'$PARX' --tty 'read x; echo never' ::: 1 2; echo not reached"
	sleep 0.5
	tmux -L "$sock" send-keys C-c
	type_line 'echo status=$?'
	wait_screen '^status=130$'
	tmux -L "$sock" capture-pane -p >screen
	! grep -q '^never\|^not reached' screen
}

@test "-o -u -j2: a job that reads the terminal while another has it waits for its turn" {
	type_line "'$PARX' -o -u -j2 'read -p \"name{}? \" x; echo got{} \$x' ::: 1 2; echo status=\$?"
	# both prompt at once (-u); the second job stops reading until its turn
	wait_screen 'name1?'
	wait_screen 'name2?'
	type_line alice
	wait_screen '^got1 alice$'
	type_line bob
	wait_screen '^got2 bob$'
	wait_screen '^status=0$'
}

@test "Ctrl-Z while a --tty job has the terminal stops parx; fg gives the terminal back to the job" {
	type_line "'$PARX' --tty 'read -p \"name{}? \" x; echo got{} \$x' ::: 1 2"
	wait_screen '^name1? *$'
	tmux -L "$sock" send-keys C-z
	wait_screen 'Stopped'
	type_line fg
	type_line alice
	wait_screen '^got1 alice$'
	wait_screen '^name2? *$'
	type_line bob
	wait_screen '^got2 bob$'
	type_line 'echo fg-status=$?'
	wait_screen '^fg-status=0$'
}
