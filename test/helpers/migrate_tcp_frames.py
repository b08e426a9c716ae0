#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A guest TCP connection moved from one passt --vhost-user to another.

The guest is this script: it writes its TCP segments straight into the
rings (vhost_user_client.FrontEnd), and keeps its sequence numbers across
the move, as a real guest's memory would. It connects through passt A to a
server on host loopback (the gateway address), exchanges data both ways,
leaves some of the server's data unacknowledged, then the front end stops
A, saves its state (A must describe one TCP connection) and loads it into
passt B, while the server sends more. Just before the move, the guest
sends a short request acknowledging a short answer, which A may hold its
ACK for (and leave the answer in the socket: tcp_delack.c) as the device
stops: the request must reach the server once and be acknowledged after
the move without a retransmission from the guest. Through B, the guest
acknowledges,
sends more, and must receive the rest of the server's data, in order; the
server must see every byte once, and no RST may leave the namespace's
TCP (until the front end leaves B, which then resets the connection).

With CONNS, CONNS - 1 idle connections more move along (the debug log
gives the times to save and to load them). With "busy", A keeps its
sockets (no --migrate-no-linger), so B can't take the 4-tuples over on
this host: B must say so in one line and reset the guest's side (a RST
as soon as its queues run, and to its next segment), while the peer, talking to A's frozen socket, sees
no reset either. With "nohelper", B has no passt-repair: one line, and a
RST to the guest. With "nocap", A's passt-repair lacks the capability:
A says so in one line, and B resets the guest's side. "exit" is "moved" with a source that exits instead of
closing its sockets (--migrate-exit). "inbound" is "moved" with a
connection from a host client to a port A forwards (-t PORT) instead.

