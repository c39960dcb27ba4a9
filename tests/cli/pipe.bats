#!/usr/bin/env bats
# --pipe and --pipepart: blocks on record boundaries, nothing lost.
load helper

@test "--pipe: every byte arrives once, in order with -k" {
	seq 200000 >in
	run bash -c "'$PARX' -k --pipe --block 64k cat <in | cmp - in"
	assert_success
	run bash -c "cat in | '$PARX' -k --pipe --block 64k cat | cmp - in"
	assert_success
}

# bats test_tags=heavy
@test "--pipe: blocks end on a newline and are near the block size" {
	seq 100000 >in
	run bash -c "cat in | '$PARX' -k --pipe --block 10k 'tee >(wc -c >>sizes) | tail -c 1 | od -An -tx1' | sort -u"
	assert_success
	assert_output " 0a"
	# Every block but the last is near 10 KiB; a failed [ ] in a loop
	# body would not fail the test, so awk lists the bad ones.
	[ "$(wc -l <sizes)" -gt 5 ]
	run awk '$1 > 10240 || $1 <= 9000' <(head -n -1 sizes)
	assert_output ""
}

@test "--pipe: binary data comes back byte for byte" {
	head -c 3000000 /dev/urandom >blob
	run bash -c "cat blob | '$PARX' -k --pipe --block 100k cat | cmp - blob"
	assert_success
	run bash -c "'$PARX' -k --pipe --block 100k cat <blob | cmp - blob"
	assert_success
}

@test "--pipe cuts a regular file into the blocks it cuts the same bytes from a pipe into" {
	# Cases that once differed: exactly a block left; a separator that
	# overlaps itself over runs of it; a start marker; --regexp.
	check() {
		local f=$1
		shift
		from_file=$("$PARX" --pipe -k "$@" 'cat; echo "|"' <"$f")
		from_pipe=$(cat "$f" | "$PARX" --pipe -k "$@" 'cat; echo "|"')
		assert_equal "$from_file" "$from_pipe"
		# and the blocks make up the input
		cmp -s <("$PARX" --pipe -k "$@" cat <"$f") "$f"
	}
	printf '\nababb\n\n\n' >exact
	check exact --recend a --recstart b --block 9
	printf 'aaaa\nbbbb\n' >exact2
	check exact2 --block 5
	check exact2 --block 10
	printf 'bbbaaa\n\nba\n\n\nb\nbb\na\n\nba\n\nb' >blank
	check blank --recend '\n\n' --block 1
	check blank --recend '\n\n' --block 3
	printf 'ab\nbbbb\nba\naaa\nba\naba\n\n\naba' >aa
	check aa --recend aa --block 1
	check aa --recstart aa --block 4
	check aa --regexp --recend 'b*\n' --block 5
}

@test "--pipe: a record longer than the block stays whole, and blocks grow as GNU's" {
	{ head -c 50000 /dev/zero | tr '\0' x; echo; echo short; } >in
	run --separate-stderr bash -c "'$PARX' -k --pipe --block 1k 'wc -l' <in"
	assert_output 2
	[[ $stderr == *"A record was longer than 39549. Increasing to --blocksize 51415."* ]]
}

@test "--pipe: empty input runs nothing" {
	run bash -c "'$PARX' --pipe 'echo ran' </dev/null"
	assert_success
	assert_output ""
}

@test "--pipe: a last record without a newline is kept" {
	run bash -c "printf 'a\nb' | '$PARX' -k --pipe --block 1 'od -An -c'"
	assert_success
	assert_line --regexp '^ +a +\\n$'
	assert_line --regexp '^ +b$'
}

@test "--pipe: CRLF records with --recend" {
	run bash -c "printf 'x\r\ny\r\n' | '$PARX' -k --pipe --recend \$'\\r\\n' --block 1 'od -An -c'"
	assert_line --regexp '^ +x +\\r +\\n$'
	assert_line --regexp '^ +y +\\r +\\n$'
}

