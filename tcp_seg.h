/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TCP segments on the wire: validating and reading the guest's, building
 * the Ethernet, IP and TCP headers (options included) of ours.
 */
#ifndef TCP_SEG_H
#define TCP_SEG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <netinet/if_ether.h>

#include "ctx.h"
#include "flow.h"
#include "packet.h"

/* Largest unscaled window and shift (RFC 7323), where <netinet/tcp.h>
 * doesn't say (musl)
 */
#ifndef TCP_MAXWIN
#define TCP_MAXWIN		65535
#endif
#ifndef TCP_MAX_WINSHIFT
#define TCP_MAX_WINSHIFT	14
#endif

/* TCP header flags, as in th_flags of struct tcphdr */
#define TCP_FIN			TH_FIN
#define TCP_SYN			TH_SYN
#define TCP_RST			TH_RST
#define TCP_PSH			TH_PUSH
#define TCP_ACK			TH_ACK

/* TCP header length: the data offset field counts 32-bit words, 4 bits */
#define TCP_DOFF_UNIT		sizeof(uint32_t)
#define TCP_HLEN_MAX		(0xf * TCP_DOFF_UNIT)

/* Header room: alignment pad, Ethernet, IPv6, TCP with options */
#define TCP_HDR_PAD		2
#define TCP_HDR_BYTES		(TCP_HDR_PAD + ETH_HLEN + \
				 sizeof(struct ip6_hdr) + TCP_HLEN_MAX)
#define TCP_HDR_ALIGN		8

/**
 * struct tcp_seg - What we need of a TCP segment, the guest's or ours
 * @seq:	Sequence number, host order
 * @ack:	Acknowledgement number, host order
 * @wnd:	Window field, unscaled
 * @flags:	TCP_* flags
 * @sport:	Source (guest) port, host order (parsed segments only)
 * @dport:	Destination port, host order (parsed segments only)
 * @mss:	MSS option, 0 if absent
 * @ws:		Window scale option, -1 if absent
 * @data:	Payload
 * @len:	Payload length
 */
struct tcp_seg {
	uint32_t seq;
	uint32_t ack;
	uint16_t wnd;
	uint8_t flags;
	in_port_t sport;
	in_port_t dport;
	uint16_t mss;
	int ws;
	const uint8_t *data;
	size_t len;
};

int tcp_seg_parse(const struct iovec *frame, const struct frame_info *fi,
		  struct tcp_seg *seg);
size_t tcp_seg_fill(const struct ctx *c, const struct flowside *gs, bool v6,
		    uint8_t *buf, const struct tcp_seg *out);

#endif /* TCP_SEG_H */