Usage: migrate_tcp_frames.py SOCK_A LOG_A SOCK_B LOG_B PORT [CONNS [MODE]]
MODE: moved (default), exit, inbound, busy, nohelper or nocap
Prints PASS/FAIL lines named migrate_tcp_*.
"""

import fcntl
import os
import select
import socket
import struct
import sys
import threading
import time

import vhost_user_client as vuc
from vhost_user_client import FrontEnd, RXQ, TXQ, HDR_LEN
import vhost_user_migrate as vhm
from vhost_user_migrate import negotiate, stop, load, log_lines

SOCK_A, LOG_A, SOCK_B, LOG_B = sys.argv[1:5]
PORT = int(sys.argv[5])
CONNS = int(sys.argv[6]) if len(sys.argv) > 6 else 1
MODE = sys.argv[7] if len(sys.argv) > 7 else 'moved'
BUSY = MODE in ('busy', 'nohelper', 'nocap')
MAC = bytes.fromhex('525400123456')
GUEST, GW = socket.inet_aton('192.0.2.2'), socket.inet_aton('192.0.2.1')
SPORT = 40123


def result(ok, name, why=''):
    """PASS or FAIL line, named for the case (busy: migrate_tcp_linger_*)"""
    prefix = {'busy': 'linger_', 'nohelper': 'nohelper_', 'exit': 'exit_',
              'inbound': 'inbound_', 'nocap': 'nocap_'}
    if MODE in prefix:
        name = name.replace('migrate_tcp_', 'migrate_tcp_' + prefix[MODE])
    vuc.result(ok, name, why)


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack(f'!{len(data) // 2}H', data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


class Guest:
    """The guest's side of one connection, over a front end's rings"""

    def __init__(self):
        self.fe = None
        self.gw_mac = None
        self.seq = 1000000
        self.ack = 0
        self.got = b''
        self.rx_seen = 0
        self.tx_head = 0
        self.lport, self.rport, self.raddr = SPORT, PORT, GW

    def attach(self, fe):
        self.fe = fe
        self.rx_seen = 0
        self.tx_head = 0
        fe.post_rx(vuc.QSIZE)

    def send(self, flags, payload=b'', opts=b'', other=None):
        """Send a segment: of our connection, or (sport, seq, ack) other"""
        sport, seq, ack = other or (self.lport, self.seq, self.ack)
        doff = (20 + len(opts)) // 4
        tcp = struct.pack('!HHIIBBHHH', sport, self.rport, seq, ack,
                          doff << 4, flags, 65535, 0, 0) + opts + payload
        pseudo = GUEST + self.raddr + struct.pack('!BBH', 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack('!H', csum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 0, 0x4000,
                         64, 6, 0, GUEST, self.raddr)
        ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
        self.fe.transmit(self.gw_mac + MAC + b'\x08\x00' + ip + tcp,
                         head=self.tx_head)
        self.tx_head = (self.tx_head + 1) % vuc.QSIZE
        if not other:
            self.seq += len(payload) + (1 if flags & 0x03 else 0)
        # Let passt take it before the slot is reused
        deadline = time.time() + 1
        while (vuc.FrontEnd.used(self.fe, TXQ)[0] != self.fe.avail_idx[TXQ]
               and time.time() < deadline):
            time.sleep(0.001)

    def frames(self):
        """New frames on the receive queue, buffers given back"""
        out = []
        _, _, u = vuc.ring_layout(RXQ)
        idx = struct.unpack_from('<H', self.fe.mem, u + 2)[0]
        while self.rx_seen != idx:
            slot = self.rx_seen % vuc.QSIZE
            head, length = struct.unpack_from('<II', self.fe.mem,
                                              u + 4 + 8 * slot)
            a = vuc.buf_addr(RXQ, head)
            out.append(bytes(self.fe.mem[a + HDR_LEN:a + length]))
            self.fe.make_avail(RXQ, head)
            self.rx_seen = (self.rx_seen + 1) & 0xffff
        if out:
            self.fe.do_kick(RXQ)
        return out

    def segments(self, timeout=3.0, sport=None):
        """TCP segments of a connection: (flags, seq, ack, payload); with
        no remote port known yet, the first SYN to ours tells it"""
        deadline = time.time() + timeout
        sport_want = sport or self.lport
        while time.time() < deadline:
            select.select([self.fe.call[RXQ]], [], [], 0.05)
            segs = []
            for f in self.frames():
                if f[12:14] == b'\x08\x06' and not self.gw_mac:
                    self.gw_mac = f[22:28]
                if f[12:14] != b'\x08\x00' or f[23] != 6:
                    continue
                ihl = (f[14] & 0xf) * 4
                t = f[14 + ihl:]
                src, dport, seq, ack, off, flags = struct.unpack_from(
                    '!HHIIBB', t)
                if (self.rport is None and dport == self.lport and
                        t[13] & 0x02):
                    self.rport, self.raddr = src, f[26:30]
                if src == self.rport and dport == sport_want:
                    segs.append((flags, seq, ack, t[(off >> 4) * 4:]))
            if segs:
                return segs
        return []

    def take(self, segs):
        """Keep in-order payload; True if a RST came"""
        rst = False
        for flags, seq, _, payload in segs:
            rst |= bool(flags & 0x04)
            if payload and seq == self.ack:
                self.got += payload
                self.ack = (self.ack + len(payload)) & 0xffffffff
        return rst

    def receive(self, want, ack=True, timeout=5.0):
        """Read until want bytes in all; ACK as we go if ack"""
        deadline = time.time() + timeout
        while len(self.got) < want and time.time() < deadline:
            if self.take(self.segments(0.5)):
                return False
            if ack:
                self.send(0x10)
        return len(self.got) >= want


def outq(s):
    """Bytes a socket sent that its peer didn't acknowledge yet"""
    return struct.unpack('i', fcntl.ioctl(s.fileno(), 0x5411,  # SIOCOUTQ
                                          b'\0' * 4))[0]


def out_rsts():
    """RSTs sent in this network namespace so far"""
    with open('/proc/net/snmp') as f:
        rows = [ln.split() for ln in f if ln.startswith('Tcp:')]
    return int(rows[1][rows[0].index('OutRsts')])


def inbound(g):
    """A host client connects to passt's forwarded PORT; the guest answers
    the SYN passt sends it

    Return: the client's socket, None on failure
    """
    c = socket.create_connection(('127.0.0.1', PORT), timeout=5)
    g.lport, g.rport = PORT, None
    segs = [x for x in g.segments() if x[0] & 0x02]
    if not segs:
        return None
    g.ack = (segs[0][1] + 1) & 0xffffffff
    g.send(0x12, opts=struct.pack('!BBH', 2, 4, 1460))
    return c


