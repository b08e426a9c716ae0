#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Write the seed corpus of the fuzz targets (test/fuzz/corpus/TARGET/): a
# few small valid inputs each, in the formats described at the top of each
# target's source. Run from anywhere; the files are committed, so this only
# needs running again when a format changes. Regression seeds (crashes
# found and fixed) are committed next to these, named regress-*.

import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
GUEST_MAC = bytes.fromhex('525400123456')
OUR_MAC = bytes.fromhex('9a559a559a55')
BCAST = b'\xff' * 6
G4, GW4, DNS4 = bytes([192, 0, 2, 2]), bytes([192, 0, 2, 1]), bytes([192, 0, 2, 53])
G6 = bytes.fromhex('20010db8000000000000000000000002')
GW6 = bytes.fromhex('20010db8000000000000000000000001')
LL6 = bytes.fromhex('fe80000000000000505400fffe123456')
ALLR6 = bytes.fromhex('ff020000000000000000000000000002')
DHCP6M = bytes.fromhex('ff020000000000000000000000010002')


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def eth(dst, proto, payload, src=GUEST_MAC):
    return dst + src + struct.pack('!H', proto) + payload


def ip4(src, dst, proto, l4):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 1, 0x4000, 64,
                    proto, 0, src, dst)
    h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
    return h + l4


def l4sum4(src, dst, proto, l4):
    return csum(src + dst + struct.pack('!BBH', 0, proto, len(l4)) + l4)


def l4sum6(src, dst, proto, l4):
    return csum(src + dst + struct.pack('!IxxxB', len(l4), proto) + l4)


def ip6(src, dst, proto, l4, hlim=64):
    return struct.pack('!IHBB16s16s', 6 << 28, len(l4), proto, hlim, src,
                       dst) + l4


def udp4(src, dst, sp, dp, data):
    u = struct.pack('!HHHH', sp, dp, 8 + len(data), 0) + data
    s = l4sum4(src, dst, 17, u) or 0xffff
    return ip4(src, dst, 17, u[:6] + struct.pack('!H', s) + u[8:])


def udp6(src, dst, sp, dp, data):
    u = struct.pack('!HHHH', sp, dp, 8 + len(data), 0) + data
    s = l4sum6(src, dst, 17, u) or 0xffff
    return ip6(src, dst, 17, u[:6] + struct.pack('!H', s) + u[8:])


def tcp_syn(src, dst, sp, dp, v6=False):
    opts = struct.pack('!BBH', 2, 4, 1460) + b'\x01\x03\x03\x07'
    t = struct.pack('!HHIIBBHHH', sp, dp, 1000, 0, (5 + 2) << 4, 0x02,
                    65535, 0, 0) + opts
    if v6:
        s = l4sum6(src, dst, 6, t)
        return ip6(src, dst, 6, t[:16] + struct.pack('!H', s) + t[18:])
    s = l4sum4(src, dst, 6, t)
    return ip4(src, dst, 6, t[:16] + struct.pack('!H', s) + t[18:])


def icmp4_echo(src, dst):
    m = struct.pack('!BBHHH', 8, 0, 0, 0x1234, 1) + b'fuzz seed'
    return ip4(src, dst, 1, m[:2] + struct.pack('!H', csum(m)) + m[4:])


def icmp6(src, dst, m, hlim=64):
    s = l4sum6(src, dst, 58, m)
    return ip6(src, dst, 58, m[:2] + struct.pack('!H', s) + m[4:], hlim)


def dhcp(msgtype, extra=b''):
    b = struct.pack('!BBBBIHH4s4s4s4s16s64s128s', 1, 1, 6, 0, 0x12345678, 0,
                    0x8000, b'\0' * 4, b'\0' * 4, b'\0' * 4, b'\0' * 4,
                    GUEST_MAC + b'\0' * 10, b'', b'')
    opts = bytes([53, 1, msgtype, 55, 6, 1, 3, 6, 15, 26, 119,
                  61, 7, 1]) + GUEST_MAC + extra + b'\xff'
    return b + bytes([99, 130, 83, 99]) + opts


def dhcpv6(msgtype):
    duid = struct.pack('!HH', 3, 1) + GUEST_MAC
    opts = struct.pack('!HH', 1, len(duid)) + duid
    opts += struct.pack('!HHIII', 3, 12, 1, 0, 0)
    opts += struct.pack('!HHHHH', 6, 6, 23, 24, 39)
    opts += struct.pack('!HHH', 8, 2, 0)
    return bytes([msgtype, 0x12, 0x34, 0x56]) + opts


