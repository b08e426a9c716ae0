// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_seg.c - TCP segments on the wire, without connection state.
 *
 * Guest segments are checked (lengths, data offset, checksum, ports) and
 * read into a struct tcp_seg, options included where we use them (MSS and
 * window scale, in SYNs). Our segments are built from a struct tcp_seg
 * and the guest side of a flow: Ethernet, IPv4 or IPv6, and TCP headers
 * with their options and checksum, in front of a payload kept apart.
 */

#include <string.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <netinet/if_ether.h>

#include "util.h"
#include "inany.h"
#include "checksum.h"
#include "tap.h"
#include "tcp_seg.h"

/* Options other than EOL and NOP: kind and length bytes, then data */
#define TCP_OPT_HDR		2
/* Options we send in a SYN: MSS, then NOP and window scale */
#define TCP_SYN_OPTLEN		(TCPOLEN_MAXSEG + 1 + TCPOLEN_WINDOW)

/**
 * tcp_seg_parse() - Validate a guest segment and extract what we use
 * @frame:	Frame
 * @fi:		Frame information from tap_parse()
 * @seg:	Filled on success
 *
 * Return: 0 if the segment is well-formed, -1 to drop it
 */
int tcp_seg_parse(const struct iovec *frame, const struct frame_info *fi,
		  struct tcp_seg *seg)
{
	const uint8_t *l4, *opt;
	size_t doff, i;
	uint32_t sum;
	struct tcphdr th;

	l4 = packet_get(frame, fi->l4_off, fi->l4_len, NULL);
	if (!l4 || fi->l4_len < sizeof(th))
		return -1;
	memcpy(&th, l4, sizeof(th));

	doff = th.doff * TCP_DOFF_UNIT;
	if (doff < sizeof(th) || doff > fi->l4_len)
		return -1;

	if (fi->ethertype == ETH_P_IPV6)
		sum = csum_pseudo6(fi->l4_len, IPPROTO_TCP, &fi->saddr.a6,
				   &fi->daddr.a6);
	else if (inany_v4(&fi->saddr) && inany_v4(&fi->daddr))
		sum = csum_pseudo4(fi->l4_len, IPPROTO_TCP,
				   *inany_v4(&fi->saddr),
				   *inany_v4(&fi->daddr));
	else
		return -1;
	if (csum(l4, fi->l4_len, sum))
		return -1;

	seg->seq = ntohl(th.seq);
	seg->ack = ntohl(th.ack_seq);
	seg->wnd = ntohs(th.window);
	seg->flags = th.th_flags & (TCP_FIN | TCP_SYN | TCP_RST | TCP_PSH |
				    TCP_ACK);
	seg->sport = ntohs(th.source);
	seg->dport = ntohs(th.dest);
	seg->data = l4 + doff;
	seg->len = fi->l4_len - doff;
	seg->mss = 0;
	seg->ws = -1;

	if (!seg->sport || !seg->dport)
		return -1;

