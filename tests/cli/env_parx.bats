#!/usr/bin/env bats
# env_parx and $PARALLEL_ENV: a shell's functions, aliases and variables
# in every job, as GNU parallel's env_parallel gives them.
load helper

setup() {
	parx_setup
	# env_parx calls parx by name: this build first.
	mkdir -p bin
	ln -sf "$PARX" bin/parx
	export PATH="$PWD/bin:$PATH"
}

# A script that sources env_parx in shell $1 and runs the rest.
in_shell() {
	local shell=$1
	shift
	printf '. %q\n%s\n' "$TOP/cmd/env_parx" "$*" >script
	run --separate-stderr timeout -k 5 60 "$shell" script
}

# In shell $1 (whose arrays count from $2), env_parx gives every job the
# shell's function, variable, array and alias; the job runs in that shell.
sends_definitions() {
	local shell=$1 second=$2 version
	version=$(echo "$shell" | tr a-z A-Z)_VERSION
	in_shell "$shell" '
greet() { echo "hello $1 from $where"; }
where="a var with spaces"
list=(x "y z")
alias shout="echo LOUD"
env_parx -k greet ::: 1 2
env_parx -k "echo \${list['"$second"']}; shout {}" ::: q
env_parx "test -n \"\$'"$version"'\" && echo '"$shell"' {}" ::: v'
	assert_success
	assert_output "hello 1 from a var with spaces
hello 2 from a var with spaces
y z
LOUD q
$shell v"
	assert_equal "$stderr" ""
}

@test "env_parx in bash: functions, variables, arrays and aliases reach every job; the job shell is bash" {
	sends_definitions bash 1
}

@test "env_parx in zsh: functions, variables, arrays and aliases reach every job" {
	sends_definitions zsh 2
}

@test "env_parx --env sends only the names given; --session and --record-env keep what exists now at home" {
	in_shell bash '
greet() { echo "hi $1"; }
secret=s1
env_parx --env greet "greet {}; echo [\$secret]" ::: a
env_parx --session
late=l1
env_parx "echo [\$late] [\$secret]; greet {}" ::: b
env_parx --end-session
env_parx "echo [\$secret]" ::: c
env_parx --record-env
env_parx --env _ --env greet "greet {}; echo [\$secret]" ::: d'
	assert_output "hi a
[]
[l1] []
[s1] c
hi d
[]"
	[[ $stderr == *"greet: command not found"* ]]
	grep -qx secret "$HOME/.parallel/ignored_vars"
}

@test "\$PARALLEL_ENV: code or a file of it runs before each job's command, \\001 a newline; jobs never see it or its descriptor" {
	PARALLEL_ENV='f() { echo "F$1"; }' run "$PARX" -k f ::: a b
	assert_output "Fa
Fb"
	printf 'x=1\001y=2\n' >env.sh
	PARALLEL_ENV=env.sh run "$PARX" 'echo $x$y {}' ::: c
	assert_output "12 c"
	PARALLEL_ENV='z=3' run "$PARX" 'echo ${PARALLEL_ENV-unset} $z' ::: d
	assert_output "unset 3 d"
	# handed over on a descriptor, as env_parx does: closed before jobs
	PARALLEL_ENV=/dev/fd/9 run "$PARX" 'ls /proc/self/fd/ | grep -cx 9; echo {}' ::: e 9<<<'w=4'
	assert_output "0
e"
	PARALLEL_ENV=/dev/fd/9 run "$PARX" 'echo $w {}' ::: f 9<<<'w=4'
	assert_output "4 f"
}

@test "\$PARALLEL_ENV: a file that cannot be read, or code with a NUL byte, is one line and exit 255, nothing run" {
	mkdir unreadable
	PARALLEL_ENV=unreadable run --separate-stderr "$PARX" echo ::: a
	assert_failure 255
	assert_output ""
	[[ $stderr == "parx: cannot read \$PARALLEL_ENV file 'unreadable': "* ]]
	printf 'x=1\0y=2\n' >nul.sh
	PARALLEL_ENV=nul.sh run --separate-stderr "$PARX" echo ::: a
	assert_failure 255
	assert_output ""
	[[ $stderr == *"NUL byte"* ]]
}
