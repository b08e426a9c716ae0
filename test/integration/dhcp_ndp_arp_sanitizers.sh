#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The built-in services (arp.c, ndp.c, dhcp.c, dhcpv6.c, dns_name.c) built
# with AddressSanitizer and UndefinedBehaviorSanitizer run their unit tests
# (hostile frame tables and hundreds of thousands of corrupted requests)
# without a single report: no out-of-bounds access, no misaligned access,
# no overflow. Needs the objects of a previous build (make check builds
# them first).
source "$(dirname "$0")/../lib.sh"

cd "$TOP" || exit 1
FLAGS=(-std=gnu11 -O1 -g -D_GNU_SOURCE -I. -fno-omit-frame-pointer
       -fsanitize=address,undefined -fno-sanitize-recover=all)
MINE=(arp dhcp dhcpv6 ndp dns_name)
export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1

# The rest of the program, as built, for what the tests link against
# (passt-repair is a program of its own)
others=()
for c in *.c; do
	case " passt passt-repair ${MINE[*]} " in
	*" ${c%.c} "*) continue ;;
	esac
	if [ ! -f "${c%.c}.o" ]; then
		fail sanitizers_build "no ${c%.c}.o: run make first"
		exit 0
	fi
	others+=("${c%.c}.o")
done

objs=()
for m in "${MINE[@]}"; do
	if ! gcc "${FLAGS[@]}" -c -o "$WORK/$m.o" "$m.c" 2>"$WORK/cc.log"; then
		fail "${m}_builds_with_sanitizers" "$(head -n 3 "$WORK/cc.log")"
		exit 0
	fi
	objs+=("$WORK/$m.o")
done

for t in arp dhcp dhcpv6 ndp; do
	if ! gcc "${FLAGS[@]}" -o "$WORK/unit_$t" "test/unit/$t.c" \
		"${objs[@]}" "${others[@]}" 2>"$WORK/cc.log"; then
		fail "${t}_clean_under_sanitizers" "$(head -n 3 "$WORK/cc.log")"
		continue
	fi
	"$WORK/unit_$t" >"$WORK/$t.log" 2>&1
	rc=$?
	report=$(grep -m 2 -E 'runtime error|Sanitizer|FAIL' "$WORK/$t.log")
	if [ $rc -eq 0 ] && [ -z "$report" ]; then
		pass "${t}_clean_under_sanitizers"
	else
		fail "${t}_clean_under_sanitizers" \
			"status $rc: $(echo "$report" | tr '\n' ' ')"
	fi
done
