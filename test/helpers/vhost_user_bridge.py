#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A vhost-user front end whose guest is a network namespace's kernel.

Speaks vhost-user to passt --vhost-user as qemu does (guest memory shared
from a memfd, the two virtio-net queues, kicks and calls) and copies frames
between the rings and a tap device it creates in its own network namespace
(run it with nsenter into the guest's): the namespace's kernel is the
guest's TCP stack. It migrates the device like qemu does, on SIGUSR1: stop
both queues (GET_VRING_BASE), save the device state from the current passt
through a pipe and check it, connect to the next passt, hand it the same
memory and rings, load and check the state, and start the queues from the
ring indexes the first one returned. The tap device, and so the guest's
sockets, stay the same. SIGUSR2 then closes the connection to the passt
left behind (qemu on the source quitting); SIGHUP prints the frame counts
and ring indexes; SIGTERM ends the bridge.

Usage: vhost_user_bridge.py IFNAME SOCKET [SOCKET]...
	SIGUSR1 migrates from one SOCKET to the next

Prints "bridge: running on SOCKET", then "bridge: migrated in N ms (...)"
or "bridge: migration failed: why" (the guest then runs on where it was).
"""

import fcntl
import os
import select
import signal
import socket
import struct
import sys
import time

import vhost_user_client as vuc
from vhost_user_client import FrontEnd, RXQ, TXQ
from vhost_user_migrate import negotiate, save, load

QSIZE = 256
vuc.QSIZE = QSIZE               # for the rings of FrontEnd.start()
MEM_BYTES = 4 << 20
BUF = 2048
HDR = vuc.HDR_LEN
TUNSETIFF, IFF_TAP, IFF_NO_PI = 0x400454ca, 0x0002, 0x1000
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
NOFD = 0x100


def buf_addr(q, i):
    """Guest address of buffer i of queue q"""
    return 0x10000 + (q * QSIZE + i) * BUF


def tap_open(ifname):
    """Create the tap device, bring it up: its descriptor"""
    fd = os.open('/dev/net/tun', os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
    ifr = struct.pack('16sH', ifname.encode(), IFF_TAP | IFF_NO_PI)
    fcntl.ioctl(fd, TUNSETIFF, ifr.ljust(40, b'\0'))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ifr = fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack('16s24x', ifname.encode()))
    flags = struct.unpack_from('H', ifr, 16)[0] | IFF_UP
    fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack('16sH22x', ifname.encode(),
                                             flags))
    s.close()
    return fd


class Bridge:
    """The guest: its memory, rings and tap device, and the passt serving it

    @fe:	FrontEnd connected to the serving passt (its memory is ours)
    @old:	FrontEnd of the passt we migrated from, until SIGUSR2
    """

    def __init__(self, ifname, sock):
        self.tap = tap_open(ifname)
        self.fe = FrontEnd(mem_bytes=MEM_BYTES, path=sock)
        self.old = None
        self.mem = self.fe.mem
        # Ring indexes in single 16-bit loads and stores: struct's '<H'
        # goes byte by byte, and passt could see (or we could read) half
        # of an update. Native order is little-endian here (x86, arm64).
        assert sys.byteorder == 'little'
        self.idx16 = memoryview(self.mem).cast('H')
        self.rx_avail = self.tx_avail = 0   # our avail indexes
        self.rx_used = self.tx_used = 0     # used entries we consumed
        self.tx_free = list(range(QSIZE))
        self.paused = False
        self.rx_pending = []                # buffers of a merged frame
        self.frames = [0, 0]                # to the guest, from it
        d, a, u = vuc.ring_layout(RXQ)
        self.rx_ring = (d, a, u)
        self.tx_ring = vuc.ring_layout(TXQ)
        for i in range(QSIZE):
            struct.pack_into('<QIHH', self.mem, d + 16 * i,
                             buf_addr(RXQ, i), BUF, vuc.DESC_WRITE, 0)
        negotiate(self.fe)
        self.fe.mem_table(size=MEM_BYTES)
        self.fe.start()
        for i in range(QSIZE):
            self.rx_post(i)
        self.publish(RXQ)

    def rx_post(self, head):
        """Offer receive buffer head to passt (published later)"""
        a = self.rx_ring[1]
        struct.pack_into('<H', self.mem, a + 4 + 2 * (self.rx_avail % QSIZE),
                         head)
        self.rx_avail = (self.rx_avail + 1) & 0xffff

    def publish(self, q):
        """Publish a queue's avail index, kick passt"""
        if q == RXQ:
            self.idx16[(self.rx_ring[1] + 2) // 2] = self.rx_avail
        else:
            self.idx16[(self.tx_ring[1] + 2) // 2] = self.tx_avail
        if not self.paused:
            os.eventfd_write(self.fe.kick[q], 1)

    def used_entries(self, q, last):
        """New used entries of queue q after index last: (list, new last)"""
        u = self.rx_ring[2] if q == RXQ else self.tx_ring[2]
        idx = self.idx16[(u + 2) // 2]
        out = []
        while last != idx:
            out.append(struct.unpack_from('<II', self.mem,
                                          u + 4 + 8 * (last % QSIZE)))
            last = (last + 1) & 0xffff
        return out, last

    def to_guest(self):
        """Frames passt put on the receive queue: to the tap, buffers back"""
        entries, self.rx_used = self.used_entries(RXQ, self.rx_used)
        if not entries:
            return
        for head, length in entries:
            if head >= QSIZE or length > BUF:
                sys.exit(f'bridge: bad used entry {head} {length}')
            self.rx_pending.append((head, length))
            first_head, first_len = self.rx_pending[0]
            a = buf_addr(RXQ, first_head)
            nbufs = struct.unpack_from('<H', self.mem, a + 10)[0] or 1
            if len(self.rx_pending) < nbufs:
                continue
            parts = [self.mem[a + HDR:a + first_len]]
            for h, n in self.rx_pending[1:]:
                parts.append(self.mem[buf_addr(RXQ, h):buf_addr(RXQ, h) + n])
            try:
                os.write(self.tap, b''.join(parts))
            except OSError:
                pass            # as a link would: the frame is lost
            self.frames[0] += 1
            for h, _ in self.rx_pending:
                self.rx_post(h)
            self.rx_pending = []
        self.publish(RXQ)

    def tx_reclaim(self):
        """Transmit buffers passt is done with"""
        entries, self.tx_used = self.used_entries(TXQ, self.tx_used)
        for head, _ in entries:
            if head < QSIZE:
                self.tx_free.append(head)

    def from_guest(self):
        """Frames the guest sent on the tap: onto the transmit queue"""
        d, a, _ = self.tx_ring
        n = 0
        while self.tx_free:
            try:
                frame = os.read(self.tap, BUF - HDR)
            except BlockingIOError:
                break
            head = self.tx_free.pop()
            addr = buf_addr(TXQ, head)
            self.mem[addr:addr + HDR] = bytes(HDR)
            self.mem[addr + HDR:addr + HDR + len(frame)] = frame
            struct.pack_into('<QIHH', self.mem, d + 16 * head, addr,
                             HDR + len(frame), 0, 0)
            struct.pack_into('<H', self.mem,
                             a + 4 + 2 * (self.tx_avail % QSIZE), head)
            self.tx_avail = (self.tx_avail + 1) & 0xffff
            n += 1
        if n:
            self.frames[1] += n
            self.publish(TXQ)

    def stats(self):
        """Frame counts and ring indexes, for a test that wonders"""
        rx_used = self.idx16[(self.rx_ring[2] + 2) // 2]
        tx_used = self.idx16[(self.tx_ring[2] + 2) // 2]
        return (f'{self.frames[0]} frames to the guest, {self.frames[1]} '
                f'from it; receive queue avail {self.rx_avail} used '
                f'{rx_used}, transmit queue avail {self.tx_avail} used '
                f'{tx_used}, {len(self.tx_free)} transmit buffers free')

    def migrate(self, sock):
        """Move the device to the passt at sock, as qemu would"""
        start = time.monotonic()
        self.paused = True
        bases = []
        for q in (RXQ, TXQ):
            self.fe.state(vuc.GET_VRING_BASE, q, 0)
            bases.append(struct.unpack('=II', self.fe.reply()[1])[1])
        # What the source wrote before it stopped goes to the guest still
        self.to_guest()
        self.tx_reclaim()
        rep, data, chk = save(self.fe)
        if rep != NOFD or chk:
            return self.resume(f'save: reply {rep:#x}, check {chk}', bases)

        new = FrontEnd(mem_bytes=4096, path=sock)
        new.mem.close()
        os.close(new.fd)
        for fd in new.kick + new.call:
            os.close(fd)
        new.fd, new.mem = self.fe.fd, self.fe.mem
        new.kick, new.call = self.fe.kick, self.fe.call
        negotiate(new)
        new.mem_table(size=MEM_BYTES)
        rep, chk = load(new, data)
        if rep != NOFD or chk:
            new.s.close()
            return self.resume(f'load: reply {rep:#x}, check {chk}', bases)
        new.start(bases=bases)
        if self.old:
            self.old.s.close()
        self.old, self.fe = self.fe, new
        self.paused = False
        self.publish(RXQ)
        self.publish(TXQ)
        ms = (time.monotonic() - start) * 1000
        print(f'bridge: migrated in {ms:.0f} ms (state {len(data)} bytes, '
              f'ring bases {bases[0]}/{bases[1]}) to {sock}', flush=True)
        return True

    def resume(self, why, bases):
        """A failed migration: the guest runs on where it was"""
        self.fe.start(bases=bases)
        self.paused = False
        self.publish(RXQ)
        self.publish(TXQ)
        print(f'bridge: migration failed: {why}', flush=True)
        return False


def main():
    ifname, socks = sys.argv[1], sys.argv[2:]
    br = Bridge(ifname, socks.pop(0))
    print(f'bridge: running on {br.fe.s.getpeername()}', flush=True)

    wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(wake_w)
    todo = []
    signal.signal(signal.SIGUSR1, lambda *_: todo.append('migrate'))
    signal.signal(signal.SIGUSR2, lambda *_: todo.append('close'))
    signal.signal(signal.SIGTERM, lambda *_: todo.append('exit'))
    signal.signal(signal.SIGHUP, lambda *_: todo.append('stats'))

    p = select.poll()
    p.register(br.tap, select.POLLIN)
    p.register(br.fe.call[RXQ], select.POLLIN)
    p.register(br.fe.call[TXQ], select.POLLIN)
    p.register(wake_r, select.POLLIN)
    p.register(br.fe.s, select.POLLIN)
    fe_sock = br.fe.s
    while True:
        try:
            p.poll(1000)
        except InterruptedError:
            pass
        for fd in br.fe.call:
            try:
                os.eventfd_read(fd)
            except BlockingIOError:
                pass
        try:
            os.read(wake_r, 64)
        except BlockingIOError:
            pass
        while todo:
            what = todo.pop(0)
            if what == 'exit':
                print(f'bridge: exiting, {br.frames[0]} frames to the '
                      f'guest, {br.frames[1]} from it', flush=True)
                return 0
            if what == 'stats':
                print(f'bridge: {br.stats()}', flush=True)
            if what == 'close' and br.old:
                br.old.s.close()
                br.old = None
                print('bridge: closed the connection to the source',
                      flush=True)
            if what == 'migrate':
                if not socks:
                    print('bridge: migration failed: no more sockets',
                          flush=True)
                    continue
                if br.migrate(socks[0]):
                    socks.pop(0)
                    p.unregister(fe_sock)
                    fe_sock = br.fe.s
                    p.register(fe_sock, select.POLLIN)
        if not br.paused:
            br.to_guest()
            br.tx_reclaim()
            br.from_guest()
        # Messages from passt (none expected) or its end: gone means gone
        if select.select([fe_sock], [], [], 0)[0]:
            try:
                if not fe_sock.recv(4096, 0x40):
                    print('bridge: passt closed the connection',
                          flush=True)
                    return 1
            except BlockingIOError:
                pass


if __name__ == '__main__':
    sys.exit(main())
