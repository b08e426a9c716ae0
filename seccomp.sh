#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# seccomp.sh - Build the seccomp filters from annotations in the sources.
#
# Every system call the event loop may make is named next to the code that
# makes it, in a comment of the form
#
#	#syscalls[:TAG[,TAG...]] NAME[|ALT...][(COND[,COND...])] ...
#
# TAG selects the filters it goes into: "passt" (both passt back ends),
# "stream" (passt with the qemu socket), "vu" (passt with vhost-user),
# "pasta"; no tag means all of them. NAME|ALT takes the first of the names
# this architecture has (epoll_wait|epoll_pwait). COND restricts arguments
# by their low 32 bits: "argN=V[/V...]" (one of these values) or
# "argN&M=V" (masked value), with V and M C constants (FIONREAD, PROT_EXEC).
#
# Numbers come from the C preprocessor of $CC, so a cross compiler gets the
# filters of its target. Output: a header with one BPF program per filter,
# checking the architecture first, killing the process on anything not
# listed. Usage:
#	seccomp.sh OUTPUT.h SOURCE...		write the header
#	seccomp.sh --report SOURCE...		print the lists and counts

set -eu

CC=${CC:-cc}
report=
out=
if [ "$1" = "--report" ]; then
	report=1
else
	out=$1
fi
shift

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Annotations, one "TAGS TOKEN" per line
for f in "$@"; do
	grep -ho '#syscalls[^*]*' "$f" || true
done | awk '{
	tags = "all"
	if (index($1, ":"))
		tags = substr($1, index($1, ":") + 1)
	for (i = 2; i <= NF; i++)
		print tags, $i
}' > "$tmp/ann"

# Filter NAME: the tokens whose tags select it, once each
tokens() {
	case $1 in
	stream)	sel="all passt stream" ;;
	vu)	sel="all passt vu" ;;
	pasta)	sel="all pasta" ;;
	esac
	awk -v sel="$sel" '{
		n = split($1, t, ",")
		for (i = 1; i <= n; i++)
			if (index(" " sel " ", " " t[i] " ")) {
				if (!seen[$2]++) print $2
				break
			}
	}' "$tmp/ann"
}

# Resolve every name and constant through the preprocessor
{
	echo '#define _GNU_SOURCE'
	echo '#include <asm/unistd.h>'
	echo '#include <fcntl.h>'
	echo '#include <sys/ioctl.h>'
	echo '#include <sys/mman.h>'
	echo '#include <linux/sockios.h>'
	awk '{ print $2 }' "$tmp/ann" | sort -u | while read -r tok; do
		names=${tok%%(*}
		echo "$names" | tr '|' '\n' | while read -r n; do
			echo "nr \"$n\" __NR_$n"
		done
		case $tok in
		*\(*)
			conds=${tok#*(}
			conds=${conds%)}
			echo "$conds" | tr ',/&=' '\n\n\n\n' | while read -r v; do
				case $v in arg*|"") ;; *) echo "val \"$v\" ($v)" ;; esac
			done
			;;
		esac
	done
} > "$tmp/res.c"
$CC -E -P "$tmp/res.c" 2>/dev/null | awk '$1 == "nr" || $1 == "val"' |
	sed 's/["()]//g; s/[uUlL]*$//' > "$tmp/res"

# arith EXPR: evaluate a preprocessed constant expression, which must be
# made of numbers by now: a name left over is a constant we can't resolve
arith() {
	case $1 in
	*[g-wyzG-WYZ_]*|"")
		echo "seccomp.sh: can't resolve constant: '$1'" >&2
		exit 1
		;;
	esac
	printf '%d' "$(( $1 ))"
}