def frames():
    arp = struct.pack('!HHBBH6s4s6s4s', 1, 0x800, 6, 4, 1, GUEST_MAC, G4,
                      b'\0' * 6, GW4)
    rs = struct.pack('!BBHI', 133, 0, 0, 0) + bytes([1, 1]) + GUEST_MAC
    ns = struct.pack('!BBHI16s', 135, 0, 0, 0, GW6) + bytes([1, 1]) + \
        GUEST_MAC
    sn = bytes.fromhex('ff0200000000000000000001ff000001')
    echo6 = struct.pack('!BBHHH', 128, 0, 0, 0x1234, 1) + b'fuzz seed'
    return {
        'arp_request': eth(BCAST, 0x806, arp),
        'dhcp_discover': eth(BCAST, 0x800,
                             udp4(b'\0' * 4, b'\xff' * 4, 68, 67, dhcp(1))),
        'dhcp_request': eth(BCAST, 0x800,
                            udp4(b'\0' * 4, b'\xff' * 4, 68, 67,
                                 dhcp(3, bytes([50, 4]) + G4 +
                                      bytes([54, 4]) + GW4))),
        'dhcpv6_solicit': eth(bytes.fromhex('333300010002'), 0x86dd,
                              udp6(LL6, DHCP6M, 546, 547, dhcpv6(1))),
        'ndp_rs': eth(bytes.fromhex('333300000002'), 0x86dd,
                      icmp6(LL6, ALLR6, rs, 255)),
        'ndp_ns': eth(bytes.fromhex('3333ff000001'), 0x86dd,
                      icmp6(LL6, sn, ns, 255)),
        'tcp_syn4': eth(OUR_MAC, 0x800, tcp_syn(G4, GW4, 40000, 80)),
        'tcp_syn6': eth(OUR_MAC, 0x86dd, tcp_syn(G6, GW6, 40000, 80, True)),
        'udp4_dns': eth(OUR_MAC, 0x800,
                        udp4(G4, DNS4, 40001, 53, b'\x12\x34\x01\x00' +
                             b'\0\x01\0\0\0\0\0\0\x07example\x03org\0'
                             b'\0\x01\0\x01')),
        'udp6': eth(OUR_MAC, 0x86dd, udp6(G6, GW6, 40002, 9, b'datagram')),
        'icmp4_echo': eth(OUR_MAC, 0x800, icmp4_echo(G4, GW4)),
        'icmp6_echo': eth(OUR_MAC, 0x86dd, icmp6(G6, GW6, echo6)),
    }


def frag_seqs():
    """A UDP datagram in two fragments, IPv4 and IPv6, last one first"""
    data = bytes(range(256)) * 8
    u4 = udp4(G4, GW4, 40003, 9, data)[20:]
    u6 = udp6(G6, GW6, 40004, 9, data)[40:]
    out = {}
    for v6, l4 in ((False, u4), (True, u6)):
        fr = []
        for off, more in ((1024, False), (0, True)):
            piece = l4[off:] if not more else l4[:1024]
            if v6:
                fh = struct.pack('!BBHI', 17, 0, off | more, 0x1234)
                h = struct.pack('!IHBB16s16s', 6 << 28, 8 + len(piece), 44,
                                64, G6, GW6)
                fr.append(eth(OUR_MAC, 0x86dd, h + fh + piece))
            else:
                h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(piece),
                                0x1234, (off // 8) | (more << 13), 64, 17,
                                0, G4, GW4)
                h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
                fr.append(eth(OUR_MAC, 0x800, h + piece))
        out['frag6_udp' if v6 else 'frag4_udp'] = fr
    return out


def write(target, name, data):
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def rec(f):
    return struct.pack('!H', len(f)) + f


def vu_msg(req, payload=b'', fdspec=0, flags=1):
    return bytes([0, req, flags]) + struct.pack('<H', len(payload)) + \
        bytes([fdspec]) + payload


def vu_mem(off, data):
    out = b''
    while data:
        chunk, data = data[:255], data[255:]
        out += bytes([1]) + struct.pack('<HB', off, len(chunk)) + chunk
        off += len(chunk)
    return out


