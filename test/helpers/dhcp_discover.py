#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""dhcp_discover.py - Test helper: send one DHCPDISCOVER, as a frame written
straight to an interface (the guest side of passt or pasta), and print the
answer. No DHCP client installed here asks for rapid commit (RFC 4039):
this one does when told, so that the server's answer can be checked byte
by byte.

  dhcp_discover.py IFNAME [rapid] [PRL]

With "rapid", the DISCOVER carries an empty option 80. PRL is a list of
option codes for option 55, separated by commas (default: 1,3,121). The
answer is printed as lines "type N", "yiaddr A.B.C.D", "dst A.B.C.D",
"codes N,N,..." (the options given, in order) and "options HEX", the
options from the message type to the end option, in hexadecimal. Exits 1 if nothing answers within 5 seconds.
"""

import os
import select
import socket
import struct
import sys
import time

ETH_P_IP = 0x0800
COOKIE = bytes([99, 130, 83, 99])


def csum(data):
    """Internet checksum (RFC 1071) of data"""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def discover(mac, xid, rapid, prl):
    """BOOTP request with the broadcast flag, then our options"""
    msg = struct.pack("!BBBBIHH16s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000,
                      b"", mac, b"", b"")
    opts = bytes([53, 1, 1])
    if rapid:
        opts += bytes([80, 0])
    opts += bytes([55, len(prl)]) + bytes(prl) + bytes([255])
    return msg + COOKIE + opts


def frame(mac, payload):
    """Ethernet broadcast frame: IPv4 0.0.0.0 to 255.255.255.255, UDP 68
    to 67, both checksums right"""
    src, dst = bytes(4), b"\xff" * 4
    udp = struct.pack("!HHHH", 68, 67, 8 + len(payload), 0) + payload
    pseudo = src + dst + struct.pack("!xBH", socket.IPPROTO_UDP, len(udp))
    sum_udp = csum(pseudo + udp) or 0xffff
    udp = udp[:6] + struct.pack("!H", sum_udp) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64,
                     socket.IPPROTO_UDP, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\xff" * 6 + mac + struct.pack("!H", ETH_P_IP) + ip + udp


def answer(f, xid):
    """(IPv4 destination, DHCP message) if f is a reply to xid, or None"""
    if len(f) < 14 + 20 + 8 or struct.unpack("!H", f[12:14])[0] != ETH_P_IP:
        return None
    ihl = (f[14] & 0x0f) * 4
    if f[14 + 9] != socket.IPPROTO_UDP or len(f) < 14 + ihl + 8:
        return None
    udp = f[14 + ihl:]
    dport, length = struct.unpack("!2xHH", udp[:6])
    msg = udp[8:length]
    if dport != 68 or len(msg) < 240 or msg[0] != 2:
        return None
    if struct.unpack("!I", msg[4:8])[0] != xid or msg[236:240] != COOKIE:
        return None
    return socket.inet_ntoa(f[14 + 16:14 + 20]), msg


def options(msg):
    """Option bytes from offset 240 to the end option, included, the
    message type and the list of option codes"""
    off, mtype, codes = 240, 0, []
    while off + 1 < len(msg) and msg[off] != 255:
        if msg[off] == 0:
            off += 1
            continue
        if msg[off] == 53:
            mtype = msg[off + 2]
        codes.append(msg[off])
        off += 2 + msg[off + 1]
    return msg[240:off + 1], mtype, codes


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    ifname = sys.argv[1]
    rapid = "rapid" in sys.argv[2:]
    prl = [1, 3, 121]
    for a in sys.argv[2:]:
        if a != "rapid":
            prl = [int(x) for x in a.split(",")]

    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_IP))
    s.bind((ifname, 0))
    mac = s.getsockname()[4]
    xid = struct.unpack("!I", os.urandom(4))[0]
    s.send(frame(mac, discover(mac, xid, rapid, prl)))

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        r, _, _ = select.select([s], [], [], deadline - time.monotonic())
        if not r:
            break
        got = answer(s.recv(65536), xid)
        if not got:
            continue
        dst, msg = got
        opts, mtype, codes = options(msg)
        print("type", mtype)
        print("yiaddr", socket.inet_ntoa(msg[16:20]))
        print("dst", dst)
        print("codes", ",".join(str(c) for c in codes))
        print("options", opts.hex())
        return 0
    print("no answer", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
