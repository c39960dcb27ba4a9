#!/usr/bin/env bats
# The option table: GNU's aliases, options refused or ignored as such,
# --help, the completions, and a man page in step with the table.
load helper

# Every option name the man page's OPTIONS section gives a term line, and
# every one of its lists of options refused.
man_names() {
	awk '/^\.SH OPTIONS/ { on = 1; next } /^\.SH / { on = 0 }
	    on && prev == ".TP" && /^\.B/ { print }
	    on && /^\.SS GNU parallel options/ { list = 1 }
	    on && list && /^\.BR? / { print }
	    { prev = $0 }' "$TOP/man/parx.1" |
	    sed 's/\\-/-/g' | grep -oE '(^|[ "])--?[a-zA-Z0-9][a-zA-Z0-9-]*' |
	    tr -d ' "' | sort -u
}

# The names --help=all shows: short and canonical names of the options
# parx takes, then the GNU options it refuses.
help_names() {
	"$PARX" --help=all | grep -oE '(^  |, )--?[a-zA-Z0-9][a-zA-Z0-9-]*|^  --[a-z].*' |
	    grep -oE -- '--?[a-zA-Z0-9][a-zA-Z0-9-]*' | sort -u
}

# Every name the table has (all aliases of the options parx takes, from the
# bash completion, and the canonical names of those it refuses).
table_names() {
	{
		"$PARX" --shell-completion bash |
		    sed -n 's/.*compgen -W "\([^"]*\)".*/\1/p' | tr ' ' '\n'
		"$PARX" --help=all | sed -n '/parx does not support/,$p' |
		    grep -oE -- '--[a-z0-9-]+'
	} | grep . | sort -u
}

# The man page's list of options not supported yet (or, with an
# argument, not supported for a reason), and --help=all's.
man_todo() {
	awk -v title="${1:-not supported yet}" '
	    /^\.SS GNU parallel options/ { list = index($0, title) > 0; next }
	    /^\.S[HS] / { list = 0 }
	    list && /^\.BR? \\-/ { print $2 }' "$TOP/man/parx.1" |
	    sed 's/\\-/-/g; s/[,.]$//' | sort -u
}

help_todo() {
	"$PARX" --help=all | sed -n "/${1:-not support yet}/,/^\$/p" |
	    sed 1d | grep -oE -- '--[a-z0-9-]+' | sort -u
}

@test "the man page documents every option of the table, and no other" {
	man_names >man
	help_names >help
	table_names >table
	[ "$(wc -l <help)" -gt 150 ]
	# in the table, not in the man page
	run comm -13 man help
	assert_output ""
	# in the man page, not in the table
	run comm -23 man table
	assert_output ""
	# what the man page says is not supported yet is what parx refuses
	# (nothing, now: no such list in either)
	man_todo >man_todo
	help_todo >help_todo
	run diff man_todo help_todo
	assert_output ""
	! grep -q 'options not supported yet' "$TOP/man/parx.1"
	"$PARX" --help=all | grep -q 'parx does not support (DIFFERENCES'
	! "$PARX" --help=all | grep -q 'not support yet' 
	# and what it refuses for a reason, with the reason in DIFFERENCES
	man_todo "parx does not support" >man_differs
	help_todo "DIFFERENCES in parx" >help_differs
	[ "$(wc -l <help_differs)" -gt 10 ]
	run diff man_differs help_differs
	assert_output ""
	while read -r opt; do
		sed -n '/^\.SH DIFFERENCES/,/^\.SH EXAMPLES/p' "$TOP/man/parx.1" |
		    sed 's/\\-/-/g' | grep -q -- "$opt" ||
		    fail "DIFFERENCES does not say why $opt is refused"
	done <help_differs
}

@test "--help fits on a screen; --help=all and --help SECTION show the rest" {
	run parx --help
	assert_success
	[ "${#lines[@]}" -le 50 ]
	assert_line --partial "-j, -P, --jobs N"
	refute_line --partial "--memfree"
	run parx --help jobs
	assert_success
	assert_line --partial "--memfree SIZE"
	refute_line --partial "--keep-order"
	run parx --help=all
	assert_line --partial "--memfree SIZE"
	assert_line --partial "--keep-order"
	run --separate-stderr parx --help nosuch
	assert_failure 255
	assert_equal "$stderr" "parx: no --help section 'nosuch' (see 'parx --help')"
}

