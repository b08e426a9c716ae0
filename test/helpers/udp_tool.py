#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# UDP peers for the UDP integration tests (test/integration/udp_*.sh):
#
#   echo ADDR PORT              echo every datagram back to its sender
#   whoami ADDR PORT            answer "ADDR PORT" of the sender
#   responder ADDR PORT TAG     answer TAG + ":" + the query (a fake DNS)
#   client ADDR PORT MAX COUNT  send COUNT datagrams of 1..MAX bytes with a
#                               window of outstanding ones, check every
#                               echoed payload, print "sent N lost N bad N"
#   query ADDR PORT [SPORT]     send one datagram, print the answer and the
#                               address it came from: "FROM PORT ANSWER"
#   refused ADDR PORT           connected socket: send, print "refused" on
#                               ECONNREFUSED, the errno name on others
#   sink ADDR PORT              print the payload of every datagram
#   digest ADDR PORT            answer the length and SHA-256 of each
#                               datagram
#   big ADDR PORT SIZE          send SIZE random bytes in one datagram to a
#                               digest peer, print "intact SIZE" if its
#                               answer matches
#   hostile IFNAME              send malformed UDP frames (and valid ones,
#                               "good" payloads) on IFNAME to passt's MAC,
#                               from 192.0.2.2 / 2001:db8::2 to port 20051
#                               of the gateway

import errno
import hashlib
import os
import select
import socket
import sys
import time

WINDOW = 32
TIMEOUT_S = 1.0


def family(addr):
    return socket.AF_INET6 if ':' in addr else socket.AF_INET


def bound(addr, port):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((addr, port))
    return s


def serve(addr, port, answer):
    """Answer from the address each datagram was sent to (IPv6: a guest
    may have more than one address, e.g. from SLAAC)"""
    s = bound(addr, port)
    if family(addr) == socket.AF_INET:
        while True:
            data, peer = s.recvfrom(65535)
            s.sendto(answer(data, peer), peer)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
    while True:
        data, anc, _, peer = s.recvmsg(65535, 256)
        anc = [a for a in anc if a[0] == socket.IPPROTO_IPV6 and
               a[1] == socket.IPV6_PKTINFO]
        s.sendmsg([answer(data, peer)], anc, 0, peer)


PATTERN = os.urandom(1 << 17)


def payload(seq, size):
    """Payload of datagram @seq: its number, then pseudo-random bytes"""
    if size < 4:
        return bytes((seq + k) & 0xff for k in range(size))
    off = (seq * 7919) % (len(PATTERN) - size)
    return seq.to_bytes(4, 'big') + PATTERN[off:off + size - 4]


def size_of(seq, maxsize):
    if seq % 97 == 0:
        return maxsize
    return 1 + (seq * 7919) % min(1400, maxsize)


def client(addr, port, count, maxsize):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.connect((addr, port))
    s.setblocking(False)
    out = {}            # seq -> payload, outstanding
    tiny = {}           # (len, bytes) -> seq, for payloads without a number
    nxt = lost = bad = 0
    p = select.poll()
    p.register(s, select.POLLIN)
    while nxt < count or out:
        while nxt < count and len(out) < WINDOW:
            d = payload(nxt, size_of(nxt, maxsize))
            try:
                s.send(d)
            except BlockingIOError:
                break
            out[nxt] = d
            if len(d) < 4:
                tiny[d] = nxt
            nxt += 1
        if not p.poll(TIMEOUT_S * 1000):
            lost += len(out)
            out.clear()
            tiny.clear()
            continue
        while True:
            try:
                d = s.recv(65535)
            except BlockingIOError:
                break
            seq = tiny.pop(d, None) if len(d) < 4 else \
                int.from_bytes(d[:4], 'big')
            if seq is None or out.get(seq) != d:
                bad += 1
                continue
            del out[seq]
    print("sent %d lost %d bad %d" % (count, lost, bad))
    return 0 if not lost and not bad else 1


def query(addr, port, sport=0):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind(('::' if family(addr) == socket.AF_INET6 else '0.0.0.0', sport))
    s.settimeout(3)
    s.sendto(b'query', (addr, port))
    data, peer = s.recvfrom(65535)
    print("%s %d %s" % (peer[0], peer[1], data.decode(errors='replace')))
    return 0


def digest(data):
    """Answer of the digest peer: length and SHA-256 of a datagram"""
    return ("%d %s" % (len(data), hashlib.sha256(data).hexdigest())).encode()


def big(addr, port, size):
    """Send one datagram of @size bytes to a digest peer, check the answer"""
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.settimeout(3)
    d = os.urandom(size)
    s.sendto(d, (addr, port))
    try:
        answer = s.recv(256)
    except socket.timeout:
        print("no answer")
        return 1
    if answer != digest(d):
        print("got '%s' for %d bytes" % (answer.decode(errors='replace'),
                                         size))
        return 1
    print("intact %d" % size)
    return 0


