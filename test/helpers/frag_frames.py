#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile IP fragment sequences for test/integration/frag_hostile.sh, sent
# as raw frames on IFNAME (the guest's interface) to passt's MAC address,
# from 192.0.2.2 / 2001:db8::2 to UDP port 20091 of the gateway, IPv4 and
# IPv6 each: overlapping fragments, a gap never filled, 70,000 bytes,
# 10,000 small fragments of one datagram, a lone first fragment never
# completed, a duplicate, and a fragmented TCP segment.
#
#   frag_frames.py IFNAME

import socket
import sys
import time

SRC4, DST4 = socket.inet_aton('192.0.2.2'), socket.inet_aton('192.0.2.1')
SRC6 = socket.inet_pton(socket.AF_INET6, '2001:db8::2')
DST6 = socket.inet_pton(socket.AF_INET6, '2001:db8::1')


def csum(data):
    if len(data) % 2:
        data += b'\0'
    t = sum(int.from_bytes(data[i:i + 2], 'big')
            for i in range(0, len(data), 2))
    while t >> 16:
        t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff


def frag4(ident, off, data, more, proto=17):
    """IPv4 fragment: @data at byte offset @off (13-bit field, wraps)"""
    fo = ((off // 8) & 0x1fff) | (0x2000 if more else 0)
    ip = bytes([0x45, 0]) + (20 + len(data)).to_bytes(2, 'big') + \
        ident.to_bytes(2, 'big') + fo.to_bytes(2, 'big') + \
        bytes([64, proto, 0, 0]) + SRC4 + DST4
    ip = ip[:10] + csum(ip).to_bytes(2, 'big') + ip[12:]
    return b'\x08\x00' + ip + data


def frag6(ident, off, data, more, proto=17):
    """IPv6 packet with a Fragment header"""
    fh = bytes([proto, 0]) + \
        ((off & 0xfff8) | (1 if more else 0)).to_bytes(2, 'big') + \
        ident.to_bytes(4, 'big')
    ip = bytes([0x60, 0, 0, 0]) + (8 + len(data)).to_bytes(2, 'big') + \
        bytes([44, 64]) + SRC6 + DST6
    return b'\x86\xdd' + ip + fh + data


def udp_head(total):
    """UDP header for a datagram of @total bytes (checksum left zero: these
    never complete, or are dropped before any checksum matters)"""
    return (40000).to_bytes(2, 'big') + (20091).to_bytes(2, 'big') + \
        (total & 0xffff).to_bytes(2, 'big') + b'\0\0'


def sequences(frag, base):
    blk = b'x' * 1000
    seqs = []
    # overlap: 0..1000, then 992..1992
    seqs += [frag(base + 1, 0, udp_head(3000) + blk[8:], True),
             frag(base + 1, 992, blk, True)]
    # gap: 0..1000 and the last piece, never the middle
    seqs += [frag(base + 2, 0, udp_head(3000) + blk[8:], True),
             frag(base + 2, 2000, blk, False)]
    # 70,000 bytes: pieces of 1000 up to and past 65535
    seqs += [frag(base + 3, 0, udp_head(70000) + blk[8:], True)]
    seqs += [frag(base + 3, off, blk, True) for off in range(1000, 70000,
                                                              1000)]
    # 10,000 small fragments of one datagram
    seqs += [frag(base + 4, (i % 8000) * 8, b'y' * 8, True)
             for i in range(10000)]
    # never completed: a lone first fragment
    seqs += [frag(base + 5, 0, udp_head(5000) + blk[8:], True)]
    # duplicate
    seqs += [frag(base + 6, 0, udp_head(3000) + blk[8:], True),
             frag(base + 6, 0, udp_head(3000) + blk[8:], True)]
    # fragmented TCP
    seqs += [frag(base + 7, 0, b'\0' * 1000, True, proto=6),
             frag(base + 7, 1000, b'\0' * 100, False, proto=6)]
    return seqs


def main():
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((sys.argv[1], 0))
    eth = bytes.fromhex('9a559a559a55') + s.getsockname()[4]
    n = 0
    for f in sequences(frag4, 0x1000) + sequences(frag6, 0x2000):
        while True:
            try:
                s.send(eth + f)
                break
            except BlockingIOError:
                continue
            except OSError:
                # ENOBUFS: the bridge is behind, try again
                continue
        n += 1
        # paced: the bridge and passt's socket buffers are finite
        if n % 20 == 0:
            time.sleep(0.002)
    print("sent %d" % n)
    return 0


if __name__ == '__main__':
    sys.exit(main())
