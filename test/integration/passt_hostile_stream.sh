#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile byte streams on the qemu socket: lengths that can't be a frame
# (0, shorter than an Ethernet header, over 64 KiB plus header), a frame cut
# short by the client closing, random bytes. passt logs, drops that client
# and serves the next one. Also: frames split across writes, and more
# frames in one write than a batch holds, are all answered.
source "$(dirname "$0")/../lib.sh"

SOCK=$WORK/passt.sock
LOG=$WORK/passt.log
trap 'kill $PASST_PID 2>/dev/null' EXIT

# ARP request from 192.0.2.2 (02:00:00:00:00:01) for 192.0.2.1, 42 bytes
ARP_REQ='\xff\xff\xff\xff\xff\xff\x02\x00\x00\x00\x00\x01\x08\x06'
ARP_REQ+='\x00\x01\x08\x00\x06\x04\x00\x01\x02\x00\x00\x00\x00\x01'
ARP_REQ+='\xc0\x00\x02\x02\x00\x00\x00\x00\x00\x00\xc0\x00\x02\x01'
ARP_LEN='\x00\x00\x00\x2a'
# Reply as it comes back: length 42, to our MAC, ARP, opcode 2
REPLY_HEAD='0000002a020000000001'

# replies FILE: number of length-prefixed ARP replies in FILE
replies() {
	od -An -v -tx1 "$1" | tr -d ' \n' | grep -o "$REPLY_HEAD" | wc -l
}

# bad_length NAME BYTES: client sending BYTES is dropped with a log line
bad_length() {
	local name=$1 len=$2 rc
	printf "$3" | "$HELPERS/sockclient" -t 3 "$SOCK" >/dev/null
	rc=$?
	if [ "$rc" -eq 0 ] &&
	   grep -q "Bad frame length $len from guest, dropping connection" \
		"$LOG"; then
		pass "$name"
	else
		fail "$name" "client rc=$rc: $(tail -n 2 "$LOG" | tr '\n' ' ')"
	fi
}

# served NAME: a well-behaved client gets its ARP request answered. passt
# serves one guest at a time: until it has seen the previous client go, a
# new one waits in the listen queue, so a loaded machine may need another
# try (five at most, a second each)
served() {
	local try
	for try in 1 2 3 4 5; do
		printf "$ARP_LEN$ARP_REQ" |
			"$HELPERS/sockclient" -t 1 "$SOCK" >"$WORK/out"
		[ "$(replies "$WORK/out")" -eq 1 ] && break
	done
	if [ "$(replies "$WORK/out")" -eq 1 ] &&
	   kill -0 "$PASST_PID" 2>/dev/null; then
		pass "$1"
	else
		fail "$1" "$(od -An -tx1 "$WORK/out" | head -n 2)"
	fi
}

"$PASST" -f -s "$SOCK" >"$LOG" 2>&1 &
PASST_PID=$!
wait_for 5 test -S "$SOCK" || { fail hostile "passt didn't start"; exit 0; }

served well_formed_frame_answered

bad_length zero_length_dropped 0 '\x00\x00\x00\x00'
served served_after_zero_length
bad_length short_length_dropped 13 "\\x00\\x00\\x00\\x0d$ARP_REQ"
bad_length huge_length_dropped 65550 "\\x00\\x01\\x00\\x0e$ARP_REQ"
bad_length max_u32_length_dropped 4294967295 '\xff\xff\xff\xff'
served served_after_bad_lengths

# A good frame, then garbage: the good one is still answered
printf "$ARP_LEN$ARP_REQ\\x00\\x00\\x00\\x00" |
	"$HELPERS/sockclient" -t 3 "$SOCK" >"$WORK/out"
if [ "$(replies "$WORK/out")" -eq 1 ]; then
	pass frames_before_bad_length_answered
else
	fail frames_before_bad_length_answered "$(od -An -tx1 "$WORK/out")"
fi

# Truncated: length 100, 20 bytes, then the client goes away
printf '\x00\x00\x00\x64\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a' |
	"$HELPERS/sockclient" -c "$SOCK"
served served_after_truncated_frame

head -c 65536 /dev/urandom | "$HELPERS/sockclient" -t 3 "$SOCK" >/dev/null
served served_after_random_bytes

# One frame split across writes, with the length itself split
{ printf '\x00\x00'; sleep 0.3; printf "\\x00\\x2a${ARP_REQ:0:40}"
  sleep 0.3; printf "${ARP_REQ:40}"; } |
	"$HELPERS/sockclient" -t 1 "$SOCK" >"$WORK/out"
if [ "$(replies "$WORK/out")" -eq 1 ]; then
	pass split_frame_reassembled
else
	fail split_frame_reassembled "$(od -An -tx1 "$WORK/out" | head -n 2)"
fi

# 1000 frames in one go: more than one batch (pool) holds
for i in $(seq 1000); do printf "$ARP_LEN$ARP_REQ"; done > "$WORK/many"
"$HELPERS/sockclient" -t 2 "$SOCK" <"$WORK/many" >"$WORK/out"
n=$(replies "$WORK/out")
if [ "$n" -eq 1000 ]; then
	pass all_frames_of_large_write_answered
else
	fail all_frames_of_large_write_answered "$n replies of 1000"
fi

# Flood without reading: passt's sends hit a full socket, yet every frame
# that comes back is whole (none abandoned half-sent)
for i in $(seq 100); do cat "$WORK/many"; done |
	"$HELPERS/sockclient" -l -t 3 "$SOCK" >"$WORK/lens"
rc=$?
n=$(grep -c '^42$' "$WORK/lens")
bad=$(awk '$1 < 14 || $1 > 65549' "$WORK/lens" | head -n 3 | tr '\n' ' ')
if [ "$rc" -ne 3 ] && [ "$n" -gt 1000 ] && [ -z "$bad" ]; then
	pass framing_kept_when_guest_slow
else
	fail framing_kept_when_guest_slow "rc=$rc, $n replies, bad: $bad"
fi
served served_after_flood

if kill -0 "$PASST_PID" 2>/dev/null; then
	pass passt_still_running
else
	fail passt_still_running "passt exited: $(tail -n 3 "$LOG")"
fi