def refused(addr, port):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    # Unreachable hosts are soft errors (RFC 1122, 4.1.3.3): reported to
    # UDP sockets only with IP_RECVERR / IPV6_RECVERR
    if family(addr) == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, getattr(socket, 'IP_RECVERR', 11), 1)
    else:
        s.setsockopt(socket.IPPROTO_IPV6,
                     getattr(socket, 'IPV6_RECVERR', 25), 1)
    s.connect((addr, port))
    s.settimeout(6)
    s.send(b'anyone?')
    try:
        s.recv(100)
    except ConnectionRefusedError:
        print("refused")
        return 0
    except socket.timeout:
        print("timeout")
        return 1
    except OSError as e:
        print(errno.errorcode.get(e.errno, str(e.errno)))
        return 0
    print("answered")
    return 1


def sink(addr, port):
    s = bound(addr, port)
    while True:
        print(s.recv(65535).decode(errors='replace'), flush=True)


def csum(data):
    if len(data) % 2:
        data += b'\0'
    t = sum(int.from_bytes(data[i:i + 2], 'big')
            for i in range(0, len(data), 2))
    while t >> 16:
        t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff


def udp4(payload, check=None, ulen=None, trunc=None):
    src, dst = socket.inet_aton('192.0.2.2'), socket.inet_aton('192.0.2.1')
    n = 8 + len(payload)
    uh = (40000).to_bytes(2, 'big') + (20051).to_bytes(2, 'big') + \
        (ulen if ulen is not None else n).to_bytes(2, 'big')
    if check is None:
        pseudo = src + dst + bytes([0, 17]) + n.to_bytes(2, 'big')
        check = csum(pseudo + uh + b'\0\0' + payload) or 0xffff
    l4 = uh + check.to_bytes(2, 'big') + payload
    if trunc is not None:
        l4 = l4[:trunc]
    ip = bytes([0x45, 0]) + (20 + len(l4)).to_bytes(2, 'big') + \
        bytes([0, 0, 0x40, 0, 64, 17, 0, 0]) + src + dst
    ip = ip[:10] + csum(ip).to_bytes(2, 'big') + ip[12:]
    return b'\x08\x00' + ip + l4


def udp6(payload, check=None):
    src = socket.inet_pton(socket.AF_INET6, '2001:db8::2')
    dst = socket.inet_pton(socket.AF_INET6, '2001:db8::1')
    n = 8 + len(payload)
    uh = (40000).to_bytes(2, 'big') + (20051).to_bytes(2, 'big') + \
        n.to_bytes(2, 'big')
    if check is None:
        pseudo = src + dst + n.to_bytes(4, 'big') + bytes([0, 0, 0, 17])
        check = csum(pseudo + uh + b'\0\0' + payload) or 0xffff
    l4 = uh + check.to_bytes(2, 'big') + payload
    ip = bytes([0x60, 0, 0, 0]) + n.to_bytes(2, 'big') + bytes([17, 64]) + \
        src + dst
    return b'\x86\xdd' + ip + l4


def hostile(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    eth = bytes.fromhex('9a559a559a55') + s.getsockname()[4]
    frames = [
        udp4(b'good-v4'),
        udp4(b'good-v4-no-checksum', check=0),
        udp4(b'bad-checksum', check=0x1234),
        udp4(b'bad-length-longer', ulen=8 + 100),
        udp4(b'bad-length-short', ulen=7),
        udp4(b'bad-truncated-header', trunc=6),
        udp6(b'bad-v6-no-checksum', check=0),
        udp6(b'bad-v6-checksum', check=0x4321),
        udp6(b'good-v6'),
    ]
    for f in frames:
        s.send(eth + f)
        time.sleep(0.05)
    return 0


def main():
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == 'echo':
        serve(a[0], int(a[1]), lambda d, p: d)
    elif cmd == 'whoami':
        serve(a[0], int(a[1]),
              lambda d, p: ("%s %d" % (p[0], p[1])).encode())
    elif cmd == 'responder':
        tag = a[2].encode()
        serve(a[0], int(a[1]), lambda d, p: tag + b':' + d)
    elif cmd == 'client':
        return client(a[0], int(a[1]), int(a[3]), int(a[2]))
    elif cmd == 'query':
        return query(a[0], int(a[1]), int(a[2]) if len(a) > 2 else 0)
    elif cmd == 'refused':
        return refused(a[0], int(a[1]))
    elif cmd == 'sink':
        sink(a[0], int(a[1]))
    elif cmd == 'digest':
        serve(a[0], int(a[1]), lambda d, p: digest(d))
    elif cmd == 'big':
        return big(a[0], int(a[1]), int(a[2]))
    elif cmd == 'hostile':
        return hostile(a[0])
    return 2


if __name__ == '__main__':
    sys.exit(main())
