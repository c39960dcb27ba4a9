#!/usr/bin/env bats
# The same invocations through GNU parallel and parx: same stdout, same
# exit status.  Cases where parx deliberately differs are in tests/cli.
# Inputs, replacement strings, quoting, several inputs per job, columns,
# output, exit status.
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
