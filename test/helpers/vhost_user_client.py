#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A small vhost-user front end for tests, well-behaved or hostile.

Shares a memfd as guest memory, sets up the two virtio-net queues of
passt --vhost-user, and either moves a frame through them (an ARP request
on the transmit queue, whose reply must come back on the receive queue) or
sends malformed messages and broken rings, each on its own connection,
expecting passt to log the problem and close that connection while it
keeps serving the next front end.

Usage: vhost_user_client.py SOCKET LOGFILE
Prints PASS/FAIL lines named vhost_user_hostile_* and vhost_user_arp_*.
"""

import mmap
import os
import select
import socket
import struct
import sys
import time

GET_FEATURES, SET_FEATURES, SET_OWNER = 1, 2, 3
SET_MEM_TABLE, SET_LOG_BASE = 5, 6
SET_VRING_NUM, SET_VRING_ADDR, SET_VRING_BASE, GET_VRING_BASE = 8, 9, 10, 11
SET_VRING_KICK, SET_VRING_CALL = 12, 13
GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES = 15, 16
SET_VRING_ENABLE = 18

F_MRG_RXBUF = 1 << 15
F_INDIRECT = 1 << 28
F_PROTOCOL = 1 << 30
F_VERSION_1 = 1 << 32
FEATURES = F_MRG_RXBUF | F_INDIRECT | F_PROTOCOL | F_VERSION_1

DESC_NEXT, DESC_WRITE, DESC_INDIRECT = 1, 2, 4

# Byte order: vhost-user messages are in the machine's own ('='), rings,
# descriptors and the virtio-net header in guest memory little-endian ('<')

MEM_BYTES = 1 << 20
UVA_BASE = 0x7f0000000000     # the front end's address of guest 0x0
QSIZE = 16
HDR_LEN = 12
BUF_BYTES = 2048
RXQ, TXQ = 0, 1
CLOSE_TIMEOUT = 3.0

SOCK = LOG = None    # from the command line, when run as a program
failed = False


def result(ok, name, why=''):
    """Print a PASS or FAIL line"""
    global failed
    if ok:
        print(f'PASS: {name}', flush=True)
    else:
        failed = True
        print(f'FAIL: {name}: {why}', flush=True)


def ring_layout(q):
    """Guest addresses of a queue's descriptor table, avail and used rings"""
    base = 0x1000 + q * 0x4000
    return base, base + 0x1000, base + 0x2000


def buf_addr(q, i):
    """Guest address of buffer i of queue q"""
    return 0x10000 + (q * QSIZE + i) * BUF_BYTES


