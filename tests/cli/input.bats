#!/usr/bin/env bats
# Input sources: stdin, :::, ::::, -a, separators, combinations.
load helper

@test "stdin: one job per line" {
	run --separate-stderr parx -k echo x <<<$'a\nb'
	assert_success
	assert_output $'x a\nx b'
	assert_equal "$stderr" ""
}

@test "stdin: empty input runs no job and exits 0" {
	run parx echo x </dev/null
	assert_success
	assert_output ""
}

@test "-0 splits on NUL" {
	run parx -k -0 "$HELPER/showargs" < <(printf 'a b\0c\nd\0')
	assert_success
	assert_output $'<a b>\n<c\\012d>'
}

@test "-d takes C escapes" {
	run parx -k -d '\x2c' echo < <(printf 'a,b')
	assert_output $'a\nb'
}

@test "-d takes several characters and splits ::: values too (GNU); a bad one is an error" {
	run parx -k -d ab echo x{}x ::: 1ab2ab3
	assert_output $'x1x\nx2x\nx3x'
	run parx -k -d '\r\n' echo x{}x < <(printf 'a\rb\r\nc\r\n')
	assert_output $'xa\rbx\nxcx'
	run --separate-stderr parx -d '\q' echo
	assert_failure 255
	assert_equal "$stderr" "parx: invalid -d value '\\q': empty, a bad escape or longer than 64 bytes (see 'parx --help')"
}

@test "::: argument with a newline stays one argument (GNU splits it)" {
	run parx -k "$HELPER/showargs" ::: $'one\ntwo' three
	assert_output $'<one\\012two>\n<three>'
}

@test "::: with no argument (a glob that matched nothing) runs nothing and exits 0; :::: needs a file" {
	run --separate-stderr parx touch started ::: < <(echo from-stdin)
	assert_success
	assert_output ""
	assert_file_not_exists started
	run parx echo ::: a ::: 
	assert_success
	assert_output ""
	run --separate-stderr parx echo ::::
	assert_failure 255
	assert_equal "$stderr" "parx: '::::' needs at least one file after it (see 'parx --help')"
}

@test "missing input file: error, exit 255, no job started" {
	run --separate-stderr parx touch started ::: a :::: nosuchfile
	assert_failure 255
	assert_equal "$stderr" "parx: cannot read 'nosuchfile': No such file or directory"
	assert_file_not_exists started
}

@test "a directory as input file is refused" {
	mkdir d
	run --separate-stderr parx -a d echo
	assert_failure 255
	assert_equal "$stderr" "parx: cannot read 'd': Is a directory"
}

@test "unreadable input file is refused" {
	echo a >f; chmod 000 f
	if [ "$(id -u)" -eq 0 ]; then
		# root reads anything: parx reads as nobody
		run setpriv --reuid=nobody --regid=nogroup --clear-groups \
		    "$PARX" -a "$PWD/f" echo
	else
		run parx -a "$PWD/f" echo
	fi
	assert_failure 255
	assert_output "parx: cannot read '$PWD/f': Permission denied"
}

@test "-a can be given twice and combines" {
	printf '1\n2\n' >f; printf 'x\n' >g
	run parx -k -a f -a g echo
	assert_output $'1 x\n2 x'
}

@test "-a and ::: combine, -a first" {
	printf '1\n2\n' >f
	run parx -k -a f echo ::: x y
	assert_output $'1 x\n1 y\n2 x\n2 y'
}

@test ":::: - reads stdin as one of several sources" {
	run parx -k echo ::: a :::: - <<<$'1\n2'
	assert_output $'a 1\na 2'
}

@test "::::+ links a file to the previous source" {
	printf '1\n2\n' >f
	run parx -k echo ::: a b ::::+ f
	assert_output $'a 1\nb 2'
}

@test "--link wraps shorter sources" {
	run parx -k --link echo ::: a b c d ::: 1 2
	assert_output $'a 1\nb 2\nc 1\nd 2'
}

@test "--arg-file-sep renames ::::" {
	printf 'z\n' >f
	run parx -k --arg-file-sep %% echo %% f
	assert_output z
}

@test "-E ends input, also for ::: values" {
	run parx -k -E stop echo ::: a stop b
	assert_output a
}

@test "-r skips blank inputs" {
	run parx -k -r echo x <<<$'a\n  \n\nb'
	assert_output $'x a\nx b'
}

@test "--shuf runs every input once" {
	run parx --shuf echo ::: $(seq 50)
	assert_success
	[ "$(sort -n <<<"$output" | tr '\n' ' ')" = "$(seq 50 | tr '\n' ' ')" ]
}

@test "--colsep splits columns and {N} picks them" {
	run parx -k --colsep '\t' echo {2}-{1} <<<$'a\tb\nc\td'
	assert_output $'b-a\nd-c'
}

@test "--header : names columns" {
	run parx -k --colsep , --header : echo {last} {first} <<<$'first,last\nAda,Lovelace'
	assert_output "Lovelace Ada"
}

@test "--trim l and r" {
	run parx -k --trim l "$HELPER/showargs" ::: '  a  '
	assert_output '<a  >'
	run parx -k --trim r "$HELPER/showargs" ::: '  a  '
	assert_output '<  a>'
}

@test "--trim rejects other values" {
	run parx --trim x echo ::: a
	assert_failure 255
}

