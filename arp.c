// SPDX-License-Identifier: GPL-2.0-or-later
/* arp.c - Built-in ARP responder (RFC 826). The guest link has only two
 * nodes: the guest and us. Whatever IPv4 address the guest asks for, other
 * than its own, we answer with our MAC address so that the frame comes to
 * us and gets translated to a socket. We learn nothing from requests: the
 * guest can't change our state by sending ARP.
 */

#include <string.h>
#include <net/if_arp.h>
#include <linux/if_ether.h>

#include "util.h"
#include "log.h"
#include "tap.h"
#include "arp.h"

/**
 * struct arp_eth_ipv4 - ARP payload for IPv4 over Ethernet, after arphdr
 * @sha:	Sender hardware address
 * @spa:	Sender protocol address
 * @tha:	Target hardware address
 * @tpa:	Target protocol address
 */
struct arp_eth_ipv4 {
	uint8_t sha[ETH_ALEN];
	uint8_t spa[4];
	uint8_t tha[ETH_ALEN];
	uint8_t tpa[4];
} __attribute__((packed));

_Static_assert(sizeof(struct ethhdr) + sizeof(struct arphdr) +
	       sizeof(struct arp_eth_ipv4) == ARP_FRAME_LEN,
	       "ARP frame layout");

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
	const struct arp_eth_ipv4 *req;
	struct arp_eth_ipv4 *ans;
	const struct arphdr *ah;
	const struct ethhdr *eh;
	struct arphdr *rah;
	struct ethhdr *reh;

	*len = 0;
	if (fi->ethertype != ETH_P_ARP)
		return 0;

	eh = packet_get(frame, 0, sizeof(*eh), NULL);
	ah = packet_get(frame, fi->l3_off, sizeof(*ah), NULL);
	req = packet_get(frame, fi->l3_off + sizeof(*ah), sizeof(*req), NULL);
	if (!eh || !ah || !req) {
		drop_debug("ARP: truncated frame");
		return 1;
	}

	if (ah->ar_hrd != htons(ARPHRD_ETHER) ||
	    ah->ar_pro != htons(ETH_P_IP) ||
	    ah->ar_hln != ETH_ALEN || ah->ar_pln != 4 ||
	    ah->ar_op != htons(ARPOP_REQUEST))
		return 1;

	if (!c->ipv4_enabled)
		return 1;

	/* RFC 5227 probes (sender 0.0.0.0) and announcements (sender ==
	 * target) are the guest checking or claiming its own address: any
	 * answer would look like a conflict.
	 */
	if (!memcmp(req->spa, "\0\0\0\0", 4) || !memcmp(req->spa, req->tpa, 4))
		return 1;

	if (!memcmp(req->tpa, &c->ip4.addr, 4))
		return 1;

	reh = (struct ethhdr *)reply;
	rah = (struct arphdr *)(reh + 1);
	ans = (struct arp_eth_ipv4 *)(rah + 1);

	memcpy(reh->h_dest, req->sha, ETH_ALEN);
	memcpy(reh->h_source, c->our_tap_mac, ETH_ALEN);
	reh->h_proto = htons(ETH_P_ARP);

	*rah = *ah;
	rah->ar_op = htons(ARPOP_REPLY);

	memcpy(ans->sha, c->our_tap_mac, ETH_ALEN);
	memcpy(ans->spa, req->tpa, 4);
	memcpy(ans->tha, req->sha, ETH_ALEN);
	memcpy(ans->tpa, req->spa, 4);

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
int arp(const struct ctx *c, const struct iovec *frame, const struct frame_info *fi)
{
	uint8_t reply[ARP_FRAME_LEN];
	size_t len;
	int ret;

	ret = arp_reply_build(c, frame, fi, reply, &len);
	if (len)
		tap_send_single(c, reply, len);

	return ret;
}