def extra_connections(g, srv, n):
    """Open n more connections, idle; the server keeps its ends

    Return: number established
    """
    done = 0
    for i in range(n):
        sport = SPORT + 1 + i
        g.send(0x02, opts=struct.pack('!BBH', 2, 4, 1460),
               other=(sport, 5000, 0))
        segs = [x for x in g.segments(2, sport) if x[0] & 0x12 == 0x12]
        if not segs:
            continue
        g.send(0x10, other=(sport, 5001, (segs[0][1] + 1) & 0xffffffff))
        try:
            EXTRA.append(srv.accept()[0])
            done += 1
        except OSError:
            pass
    return done


EXTRA = []


def busy_target(b, g, c, since_b, rsts):
    """The sockets don't move: one line (from B, or for nocap from A), a
    RST to the guest; and none to the peer if A keeps its sockets"""
    if MODE == 'nocap':
        busy = log_lines(LOG_A, 0, "TCP connections don't move")
    else:
        busy = log_lines(LOG_B, since_b, 'still in use' if MODE == 'busy'
                         else 'no passt-repair connected')
    result(len(busy) == 1 and f'{CONNS} TCP' in busy[0],
           'migrate_tcp_logs_why', f'log {busy}')
    b.start()
    g.attach(b)
    # Told at once, not at its next segment: a guest waiting to receive
    # would wait for ever. The RST must be in the guest's window: at the
    # next byte it expects, acknowledging all it sent.
    rsts_seen = [(seq, ack) for f, seq, ack, _ in g.segments(3)
                 if f & 0x04]
    result(rsts_seen and rsts_seen[0] == (g.ack, g.seq),
           'migrate_tcp_guest_reset_unasked',
           f'RSTs {rsts_seen}, guest expects seq {g.ack}, sent up to '
           f'{g.seq}')
    g.send(0x18, b'after')
    rst = any(f & 0x04 for f, _, _, _ in g.segments(3))
    result(rst, 'migrate_tcp_guest_reset', 'no RST to the guest')
    try:
        c.sendall(b'x' * 100)
        c.settimeout(0.3)
        c.recv(10)
        why = 'data from nobody'
    except socket.timeout:
        why = ''
    except OSError as e:
        why = f'peer: {e}'
    sent = out_rsts() - rsts
    if MODE == 'busy':
        result(not why and sent == 0, 'migrate_tcp_peer_untouched',
               f'{why}, {sent} RST sent')
    b.close()
    return 1 if vuc.failed else 0