@test "--pipe: --recstart alone splits before each record start" {
	run --separate-stderr bash -c "printf '>a\nx\n>b\ny\n' | '$PARX' -k --pipe --recstart '>' --block 1 'tr -d \"\\n\"; echo'"
	assert_output $'>ax\n>by'
}

@test "--pipe: --recend and --recstart together" {
	run --separate-stderr bash -c "printf 'a;>b;>c' | '$PARX' -k --pipe --recend ';' --recstart '>' --block 1 'cat; echo'"
	assert_output $'a;\n>b;\n>c'
}

@test "--pipe --recstart without --recend: -N and -L count records, as GNU does" {
	run timeout -k 2 10 bash -c "printf 'Xa\nXb\nXc\nXd\nXe\n' | '$PARX' -k --pipe --recstart X -N 2 'echo ---; cat'"
	assert_success
	assert_output $'---\nXa\nXb\n---\nXc\nXd\n---\nXe'
	run timeout -k 2 10 bash -c "printf 'Xa\nXb\nXc\nXd\nXe\n' | '$PARX' -k --pipe --recstart X -L 2 'echo ---; cat'"
	assert_success
	assert_output $'---\nXa\nXb\nXc\nXd\n---\nXe'
}

@test "--pipe -L: a short last record is a block of its own, as GNU's" {
	run bash -c "seq 5 | '$PARX' -k --pipe -L 2 'echo ---; cat'"
	assert_output $'---\n1\n2\n3\n4\n---\n5'
}

@test "--pipe -N: records per block; -L: lines per record" {
	run bash -c "seq 7 | '$PARX' -k --pipe -N 3 'paste -sd+'"
	assert_output $'1+2+3\n4+5+6\n7'
	run bash -c "seq 8 | '$PARX' -k --pipe -L 2 -N 2 'paste -sd+'"
	assert_output $'1+2+3+4\n5+6+7+8'
}

@test "--pipe --header 1 repeats the header in every block" {
	run bash -c "printf 'H\n1\n2\n3\n' | '$PARX' -k --pipe --header 1 -N 1 'paste -sd,'"
	assert_output $'H,1\nH,2\nH,3'
}

@test "--pipe: {#} and {%} work" {
	run bash -c "seq 3 | '$PARX' -k -j1 --pipe -N 1 'echo {#} {%} \$(cat)'"
	assert_output $'1 1 1\n2 1 2\n3 1 3'
}

@test "--pipe --cat: {} names a file holding the block, removed afterwards" {
	mkdir tmp
	run bash -c "seq 5 | '$PARX' -k --tmpdir tmp --pipe --cat -N 2 'wc -l < {}'"
	assert_output $'2\n2\n1'
	[ -z "$(ls -A tmp)" ]
}

@test "--pipepart: the parts cover the file exactly" {
	seq 300000 >in
	run bash -c "'$PARX' -k --pipepart -a in --block 100k cat | cmp - in"
	assert_success
	run bash -c "'$PARX' -j2 --pipepart -a in --block -3 'wc -l' | awk '{ s += \$1; n++ } END { print s, n }'"
	assert_output "300000 6"
}

@test "--pipepart --cat: each part once in its file, and the run ends" {
	seq 100 >f
	run timeout -k 2 20 "$PARX" --pipepart --block 31 -a f -k --cat 'cat {}'
	assert_success
	assert_output "$(seq 100)"
	printf 'H\n1\n2\n3\n' >h
	run timeout -k 2 20 "$PARX" --pipepart --block 3 --header 1 -a h -k --cat 'paste -sd, {}'
	assert_output $'H,1,2\nH,3'
}

@test "--pipepart with --header" {
	printf 'H\n1\n2\n3\n4\n' >in
	run "$PARX" -k --pipepart -a in --header 1 --block 4 'paste -sd,'
	# GNU's cut: the first line end starting a --block after the last cut
	assert_output $'H,1,2,3\nH,4'
}

@test "--pipepart needs a regular file" {
	run --separate-stderr "$PARX" --pipepart wc -l
	assert_failure 255
	[[ $stderr == *"--pipepart needs a file"* ]]
}

