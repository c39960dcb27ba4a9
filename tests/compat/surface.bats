#!/usr/bin/env bats
# The same invocations through GNU parallel and parx: same stdout, same
# exit status.  Cases where parx deliberately differs are in tests/cli.
# Packing, positions, linking and the rest of the option surface as GNU has them.
load helper

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
	seq 1000 >num1000
	compat -k --pipepart -a num1000 --block 1k wc
	compat -k --pipepart -a num1000 --block 100 wc
	compat -k --pipepart -a num1000 --header 2 --block 1k wc
	compat -k --pipepart -a num1000 --recend 5 --block 1k wc
	compat -k --pipepart -a num1000 --recstart 5 --block 1k wc
	compat -k --pipepart -a num1000 --recend '' --block 1k wc
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
