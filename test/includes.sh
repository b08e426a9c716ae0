#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test/includes.sh - Measure the layering of the program's sources: which
# file includes which, as a graph of modules (foo.c with foo.h is one
# module). Prints every module on its floor (a module stands above all it
# includes; floor 1 includes nothing of ours), the include arrows that run
# sideways or back up (only possible where modules include each other in a
# cycle), the cycles, who includes passt.h, and the source files over the
# size limit. Exits 1 if any of the targets is missed: no cycle, passt.h
# included by passt.c alone, fewer than 5% of arrows running back up, no .c
# file over 2,000 lines.
#
# Usage: test/includes.sh [-q]   (from the top of the source tree)

quiet=
[ "${1:-}" = "-q" ] && quiet=1
cd "$(dirname "$0")/.." || exit 1

# One "from to" line per include of one of our headers, by module
for f in *.c *.h; do
	case $f in seccomp.h) continue ;; esac
	sed -n 's/^#include "\([^"]*\)\.h".*/\1/p' "$f" |
		while read -r inc; do
			[ -f "$inc.h" ] || continue
			echo "${f%.*} $inc"
		done
done | sort -u | awk -v quiet="$quiet" '
$1 != $2 {
	key = $1 " " $2
	if (!(key in seen)) {
		seen[key] = 1
		from[++n] = $1; to[n] = $2
		out[$1] = out[$1] " " $2
	}
	mod[$1] = 1; mod[$2] = 1
}
$1 == $2 { mod[$1] = 1 }

# floor(): longest include chain below a module, plus one; a module met
# again on the current chain closes a cycle
function floor(m,    list, k, i, f, best) {
	if (m in fl)
		return fl[m]
	if (m in onpath) {
		cycle[m] = 1
		return 0
	}
	onpath[m] = 1
	best = 0
	k = split(out[m], list, " ")
	for (i = 1; i <= k; i++) {
		f = floor(list[i])
		if (f > best)
			best = f
	}
	delete onpath[m]
	fl[m] = best + 1
	return fl[m]
}

END {
	for (m in mod)
		floor(m)
	top = 0
	for (m in fl)
		if (fl[m] > top)
			top = fl[m]
	if (!quiet)
		for (f = top; f >= 1; f--) {
			line = ""
			for (m in fl)
				if (fl[m] == f)
					line = line " " m
			printf "floor %2d:%s\n", f, line
		}
	up = 0
	for (i = 1; i <= n; i++)
		if (fl[from[i]] <= fl[to[i]]) {
			up++
			printf "arrow back up: %s -> %s\n", from[i], to[i]
		}
	ncycle = 0
	for (m in cycle) {
		ncycle++
		printf "cycle through: %s\n", m
	}
	printf "%d modules, %d include arrows, %d back up (%.1f%%), " \
	       "%d cycles\n", length(fl), n, up, n ? 100 * up / n : 0, ncycle
	exit (ncycle || up * 20 >= n && up) ? 1 : 0
}'
rc=$?

users=$(grep -l '^#include "passt.h"' *.c *.h | grep -v '^passt\.c$')
if [ -n "$users" ]; then
	echo "passt.h included by:" $users
	rc=1
fi

big=$(wc -l *.c | awk '$2 != "total" && $1 > 2000 { print $2 " (" $1 ")" }')
if [ -n "$big" ]; then
	echo "over 2,000 lines:" $big
	rc=1
fi

exit $rc