@test "GNU's aliases work: -P, --max-procs, --max-args, --linebuffer, --null, --xargs, --keep-order, --ungroup, --verbose, --silent" {
	run parx -P1 --max-args 1 --keep-order echo ::: a b
	assert_output $'a\nb'
	run parx --max-procs 1 --linebuffer -k echo ::: a b
	assert_output $'a\nb'
	run bash -c "printf 'a\\0b\\0' | '$PARX' --null -k echo"
	assert_output $'a\nb'
	run parx --xargs -j1 echo ::: a b
	assert_output "a b"
	run parx --ungroup -j1 echo ::: a
	assert_output a
	run --separate-stderr parx --verbose echo ::: a
	assert_equal "$stderr" "echo a"
	run --separate-stderr parx --verbose --silent echo ::: a
	assert_equal "$stderr" ""
	run parx -k --no-keep-order -j1 echo ::: a
	assert_output a
	run parx -l -k echo ::: a b
	assert_output $'a\nb'
	run parx -i -k echo '[{}]' ::: a
	assert_output '[a]'
	run parx -k --eof=x echo ::: a x b
	assert_output a
}

@test "a GNU option parx does not support is refused as such, never as unknown" {
	for opt in --compress --tmux --sql-master=x --latest-line; do
		run --separate-stderr parx "$opt" echo ::: a
		assert_failure 255
		assert_equal "$stderr" "parx: ${opt%%=*} is a GNU parallel option parx does not support: see DIFFERENCES FROM GNU PARALLEL in parx(1) (see 'parx --help')"
		assert_output ""
	done
}

@test "options GNU retired are refused as GNU refuses them; meaningless ones are accepted" {
	run --separate-stderr parx -g echo ::: a
	assert_failure 255
	assert_equal "$stderr" "parx: -g was retired from GNU parallel: use --group (see 'parx --help')"
	run parx --will-cite --no-notice --gnu --plain --ctrl-c -x echo ::: a
	assert_success
	assert_output a
}

@test "an ambiguous abbreviation names its candidates" {
	run --separate-stderr parx --jo 2 echo ::: a
	assert_failure 255
	assert_equal "$stderr" "parx: ambiguous option '--jo': --jobs, --joblog (see 'parx --help')"
}

@test "--minversion: parx follows GNU parallel 20221122" {
	run parx --minversion 20200101
	assert_success
	assert_output 20221122
	run --separate-stderr parx --minversion 20990101
	assert_failure 255
	assert_output 20221122
}

@test "bash completion from the table completes parx --jo" {
	"$PARX" --shell-completion bash >comp.bash
	run bash -c 'source ./comp.bash
	    COMP_WORDS=(parx --jo); COMP_CWORD=1; _parx
	    printf "%s\n" "${COMPREPLY[@]}" | sort'
	assert_success
	assert_output $'--joblog\n--jobs'
	# the installed copy is the same
	if [ -f "$TOP/build/completions/parx.bash" ]; then
		cmp comp.bash "$TOP/build/completions/parx.bash"
	fi
}

@test "zsh and fish completions are well-formed where those shells are" {
	"$PARX" --shell-completion zsh >_parx
	"$PARX" --shell-completion fish >parx.fish
	head -1 _parx | grep -qx '#compdef parx'
	grep -q -- "-l jobs -l max-procs -l maxprocs -s j -s P -r" parx.fish
	if command -v zsh >/dev/null; then zsh -n _parx; fi
	if command -v fish >/dev/null; then fish -n parx.fish; fi
	run --separate-stderr parx --shell-completion tcsh
	assert_failure 255
}

@test "-j's default is the CPU threads parx may use: taskset -c 0 means one slot" {
	taskset -c 0 true 2>/dev/null || skip "no taskset here"
	run taskset -c 0 "$PARX" -k 'echo {%}; sleep 0.1' ::: a b c
	assert_success
	assert_output $'1\n1\n1'
	run taskset -c 0 "$PARX" --number-of-threads
	assert_output 1
}

@test "--show-limits prints GNU's two lines, then runs; --max-line-length-allowed prints one" {
	run --separate-stderr parx --show-limits echo ::: ran </dev/null
	assert_success
	[[ ${lines[0]} =~ ^Maximal\ size\ of\ command:\ [0-9]+$ ]]
	[[ ${lines[1]} =~ ^Maximal\ usable\ size\ of\ command:\ [0-9]+$ ]]
	assert_equal "${lines[2]}" ran
	max=${lines[0]##* }
	run parx --max-line-length-allowed
	assert_output "$max"
	# a line packed up to the length it names is one parx can run
	local v
	v=$(head -c 999 /dev/zero | tr '\0' x)
	for ((i = 0; i < max / 1000 + 20; i++)); do echo "$v"; done >vals
	run parx -X -s "$max" -j1 -k -q sh -c 'echo $#' sh :::: vals
	assert_success
	# (each value costs its pointer too: within 10% of the length named)
	(( ${lines[0]} > max / 1100 ))
}