class FrontEnd:
    """One connection to passt, with its own guest memory and eventfds"""

    def __init__(self, mem_bytes=MEM_BYTES, path=None):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path or SOCK)
        self.fd = os.memfd_create('guest', os.MFD_ALLOW_SEALING)
        os.ftruncate(self.fd, mem_bytes)
        self.mem = mmap.mmap(self.fd, mem_bytes)
        self.kick = [os.eventfd(0, os.EFD_NONBLOCK) for _ in range(2)]
        self.call = [os.eventfd(0, os.EFD_NONBLOCK) for _ in range(2)]
        self.avail_idx = [0, 0]

    def close(self):
        self.s.close()
        self.mem.close()
        for fd in [self.fd] + self.kick + self.call:
            os.close(fd)

    def send(self, req, payload=b'', fds=(), flags=1, size=None):
        """Send a message; size overrides the header's payload length"""
        if size is None:
            size = len(payload)
        msg = struct.pack('=III', req, flags, size) + payload
        if fds:
            socket.send_fds(self.s, [msg], list(fds))
        else:
            self.s.sendall(msg)

    def reply(self):
        """Read a reply: (request, payload)"""
        hdr = self.recv_exact(12)
        req, _, size = struct.unpack('=III', hdr)
        return req, self.recv_exact(size)

    def recv_exact(self, n):
        data = b''
        self.s.settimeout(CLOSE_TIMEOUT)
        while len(data) < n:
            chunk = self.s.recv(n - len(data))
            if not chunk:
                raise ConnectionError('closed')
            data += chunk
        return data

    def closed_by_peer(self):
        """Does passt close the connection (soon)?"""
        self.s.settimeout(CLOSE_TIMEOUT)
        try:
            while True:
                if not self.s.recv(4096):
                    return True
        except (socket.timeout, TimeoutError):
            return False
        except ConnectionResetError:
            return True

    def state(self, req, index, num):
        self.send(req, struct.pack('=II', index, num))

    def mem_table(self, size=MEM_BYTES):
        region = struct.pack('=QQQQ', 0, size, UVA_BASE, 0)
        self.send(SET_MEM_TABLE, struct.pack('=II', 1, 0) + region,
                  [self.fd])

    def setup(self, queues=(RXQ, TXQ), kick=True):
        """Negotiate and start queues the way qemu would"""
        self.send(GET_FEATURES)
        _, f = self.reply()
        assert struct.unpack('=Q', f)[0] & FEATURES == FEATURES
        self.send(SET_FEATURES, struct.pack('=Q', FEATURES))
        self.send(SET_OWNER)
        self.mem_table()
        self.start(queues, kick)

    def start(self, queues=(RXQ, TXQ), kick=True, bases=(0, 0)):
        """Describe and start queues, from the given ring indexes"""
        for q in queues:
            desc, avail, used = ring_layout(q)
            self.state(SET_VRING_NUM, q, QSIZE)
            self.state(SET_VRING_BASE, q, bases[q])
            self.send(SET_VRING_ADDR, struct.pack(
                '=IIQQQQ', q, 0, UVA_BASE + desc, UVA_BASE + used,
                UVA_BASE + avail, 0))
            self.send(SET_VRING_CALL, struct.pack('=Q', q), [self.call[q]])
            if kick:
                self.send(SET_VRING_KICK, struct.pack('=Q', q),
                          [self.kick[q]])
            self.state(SET_VRING_ENABLE, q, 1)

    def desc(self, q, i, addr, length, flags, nxt=0):
        d, _, _ = ring_layout(q)
        struct.pack_into('<QIHH', self.mem, d + 16 * i, addr, length,
                         flags, nxt)

    def make_avail(self, q, head, idx=None):
        """Put a chain head on the avail ring and publish it"""
        _, a, _ = ring_layout(q)
        struct.pack_into('<H', self.mem, a + 4 + 2 * (self.avail_idx[q] %
                                                      QSIZE), head)
        self.avail_idx[q] += 1
        struct.pack_into('<H', self.mem, a + 2,
                         self.avail_idx[q] if idx is None else idx)

    def used(self, q):
        """(used idx, [(id, len)...]) of a queue"""
        _, _, u = ring_layout(q)
        idx = struct.unpack_from('<H', self.mem, u + 2)[0]
        elems = [struct.unpack_from('<II', self.mem, u + 4 + 8 * i)
                 for i in range(min(idx, QSIZE))]
        return idx, elems

    def do_kick(self, q):
        os.eventfd_write(self.kick[q], 1)

    def transmit(self, frame, head=0):
        """One readable buffer with header and frame on the transmit queue"""
        addr = buf_addr(TXQ, head)
        self.mem[addr:addr + HDR_LEN + len(frame)] = bytes(HDR_LEN) + frame
        self.desc(TXQ, head, addr, HDR_LEN + len(frame), 0)
        self.make_avail(TXQ, head)
        self.do_kick(TXQ)

    def post_rx(self, n, flags=DESC_WRITE):
        for i in range(n):
            self.desc(RXQ, i, buf_addr(RXQ, i), BUF_BYTES, flags)
            self.make_avail(RXQ, i)


def arp_request(target):
    mac = bytes.fromhex('525400123456')
    eth = b'\xff' * 6 + mac + b'\x08\x06'
    arp = struct.pack('!HHBBH', 1, 0x0800, 6, 4, 1) + mac + \
        socket.inet_aton('192.0.2.2') + bytes(6) + socket.inet_aton(target)
    return eth + arp