@test "--fifo: {} names a FIFO the block comes through, removed afterwards" {
	mkdir tmp
	seq 100000 >in
	run bash -c "'$PARX' -k --tmpdir tmp --pipe --fifo --block 100k 'cat {}' <in | cmp - in"
	assert_success
	run bash -c "'$PARX' -k --tmpdir tmp --pipepart -a in --fifo --block 100k 'cat {}' | cmp - in"
	assert_success
	# a job that opens its FIFO late still gets all of its block
	run bash -c "seq 4 | '$PARX' -k --tmpdir tmp --pipe --fifo -N 2 'sleep 0.2; paste -sd+ {}'"
	assert_output $'1+2\n3+4'
	# and one that never opens it still ends
	run bash -c "seq 4 | '$PARX' --tmpdir tmp --pipe --fifo -N 2 'echo {} >/dev/null'"
	assert_success
	[ -z "$(ls -A tmp)" ]
}

@test "--round-robin: one job per slot gets all the blocks between them" {
	seq 100000 >in
	run bash -c "'$PARX' -j3 --pipe --round-robin --block 10k 'wc -l' <in"
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	[ "$(printf '%s\n' "${lines[@]}" | awk '{ s += $1 } END { print s }')" -eq 100000 ]
	run bash -c "'$PARX' -j2 --pipe --round-robin --block 1k 'cat' <in | sort -n | cmp - in"
	assert_success
}

@test "--round-robin with no input starts no job" {
	run bash -c "'$PARX' --pipe --round-robin 'echo ran' </dev/null"
	assert_output ""
}

@test "--regexp: record ends and starts as regular expressions" {
	run --separate-stderr bash -c "printf 'a1;b22;c;' | '$PARX' -k --pipe --regexp --recend '[0-9]+;' --block 1 'cat; echo'"
	assert_output $'a1;\nb22;\nc;'
	# As GNU 20221122: a record starts wherever >+ matches, also at the
	# second > of two.
	run bash -c "printf '>x\n>>y\n' | '$PARX' -k --pipe --regexp --recstart '>+' -N 1 'cat; echo .'"
	assert_output $'>x\n.\n>.\n>y\n.'
	run --separate-stderr "$PARX" --pipe --regexp --recend '(' cat </dev/null
	assert_failure 255
	assert_equal "$stderr" "parx: invalid --recend or --recstart regular expression: missing closing parenthesis (see 'parx --help')"
}

