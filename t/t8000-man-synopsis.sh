#!/bin/sh
# Compare the usage lines each installed git-sandbox-<cmd> prints for -h
# with the SYNOPSIS of man/git-sandbox-<cmd>.1, for every command of the
# table (git sandbox --list-cmds). Run from anywhere:
#
#	make install PREFIX=/tmp/p && GIT_SANDBOX_PREFIX=/tmp/p sh t/t8000-man-synopsis.sh
#
# It also checks that every installed page renders without warnings and
# that `git help sandbox` and `man 5 gitsandbox` find the pages.

top=$(cd "$(dirname "$0")/.." && pwd) || exit 1
prefix=${GIT_SANDBOX_PREFIX:?set GIT_SANDBOX_PREFIX to the install prefix}
tmp=${TMPDIR:-/tmp}/check-man-synopsis.$$
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
mkdir "$tmp" || exit 1
LC_ALL=C
export LC_ALL

# "usage: X" and "   or: X" lines, one synopsis per line
usage_lines () {
	sed -n -e 's/^usage: //p' -e 's/^ *or: //p' |
	sed -e 's/[[:space:]][[:space:]]*/ /g' -e 's/^ //' -e 's/ $//'
}

# The SYNOPSIS section, roff markup removed; a line that does not start
# with "git sandbox" continues the synopsis above it.
synopsis_lines () {
	sed -n '/^\.SH  *"*SYNOPSIS/,/^\.SH/p' "$1" |
	sed -e '/^\.SH/d' -e '/^\.[a-zA-Z]/d' -e "/^'/d" -e '/^\.\\"/d' |
	sed -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\f\[[^]]*\]//g' \
	    -e 's/\\-/-/g' -e 's/\\(en/-/g' -e 's/\\&//g' -e 's/\\ / /g' \
	    -e 's/\\e/\\/g' -e 's/\\|//g' -e 's/\\^//g' |
	sed -e 's/[[:space:]][[:space:]]*/ /g' -e 's/^ //' -e 's/ $//' -e '/^$/d' |
	awk '/^git sandbox/ { if (line != "") print line; line = $0; next }
	     { line = line " " $0 }
	     END { if (line != "") print line }'
}

fail=0
checked=0
tests=0
# TAP: "ok N - what"
tap () {
	tests=$((tests + 1))
	echo "$1 $tests - $2"
}
"$prefix/bin/git-sandbox" --list-cmds </dev/null >"$tmp/cmds" 2>/dev/null || : >"$tmp/cmds"
while IFS='	' read -r name help; do
	cmd=git-sandbox-$name
	bin=$prefix/bin/$cmd
	page=$top/man/$cmd.1
	if [ ! -x "$bin" ]; then
		tap "not ok" "$cmd: $bin is not installed"
		fail=1
		continue
	fi
	if [ ! -f "$page" ]; then
		tap "not ok" "$cmd: no manual page man/$cmd.1"
		fail=1
		continue
	fi
	"$bin" -h </dev/null 2>/dev/null | usage_lines >"$tmp/usage"
	synopsis_lines "$page" >"$tmp/synopsis"
	checked=$((checked + 1))
	if [ ! -s "$tmp/usage" ]; then
		tap "not ok" "$cmd: '$cmd -h' printed no usage"
		fail=1
	elif cmp -s "$tmp/usage" "$tmp/synopsis"; then
		tap ok "$cmd"
	else
		tap "not ok" "$cmd: SYNOPSIS of man/$cmd.1 differs from '$cmd -h'"
		(cd "$tmp" && diff -u usage synopsis) | sed 's/^/# /'
		fail=1
	fi
	# each option -h lists has its help line and is described in the page
	"$bin" -h </dev/null 2>/dev/null |
	sed -n 's/^    \(-[a-zA-Z], \)*\(--[a-z][-a-z]*\).*/\2/p' >"$tmp/options"
	undescribed=
	while read -r opt; do
		man_opt=$(printf '%s\n' "$opt" | sed 's/-/\\\\-/g')
		sed -n '/^\.SH  *"*OPTIONS/,/^\.SH/p' "$page" | grep -q -- "$man_opt" ||
			undescribed="$undescribed $opt"
	done <"$tmp/options"
	# help beside the option, or on the next line for a long one
	nohelp=$("$bin" -h </dev/null 2>/dev/null | awk '
		pending { if ($0 !~ /^                          [^ ]/) n++; pending = 0 }
		/^    -/ { if ($0 !~ /[^ ]  +[^ ]/) pending = 1 }
		END { print n + pending }')
	if [ -n "$undescribed" ] || [ "$nohelp" != 0 ]; then
		tap "not ok" "$cmd: -h options without help ($nohelp) or not in OPTIONS:$undescribed"
		fail=1
	else
		tap ok "$cmd: -h lists its options, each with help, each in OPTIONS"
	fi
	if [ -z "$help" ]; then
		tap "not ok" "$cmd: no help line in 'git sandbox --list-cmds'"
		fail=1
	fi
done <"$tmp/cmds"
if [ "$checked" = 0 ] && [ "$fail" = 0 ]; then
	tap "not ok" "'$prefix/bin/git-sandbox --list-cmds' lists no command"
	fail=1
fi
# every command's source is in the table
for src in "$top"/git-sandbox/git-sandbox-*.c; do
	[ -f "$src" ] || continue
	name=${src##*/git-sandbox-}
	name=${name%.c}
	if ! grep -q "^$name	" "$tmp/cmds"; then
		tap "not ok" "git-sandbox-$name.c is not in the command table"
		fail=1
	fi
done
for page in "$prefix"/share/man/man1/git-sandbox*.1 "$prefix"/share/man/man5/gitsandbox.5; do
	warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	if [ -n "$warn" ] || grep -q '@VERSION@' "$page"; then
		tap "not ok" "${page##*/} renders with warnings or an unsubstituted version"
		echo "$warn" | sed 's/^/# /'
		fail=1
	else
		tap ok "${page##*/} renders cleanly"
	fi
done
# the installed pages are found the way a user asks for them
unset MANPATH	# man finds the pages from PATH: <prefix>/bin -> <prefix>/share/man
for ask in "git help sandbox:GIT-SANDBOX(1)" "man 5 gitsandbox:GITSANDBOX(5)" \
	   "git help sandbox-up:GIT-SANDBOX-UP(1)" "git sandbox create --help:GIT-SANDBOX-CREATE(1)"; do
	cmd=${ask%%:*} want=${ask#*:}
	if PATH="$prefix/bin:$PATH" MANPAGER=cat GIT_PAGER=cat MANWIDTH=80 $cmd 2>&1 | head -n 1 | grep -qF "$want"; then
		tap ok "'$cmd' opens $want"
	else
		tap "not ok" "'$cmd' does not open $want"
		fail=1
	fi
done
echo "1..$tests"
exit $fail