def log_has(text, since):
    """Does the passt log contain text after offset since?"""
    with open(LOG, 'rb') as f:
        f.seek(since)
        return text.encode() in f.read()


def log_size():
    return os.path.getsize(LOG)


def hostile(name, expect, action):
    """Run action on a new front end: passt must log expect and drop it"""
    since = log_size()
    fe = FrontEnd()
    try:
        action(fe)
    except (BrokenPipeError, ConnectionResetError):
        pass
    closed = fe.closed_by_peer()
    fe.close()
    time.sleep(0.05)
    logged = log_has(expect, since)
    result(closed and logged, f'vhost_user_hostile_{name}',
           f'closed={closed}, logged "{expect}"={logged}')


def arp_roundtrip(name, second=False):
    """A well-behaved front end: ARP request out, reply back

    With second, another front end tries to connect once the first one is
    set up, and must be turned away without disturbing the first.
    """
    fe = FrontEnd()
    try:
        fe.setup()
        if second:
            other = FrontEnd()
            result(other.closed_by_peer(),
                   'vhost_user_second_front_end_refused',
                   'second connection left open')
            other.close()
        fe.post_rx(4)
        fe.transmit(arp_request('192.0.2.1'))
        frame, nbufs = wait_arp(fe)
        tx_idx, _ = fe.used(TXQ)
        if frame is None:
            result(False, name, f'no ARP reply (tx used {tx_idx})')
            return
        op = struct.unpack_from('!H', frame, 20)[0] if len(frame) > 22 \
            else None
        ok = (tx_idx == 1 and nbufs == 1 and frame[12:14] == b'\x08\x06'
              and op == 2 and frame[28:32] == socket.inet_aton('192.0.2.1')
              and frame[0:6] == bytes.fromhex('525400123456'))
        result(ok, name, f'tx used {tx_idx}, num_buffers {nbufs}, '
               f'frame {frame[:42].hex()}')
    finally:
        fe.close()


def wait_arp(fe):
    """Wait for an ARP frame on the receive queue's used ring

    A Router Advertisement may come first: look at every used buffer.

    Return: (frame, num_buffers), or (None, None) on timeout
    """
    deadline = time.time() + CLOSE_TIMEOUT
    while time.time() < deadline:
        select.select([fe.call[RXQ]], [], [], 0.1)
        for head, length in fe.used(RXQ)[1]:
            data = fe.mem[buf_addr(RXQ, head):buf_addr(RXQ, head) + length]
            if data[HDR_LEN + 12:HDR_LEN + 14] == b'\x08\x06':
                return data[HDR_LEN:], struct.unpack_from('<H', data, 10)[0]
    return None, None


def restart_queues(name):
    """Stop both queues (GET_VRING_BASE), start them again, still served"""
    fe = FrontEnd()
    try:
        fe.setup()
        fe.post_rx(4)
        fe.transmit(arp_request('192.0.2.1'), head=0)
        if wait_arp(fe)[0] is None:
            result(False, name, 'no ARP reply before the restart')
            return
        bases = []
        for q in (RXQ, TXQ):
            fe.state(GET_VRING_BASE, q, 0)
            _, p = fe.reply()
            bases.append(struct.unpack('=II', p)[1])
        rx_used = fe.used(RXQ)[0]
        if bases != [rx_used, 1]:
            result(False, name, f'bases {bases}, want [{rx_used}, 1]')
            return
        for i in range(4):
            a = buf_addr(RXQ, i)
            fe.mem[a:a + BUF_BYTES] = bytes(BUF_BYTES)
        fe.start(bases=bases)
        fe.post_rx(4)
        fe.transmit(arp_request('192.0.2.1'), head=1)
        frame, _ = wait_arp(fe)
        result(frame is not None and fe.used(TXQ)[0] == 2, name,
               f'after restart: tx used {fe.used(TXQ)[0]}, reply {frame}')
    finally:
        fe.close()


def bad_ring(fe, tx_desc):
    fe.setup()
    tx_desc(fe)
    fe.do_kick(TXQ)


