#!/usr/bin/env bats
# Replacement strings and how commands are built.
load helper

@test "{} {.} {/} {//} {/.} {#} {%}" {
	run parx -j1 -k echo {} {.} {/} {//} {/.} {#} {%} ::: dir/file.tar.gz
	assert_output "dir/file.tar.gz dir/file.tar file.tar.gz dir file.tar 1 1"
}

@test "{%} is the slot, reused" {
	run parx -j2 -k echo {%} ::: a b c d
	assert_success
	for s in $output; do [[ $s == 1 || $s == 2 ]]; done
}

@test "positional {N} and {-N} across sources" {
	run parx -k echo {-1} {1} ::: a ::: b ::: c
	assert_output "c a"
}

@test "{N} beyond the values is nothing, not an empty argument (GNU)" {
	run parx -k "$HELPER/showargs" {3} x{3}y ::: a
	assert_output "<xy>"
}

@test "no replacement string appends the arguments quoted" {
	run parx -k "$HELPER/showargs" pre ::: 'a b'
	assert_output $'<pre>\n<a b>'
}

@test "{#} alone means nothing is appended" {
	run parx -k echo job {#} ::: a b
	assert_output $'job 1\njob 2'
}

@test "no command: the input is the command" {
	run parx -k <<<$'echo one\necho two | tr a-z A-Z'
	assert_output $'one\nTWO'
}

@test "-I replaces a custom string and leaves {} alone" {
	run parx -k -I XX echo XX {} ::: a
	assert_output "a {}"
}

@test "--bner, --dnr, --slotreplace" {
	run parx -j1 -k --bner B --dnr D --slotreplace S echo B D S ::: x/y.z
	assert_output "y x 1"
}

@test "--plus: {%suffix} {#prefix} {+/}" {
	run parx -k --plus echo {%.gz} {#dir/} {+/} ::: dir/a.tar.gz
	assert_output "dir/a.tar a.tar.gz dir"
}

@test "--plus patterns are Perl's, as GNU parallel 20221122 applies them" {
	# Expected outputs are GNU parallel 20221122's for the same commands.
	check() {
		run parx -k --plus echo "$1" ::: aabab xxa ax foo.z.z.z
		assert_success
		assert_equal "$(tr '\n' ' ' <<<"$output")" "$2"
	}
	check '{#a*}' 'aabab xxa ax foo.z.z.z '
	check '{##a*}' 'bab xxa x foo.z.z.z '
	check '{%%b*}' 'aaba xxa ax foo.z.z.z '
	check '{%.z*}' 'aaba xx a foo.z.z. '
	check '{%%.z.*z}' 'aabab xxa ax foo '
	check '{/a/X}' 'Xabab xxX Xx foo.z.z.z '
	check '{//a/X}' 'XXbXb xxX Xx foo.z.z.z '
	check '{/#a/X}' 'Xabab xxa Xx foo.z.z.z '
	check '{/%b/X}' 'aabaX xxa ax foo.z.z.z '
	check '{//x*/-}' '-a-a-b-a-b- --a- -a-- -f-o-o-.-z-.-z-.-z- '
	check '{/%x*/-}' 'aabab- xxa- a-- foo.z.z.z- '
	check '{//\d+/#}' 'aabab xxa ax foo.z.z.z '
}

@test "--plus: a pattern Perl rejects is an error, not literal text; a runaway one stops" {
	run --separate-stderr timeout -k 2 20 "$PARX" --plus echo '{##a*+++++}' ::: aaaa
	assert_failure 255
	assert_equal "$stderr" "parx: invalid --plus pattern 'a*+++++': quantifier does not follow a repeatable item (see 'parx --help')"
	run --separate-stderr timeout -k 2 20 "$PARX" --plus echo '{%%(a|aa)+}' ::: "$(printf 'a%.0s' $(seq 60))!"
	assert_failure 255
	assert_equal "$stderr" "parx: a --colsep or --plus pattern went over its match limit at input 1"
}

@test "a perl expression perl cannot compile: one line naming it, exit 255, nothing run" {
	run --separate-stderr parx echo '{= s/(/ =}' ::: a
	assert_failure 255
	assert_output ""
	assert_equal "$stderr" "parx: perl expression 's/(/': Substitution replacement not terminated at (eval 1) line 1 (see 'parx --help')"
	run --separate-stderr parx --rpl 'NOEXPR' echo ::: a
	assert_failure 255
	[[ $stderr == "parx: invalid --rpl 'NOEXPR': not a TAG and a perl expression"* ]]
}

@test "a perl expression that dies: named with its input, no job started after it, exit 255" {
	run --separate-stderr parx -j1 -k echo '{= die "no b\n" if /b/ =}' ::: a b c
	assert_failure 255
	assert_output a
	assert_equal "$stderr" "parx: perl expression 'die \"no b\\n\" if /b/': no b (input 2)"
}

@test "skip() in a perl expression: the job is not run, and not counted as failed" {
	run parx -k --joblog log echo '{= skip() if /b/ =}' ::: a b c
	assert_success
	assert_output $'a\nc'
	[ "$(wc -l <log)" = 4 ]
}

@test "perl expressions: values with quotes, blanks and newlines go through intact; print goes to stderr" {
	run --separate-stderr parx -k printf '%s_' '{= s/x/y/ =}' ::: "x'a\"b" ' x ' "$(printf 'x\nz')" '$(x)' '-x'
	assert_success
	assert_output $'y\'a"b_ y _y\nz_$(y)_-y_'
	run --separate-stderr parx -k echo '{= print "noise"; $_ = "ok" =}' ::: a
	assert_output ok
	assert_equal "$stderr" noise
}

@test "no perl is started unless a command uses it" {
	mkdir bin
	for p in sh echo; do ln -s "$(command -v $p)" bin/$p; done
	run env PATH="$PWD/bin" "$PARX" echo {} ::: a
	assert_success
	assert_output a
	run --separate-stderr env PATH="$PWD/bin" "$PARX" echo {= s/a/b/ =} ::: a
	assert_failure 255
	[[ $stderr == "parx: cannot start perl: No such file or directory"* ]]
}

@test "-N2 gives {1} {2}; missing ones are empty" {
	run parx -k -N2 echo {2}-{1} ::: a b c
	assert_output $'b-a\n-c'
}

@test "-X repeats the word around {} per value" {
	run parx -j1 -k -X "$HELPER/showargs" -o{}.out ::: a b
	assert_output $'<-oa.out>\n<-ob.out>'
}

@test "-m puts all values where {} is" {
	run parx -j1 -k -m "$HELPER/showargs" -o{}.out ::: a b
	assert_output $'<-oa>\n<b.out>'
}

@test "-s limits the packed command line" {
	run parx -j1 -k -m -s 20 echo ::: aaaa bbbb cccc dddd eeee ffff
	assert_success
	while IFS= read -r line; do [ "${#line}" -le 20 ]; done <<<"$output"
	[ "$(wc -l <<<"$output")" -gt 1 ]
}

# bats test_tags=heavy
@test "-m with 200000 inputs packs them all" {
	seq 200000 >in
	run parx -k -m echo :::: in
	assert_success
	[ "$(tr ' ' '\n' <<<"$output" | cksum)" = "$(cksum <in)" ]
}

@test "a 120 KiB argument reaches the job" {
	big=$(head -c 122880 /dev/zero | tr '\0' x)
	run parx -q sh -c 'printf %s "$1" | wc -c' sh ::: "$big"
	assert_success
	[ "$output" = 122880 ]
}

# bats test_tags=heavy
@test "a 1 MiB shell command line works (GNU parallel stops near 63 KB)" {
	run parx echo {} $(seq 1 80000) '|' wc -w ::: x
	assert_success
	[ "$output" = 80001 ]
}

@test "an input too long for any command line is an error" {
	head -c 3000000 /dev/zero | tr '\0' x >big
	run --separate-stderr parx echo :::: big
	assert_failure 255
	[[ $stderr == "parx: Error: Command line too long (3000005 >= "*") at input 0: "$(printf 'x%.0s' {1..50})"..." ]]
}

@test "perl expressions on streamed input: a line's job starts when the line comes, not when a batch is full" {
	# the second line is written only once the first one's job has run
	run timeout -k 1 20 sh -c '{ echo a; while [ ! -e ran.a ]; do sleep 0.05; done; echo b; } |
	    "$1" -k "touch ran.{= s/x/y/ =}; echo {= \$_ = uc =}"' sh "$PARX"
	assert_success
	assert_output $'A\nB'
}

@test "perl expressions: 1,000 jobs, each value once, in order, as one at a time would" {
	run parx -k --dry-run echo '{= $n++; $_ = "$n:$_:" . $job->seq() =}' :::: <(seq 1000)
	assert_success
	[ "${#lines[@]}" = 1000 ]
	[ "${lines[0]}" = "echo '1:1:1'" ]
	[ "${lines[999]}" = "echo '1000:1000:1000'" ]
	run parx -k -N3 --dry-run echo '{= $n++; $_ = "$n:$_" =}' :::: <(seq 7)
	assert_output $'echo \'1:1\' \'2:2\' \'3:3\'\necho \'4:4\' \'5:5\' \'6:6\'\necho \'7:7\''
}

@test "--plus {choose_k} and {uniq} skip jobs as GNU's do (not counted as failed: see DIFFERENCES)" {
	run parx -k --plus echo {choose_k} ::: A B C ::: A B C
	assert_success
	assert_output $'A B\nA C\nB C'
	run parx -k --plus echo {uniq} ::: A B ::: A B
	assert_success
	assert_output $'A B\nB A'
}

@test "--tmpl: --cleanup removes the files; errors name the file" {
	printf '{}\n' >t.tmpl
	run parx -k --tmpl t.tmpl=out.{} --cleanup 'cat out.{}' ::: a b
	assert_success
	assert_output $'a\nb'
	[ ! -e out.a ] && [ ! -e out.b ]
	run parx -k --tmpl t.tmpl=kept.{} true ::: a
	[ "$(cat kept.a)" = a ]
	run --separate-stderr parx --tmpl missing=x echo ::: a
	assert_failure 255
	assert_equal "$stderr" "parx: cannot read --tmpl file 'missing': No such file or directory"
	run --separate-stderr parx -k --tmpl t.tmpl=nodir/{} echo ::: a b
	assert_failure 255
	assert_equal "$stderr" "parx: cannot make --tmpl file 'nodir/a' for job 1: No such file or directory"
	assert_output ""
	run --separate-stderr parx --tmpl t.tmpl echo ::: a
	assert_failure 255
	run parx --dry-run --tmpl t.tmpl=dry.{} echo ::: a
	assert_output "echo a"
	[ ! -e dry.a ]
}

@test "--filter: code that does not compile or dies is named, nothing runs after it" {
	run --separate-stderr parx -j1 -k --filter '{} +' echo ::: 1 2
	assert_failure 255
	assert_output ""
	[[ $stderr == "parx: perl expression '1 +': syntax error at"*"(input 1)" ]]
	run --separate-stderr parx -j1 -k --filter '{} < 2 or die "too big"' echo ::: 1 2 3
	assert_failure 255
	assert_output 1
	[[ $stderr == "parx: perl expression '2 < 2 or die \"too big\"': too big at"*"(input 2)" ]]
}

@test "--process-slot-var NAME is the job's slot less one, whatever NAME held before" {
	run env name=old "$PARX" -j3 -k --process-slot-var=name 'echo $(( name + 1 )) $PARALLEL_JOBSLOT' ::: 1 2 3 4 5 6
	assert_success
	[ "${#lines[@]}" -eq 6 ]
	for l in "${lines[@]}"; do
		set -- $l
		[ "$1" = "$2" ]
		[ "$1" -ge 1 ] && [ "$1" -le 3 ]
	done
}

@test "--wd: jobs run in DIR (made if missing, replacement strings work); ... is a directory of each job's own, removed after" {
	mkdir a
	run parx -k --wd "$PWD/{}/sub" 'pwd; touch here' ::: a b
	assert_success
	assert_output "$PWD/a/sub"$'\n'"$PWD/b/sub"
	[ -e a/sub/here ] && [ -e b/sub/here ]
	run env HOME="$PWD/home" "$PARX" -k --wd ... 'pwd; mkdir -p x/y; touch x/y/z' ::: 1 2
	assert_success
	[[ ${lines[0]} == "$PWD/home/.parallel/tmp/"*-1 ]]
	[[ ${lines[1]} == "$PWD/home/.parallel/tmp/"*-2 ]]
	[ -z "$(ls home/.parallel/tmp)" ]
	run --separate-stderr parx --wd /etc/passwd/x pwd ::: 1
	assert_failure 255
	assert_equal "$stderr" "parx: cannot make --wd directory '/etc/passwd/x' for job 1: Not a directory"
	run parx --dry-run --wd "$PWD/never" pwd ::: 1
	[ ! -e never ]
}

@test "--wd: a job's OLDPWD is where parx was started, as after a cd" {
	mkdir d
	run env OLDPWD=/ "$PARX" --wd d 'echo $OLDPWD' ::: x
	assert_output "$PWD x"
	run env OLDPWD=/ "$PARX" 'echo $OLDPWD' ::: x
	assert_output "/ x"
}