@test "--regexp takes Perl's classes, and --recend '\\n' means a newline as in GNU" {
	run bash -c "printf 'a1b22c3' | '$PARX' -k --pipe --regexp --recend '\\d+' -N 1 'cat; echo'"
	assert_output $'a1\nb22\nc3'
	run bash -c "printf 'a\nb\nc\n' | '$PARX' -k --pipe --recend '\\n' -N 1 'cat; echo .'"
	assert_output $'a\n.\nb\n.\nc\n.'
	run bash -c "printf 'a\tb\tc' | '$PARX' -k --pipe --recend '\\t' -N 2 'cat; echo'"
	assert_output $'a\tb\t\nc'
}
@test "--pipepart --rrs: each part loses its record separators" {
	printf 'a\nb\nc\nd\n' >abcd
	run "$PARX" -k --pipepart -a abcd --block 3 --rrs 'cat; echo "|"'
	[ "$status" -eq 0 ]
	[ "$output" = $'ab|\ncd|' ]
	run "$PARX" -k --pipe -N3 --rrs --recstart '>' --recend '' 'cat; echo "|"' <<<'>a>b>c>d'
	[ "$output" = $'abc|\nd\n|' ]
}
@test "--pipe reads :::: FILE as -a FILE; several files are refused, never half read" {
	printf '1\n2\n3\n' >three
	run "$PARX" --pipe wc -l :::: three
	assert_output 3
	run --separate-stderr "$PARX" --pipe -a three wc -l :::: three
	[ "$status" -eq 255 ]
	[ "$stderr" = "parx: --pipe and --pipepart read one input file, not 2: cat them into parx (see 'parx --help')" ]
}
@test "--tee: a million lines reach each job whole, from a pipe or the rest of a file" {
	run bash -c "seq 1000000 | '$PARX' --pipe --tee -k -j1 'md5sum; echo {}' ::: 1 2"
	sum=$(seq 1000000 | md5sum)
	[ "$output" = "$sum"$'\n1\n'"$sum"$'\n2' ]
	seq 5 >s5
	run bash -c "(read x; '$PARX' --pipe --tee -k 'wc -l' ::: 1 2) <s5"
	assert_output $'4\n4'
	run --separate-stderr "$PARX" --pipe --tee wc
	[ "$status" -eq 255 ]
	run --separate-stderr "$PARX" --tee wc ::: a
	[ "$status" -eq 255 ]
}
@test "--shard: every line of a key goes to one job, none lost; a job that stops reading stalls none" {
	seq 100000 | awk '{ print $1 % 97 "," $1 }' >keys
	run bash -c "'$PARX' --pipe --shard 1 -j3 -k 'sort -t, -k1,1 | cut -d, -f1 | uniq | sed s/^/{#}:/' <keys"
	assert_success
	# 97 keys, each in exactly one job
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 97 ]
	[ "$(printf '%s\n' "$output" | cut -d: -f2 | sort -u | wc -l)" -eq 97 ]
	[ "$(printf '%s\n' "$output" | cut -d: -f1 | sort -u | wc -l)" -eq 3 ]
	run bash -c "'$PARX' --pipe --shard 1 -j3 cat <keys | sort | cmp - <(sort keys)"
	assert_success
	# job 2 ends at once: its lines are dropped, the others get all theirs
	run timeout -k 2 20 bash -c "seq 3000000 | '$PARX' --pipe --shard 1 -j3 -k '[ {#} = 2 ] || wc -l'"
	assert_success
	[ "${#lines[@]}" -eq 2 ]
}

@test "--shard/--bin: a column by name from the header line; errors name the expression" {
	printf 'k\tv\na\t1\nb\t2\na\t3\n' >named.tsv
	run bash -c "'$PARX' --pipe --shard k -j2 --colsep '\t' 'cat' <named.tsv | sort"
	assert_output $'a\t1\na\t3\nb\t2'
	run --separate-stderr "$PARX" --pipe --shard nope -j2 --colsep '\t' cat <named.tsv
	[ "$status" -eq 255 ]
	[ "$stderr" = "parx: --shard 'nope': no column of the header line has that name (see 'parx --help')" ]
	run --separate-stderr "$PARX" --pipe --bin '1 $_ +' -j2 cat <named.tsv
	[ "$status" -eq 255 ]
	[[ $stderr == "parx: --bin '1 \$_ +': perl expression '\$_ +': syntax error"* ]]
	run --separate-stderr bash -c "seq 3 | '$PARX' --pipe --bin '1 die \"no\"' -j2 cat"
	[ "$status" -eq 255 ]
	[[ $stderr == "parx: perl expression 'die \"no\"': no at"* ]]
	run --separate-stderr "$PARX" --pipe --round-robin --shard 1 cat </dev/null
	[ "$status" -eq 255 ]
}
@test "--group-by: 100000 lines in groups come back whole; errors name the expression" {
	seq 100000 | awk '{ print int($1 / 1000) "\t" $1 }' >big.tsv
	run bash -c "'$PARX' --pipe --group-by 1 -N1 -k 'cut -f1 | uniq | wc -l' <big.tsv | sort | uniq -c"
	assert_output "    101 1"
	run bash -c "'$PARX' --pipe --group-by '1 \$_ = int(\$_ / 10)' --block 100k -k cat <big.tsv | cmp - big.tsv"
	assert_success
	run --separate-stderr "$PARX" --pipe --group-by nope cat <big.tsv
	[ "$status" -eq 255 ]
	[ "$stderr" = "parx: --group-by 'nope': no column of the header line has that name" ]
	run --separate-stderr "$PARX" --pipe --group-by '1 die "bad"' cat <big.tsv
	[ "$status" -eq 255 ]
	[[ $stderr == "parx: perl expression 'die \"bad\"': bad at"* ]]
	run --separate-stderr "$PARX" --pipe --group-by 1 --rrs cat <big.tsv
	[ "$status" -eq 255 ]
}
@test "--pipe without a command is an error, not input thrown away" {
	run --separate-stderr bash -c "seq 3 | '$PARX' --pipe"
	[ "$status" -eq 255 ]
	[ "$stderr" = "parx: --pipe/--pipepart must have a command to pipe into (e.g. 'cat') (see 'parx --help')" ]
}