def main():
    arp_roundtrip('vhost_user_arp_reply_on_receive_queue')
    restart_queues('vhost_user_queues_restart_from_their_base')

    hostile('bad_version', 'message version',
            lambda fe: fe.send(GET_FEATURES, flags=2))
    hostile('huge_payload', 'bytes of payload',
            lambda fe: fe.send(GET_FEATURES, flags=1, size=1 << 20))
    hostile('truncated_payload', 'truncated message',
            lambda fe: fe.send(SET_FEATURES, b'\0' * 4, size=8))
    def dribble(fe):
        """One byte of payload every 0.3 s: dropped after 1 s in all"""
        fe.send(SET_MEM_TABLE, size=8 + 32)
        start = time.time()
        try:
            for _ in range(20):
                fe.s.send(b'\0')
                time.sleep(0.3)
        except (BrokenPipeError, ConnectionResetError):
            pass
        took = time.time() - start
        result(took < 2.5, 'vhost_user_dribbling_front_end_cut_off',
               f'still sending after {took:.1f} s')
    hostile('dribbled_payload', 'truncated message', dribble)
    hostile('short_set_features', 'bad size',
            lambda fe: fe.send(SET_FEATURES, b'\0' * 4))
    hostile('unoffered_features', 'features not offered',
            lambda fe: fe.send(SET_FEATURES, struct.pack('=Q', 1 << 63)))
    hostile('fds_on_get_features', 'unexpected file descriptors',
            lambda fe: fe.send(GET_FEATURES, fds=[fe.fd]))
    hostile('unknown_request', 'unsupported request',
            lambda fe: fe.send(9999))
    hostile('log_base', 'log in shared memory not negotiated',
            lambda fe: fe.send(SET_LOG_BASE, bytes(16), [fe.fd]))
    hostile('zero_regions', 'bad number of memory regions',
            lambda fe: fe.send(SET_MEM_TABLE, struct.pack('=II', 0, 0)))
    hostile('nine_regions', 'bad number of memory regions',
            lambda fe: fe.send(SET_MEM_TABLE, struct.pack('=II', 9, 0) +
                               bytes(9 * 32), [fe.fd]))
    hostile('region_count_mismatch', "size doesn't match",
            lambda fe: fe.send(SET_MEM_TABLE, struct.pack('=II', 2, 0) +
                               struct.pack('=QQQQ', 0, 4096, 0, 0),
                               [fe.fd]))
    hostile('region_without_fd', 'one file descriptor per region',
            lambda fe: fe.send(SET_MEM_TABLE, struct.pack('=II', 1, 0) +
                               struct.pack('=QQQQ', 0, 4096, 0, 0)))
    hostile('region_past_file_end', 'past the end of its file',
            lambda fe: fe.mem_table(size=MEM_BYTES * 16))
    hostile('region_wraps', 'bad memory region bounds',
            lambda fe: fe.send(SET_MEM_TABLE, struct.pack('=II', 1, 0) +
                               struct.pack('=QQQQ', 1 << 63, 1 << 63, 0, 0),
                               [fe.fd]))
    def shrink_after_map(fe):
        """passt seals the memfd: shrinking it must now fail"""
        fe.mem_table()
        fe.send(GET_FEATURES)
        fe.reply()
        try:
            os.ftruncate(fe.fd, 4096)
            shrunk = True
        except PermissionError:
            shrunk = False
        result(not shrunk, 'vhost_user_guest_memory_sealed_against_shrink',
               'memfd could be shrunk after passt mapped it')
        fe.send(9999)
    hostile('shrink_after_map', 'unsupported request', shrink_after_map)
    hostile('vring_index', 'no such queue',
            lambda fe: fe.state(SET_VRING_NUM, 7, QSIZE))
    hostile('vring_size', 'bad queue size',
            lambda fe: fe.state(SET_VRING_NUM, 0, 3))
    hostile('kick_index', 'no such queue',
            lambda fe: fe.send(SET_VRING_KICK, struct.pack('=Q', 200),
                               [fe.kick[0]]))
    def full_pipe_call(fe):
        """A full pipe as call "eventfd": signalling it must not block"""
        r, w = os.pipe()
        try:
            os.set_blocking(w, False)
            while True:
                os.write(w, bytes(65536))
        except BlockingIOError:
            pass
        os.set_blocking(w, True)
        fe.setup()
        fe.send(SET_VRING_CALL, struct.pack('=Q', TXQ), [w])
        fe.post_rx(2)
        fe.transmit(arp_request('192.0.2.1'))
        ok = wait_arp(fe)[0] is not None
        result(ok, 'vhost_user_blocking_call_fd_never_blocks',
               'no ARP reply with a full pipe as call fd')
        os.close(r)
        os.close(w)
        fe.send(9999)
    hostile('full_pipe_call', 'unsupported request', full_pipe_call)
    hostile('get_vring_base_index', 'no such queue',
            lambda fe: fe.state(GET_VRING_BASE, 2, 0))

    def rings_outside(fe):
        fe.mem_table()
        fe.state(SET_VRING_NUM, 1, QSIZE)
        fe.send(SET_VRING_ADDR, struct.pack('=IIQQQQ', 1, 0, UVA_BASE +
                                            MEM_BYTES - 16, UVA_BASE,
                                            UVA_BASE, 0))
    hostile('rings_outside_memory', 'rings outside guest memory',
            rings_outside)

    hostile('descriptor_outside_memory', 'outside guest memory',
            lambda fe: bad_ring(fe, lambda f: (
                f.desc(TXQ, 0, MEM_BYTES + 4096, 100, 0),
                f.make_avail(TXQ, 0))))
    hostile('descriptor_straddles_end', 'outside guest memory',
            lambda fe: bad_ring(fe, lambda f: (
                f.desc(TXQ, 0, MEM_BYTES - 50, 100, 0),
                f.make_avail(TXQ, 0))))
    hostile('descriptor_loop', 'descriptor chain loops',
            lambda fe: bad_ring(fe, lambda f: (
                f.desc(TXQ, 0, buf_addr(TXQ, 0), 64, DESC_NEXT, 1),
                f.desc(TXQ, 1, buf_addr(TXQ, 1), 64, DESC_NEXT, 0),
                f.make_avail(TXQ, 0))))
    hostile('next_past_table', 'past table',
            lambda fe: bad_ring(fe, lambda f: (
                f.desc(TXQ, 0, buf_addr(TXQ, 0), 64, DESC_NEXT, 999),
                f.make_avail(TXQ, 0))))
    hostile('head_past_queue', 'past queue size',
            lambda fe: bad_ring(fe, lambda f: f.make_avail(TXQ, 40)))
    hostile('avail_index_jump', 'buffers available on a queue',
            lambda fe: bad_ring(fe, lambda f: f.make_avail(TXQ, 0,
                                                           idx=1000)))
    hostile('indirect_bad_length', 'bad indirect descriptor',
            lambda fe: bad_ring(fe, lambda f: (
                f.desc(TXQ, 0, buf_addr(TXQ, 0), 24, DESC_INDIRECT),
                f.make_avail(TXQ, 0))))
    hostile('indirect_outside_memory', 'indirect table',
            lambda fe: bad_ring(fe, lambda f: (
                f.desc(TXQ, 0, MEM_BYTES * 4, 32, DESC_INDIRECT),
                f.make_avail(TXQ, 0))))
    hostile('writable_transmit_buffer', 'writable descriptor',
            lambda fe: bad_ring(fe, lambda f: (
                f.desc(TXQ, 0, buf_addr(TXQ, 0), 64, DESC_WRITE),
                f.make_avail(TXQ, 0))))

    def readonly_rx(fe):
        fe.setup()
        fe.post_rx(2, flags=0)
        fe.transmit(arp_request('192.0.2.1'))
    hostile('readonly_receive_buffer', 'read-only descriptor',
            readonly_rx)

    # Still serving, and still right, after all that
    arp_roundtrip('vhost_user_arp_after_hostile_front_ends', second=True)
    return 1 if failed else 0


if __name__ == '__main__':
    SOCK, LOG = sys.argv[1], sys.argv[2]
    sys.exit(main())
