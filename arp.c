// SPDX-License-Identifier: GPL-2.0-or-later
/* arp.c - Built-in ARP responder (RFC 826). The guest link has only two
 * nodes: the guest and us. Whatever IPv4 address the guest asks for, other
 * than its own, we answer with our MAC address so that the frame comes to
 * us and gets translated to a socket. We learn nothing from requests: the
 * guest can't change our state by sending ARP.
 */

#include <string.h>
#include <netinet/in.h>
#include <netinet/if_ether.h>

#include "util.h"
#include "log.h"
#include "tap.h"
#include "arp.h"

_Static_assert(sizeof(struct ether_arp) == sizeof(struct arphdr) +
	       2 * (ETH_ALEN + sizeof(struct in_addr)),
	       "ARP for IPv4 over Ethernet: no padding");

/**
 * arp_reply_build() - Check an ARP frame from the guest, build our reply
 * @c:		Execution context
 * @frame:	Ethernet frame from the guest
 * @fi:		What tap_parse() found: ARP header at @fi->l3_off
 * @reply:	Buffer for the reply frame, at least ARP_FRAME_LEN bytes
 * @len:	Set to the length of the reply, 0 if there's nothing to send
 *
 * Return: 1 if the frame is ARP (answered or deliberately ignored), 0 if not
 */
int arp_reply_build(const struct ctx *c, const struct iovec *frame,
		    const struct frame_info *fi, uint8_t *reply, size_t *len)
{
	const struct ether_arp *req;
	const struct ethhdr *eh;
	struct in_addr spa, tpa;
	struct ether_arp *ans;
	struct ethhdr *reh;

	*len = 0;
	if (fi->ethertype != ETH_P_ARP)
		return 0;

	eh = packet_get(frame, 0, sizeof(*eh), NULL);
	req = packet_get(frame, fi->l3_off, sizeof(*req), NULL);
	if (!eh || !req) {
		drop_debug("ARP: truncated frame");
		return 1;
	}

	if (req->arp_hrd != htons(ARPHRD_ETHER) ||
	    req->arp_pro != htons(ETH_P_IP) ||
	    req->arp_hln != ETH_ALEN ||
	    req->arp_pln != sizeof(struct in_addr) ||
	    req->arp_op != htons(ARPOP_REQUEST))
		return 1;

	if (!c->ipv4_enabled)
		return 1;

	memcpy(&spa, req->arp_spa, sizeof(spa));
	memcpy(&tpa, req->arp_tpa, sizeof(tpa));

	/* RFC 5227 probes (sender 0.0.0.0) and announcements (sender ==
	 * target) are the guest checking or claiming its own address: any
	 * answer would look like a conflict.
	 */
	if (spa.s_addr == INADDR_ANY || spa.s_addr == tpa.s_addr)
		return 1;

	if (tpa.s_addr == c->ip4.addr.s_addr)
		return 1;

	reh = (struct ethhdr *)reply;
	ans = (struct ether_arp *)(reh + 1);

	memcpy(reh->h_dest, req->arp_sha, ETH_ALEN);
	memcpy(reh->h_source, c->our_tap_mac, ETH_ALEN);
	reh->h_proto = htons(ETH_P_ARP);

	ans->ea_hdr = req->ea_hdr;
	ans->arp_op = htons(ARPOP_REPLY);

	memcpy(ans->arp_sha, c->our_tap_mac, ETH_ALEN);
	memcpy(ans->arp_spa, req->arp_tpa, sizeof(ans->arp_spa));
	memcpy(ans->arp_tha, req->arp_sha, ETH_ALEN);
	memcpy(ans->arp_tpa, req->arp_spa, sizeof(ans->arp_tpa));

	*len = ARP_FRAME_LEN;
	return 1;
}

/**
 * arp() - Answer an ARP request from the guest
 * @c:		Execution context
 * @frame:	Ethernet frame from the guest
 * @fi:		What tap_parse() found in @frame
 *
 * Return: 1 if the frame was ARP (answered or ignored), 0 if not
 */
int arp(const struct ctx *c, const struct iovec *frame,
	const struct frame_info *fi)
{
	uint8_t reply[ARP_FRAME_LEN];
	size_t len;
	int ret;

	ret = arp_reply_build(c, frame, fi, reply, &len);
	if (len)
		tap_send_single(c, reply, len);

	return ret;
}
