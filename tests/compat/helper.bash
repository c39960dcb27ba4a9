# compat: runs one invocation through GNU parallel and through parx and
# requires the same stdout and exit status.
#   compat [-s] [-i INPUT] [--] ARGS...
#   -s        compare sorted output (the order is free)
#   -x        do not compare the exit status (a documented difference)
#   -i INPUT  feed INPUT (printf %b escapes) on stdin
#   -f FILE   feed FILE on stdin
#   -p FILE   feed FILE on stdin through a pipe
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
	local gnu ours gnu_status our_status
	mkdir -p "$HOME/.parallel" && touch "$HOME/.parallel/will-cite"
	if $has_input; then
		gnu=$(printf '%b' "$input" | parallel "$@" 2>/dev/null; echo "[status $?]")
		ours=$(printf '%b' "$input" | "$PARX" "$@" 2>/dev/null; echo "[status $?]")
	elif $pipe; then
		gnu=$(cat "$file" | parallel "$@" 2>/dev/null; echo "[status $?]")
		ours=$(cat "$file" | "$PARX" "$@" 2>/dev/null; echo "[status $?]")
	else
		gnu=$(parallel "$@" <"$file" 2>/dev/null; echo "[status $?]")
		ours=$("$PARX" "$@" <"$file" 2>/dev/null; echo "[status $?]")
	fi
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