@test "bad --colsep regex is reported" {
	run --separate-stderr parx --colsep '(' echo ::: a
	assert_failure 255
	assert_equal "$stderr" "parx: invalid --colsep regular expression '(': missing closing parenthesis (see 'parx --help')"
}

@test "--colsep is a Perl regex, split as Perl's split does it" {
	run parx -k --colsep '\s*\d+\s*' echo {1}-{2}-{3} <<<'a 12 b3c'
	assert_output a-b-c
	# An empty pattern makes each byte a field (it crashed once).
	run parx -k --colsep '' echo {1}-{2}-{3} <<<'xyz'
	assert_success
	assert_output x-y-z
	# Empty matches split between bytes, not at either end.
	run parx -k --colsep 'q*' echo {1}-{2}-{3} <<<'aqqb'
	assert_output a-b-
	# A leading separator gives an empty first field; trailing ones stay.
	run parx -k --colsep , echo '[{1}]' '[{3}]' <<<',b,'
	assert_output '[] []'
}

@test "--colsep: what Perl rejects is rejected, and a runaway match is an error, not a hang" {
	run --separate-stderr parx --colsep 'a*++' echo ::: a
	assert_failure 255
	[[ $stderr == "parx: invalid --colsep regular expression 'a*++': "* ]]
	run --separate-stderr timeout -k 2 20 "$PARX" --colsep '(a|aa)+$' echo <<<"$(printf 'a%.0s' $(seq 60))!"
	assert_failure 255
	assert_equal "$stderr" "parx: a --colsep or --plus pattern went over its match limit at input 1"
}

# bats test_tags=heavy
@test "a million lines stream through in order" {
	seq 1000000 >in
	run parx -k -m -j2 echo :::: in
	assert_success
	[ "$(printf '%s\n' "$output" | tr ' ' '\n' | cksum)" = "$(cksum <in)" ]
}

@test "file names with spaces and quotes" {
	touch "a b.txt" "it's.txt" 'q"uote.txt'
	run parx -k "$HELPER/showargs" {} ::: *.txt
	assert_output $'<a b.txt>\n<it\'s.txt>\n<q"uote.txt>'
}

@test "a slow pipe: each input's job runs and its output comes as soon as the input has come" {
	{ echo one; sleep 2; echo two; } | timeout -k 2 20 "$PARX" 'echo got {}' >out &
	for _ in $(seq 30); do grep -q 'got one' out 2>/dev/null && break; sleep 0.05; done
	grep -qx 'got one' out
	! grep -q two out
	wait
	[ "$(cat out)" = $'got one\ngot two' ]
}
@test "--csv: a record that is not CSV is named, nothing after it runs, exit 255" {
	run "$PARX" -j1 -k --csv echo '{2}' ::: 'a,b' 'x,y"z' 'c,d'
	[ "$status" -eq 255 ]
	[ "${lines[0]}" = b ]
	[ "${lines[1]}" = "parx: --csv: input 2 is not a CSV record" ]
	[ "${#lines[@]}" -eq 2 ]
	run "$PARX" --csv --colsep '[,;]' echo ::: a
	[ "$status" -eq 255 ]
	[ "$output" = "parx: --csv needs a --colsep of one character (see 'parx --help')" ]
}
@test "--csv: CR-LF records lose their CR; a quoted field keeps CR and LF inside" {
	printf 'a,b\r\n"c\r\nd",e\r\n' >crlf.csv
	run "$PARX" -k --csv printf "'<%s|%s>'" '{1}' '{2}' :::: crlf.csv
	[ "$status" -eq 0 ]
	[ "$output" = $'<a|b><c\r\nd|e>' ]
}
@test "--total-jobs: {##} does not wait for the input to end" {
	{ echo one; sleep 3; echo two; } |
		timeout -k 2 20 "$PARX" --plus --total-jobs 2 'echo {} of {##}' >out &
	for _ in $(seq 40); do grep -q 'one' out 2>/dev/null && break; sleep 0.05; done
	grep -qx 'one of 2' out
	wait
	[ "$(cat out)" = $'one of 2\ntwo of 2' ]
	run "$PARX" --total-jobs x echo ::: a
	[ "$status" -eq 255 ]
}
@test "--shebang: a script's lines are the inputs; --shebang-wrap runs it per argument" {
	printf '#!%s --shebang -k -r echo got\na b\n\nc\n' "$PARX" >sb
	chmod +x sb
	run ./sb
	[ "$status" -eq 0 ]
	[ "$output" = $'got a b\ngot c' ]
	printf '#!%s --shebang-wrap -k /bin/sh\necho "wrapped [$1]"\n' "$PARX" >sw
	chmod +x sw
	run ./sw 'x y' "it's"
	[ "$output" = $'wrapped [x y]\nwrapped [it\'s]' ]
	run bash -c 'printf "p\nq\n" | ./sw'
	[ "$output" = $'wrapped [p]\nwrapped [q]' ]
	printf '#!%s --shebang-wrap -k --pipe /bin/sh\nwc -l\n' "$PARX" >swp
	chmod +x swp
	printf '1\n2\n3\n' >three
	run ./swp three
	[ "$output" = 3 ]
	run "$PARX" -k --shebang echo ::: a
	[ "$status" -eq 255 ]
	[[ $output == "parx: --shebang must be the first argument"* ]]
}