# resolve TOKEN: "NR COND..." with numbers, or nothing if not on this arch
resolve() {
	tok=$1
	names=${tok%%(*}
	nr=
	for n in $(echo "$names" | tr '|' ' '); do
		v=$(awk -v n="$n" '$1 == "nr" && $2 == n { $1 = $2 = ""; print }' \
		    "$tmp/res" | head -n1 | tr -d ' ')
		case $v in
		__NR_*|"") ;;
		*) nr=$(arith "$v"); break ;;
		esac
	done
	[ -n "$nr" ] || return 0
	conds=
	case $tok in
	*\(*)
		c=${tok#*(}
		c=${c%)}
		for cond in $(echo "$c" | tr ',' ' '); do
			arg=${cond%%[=&]*}
			arg=${arg#arg}
			rest=${cond#arg"$arg"}
			mask=
			case $rest in
			\&*)
				m=${rest#&}
				m=${m%%=*}
				mask=$(arith "$(awk -v n="$m" '$1 == "val" && $2 == n { $1 = $2 = ""; print }' "$tmp/res" | head -n1)")
				rest=${rest#&"$m"}
				;;
			esac
			vals=
			for v in $(echo "${rest#=}" | tr '/' ' '); do
				e=$(awk -v n="$v" '$1 == "val" && $2 == n { $1 = $2 = ""; print }' "$tmp/res" | head -n1)
				vals="$vals${vals:+/}$(arith "$e")"
			done
			conds="$conds $arg:${mask:-x}:$vals"
		done
		;;
	esac
	echo "${names%%|*} $nr$conds"
}

# Architecture and the audit constant for it
arch_of() {
	defs=$($CC -E -dM - </dev/null)
	has() { echo "$defs" | grep -q "#define $1 "; }
	if has __x86_64__; then
		if has __ILP32__; then echo AUDIT_ARCH_X86_64 x32; else echo AUDIT_ARCH_X86_64 x86_64; fi
	elif has __i386__; then echo AUDIT_ARCH_I386 -
	elif has __aarch64__; then
		if has __AARCH64EB__; then echo AUDIT_ARCH_AARCH64BE -; else echo AUDIT_ARCH_AARCH64 -; fi
	elif has __arm__; then
		if has __ARMEB__; then echo AUDIT_ARCH_ARMEB -; else echo AUDIT_ARCH_ARM -; fi
	elif has __s390x__; then echo AUDIT_ARCH_S390X -
	elif has __powerpc64__; then
		if has __LITTLE_ENDIAN__; then echo AUDIT_ARCH_PPC64LE -; else echo AUDIT_ARCH_PPC64 -; fi
	elif has __riscv; then echo AUDIT_ARCH_RISCV64 -
	elif has __loongarch64; then echo AUDIT_ARCH_LOONGARCH64 -
	elif has __mips64; then echo AUDIT_ARCH_MIPS64 -
	else echo "seccomp.sh: unknown architecture" >&2; exit 1
	fi
}
set -- $(arch_of)
audit_arch=$1
x86=$2

# emit FILTER: the C array for one filter
emit() {
	name=$1
	tokens "$name" | while read -r tok; do resolve "$tok"; done \
		> "$tmp/$name.list"
	count=$(wc -l < "$tmp/$name.list")
	if [ -n "$report" ]; then
		printf '%s: %s system calls\n' "$name" "$count"
		awk '{ printf "  %s%s\n", $1, (NF > 2 ? " (arguments checked)" : "") }' \
			"$tmp/$name.list" | sort
		return
	fi
	awk -v name="$name" -v arch="$audit_arch" -v x86="$x86" '
	{ nm[NR] = $1; nr[NR] = $2; nc[NR] = NF - 2
	  for (i = 3; i <= NF; i++) cond[NR, i - 2] = $i }
	END {
		n = NR
		# Layout: header, one jump per call, KILL, ALLOW, then the
		# argument checks of calls that have some, in order
		hdr = 4 + (x86 == "x86_64" ? 1 : 0)
		kill = hdr + n
		allow = kill + 1
		pos = allow + 1
		for (i = 1; i <= n; i++) {
			if (!nc[i])
				continue
			blk[i] = pos
			for (j = 1; j <= nc[i]; j++) {
				split(cond[i, j], f, ":")
				nv = split(f[3], v, "/")
				pos += 1 + (f[2] != "x") + nv
			}
			pos += 1
		}
		kill_end = pos
		printf "static const struct sock_filter seccomp_filter_%s[] = {\n", name
		printf "\tBPF_STMT(BPF_LD | BPF_W | BPF_ABS, SECCOMP_OFF_ARCH),\n"
		printf "\tBPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, %s, 1, 0),\n", arch
		printf "\tBPF_STMT(BPF_RET | BPF_K, SECCOMP_ACTION),\n"
		printf "\tBPF_STMT(BPF_LD | BPF_W | BPF_ABS, SECCOMP_OFF_NR),\n"
		if (x86 == "x86_64")
			printf "\tBPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, %d, 0),\t/* x32 */\n", kill - 5
		for (i = 1; i <= n; i++) {
			at = hdr + i - 1
			to = nc[i] ? blk[i] : allow
			printf "\tBPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, %d, %d, 0),\t/* %s */\n", nr[i], to - at - 1, nm[i]
		}
		printf "\tBPF_STMT(BPF_RET | BPF_K, SECCOMP_ACTION),\n"
		printf "\tBPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),\n"
		at = allow + 1
		for (i = 1; i <= n; i++) {
			if (!nc[i])
				continue
			for (j = 1; j <= nc[i]; j++) {
				split(cond[i, j], f, ":")
				nv = split(f[3], v, "/")
				printf "\tBPF_STMT(BPF_LD | BPF_W | BPF_ABS, SECCOMP_OFF_ARG_LO(%d)),\t/* %s */\n", f[1], nm[i]
				at++
				if (f[2] != "x") {
					printf "\tBPF_STMT(BPF_ALU | BPF_AND | BPF_K, %d),\n", f[2]
					at++
				}
				# next condition: after this one s value jumps
				nxt = at + nv
				for (k = 1; k <= nv; k++) {
					printf "\tBPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, %d, %d, %d),\n", v[k], nxt - at - 1, (k == nv ? kill_end - at - 1 : 0)
					at++
				}
			}
			printf "\tBPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),\n"
			at++
		}
		if (kill_end > allow + 1)
			printf "\tBPF_STMT(BPF_RET | BPF_K, SECCOMP_ACTION),\n"
		printf "};\n\n"
	}' "$tmp/$name.list"
	printf '#define SECCOMP_CALLS_%s\t%s\n\n' \
		"$(echo "$name" | tr a-z A-Z)" "$count"
}

if [ -n "$report" ]; then
	for f in stream vu pasta; do
		emit "$f"
	done
	exit 0
fi

{
	cat <<EOF
/* SPDX-License-Identifier: GPL-2.0-or-later */
/* seccomp.h - Generated by seccomp.sh from the #syscalls annotations in
 * the sources: do not edit. One BPF program per filter: passt with the
 * qemu socket (stream), passt with vhost-user (vu), pasta.
 */
#ifndef SECCOMP_H
#define SECCOMP_H

#include <stddef.h>
#include <endian.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#ifdef SECCOMP_DEBUG
#define SECCOMP_ACTION		SECCOMP_RET_TRAP
#else
#define SECCOMP_ACTION		SECCOMP_RET_KILL_PROCESS
#endif

#define SECCOMP_OFF_NR		offsetof(struct seccomp_data, nr)
#define SECCOMP_OFF_ARCH	offsetof(struct seccomp_data, arch)
#if __BYTE_ORDER == __LITTLE_ENDIAN
#define SECCOMP_OFF_ARG_LO(i)	offsetof(struct seccomp_data, args[i])
#else
#define SECCOMP_OFF_ARG_LO(i)	(offsetof(struct seccomp_data, args[i]) + 4)
#endif

EOF
	for f in stream vu pasta; do
		emit "$f"
	done
	echo '#endif /* SECCOMP_H */'
} > "$out.tmp"

mv "$out.tmp" "$out"
