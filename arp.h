/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Built-in ARP service: every IPv4 neighbour of the guest, except the guest
 * itself, resolves to our MAC address, so that all guest traffic reaches us.
 */
#ifndef ARP_H
#define ARP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <netinet/if_ether.h>

#include "ctx.h"
#include "packet.h"

/* Ethernet header plus ARP for IPv4 over Ethernet (RFC 826) */
#define ARP_FRAME_LEN		(ETH_HLEN + sizeof(struct ether_arp))

int arp_reply_build(const struct ctx *c, const struct iovec *frame,
		    const struct frame_info *fi, uint8_t *reply, size_t *len);
int arp(const struct ctx *c, const struct iovec *frame,
	const struct frame_info *fi);

#endif /* ARP_H */
