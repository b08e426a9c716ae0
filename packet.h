/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bounds-checked access to frames received from the guest. Every read of
 * guest-supplied bytes goes through packet_get(), which returns NULL instead
 * of a pointer past the end of the frame.
 */
#ifndef PACKET_H
#define PACKET_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>
#include <arpa/inet.h>
#include <netinet/udp.h>

#include "inany.h"
#include "util.h"

/* Every frame a back end hands to the handlers starts 2 bytes past a 4-byte
 * boundary, as Linux's NET_IP_ALIGN: behind the 14-byte Ethernet header,
 * network and transport headers are then 4-byte aligned, and can be read in
 * place without misaligned access (C11 6.3.2.3). FRAME_ALIGN_SLACK is the
 * room a buffer needs in front of each frame for it.
 */
#define FRAME_ALIGN		4
#define FRAME_ALIGN_OFF		2
#define FRAME_ALIGN_SLACK	(FRAME_ALIGN + FRAME_ALIGN_OFF)

/**
 * frame_misalign() - How far a frame starts past where it should
 * @p:		Start of the frame
 *
 * Return: bytes to move the frame back by, 0 to FRAME_ALIGN - 1
 */
static inline size_t frame_misalign(const void *p)
{
	return ((uintptr_t)p - FRAME_ALIGN_OFF) % FRAME_ALIGN;
}

/**
 * struct pool - A batch of frames (or L4 payloads) referencing a buffer
 * @count:	Number of frames in @pkt
 * @size:	Capacity of @pkt
 * @pkt:	Frames
 */
struct pool {
	size_t count;
	size_t size;
	struct iovec *pkt;
};

#define POOL_DEFINE(name, n)						\
	static struct iovec name##_pkt[n];				\
	static struct pool name = { 0, (n), name##_pkt }

/**
 * packet_get() - Bounds-checked pointer into a frame
 * @frame:	Frame
 * @offset:	Offset of the wanted bytes
 * @len:	Number of bytes that must be present
 * @left:	If not NULL, set to the bytes available from @offset on
 *
 * Return: pointer to @len bytes at @offset, or NULL if they are not all
 *	   inside the frame
 */
static inline void *packet_get(const struct iovec *frame, size_t offset,
			       size_t len, size_t *left)
{
	if (offset > frame->iov_len || len > frame->iov_len - offset)
		return NULL;
	if (left)
		*left = frame->iov_len - offset;
	return (char *)frame->iov_base + offset;
}

/**
 * pool_add() - Append a frame to a pool
 * @p:		Pool
 * @base:	Start of the frame
 * @len:	Length of the frame
 *
 * Return: 0 on success, -1 if the pool is full
 */
static inline int pool_add(struct pool *p, void *base, size_t len)
{
	if (p->count >= p->size)
		return -1;
	p->pkt[p->count].iov_base = base;
	p->pkt[p->count].iov_len = len;
	p->count++;
	return 0;
}

/**
 * struct frame_info - What tap_parse() found in a guest frame
 * @ethertype:	EtherType, host order (ETH_P_ARP, ETH_P_IP, ETH_P_IPV6)
 * @l4proto:	IPPROTO_* of the L4 payload, 0 for non-IP frames
 * @l3_off:	Offset of the IP (or ARP) header in the frame
 * @l4_off:	Offset of the L4 header (after IPv6 extension headers)
 * @l4_len:	Bytes from @l4_off to the end of the IP payload, as declared
 *		by the IP header and checked against the frame
 * @ttl:	IPv4 TTL or IPv6 hop limit
 * @saddr:	IP source address (IPv4 as v4-mapped)
 * @daddr:	IP destination address (IPv4 as v4-mapped)
 *
 * An IPv6 frame never carries a v4-mapped address (tap_parse() drops it), so
 * inany_v4() of @saddr and @daddr is non-NULL exactly for IPv4 frames.
 */
struct frame_info {
	uint16_t ethertype;
	uint8_t l4proto;
	uint8_t ttl;
	size_t l3_off;
	size_t l4_off;
	size_t l4_len;
	union inany_addr saddr;
	union inany_addr daddr;
};

/**
 * packet_udp() - Bounds-checked UDP header and payload of a parsed frame
 * @frame:	Frame
 * @fi:		What tap_parse() found in @frame (a UDP datagram)
 * @uh:		Filled with a copy of the UDP header: frames may be unaligned
 * @data:	Set to the payload, as long as the UDP header says but trimmed
 *		to the IP payload; @data->iov_base is NULL if that length is
 *		shorter than the header or the payload isn't all in @frame
 *
 * Return: 0 if @frame holds a whole UDP header, -1 if it doesn't
 */
static inline int packet_udp(const struct iovec *frame,
			     const struct frame_info *fi, struct udphdr *uh,
			     struct iovec *data)
{
	const void *p = packet_get(frame, fi->l4_off, sizeof(*uh), NULL);
	size_t ulen;

	if (!p || fi->l4_len < sizeof(*uh))
		return -1;
	memcpy(uh, p, sizeof(*uh));

	data->iov_base = NULL;
	data->iov_len = 0;
	ulen = ntohs(uh->len);
	if (ulen > fi->l4_len)
		ulen = fi->l4_len;
	if (ulen < sizeof(*uh))
		return 0;
	data->iov_len = ulen - sizeof(*uh);
	data->iov_base = packet_get(frame, fi->l4_off + sizeof(*uh),
				    data->iov_len, NULL);
	return 0;
}

#endif /* PACKET_H */
