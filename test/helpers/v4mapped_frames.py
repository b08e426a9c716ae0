#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""v4mapped_frames.py - Test helper: write IPv6 frames whose source or
destination is an IPv4-mapped address (::ffff:a.b.c.d) straight to an
interface, the guest side of passt or pasta. A guest's own stack never
sends those (it uses IPv4 for such destinations): only a hostile guest
does. Checksums are right, so nothing drops the frames for a trivial
reason.

  v4mapped_frames.py IFNAME DST_MAC SRC DST KIND PORT [COUNT]

SRC and DST are IPv6 addresses (either may be v4-mapped); KIND is tcp
(a SYN), udp (a datagram) or echo (an ICMPv6 Echo request, PORT is its
identifier). COUNT frames are sent (default 3), with different source
ports or sequence numbers.
"""

import ipaddress
import socket
import struct
import sys


def csum(data):
    """Internet checksum (RFC 1071) of data"""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def l4_csum(src, dst, proto, l4):
    """Checksum of an L4 segment with the IPv6 pseudo-header"""
    pseudo = src + dst + struct.pack("!IxxxB", len(l4), proto)
    return csum(pseudo + l4)


def segment(kind, src, dst, port, i):
    """Protocol number and L4 segment (checksum filled) for frame i"""
    if kind == "tcp":
        sport = 40000 + i
        hdr = struct.pack("!HHIIBBHHH", sport, port, 1000 + i, 0,
                          5 << 4, 0x02, 65535, 0, 0)
        proto = socket.IPPROTO_TCP
        off = 16
    elif kind == "udp":
        sport = 40000 + i
        payload = b"v4-mapped %d" % i
        hdr = struct.pack("!HHHH", sport, port, 8 + len(payload), 0)
        hdr += payload
        proto = socket.IPPROTO_UDP
        off = 6
    elif kind == "echo":
        payload = b"v4-mapped echo"
        hdr = struct.pack("!BBHHH", 128, 0, 0, port, i + 1) + payload
        proto = socket.IPPROTO_ICMPV6
        off = 2
    else:
        sys.exit("unknown kind " + kind)

    sum_ = l4_csum(src, dst, proto, hdr)
    if proto == socket.IPPROTO_UDP and not sum_:
        sum_ = 0xffff
    return proto, hdr[:off] + struct.pack("!H", sum_) + hdr[off + 2:]


def main():
    if len(sys.argv) not in (7, 8):
        sys.exit(__doc__)
    ifname, dmac, src, dst, kind, port = sys.argv[1:7]
    count = int(sys.argv[7]) if len(sys.argv) == 8 else 3
    src = ipaddress.IPv6Address(src).packed
    dst = ipaddress.IPv6Address(dst).packed
    port = int(port)

    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    smac = s.getsockname()[4]
    dmac = bytes.fromhex(dmac.replace(":", ""))

    for i in range(count):
        proto, l4 = segment(kind, src, dst, port, i)
        ip6 = struct.pack("!IHBB", 6 << 28, len(l4), proto, 64) + src + dst
        frame = dmac + smac + struct.pack("!H", 0x86dd) + ip6 + l4
        s.send(frame)
    print("sent %d %s frames" % (count, kind))


if __name__ == "__main__":
    main()
