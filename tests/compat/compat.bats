#!/usr/bin/env bats
# The same invocations through GNU parallel and parx: same stdout, same
# exit status.  Cases where parx deliberately differs are in tests/cli.
load helper

# --- inputs
@test "compat: ::: values" {
	compat -s echo ::: a b c
}
@test "compat: -k ::: values" {
	compat -k echo ::: a b c
}
@test "compat: stdin lines" {
	compat -i '1\n2\n3\n4\n5\n' -k echo
}
@test "compat: two sources combine, first slowest" {
	compat -k echo ::: a b ::: 1 2
}
@test "compat: :::+ links a source" {
	compat -k echo ::: a b c :::+ 1 2 3 ::: X Y
}
@test "compat: --link wraps the shorter source" {
	compat -k --link echo ::: a b c ::: 1 2
}
@test "compat: -0" {
	compat -i 'a\0b c\0' -k -0 echo x{}x
}
@test "compat: -d ," {
	compat -i 'a,b,c' -k -d , echo x{}x
}
@test "compat: -d with a C escape" {
	compat -i 'a\tb\tc' -k -d '\t' echo x{}x
}
@test "compat: -E stops at the end string" {
	compat -i 'a\nb\nSTOP\nc\n' -k -E STOP echo
}
@test "compat: -r skips blank lines" {
	compat -i 'a\n\n \nb\n' -k -r echo x{}x
}
@test "compat: an empty line is an empty argument" {
	compat -i 'a\n\nb\n' -k echo x{}x
}
@test "compat: no final newline" {
	compat -i 'a\nb' -k echo x{}x
}
@test "compat: :::: file" {
	printf 'f1\nf2\n' >f
	compat -k echo :::: f
}
@test "compat: -a file" {
	printf 'f1\nf2\n' >f
	compat -k -a f echo
}
@test "compat: two :::: files combine" {
	printf '1\n2\n' >f
	printf 'x\ny\n' >g
	compat -k echo :::: f g
}
@test "compat: :::: - reads stdin" {
	compat -i 'p\nq\n' -k echo :::: - ::: z
}
@test "compat: --arg-sep" {
	compat -k --arg-sep ,, echo ,, a b
}
@test "compat: --shuf keeps every input" {
	compat -s --shuf echo ::: a b c d
}
@test "compat: empty input runs nothing" {
	COMPAT_EMPTY_OK=1 compat -i '' -k echo
}
# --- replacement strings
@test "compat: {.} {/} {//} {/.}" {
	compat -k echo {.} {/} {//} {/.} ::: /a/b.c.d x.y foo dir/ .hidden a.b/c /
}
@test "compat: {#}" {
	compat -k echo {#} ::: a b c
}
@test "compat: {%} with one slot" {
	compat -j1 -k echo {%} ::: a b
}
@test "compat: positional {1} {2}" {
	compat -k echo {2} {1} ::: a b ::: c d
}
@test "compat: negative {-1}" {
	compat -k echo {-1} {-2} ::: a b ::: c d
}
@test "compat: positional with modifiers" {
	compat -k echo {1.} {2/} {1//} {2/.} ::: x/a.b ::: y/c.d
}
@test "compat: {} twice" {
	compat -k echo {} {} ::: a
}
@test "compat: -I" {
	compat -k -I ,, echo ,, {} ::: a
}
@test "compat: --extensionreplace" {
	compat -k --extensionreplace XX echo XX ::: a.b
}
@test "compat: --basenamereplace" {
	compat -k --bnr BB echo BB ::: a/b
}
@test "compat: --seqreplace" {
	compat -k --seqreplace SS echo SS ::: a b
}
@test "compat: --plus path strings" {
	compat -k --plus echo {+/} {+.} {..} {...} {+..} {/..} ::: a/b.c.d.e x
}
@test "compat: --plus {##} and {0#}" {
	compat -k --plus echo '{##}' '{0#}' ::: a b c d e f g h i j k
}
@test "compat: --plus substitution" {
	compat -k --plus echo {/b/X} {//b/X} ::: abcb
}
@test "compat: --plus substrings" {
	compat -k --plus echo {:1} {:1:2} ::: abcdef
}
@test "compat: --plus default value" {
	compat -k --plus echo {:-none} ::: '' x
}
@test "compat: no replacement string appends" {
	compat -k echo pre ::: a 'b c'
}
@test "compat: no command runs the input" {
	compat -k ::: 'echo a' 'echo b | tr b B'
}
# --- quoting
@test "compat: --dry-run quoting" {
	compat -k --dry-run echo ::: "it's" 'a b' '$x' '' 'a"b' '*' ok-_./+
}
@test "compat: shell syntax in values stays literal" {
	compat -k echo ::: '$(echo hi)' '`echo hi`' ';ls' '|cat' '*' 'a  b' '~'
}
@test "compat: leading dashes" {
	compat -k printf '%s\n' ::: -n -- -e
}
@test "compat: pipes in the command" {
	compat -k 'echo {} | tr a-z A-Z' ::: abc 'd e'
}
@test "compat: several commands" {
	compat -k 'echo {}; echo done' ::: a
}
@test "compat: -q quotes the command" {
	compat -k -q printf '<%s>\n' {} ::: 'a b' c
}
@test "compat: -v prints the command first" {
	compat -k -v echo ::: a 'b c'
}
@test "compat: --dry-run with redirection" {
	compat -k --dry-run 'grep -c foo {} > {}.count' ::: a.txt 'b c.txt'
}
# --- several inputs per job
@test "compat: -n2" {
	compat -k -n2 echo ::: a b c d e
}
@test "compat: -N2 positional" {
	compat -k -N2 echo {1}-{2} ::: a b c d e
}
@test "compat: -N0" {
	compat -k -N0 echo x ::: a b
}
@test "compat: -m" {
	compat -k -j1 -m echo ::: a b c
}
@test "compat: -X context replace" {
	compat -k -j1 -X echo pre{}post ::: a b c
}
@test "compat: -X spreads over slots" {
	compat -k -j2 -X echo {} ::: a b c d e f g
}
@test "compat: -m spreads over slots" {
	compat -k -j3 -m echo ::: 1 2 3 4 5 6 7
}
@test "compat: -m from stdin" {
	compat -i '1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n' -k -j2 -m echo
}
@test "compat: -L2" {
	compat -i 'a\nb\nc\nd\ne\n' -k -L2 echo
}
@test "compat: -n2 with two sources" {
	compat -k -n2 echo {} ::: a b ::: 1 2
}
@test "compat: -X with modifiers" {
	compat -k -j1 -X echo {} {.} x{/}y ::: a/1.b c/2.d
}
# --- columns
@test "compat: --colsep positional" {
	compat -i 'a,b,c\nd,e,f\n' -k --colsep , echo {3} {1}
}
@test "compat: --colsep appends columns" {
	compat -i 'a,b,c\nd,e,f\n' -k --colsep , echo
}
@test "compat: --colsep with {}" {
	compat -i 'a,b\n' -k --colsep , echo {}
}
@test "compat: --header : names columns" {
	compat -i 'x,y\n1,2\n3,4\n' -k --colsep , --header : echo {y} {x}
}
@test "compat: --header without --colsep" {
	compat -i 'name\n1\n3\n' -k --header : echo {name}
}
@test "compat: --trim lr" {
	compat -i ' a , b \n' -k --trim lr --colsep , echo x{1}x{2}x
}
@test "compat: --colsep regex" {
	compat -i 'a  b c\n' -k --colsep ' +' echo {2}-{3}
}
@test "compat: --colsep tab" {
	compat -i 'a\tb\n' -k --colsep '\t' echo {2}
}
# --- output
@test "compat: --tag" {
	compat -k --tag echo ::: a 'b c'
}
@test "compat: --tag on every line" {
	compat -k --tag printf 'x\ny\n' ::: a
}
@test "compat: --tagstring" {
	compat -k --tagstring '{#}-{}' echo ::: a b
}
@test "compat: stdout without stderr" {
	compat -k sh -c 'echo out
	echo err >&2' ::: a
}
@test "compat: --line-buffer" {
	compat -s --line-buffer echo ::: a b c
}
@test "compat: -u" {
	compat -s -u echo ::: a b c
}
@test "compat: no final newline in output" {
	compat -k printf '%s' ::: a b
}
# --- exit status
@test "compat: all succeed" {
	COMPAT_EMPTY_OK=1 compat true ::: a b
}
@test "compat: failures are counted" {
	compat false ::: 1 2 3
}
@test "compat: exit codes are not summed" {
	COMPAT_EMPTY_OK=1 compat -k sh -c 'exit {}' ::: 0 1 2
}
@test "compat: command not found" {
	compat nosuchcommand-parx ::: 1
}
@test "compat: more than 100 failures" {
	compat -j4 false ::: $(seq 103)
}
@test "compat: a job killed by a signal fails" {
	compat sh -c 'kill -9 $$' ::: 1
}

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
	# the most slots in use at once: the highest {%}
	for opt in --use-cores-instead-of-threads --use-sockets-instead-of-threads --use-cpus-instead-of-cores; do
		for j in 100% +1; do
			gnu=$(parallel "$opt" -j"$j" 'sleep 0.2; echo {%}' ::: 1 2 3 4 5 6 | sort -n | tail -1)
			ours=$("$PARX" "$opt" -j"$j" 'sleep 0.2; echo {%}' ::: 1 2 3 4 5 6 | sort -n | tail -1)
			assert_equal "$ours" "$gnu"
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

# --- packing, positions, linking, separators as GNU
@test "compat: -N and -L repeat a word around {} per value" {
	compat -k -N2 echo a{}b ::: 1 2 3 4
	compat -k -L2 echo x{}y ::: 1 2 3
	compat -k -m echo a{}b ::: 1 2 3
}
@test "compat: a position past the last value gives nothing" {
	compat -k -N2 echo {1} {3} x ::: a b c d
	compat -k -C %+ echo '"{1}_{3}_{2}_{4}"' ::: 'a%c%%b'
}
@test "compat: -N with a unit suffix" {
	compat -k -N1k echo ::: a b c
}
@test "compat: :::+ stops at the shorter source" {
	compat -k echo ::: a b c :::+ 1 2
	compat -k echo ::: a b :::+ 1 2 3 ::: X Y
}
@test "compat: --colsep trims its columns; --trim n keeps the blanks" {
	compat -k --colsep , echo '[{1}]' '[{2}]' ::: ' a , b '
	compat -k --colsep , --trim n echo '[{1}]' '[{2}]' ::: ' a , b '
}
@test "compat: --header : splits on TABs; CR-LF lines with --colsep" {
	printf 'a\tb\n1\t2\n' >h.tsv
	compat -k --header : echo '{a}-{b}' :::: h.tsv
	printf 'a,b\r\n1,2\r\n' >h.csv
	compat -k --header : --colsep , echo '{a}-{b}=' :::: h.csv
}
@test "compat: -d splits ::: values; -d with several characters" {
	compat -k -d : echo ::: a:b:c
	compat -k -d ab echo ::: xabyabz
	compat -i 'a\r\nb\r\n' -k -d '\r\n' echo x{}x
}
@test "compat: -s counts characters as GNU: a line of L characters fits -s L+1" {
	compat -s 29 -X -kj1 echo a{}b{}c ::: 1 2 3 4
	compat -s 28 -X -kj1 echo a{}b{}c ::: 1 2 3 4
	compat -s 13 -m -kj1 echo ::: 1 2 3 4
	compat -s 12 -m -kj1 echo ::: 1 2 3 4
	compat -s 16 -m -kj1 echo x{}y ::: 1 22 333 4
}
@test "compat: a value too long for any line: GNU's error, word for word" {
	# stderr, with the program's name left out
	local gnu ours
	gnu=$(printf 'a\nbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n' |
		parallel -j1 -km -s 20 echo 2>&1 >/dev/null || true)
	ours=$(printf 'a\nbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n' |
		"$PARX" -j1 -km -s 20 echo 2>&1 >/dev/null || true)
	[[ $gnu == "parallel: Error: Command line too long"* ]]
	[ "${gnu#parallel: }" = "${ours#parx: }" ]
	gnu=$(parallel -s 20 echo 'a b' ::: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 2>&1 >/dev/null || true)
	ours=$("$PARX" -s 20 echo 'a b' ::: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 2>&1 >/dev/null || true)
	[ "${gnu#parallel: }" = "${ours#parx: }" ]
}
@test "compat: -s: a value that cannot fit is an error after the jobs before it" {
	compat -s 10 -m -kj1 echo x{}y ::: 1 22 333 4
}
@test "compat: -L: a line ending in a blank goes on with the next, as xargs" {
	compat -i 'a \nb\nc\n' -k -L1 printf '<%s>'
	compat -i 'a \nb \nc\nd\n' -k -L2 printf '<%s>'
}
@test "compat: --csv: quoted separators, doubled quotes, newlines inside quotes" {
	printf 'a,"b,c",d\n"multi\nline",x\n"q""uote",\n\n"two\n\nbreaks",y\n' >in.csv
	compat -k --csv echo '<{1}>' '<{2}>' '<{3}>' :::: in.csv
	compat -k --csv --colsep ';' echo '<{1}>' '<{2}>' ::: 'x ;"y;z"' ' p ; q '
	printf 'h1,h2\n1,"2,3"\n' >head.csv
	compat -k --csv --header : echo '{h2}' '{h1}' :::: head.csv
}
@test "compat: --csv --pipe: a block never ends inside a quoted field" {
	printf '1,"2\n3",4\n5,6\n7,"8\n\n9"\n' >blocks.csv
	compat -f blocks.csv -k --csv --pipe --block 3 'echo BLOCK; cat'
	compat -f blocks.csv -k --csv --pipe --block 100 'echo BLOCK; cat'
}
@test "compat: --skip-first-line drops the first value of the first source" {
	compat -k --skip-first-line echo ::: a b c
	compat -i '1\n2\n3\n' -k --skip-first-line echo :::: - ::: x y
}
@test "compat: --shellquote prints the command lines quoted, once per --shellquote" {
	compat -i 'a b\nc"d\n' --shellquote
	compat -k --shellquote echo ::: 'x y' "it's"
	compat -i 'a b\n' --shellquote --shellquote
}
@test "compat: --total-jobs sets total_jobs() and {##}" {
	compat -i '1\n2\n3\n' -k --total-jobs 10 echo '{= $_=total_jobs() =}'
	compat -i '1\n2\n3\n' -k --plus --total-jobs 10 echo '{##}' '{0#}'
}
@test "compat: --pipepart cuts where GNU cuts" {
	seq 3000 >num3000
	compat -k --pipepart -a num3000 --block 1k wc
	compat -k --pipepart -a num3000 --block 100 wc
	compat -k --pipepart -a num3000 --header 2 --block 1k wc
	compat -k --pipepart -a num3000 --recend 5 --block 1k wc
	compat -k --pipepart -a num3000 --recstart 5 --block 1k wc
	compat -k --pipepart -a num3000 --recend '' --block 1k wc
}
@test "compat: --rrs with --regexp; a block it leaves empty makes no job" {
	compat -i 'foo,bar,_baz,__qux,\n' -kN1 --rrs --regexp --recend ',_+' --pipe echo 'JOB{#};cat;echo END'
	compat -i 'HHHHAAABBBCCC' -k --pipe -N1 --rrs --regexp --recstart 'H|A' --recend '' 'echo start; cat; echo'
	compat -i 'a\n\nb\n' --pipe -N1 --rrs -k 'echo x; cat; echo'
}
@test "compat: fixed-length records (--recend ''), --header as a regex for --pipe" {
	compat -i 'HHHHAAABBBCCC' -k --pipe --header '.{4}' --block 3 --recend '' 'echo start; cat; echo'
	compat -i 'AAABBBCC' -k --pipe --block 3 --recend '' 'echo start; cat; echo'
	compat -i '#a\n#b\n1\n2\n3\n' -k --pipe --header '(#.*\n)+' -N2 'echo start; cat'
}
@test "compat: --rrs removes the record separators from each block" {
	compat -i 'a\nb\nc\nd\n' --pipe -N2 --rrs -k od -c
	compat -i 'a;b;c;' --pipe --recend ';' -N1 --rrs -k od -c
	compat -i '>a\nx\n>b\ny\n' --pipe --recend '' --recstart '>' -N1 --rrs -k od -c
	compat -i '>a\nx\n>b\ny\n' --pipe --recstart '>' -N1 --rrs -k od -c
}
@test "compat: --tmpl writes each job's copy of a template, names replaced too" {
	printf 'Hello {1}, job {#}, {= $_=uc($_) =}\n{2}.\n' >t.tmpl
	compat -k --tmpl t.tmpl={#}.out cat {#}.out ::: 'a b' "c'd"
	printf '{1} and {2}: {1.}\n' >t2.tmpl
	compat -k --tmpl t2.tmpl={#}.out cat {#}.out ::: 'a b' "c'd" ::: x
	compat -j1 -k --tmpl t.tmpl=x{1}.out --cleanup 'cat x{1}.out; ls x*.out' ::: a b
}
@test "compat: --filter runs only the jobs whose perl code is true" {
	# GNU counts the jobs filtered out as failed (DIFFERENCES)
	compat -x -k --filter '{1} < {2}+1' echo {#} {1} {2} ::: 1 2 3 ::: 1 2 3
	compat -x -k --filter '"{}" =~ /b/' echo {#} ::: a b c ab
	compat -x -k --filter '{} > 1' --filter '{} < 4' echo ::: 1 2 3 4
}
@test "compat: --tee gives all of the input to every job, one per ::: value" {
	compat -i '1\n2\n3\n' --pipe --tee -k wc ::: -l -c
	compat -i '1\n2\n3\n' --pipe --tee -k wc {} ::: -l -c
	compat -i '1\n2\n3\n12\n' --pipe --tee -k --tag 'grep {1} | wc {2}' ::: 1 2 ::: -l -c
	printf '1\n2\n3\n' >s3
	compat -f s3 --pipe --tee -k wc {} ::: -l -c
	compat --pipepart -a s3 --tee -k wc {} ::: -l -c
}
@test "compat: --bin sends a line to job key % slots, as GNU" {
	printf 'a\t1\nb\t2\nc\t3\na\t4\nb\t5\n' >bin.tsv
	compat -f bin.tsv --pipe --bin 2 -j3 --colsep '\t' -k 'sort | tr "\n" " "; echo'
	compat -f bin.tsv --pipe --bin '2 $_*=2' -j3 --colsep '\t' -k 'sort | tr "\n" " "; echo'
	printf '7,x\n8,y\n9,z\n' >bin.csv
	compat -f bin.csv --pipe --bin 1 -j2 -k 'sort | tr "\n" " "; echo'
}
@test "compat: --group-by: a record is a run of lines with the same key" {
	printf 'k\tv\na\t1\na\t2\nb\t3\nc\t4\nc\t5\n' >g.tsv
	tail -n +2 g.tsv >g2.tsv
	compat -f g.tsv --pipe --group-by k -N1 -k 'echo BLOCK; cat'
	compat -f g2.tsv --pipe --group-by 1 -N1 -k 'echo BLOCK; cat'
	compat -f g2.tsv --pipe --group-by 's/\t.*//' -N1 -k 'echo BLOCK; cat'
	compat -f g2.tsv --pipe --group-by '2 $_%=2' -N1 -k 'echo BLOCK; cat'
	compat -f g2.tsv --pipe --group-by 1 --block 10 -k 'echo BLOCK; cat'
	compat -f g2.tsv --pipe --group-by 1 -N2 -k 'echo BLOCK; cat'
	printf 'x,1\nx,2\ny,3\n' >g.csv
	compat -f g.csv --pipe --group-by 1 --colsep , -N1 -k 'echo BLOCK; cat'
}
@test "compat: -l0 is -l1; every file after ::::+ is linked" {
	compat -i '1\n2\n' -k -l0 echo l0
	printf '1\n2\n3\n' >f123
	printf '21\n22\n23\n' >f2123
	compat -k echo ::: 11 22 33 ::::+ f123 f2123 ::: a b c :::+ aa bb cc
	compat -k echo :::: f123 :::: f2123 :::+ a b c ::: aa bb cc
}
@test "compat: --tmpl joins a string's values as GNU does; {=name perl=} with --header" {
	printf '{} {1}{2} {=$_.="x"=}\n' >j.tmpl
	compat -j1 -k --tmpl j.tmpl=j.out 'cat j.out' ::: 1 2 ::: a b
	printf 'X {x} {=x $_=$_*10 =}\n' >x.tmpl
	compat -j1 -k --header : --tmpl x.tmpl={#}.x 'cat {#}.x' ::: x 1.1 2.22
	compat -k --header : echo '{=x $_*=10 =}' ::: x 1 2
}
@test "compat: --pipe -r skips blocks of only white space; -v with --files prints only names" {
	compat -i 'a\n \nb\n' -r -k -N1 --pipe 'echo x; cat'
	COMPAT_EMPTY_OK=1 compat -i '\n' -r -j2 -N1 --pipe cat
	compat -i '1\n2\n' -v --pipe --tagstring foo cat
}
@test "compat: --tee runs every job at once unless -j says otherwise" {
	compat -i '1\n2\n3\n' --pipe --tee -k --tag 'echo {%}' ::: 1 2 3 4 5
}
@test "compat: --color-failed: a failed job's lines white on red, every last line ended; ignored with -u and --lb" {
	compat -j1 --tag --cf 'printf "x\ny"; exit {}' ::: 0 2
	compat -k --cf 'printf {}; exit {}' ::: 0 2 3
	compat -k --color-failed 'echo {}; test {} = b' ::: a b c
	compat -u --cf 'echo {}; false' ::: a
	compat --lb --cf 'echo {}; false' ::: a
}
