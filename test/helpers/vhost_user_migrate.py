#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Device state transfer between two passt --vhost-user, as qemu migrates.

A front end (vhost_user_client.FrontEnd) runs a guest on passt A (an ARP
exchange, so that A sees the guest's MAC and address), stops the queues,
and saves A's device state through a pipe (SET_DEVICE_STATE_FD, direction
save, then CHECK_DEVICE_STATE); a second front end loads it into passt B
and checks it. Then B is fed broken streams (bit flipped, truncated, other
version, other magic, empty): each must be refused by CHECK_DEVICE_STATE
with one log line, and B must go on serving.

Usage: vhost_user_migrate.py SOCK_A LOG_A SOCK_B LOG_B [STATE_OUT]
Prints PASS/FAIL lines named vhost_user_migrate_*.
"""

import mmap
import os
import struct
import sys
import threading
import time

import vhost_user_client as vuc
from vhost_user_client import FrontEnd, result, RXQ, TXQ


SET_LOG_BASE = 6
GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES = 15, 16
SET_DEVICE_STATE_FD, CHECK_DEVICE_STATE = 42, 43
PF_LOG_SHMFD, PF_REPLY_ACK, PF_DEVICE_STATE = 1 << 1, 1 << 3, 1 << 19
F_LOG_ALL = 1 << 26
LOG_BYTES = vuc.MEM_BYTES // 4096 // 8
SAVE, LOAD = 0, 1
NOFD = 0x100


def negotiate(fe, log=False):
    """Features, protocol features with device state, owner, memory; with
    log, dirty page logging too"""
    fe.send(vuc.GET_FEATURES)
    fe.reply()
    fe.send(vuc.SET_FEATURES, struct.pack(
        '=Q', vuc.FEATURES | (F_LOG_ALL if log else 0)))
    fe.send(GET_PROTOCOL_FEATURES)
    _, p = fe.reply()
    offered = struct.unpack('=Q', p)[0]
    fe.send(SET_PROTOCOL_FEATURES, struct.pack(
        '=Q', PF_DEVICE_STATE | (PF_LOG_SHMFD if log else 0)))
    fe.send(vuc.SET_OWNER)
    fe.mem_table()
    return offered


def stop(fe):
    """GET_VRING_BASE on both queues, as qemu does before saving"""
    for q in (RXQ, TXQ):
        fe.state(vuc.GET_VRING_BASE, q, 0)
        fe.reply()


def save(fe):
    """SET_DEVICE_STATE_FD (save), read to the end, check: (reply, data,
    check result)"""
    r, w = os.pipe()
    fe.send(SET_DEVICE_STATE_FD, struct.pack('=II', SAVE, 0), [w])
    os.close(w)
    _, p = fe.reply()
    data = b''
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        data += chunk
    os.close(r)
    fe.send(CHECK_DEVICE_STATE)
    _, c = fe.reply()
    return struct.unpack('=Q', p)[0], data, struct.unpack('=Q', c)[0]


def load(fe, data):
    """SET_DEVICE_STATE_FD (load), write, close, check: (reply, check)"""
    r, w = os.pipe()
    fe.send(SET_DEVICE_STATE_FD, struct.pack('=II', LOAD, 0), [r])
    os.close(r)
    _, p = fe.reply()
    writer = threading.Thread(target=lambda: (os.write(w, data),
                                              os.close(w)))
    writer.start()
    writer.join(5)
    fe.send(CHECK_DEVICE_STATE)
    _, c = fe.reply()
    return struct.unpack('=Q', p)[0], struct.unpack('=Q', c)[0]


def log_lines(path, since, text):
    with open(path, 'rb') as f:
        f.seek(since)
        return [ln for ln in f.read().decode(errors='replace').splitlines()
                if text in ln]


def refused(name, data, expect):
    """B must refuse data with one line naming expect, and keep serving"""
    since = os.path.getsize(LOG_B)
    fe = FrontEnd(path=SOCK_B)
    try:
        negotiate(fe)
        rep, chk = load(fe, data)
        time.sleep(0.05)
        lines = log_lines(LOG_B, since, 'state stream refused')
        fe.send(vuc.GET_FEATURES)
        alive = len(fe.reply()[1]) == 8
        ok = (rep == NOFD and chk != 0 and len(lines) == 1 and
              expect in lines[0] and alive)
        result(ok, f'vhost_user_migrate_refuses_{name}',
               f'reply {rep:#x}, check {chk}, log {lines}, alive {alive}')
    finally:
        fe.close()


def set_log(fe):
    """SET_LOG_BASE with a fresh memfd: its mapping"""
    fd = os.memfd_create('log')
    os.ftruncate(fd, LOG_BYTES)
    m = mmap.mmap(fd, LOG_BYTES)
    fe.send(SET_LOG_BASE, struct.pack('=QQ', LOG_BYTES, 0), [fd])
    os.close(fd)
    _, p = fe.reply()
    return m, struct.unpack('=Q', p)[0]


def dirty_pages_marked(fe, log):
    """Are the pages of both used rings and of every used receive buffer
    marked in the log? (missing pages)"""
    want = set()
    for q in (RXQ, TXQ):
        want.add(vuc.ring_layout(q)[2] // 4096)
    for head, length in fe.used(RXQ)[1]:
        a = vuc.buf_addr(RXQ, head)
        want.update(range(a // 4096, (a + length - 1) // 4096 + 1))
    return sorted(p for p in want if not log[p // 8] & (1 << (p % 8)))


def main():
    a = FrontEnd(path=SOCK_A)
    try:
        offered = negotiate(a, log=True)
        result(offered & PF_DEVICE_STATE and offered & PF_LOG_SHMFD,
               'vhost_user_migrate_offers_device_state',
               f'protocol features {offered:#x}')
        log, ack = set_log(a)
        a.start()
        a.post_rx(4)
        a.transmit(vuc.arp_request('192.0.2.1'))
        if vuc.wait_arp(a)[0] is None:
            result(False, 'vhost_user_migrate_guest_runs', 'no ARP reply')
            return 1
        missing = dirty_pages_marked(a, log)
        result(ack == 0 and not missing and any(log),
               'vhost_user_migrate_dirty_pages_logged',
               f'ack {ack}, pages not marked {missing}')
        stop(a)
        rep, data, chk = save(a)
        ok = (rep == NOFD and chk == 0 and data[:8] == b'PASSTMIG' and
              struct.unpack_from('<I', data, 8)[0] == 1)
        result(ok, 'vhost_user_migrate_save',
               f'reply {rep:#x}, check {chk}, {len(data)} bytes '
               f'{data[:24].hex()}')
    finally:
        a.close()
    if STATE_OUT:
        with open(STATE_OUT, 'wb') as f:
            f.write(data)

    since = os.path.getsize(LOG_B)
    b = FrontEnd(path=SOCK_B)
    try:
        negotiate(b)
        rep, chk = load(b, data)
        time.sleep(0.05)
        loaded = log_lines(LOG_B, since, 'state loaded')
        ok = (rep == NOFD and chk == 0 and loaded and
              '52:54:00:12:34:56' in loaded[0])
        result(ok, 'vhost_user_migrate_load',
               f'reply {rep:#x}, check {chk}, log {loaded}')
        # The device runs again on B after the load
        b.start()
        b.post_rx(4)
        b.transmit(vuc.arp_request('192.0.2.1'))
        result(vuc.wait_arp(b)[0] is not None,
               'vhost_user_migrate_target_runs', 'no ARP reply from B')
    finally:
        b.close()

    flipped = bytearray(data)
    flipped[-1] ^= 0x01
    refused('bit_flip', bytes(flipped), 'checksum')
    refused('truncated', data[:-5], 'truncated')
    other = bytearray(data)
    struct.pack_into('<I', other, 8, 99)
    refused('other_version', bytes(other), 'version 99')
    refused('bad_magic', b'XASSTMIG' + data[8:], 'magic')
    refused('empty', b'', 'truncated header')
    return 1 if vuc.failed else 0


if __name__ == '__main__':
    SOCK_A, LOG_A, SOCK_B, LOG_B = sys.argv[1:5]
    STATE_OUT = sys.argv[5] if len(sys.argv) > 5 else None
    sys.exit(main())