def vhost_user(fs):
    uva = 0x7f0000000000
    s = vu_msg(1)                                   # GET_FEATURES
    s += vu_msg(2, struct.pack('<Q', (1 << 32) | (1 << 15)))
    s += vu_msg(3)                                  # SET_OWNER
    s += vu_msg(5, struct.pack('<II4Q', 1, 0, 0, 0x10000, uva, 0),
                fdspec=0x01)                        # one memfd
    for q in (0, 1):
        base = q * 0x4000
        s += vu_msg(8, struct.pack('<II', q, 8))    # SET_VRING_NUM
        s += vu_msg(9, struct.pack('<II4Q', q, 0, uva + base,
                                   uva + base + 0x1000, uva + base + 0x800,
                                   0))
        s += vu_msg(10, struct.pack('<II', q, 0))   # SET_VRING_BASE
        s += vu_msg(13, struct.pack('<Q', q), fdspec=0x21)  # CALL: B
        s += vu_msg(12, struct.pack('<Q', q), fdspec=0x11)  # KICK: A
    frame = fs['arp_request']
    # Transmit queue: one read-only buffer, virtio-net header then frame
    tx = struct.pack('<QIHH', 0x8000, 12 + len(frame), 0, 0)
    s += vu_mem(0x4000, tx)
    s += vu_mem(0x4800, struct.pack('<HHH', 0, 1, 0))
    s += vu_mem(0x8000, b'\0' * 12 + frame)
    s += bytes([2])                                 # kick
    # Receive queue: two writable buffers, chained
    rx = struct.pack('<QIHH', 0xa000, 64, 3, 1) + \
        struct.pack('<QIHH', 0xb000, 2048, 2, 0)
    s += vu_mem(0x0000, rx)
    s += vu_mem(0x0800, struct.pack('<HHH', 0, 1, 0))
    s += bytes([3]) + struct.pack('<H', len(fs['udp6'])) + fs['udp6']
    s += vu_msg(11, struct.pack('<II', 1, 0))       # GET_VRING_BASE
    return s


def virtq(write_q, chain):
    """Queue of 8; one chain made available at index 0"""
    img = bytearray(0x9000)
    for i, (addr, ln, fl, nx) in enumerate(chain):
        img[i * 16:(i + 1) * 16] = struct.pack('<QIHH', addr, ln, fl, nx)
    img[0x1000:0x1006] = struct.pack('<HHH', 0, 1, 0)
    # Trailing zeros add nothing: trim to the last non-zero byte
    data = bytes(img).rstrip(b'\0')
    return bytes([3, 0, 0, write_q]) + data


def main():
    fs = frames()
    for name, f in fs.items():
        write('tap_frames', name, bytes([1]) + rec(f))
        write('qemu_stream', name, struct.pack('!I', len(f)) + f)
    write('tap_frames', 'batch', bytes([1]) +
          b''.join(rec(f) for f in fs.values()))
    write('tap_frames', 'two_batches', bytes([1]) + rec(fs['tcp_syn4']) +
          rec(b'') + rec(fs['tcp_syn4']))
    for name, fr in frag_seqs().items():
        write('tap_frames', name, bytes([1]) + b''.join(rec(f) for f in fr))
    write('qemu_stream', 'batch',
          b''.join(struct.pack('!I', len(f)) + f for f in fs.values()))
    write('qemu_stream', 'bad_length', struct.pack('!I', len(fs['udp6'])) +
          fs['udp6'] + struct.pack('!I', 0xffffff))

    for sel, names in enumerate((('arp_request',),
                                 ('dhcp_discover', 'dhcp_request'),
                                 ('dhcpv6_solicit',),
                                 ('ndp_rs', 'ndp_ns'))):
        for n in names:
            write('services', n, bytes([sel]) + fs[n])

    write('vhost_user', 'setup_tx_rx', vhost_user(fs))
    write('vhost_user', 'get_features', vu_msg(1) + vu_msg(15) +
          vu_msg(17))
    write('virtq', 'tx_chain', virtq(0, [(0x2100, 64, 1, 1),
                                         (0x7fc0, 128, 0, 0)]))
    write('virtq', 'rx_indirect', virtq(1, [(0x3000, 32, 4, 0)]) +
          b'')
    ind = bytearray(virtq(1, [(0x3000, 32, 4, 0)]))
    ind += b'\0' * (4 + 0x3000 + 32 - len(ind))
    ind[4 + 0x3000:4 + 0x3020] = struct.pack('<QIHH', 0x4000, 100, 3, 1) + \
        struct.pack('<QIHH', 0x5000, 100, 2, 0)
    write('virtq', 'rx_indirect', bytes(ind))

    for name, args in (('passt_basic', ['-f', '-a', '192.0.2.2', '-g',
                                        '192.0.2.1', '-t', '8080:80']),
                       ('passt_v6', ['-6', '-a', '2001:db8::2', '-D',
                                     '2001:db8::53', '--dns-forward',
                                     '192.0.2.99']),
                       ('passt_ports', ['-t', '~22,1000-2000:3000',
                                        '-u', 'all', '-m', '1500']),
                       ('passt_help', ['--help']),
                       ('pasta_cmd', ['--config-net', '-T', 'auto', '--',
                                      'true'])):
        mode = 1 if name.startswith('pasta') else 0
        write('conf', name, bytes([mode]) +
              b'\0'.join(a.encode() for a in args))


if __name__ == '__main__':
    main()