@test "--block-timeout: the whole records read so far go to a job while the input is still open" {
	# The input goes on only once a job has run: without the timeout
	# the first block would wait for the rest and the writer give up.
	writer() {
		printf 'a\nb\nc'
		timeout 10 sh -c 'until [ -e ran ]; do sleep 0.05; done' ||
		    echo gave-up
		echo d
	}
	run bash -c "$(declare -f writer); writer | timeout -k 5 20 '$PARX' --pipe --bt 1 -k 'echo B; cat; touch ran'"
	assert_success
	assert_output "B
a
b
B
cd"
	run bash -c "$(declare -f writer); writer | timeout -k 5 20 '$PARX' --pipe --bt 1 -L 2 -k 'echo B; cat; touch ran'"
	assert_output "B
a
b
B
cd"
	run --separate-stderr "$PARX" --pipe --block-timeout 0.5 cat
	assert_failure 255
	[[ $stderr == *"--block-timeout value '0.5': at least 1 second"* ]]
}

@test "--pipepart --dry-run -vv prints a command that reads each part, as GNU's parsort needs; parsort works with parx as its parallel" {
	seq 30000 | shuf >in
	run "$PARX" --pipepart --block -1 --dry-run -vv -j2 sort -n :::: in
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	# each command sorts its part: merged, they are the whole file sorted
	sort -m -n <(bash -c "${lines[0]}") <(bash -c "${lines[1]}") >merged
	sort -n in | cmp - merged
	mkdir bin
	ln -s "$PARX" bin/parallel
	PATH=$PWD/bin:$PATH timeout -k 5 30 parsort -n in >sorted
	cmp merged sorted
	# from stdin parsort feeds FIFOs named by ::: values, --round-robin
	PATH=$PWD/bin:$PATH timeout -k 5 30 parsort -n <in >sorted
	cmp merged sorted
	# -j takes a number with white space after it (parsort passes one)
	run "$PARX" -j $'2\n' echo ::: ok
	assert_output ok
}

@test "--pipe with ::: values: each job takes the next set for its replacement strings; --round-robin starts a job a set" {
	run bash -c "seq 6 | timeout -k 5 30 '$PARX' --pipe -N2 -k 'echo X{}; cat' ::: A B"
	assert_output $'XA\n1\n2\nXB\n3\n4\nX\n5\n6'
	run bash -c "seq 100000 | timeout -k 5 30 '$PARX' --pipe --round-robin -j4 --block 100k 'cat >{}' ::: ra rb"
	assert_success
	[ -s ra ] && [ -s rb ]
	sort -n ra rb | cmp - <(seq 100000)
	run --separate-stderr "$PARX" --pipe --cat cat ::: a
	assert_failure 255
	[[ $stderr == *"::: values with --pipe: {} is the block's file with --cat and --fifo"* ]]
}

@test "--csv --pipepart is refused: a part could cut a quoted field in two" {
	printf 'a,b\n"x\ny",2\n3,4\n' >c.csv
	run --separate-stderr "$PARX" --csv --pipepart -a c.csv --block 5 'wc -c'
	assert_failure 255
	assert_output ''
	[[ $stderr == "parx: --csv goes with --pipe, not --pipepart: a part cannot tell where the CSV records end without reading the file from its start"* ]]
	# --pipe keeps the record whole
	run "$PARX" --csv --pipe --block 5 -k 'wc -c' <c.csv
	assert_output $'4\n8\n4'
}
