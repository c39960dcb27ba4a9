# compat: runs one invocation through GNU parallel and through parx and
# requires the same stdout and exit status.
#   compat [-s] [-i INPUT] [--] ARGS...
#   -s        compare sorted output (the order is free)
#   -x        do not compare the exit status (a documented difference)
#   -i INPUT  feed INPUT (printf %b escapes) on stdin
#   -f FILE   feed FILE on stdin
#   -p FILE   feed FILE on stdin through a pipe
# GNU parallel 20221122's side is replayed from tests/compat/gnu/, one
# file a case, named by a digest of the case: its arguments, its input
# and the files in its directory (so a changed case finds no recording
# rather than a stale one).  GNU costs a Perl start-up a case, about
# half of what this suite took.  PARX_COMPAT=live runs GNU instead;
# PARX_COMPAT=record runs it and rewrites the recordings (make
# compat-record).
load ../cli/helper

compat() {
	local sorted=false input='' has_input=false file=/dev/null pipe=false
	local no_status=false
	while [ $# -gt 0 ]; do
		case $1 in
		-s) sorted=true; shift ;;
		-x) no_status=true; shift ;;
		-f) file=$2; shift 2 ;;
		-p) file=$2; pipe=true; shift 2 ;;
		-i) input=$2; has_input=true; shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	local gnu ours gnu_status our_status key rec
	mkdir -p "$HOME/.parallel" && touch "$HOME/.parallel/will-cite"
	key=$(case_digest "$has_input$pipe" "$input" "$file" "$@")
	rec=$BATS_TEST_DIRNAME/gnu/$key
	if [ "${PARX_COMPAT:-}" = live ] || [ "${PARX_COMPAT:-}" = record ]; then
		gnu=$(run_case "$has_input" "$pipe" "$input" "$file" parallel "$@")
		if [ "$PARX_COMPAT" = record ]; then
			mkdir -p "${rec%/*}" && printf '%s' "$gnu" >"$rec"
		fi
	elif [ -f "$rec" ]; then
		gnu=$(cat "$rec")
	else
		echo "no recording of GNU parallel $* ($rec):" \
		    "make compat-record makes it"
		return 1
	fi
	ours=$(run_case "$has_input" "$pipe" "$input" "$file" "$PARX" "$@")
	if $no_status; then
		gnu=${gnu%\[status *\]}
		ours=${ours%\[status *\]}
	fi
	if $sorted; then
		gnu=$(sort <<<"$gnu")
		ours=$(sort <<<"$ours")
	fi
	# Output that is only the status line compares nothing of the jobs:
	# a case meant to produce output must not pass on none.
	if { [ "$gnu" = "[status 0]" ] || [ -z "$gnu" ]; } &&
	    [ -z "${COMPAT_EMPTY_OK:-}" ]; then
		echo "GNU parallel $* printed nothing: the case tests nothing"
		return 1
	fi
	if [ "$gnu" != "$ours" ]; then
		echo "GNU parallel $*:"
		printf '%s\n' "$gnu"
		echo "parx $*:"
		printf '%s\n' "$ours"
		return 1
	fi
}

# run_case HAS_INPUT PIPE INPUT FILE COMMAND ARGS...: its stdout, then a
# line "[status N]".
run_case() {
	local has_input=$1 pipe=$2 input=$3 file=$4
	shift 4
	if $has_input; then
		printf '%b' "$input" | "$@" 2>/dev/null
	elif $pipe; then
		cat "$file" | "$@" 2>/dev/null
	else
		"$@" <"$file" 2>/dev/null
	fi
	echo "[status $?]"
}

# A digest of a case: the words given, and the names and contents of the
# files around it (what :::: and -a read).
case_digest() {
	{
		printf '%s\0' "$@"
		find . -maxdepth 2 -type f -print0 | sort -z |
		    xargs -0 -r sha1sum
		[ ! -f "$3" ] || sha1sum <"$3"
	} | sha1sum | cut -c1-20
}