def main():
    rsts = out_rsts()
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(('127.0.0.1', PORT + (1000 if MODE == 'inbound' else 0)))
    srv.listen(128)
    srv.settimeout(5)
    peer = {}
    t = threading.Thread(target=lambda: peer.update(c=srv.accept()[0]))
    if MODE != 'inbound':
        t.start()

    g = Guest()
    s1, s2, s3 = os.urandom(1000), os.urandom(700), os.urandom(1200)
    d1, d2 = os.urandom(1000), os.urandom(1300)
    answer, request = os.urandom(300), os.urandom(100)

    a = FrontEnd(path=SOCK_A)
    negotiate(a)
    a.start()
    g.attach(a)
    a.transmit(vuc.arp_request('192.0.2.1'), head=g.tx_head)
    g.tx_head += 1
    g.segments(2)
    if not g.gw_mac:
        result(False, 'migrate_tcp_connect', 'no ARP reply')
        return 1
    if MODE == 'inbound':
        c = inbound(g)
    else:
        g.send(0x02, opts=struct.pack('!BBH', 2, 4, 1460))
        segs = g.segments()
        if not segs or segs[0][0] & 0x12 != 0x12:
            result(False, 'migrate_tcp_connect', f'no SYN-ACK: {segs}')
            return 1
        g.ack = (segs[0][1] + 1) & 0xffffffff
        g.send(0x10)
        t.join()
        c = peer.get('c')
    result(c is not None, 'migrate_tcp_connect', 'server accepted nothing')
    if c is None:
        return 1
    c.settimeout(5)

    if CONNS > 1:
        n = extra_connections(g, srv, CONNS - 1)
        result(n == CONNS - 1, 'migrate_tcp_connect_many',
               f'{n} of {CONNS - 1} more connections')

    # Data both ways; the last 700 bytes stay unacknowledged by the guest
    g.send(0x18, d1)
    c.sendall(s1)
    ok = g.receive(len(s1))
    c.sendall(answer)
    ok = ok and g.receive(len(s1) + len(answer), ack=False)
    c.sendall(s2)
    ok = ok and g.receive(len(s1) + len(answer) + len(s2), ack=False)
    srv_got = b''
    while len(srv_got) < len(d1):
        srv_got += c.recv(65536)
    result(ok and srv_got == d1, 'migrate_tcp_before',
           f'guest has {len(g.got)}, server {len(srv_got)}')

    # A short request (PSH) acknowledging the short answer, not s2, and the
    # device stops at once: A may hold its ACK, and the answer's removal
    # from the socket, for a millisecond or two (tcp_delack.c) as the
    # socket freezes. Then the target owes the ACK, and A mustn't touch the
    # frozen socket.
    g.send(0x18, request, other=(g.lport, g.seq,
                                 (g.ack - len(s2)) & 0xffffffff))
    g.seq = (g.seq + len(request)) & 0xffffffff
    d1 += request

    # Save; the server sends more once A has frozen the socket, before
    # the front end checks (when A, --migrate-no-linger, closes it)
    since_a = os.path.getsize(LOG_A)
    stop(a)
    r, w = os.pipe()
    a.send(vhm.SET_DEVICE_STATE_FD, struct.pack('=II', vhm.SAVE, 0), [w])
    os.close(w)
    a.reply()
    c.sendall(s3)
    # Frozen: A leaves it unacknowledged (loopback delivers at once, and
    # the peer retransmits after 200 ms at least, to B by then)
    deadline = time.time() + 0.05
    while outq(c) >= len(s3) and time.time() < deadline:
        time.sleep(0.005)
    if MODE != 'nocap':
        result(outq(c) >= len(s3), 'migrate_tcp_frozen',
               f'{outq(c)} bytes unacknowledged')
    with os.fdopen(r, 'rb') as pipe:
        data = pipe.read()
    a.send(vhm.CHECK_DEVICE_STATE)
    chk = struct.unpack('=Q', a.reply()[1])[0]
    # What A sent before its queues stopped
    segs = g.segments(0.05)
    g.take(segs)
    acked = [x for x in segs if x[0] & 0x10 and x[2] == g.seq]
    a.close()
    saved = log_lines(LOG_A, since_a, 'TCP connections saved')
    result(chk == 0 and (MODE == 'nocap' or
                         (saved and f' {CONNS} TCP' in saved[0])),
           'migrate_tcp_save',
           f'check {chk}, log {saved}')

    since_b = os.path.getsize(LOG_B)
    b = FrontEnd(path=SOCK_B)
    negotiate(b)
    _, chk = load(b, data)
    # A passed the request on before it froze the socket
    while len(srv_got) < len(d1):
        x = c.recv(65536)
        if not x:
            break
        srv_got += x
    if BUSY:
        return busy_target(b, g, c, since_b, rsts)
    restored = log_lines(LOG_B, since_b, 'TCP connections restored')
    result(chk == 0 and restored and f' {CONNS} TCP' in restored[0],
           'migrate_tcp_load', f'check {chk}, log {restored}')
    b.start()
    g.attach(b)

    # The request's ACK: from A before it stopped, or from B as soon as
    # the queues run, not after the guest's retransmission timeout
    if not acked:
        segs = g.segments(1.0)
        g.take(segs)
        acked = [x for x in segs if x[0] & 0x10 and x[2] == g.seq]
    result(bool(acked), 'migrate_tcp_request_acked',
           f'request not acknowledged: {[x[:3] for x in segs]}, '
           f'guest at {g.seq}')

    g.send(0x10)
    g.send(0x18, d2)
    whole = s1 + answer + s2 + s3
    ok = g.receive(len(whole), timeout=8)
    result(ok and g.got == whole, 'migrate_tcp_host_to_guest',
           f'guest has {len(g.got)} of {len(whole)} bytes')
    try:
        while len(srv_got) < len(d1) + len(d2):
            x = c.recv(65536)
            if not x:
                break
            srv_got += x
        why = f'server has {len(srv_got)} of {len(d1 + d2)} bytes'
    except OSError as e:
        why = f'server: {e}'
    result(srv_got == d1 + d2, 'migrate_tcp_guest_to_host', why)
    # Before the front end leaves B, which then resets the connection
    sent = out_rsts() - rsts
    result(sent == 0, 'migrate_tcp_no_rst', f'{sent} RST sent')
    b.close()
    return 1 if vuc.failed else 0


if __name__ == '__main__':
    sys.exit(main())
