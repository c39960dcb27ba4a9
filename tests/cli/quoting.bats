#!/usr/bin/env bats
# No input is ever interpreted by a shell, on either exec path: the same
# cases run directly (no shell) and with PARX_EXEC=shell.
load helper

hostile=(
	'$(touch pwned1)' '`touch pwned2`' '; touch pwned3' '| touch pwned4'
	'&& touch pwned5' '*' '?' '[a]' '~' "it's" 'say "hi"' '\' '\n'
	$'new\nline' $'tab\there' '-n' '--' '-e' '' ' ' $'\x01\x1f\x7f'
	$'\xff\xfe invalid utf-8' '{}' '{1}' '%' '!' '#hash' 'a=b' '>out'
)

expected() {
	"$HELPER/showargs" "${hostile[@]}"
}

check_both_paths() {
	local want
	want=$(expected)
	run parx -j1 -k "$HELPER/showargs" ::: "${hostile[@]}"
	assert_success
	assert_output "$want"
	PARX_EXEC=shell run parx -j1 -k "$HELPER/showargs" ::: "${hostile[@]}"
	assert_success
	assert_output "$want"
	PARX_EXEC=shell run parx -j1 -k "$HELPER/showargs {} | cat" ::: "${hostile[@]}"
	assert_success
	assert_output "$want"
	assert_file_not_exists pwned1
	assert_file_not_exists pwned2
	assert_file_not_exists pwned3
	assert_file_not_exists pwned4
	assert_file_not_exists pwned5
	assert_file_not_exists out
}

@test "hostile values reach the job as exact bytes, on both paths" {
	check_both_paths
}

@test "hostile values from stdin, on both paths" {
	local want
	want=$("$HELPER/showargs" '$(touch pwned)' "it's" '*' '-n')
	run parx -k "$HELPER/showargs" < <(printf '%s\n' '$(touch pwned)' "it's" '*' '-n')
	assert_output "$want"
	PARX_EXEC=shell run parx -k "$HELPER/showargs" < <(printf '%s\n' '$(touch pwned)' "it's" '*' '-n')
	assert_output "$want"
	assert_file_not_exists pwned
}

@test "--dry-run quotes as GNU parallel does" {
	run parx -k --dry-run echo ::: "it's" 'a b' '' 'ok-_./+' "'a" "a'"
	assert_output "echo 'it'\"'\"'s'
echo 'a b'
echo ''
echo ok-_./+
echo \"'\"'a'
echo 'a'\"'\""
}

@test "-q keeps the command's own quoting" {
	run parx -k -q "$HELPER/showargs" 'a b' '$HOME' {} ::: 'c d'
	assert_output $'<a b>\n<$HOME>\n<c d>'
}

@test "the direct path needs no shell at all" {
	PARX_SHELL=/nonexistent run parx -k "$HELPER/showargs" {}.x ::: a
	assert_success
	assert_output "<a.x>"
}

@test "shell syntax in the command uses the shell" {
	PARX_SHELL=/nonexistent run parx -k 'echo {} | cat' ::: a
	assert_failure 1
}

@test "a builtin falls back to the shell" {
	run parx -k 'cd' {} ::: /
	assert_success
}

@test "an exported bash function runs" {
	myfunc() { echo "func:$1"; }
	export -f myfunc
	run parx -k myfunc ::: a b
	assert_success
	assert_output $'func:a\nfunc:b'
}

@test "PARX_SHELL chooses the shell" {
	printf '#!/bin/sh\necho via-wrapper\n' >wrapper; chmod +x wrapper
	PARX_SHELL=$PWD/wrapper run parx 'echo {} | cat' ::: a
	assert_output via-wrapper
	PARALLEL_SHELL=$PWD/wrapper run parx 'echo {} | cat' ::: a
	assert_output via-wrapper
}

@test "same output and status on both paths" {
	run parx -q -k sh -c 'echo "$1"; exit 3' sh {} ::: a
	local direct=$output status1=$status
	PARX_EXEC=shell run parx -q -k sh -c 'echo "$1"; exit 3' sh {} ::: a
	assert_equal "$output" "$direct"
	assert_equal "$status" "$status1"
	assert_equal "$status" 1
}

@test "echo gives what the shell's echo gives, on both paths (dash reads backslashes)" {
	for sh in /bin/dash /bin/bash; do
		for v in 'a\nb' '-n' 'x\ty' 'plain'; do
			want=$("$sh" -c 'echo "$1"' sh "$v")
			PARX_SHELL=$sh run parx echo ::: "$v"
			assert_success
			assert_output "$want"
			PARX_SHELL=$sh PARX_EXEC=shell run parx echo ::: "$v"
			assert_output "$want"
		done
	done
}

@test "echo takes a value longer than the kernel takes for one argument, as the shell's does" {
	head -c 200000 /dev/zero | tr '\0' x >big
	echo >>big
	run parx echo :::: big
	assert_success
	[ "${#output}" -eq 200000 ]
}

@test "printf, pwd and test are the shell's builtins, not the programs of the same name" {
	mkdir real
	ln -s real link
	cd link
	# The programs print the physical path, and quote with '' for %q.
	PARX_SHELL=/bin/bash run parx -N0 pwd ::: 1
	assert_success
	assert_output "$BATS_TEST_TMPDIR/link"
	PARX_SHELL=/bin/bash run parx printf %q ::: 'a b'
	assert_output 'a\ b'
	PARX_SHELL=/bin/bash run parx test -v ::: HOME
	assert_success
}