	/* Options: only in SYNs do we care, all within the header */
	opt = l4 + sizeof(th);
	for (i = 0; (seg->flags & TCP_SYN) && i < doff - sizeof(th);) {
		size_t left = doff - sizeof(th) - i, olen;

		if (opt[i] == TCPOPT_EOL)
			break;
		if (opt[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (left < TCP_OPT_HDR)
			break;
		olen = opt[i + 1];
		if (olen < TCP_OPT_HDR || olen > left)
			break;
		if (opt[i] == TCPOPT_MAXSEG && olen == TCPOLEN_MAXSEG) {
			uint16_t mss;

			memcpy(&mss, &opt[i + TCP_OPT_HDR], sizeof(mss));
			seg->mss = ntohs(mss);
		} else if (opt[i] == TCPOPT_WINDOW && olen == TCPOLEN_WINDOW) {
			seg->ws = MIN(opt[i + TCP_OPT_HDR], TCP_MAX_WINSHIFT);
		}
		i += olen;
	}

	return 0;
}

/**
 * tcp_seg_opts() - Write the options of a segment we send
 * @out:	Segment: MSS if @out->mss, window scale if @out->ws >= 0
 * @opts:	Buffer, TCP_SYN_OPTLEN bytes
 *
 * Return: length of the options, a multiple of 4
 */
static size_t tcp_seg_opts(const struct tcp_seg *out, uint8_t *opts)
{
	size_t optlen = 0;

	if (out->mss) {
		uint16_t mss = htons(out->mss);

		opts[optlen++] = TCPOPT_MAXSEG;
		opts[optlen++] = TCPOLEN_MAXSEG;
		memcpy(&opts[optlen], &mss, sizeof(mss));
		optlen += sizeof(mss);
	}
	if (out->ws >= 0) {
		opts[optlen++] = TCPOPT_NOP;
		opts[optlen++] = TCPOPT_WINDOW;
		opts[optlen++] = TCPOLEN_WINDOW;
		opts[optlen++] = (uint8_t)out->ws;
	}
	return optlen;
}

/**
 * tcp_seg_fill() - Build Ethernet, IP and TCP headers for a segment we send
 * @c:		Execution context
 * @gs:		Guest side of the flow: we send from @faddr:@fport
 * @v6:		IPv6 (else IPv4)
 * @buf:	Header buffer (TCP_HDR_BYTES, TCP_HDR_ALIGN aligned)
 * @out:	Segment: numbers, flags, options; @data and @len the payload,
 *		which only enters the checksum
 *
 * Return: length of the headers, starting at @buf + TCP_HDR_PAD
 */
size_t tcp_seg_fill(const struct ctx *c, const struct flowside *gs, bool v6,
		    uint8_t *buf, const struct tcp_seg *out)
{
	uint8_t *frame = buf + TCP_HDR_PAD;
	uint8_t opts[TCP_SYN_OPTLEN];
	size_t optlen = tcp_seg_opts(out, opts);
	size_t l3len, thlen = sizeof(struct tcphdr) + optlen;
	size_t l4len = thlen + out->len;
	struct tcphdr *th;
	uint32_t sum;

	tap_eth_fill(c, (struct ethhdr *)frame, v6 ? ETH_P_IPV6 : ETH_P_IP);

	if (v6) {
		l3len = sizeof(struct ip6_hdr);
		tap_ip6_fill((struct ip6_hdr *)(frame + ETH_HLEN),
			     &gs->faddr.a6, &gs->eaddr.a6, IPPROTO_TCP, l4len);
		sum = csum_pseudo6(l4len, IPPROTO_TCP, &gs->faddr.a6,
				   &gs->eaddr.a6);
	} else {
		l3len = sizeof(struct iphdr);
		tap_ip4_fill((struct iphdr *)(frame + ETH_HLEN),
			     *inany_v4(&gs->faddr), *inany_v4(&gs->eaddr),
			     IPPROTO_TCP, l4len);
		sum = csum_pseudo4(l4len, IPPROTO_TCP, *inany_v4(&gs->faddr),
				   *inany_v4(&gs->eaddr));
	}

	th = (struct tcphdr *)(frame + ETH_HLEN + l3len);
	memset(th, 0, sizeof(*th));
	th->source = htons(gs->fport);
	th->dest = htons(gs->eport);
	th->seq = htonl(out->seq);
	th->ack_seq = htonl(out->ack);
	th->doff = thlen / TCP_DOFF_UNIT;
	th->th_flags = out->flags;
	th->window = htons(out->wnd);
	if (optlen)
		memcpy(th + 1, opts, optlen);

	sum = csum_unfolded(th, thlen, sum);
	if (out->len)
		sum = csum_unfolded(out->data, out->len, sum);
	th->check = csum_fold(sum);

	return ETH_HLEN + l3len + thlen;
}
