/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The guest side: frames in and out for every back end (qemu UNIX stream
 * socket in passt mode, tap device in pasta mode), frame parsing into
 * struct frame_info, and helpers that build and send frames to the guest.
 * tap.c never calls protocol handlers: passt.c dispatches parsed frames.
 */
#ifndef TAP_H
#define TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <netinet/udp.h>
#include <netinet/if_ether.h>

#include "ctx.h"
#include "inany.h"
#include "packet.h"

/* Frames read from the guest in one batch */
#define TAP_FRAMES_MAX		256
/* Largest frame we accept or send: 64 KiB IP packet plus Ethernet header */
#define TAP_FRAME_MAX		(ETH_MAX_MTU + ETH_HLEN)
/* qemu stream framing: 32-bit big-endian length before each frame */
#define TAP_LEN_BYTES		4
/* TTL and hop limit of packets we originate towards the guest */
#define TAP_TTL			255

/* Transport bytes of the offending datagram an ICMP error quotes: at least
 * the first eight (RFC 792), at most what keeps the whole error within 576
 * bytes over IPv4 (RFC 1812, 4.3.2.3) and within the IPv6 minimum MTU, 1280
 * bytes (RFC 4443, 2.4 (c)), once our IP and ICMP headers and the quoted IP
 * header are counted.
 */
#define TAP_ICMP_QUOTE_L4_MIN	8
#define TAP_ICMP4_ERROR_MAX	576
#define TAP_ICMP4_QUOTE_L4	(TAP_ICMP4_ERROR_MAX - 2 * sizeof(struct iphdr) - \
				 sizeof(struct icmphdr))
#define TAP_ICMP6_QUOTE_L4	(MTU_MIN_IPV6 - 2 * sizeof(struct ip6_hdr) - \
				 sizeof(struct icmp6_hdr))

/**
 * struct tap_icmp_quote - The guest's datagram an ICMP error is about
 * @src:	Its source: the guest's address, where the error goes
 * @dst:	Its destination
 * @proto:	Its transport protocol
 * @l4len:	Its transport length, for the quoted IP header
 * @hdr:	Transport header to quote
 * @hlen:	Bytes of @hdr to quote
 * @data:	Payload to quote after @hdr, NULL for none
 * @dlen:	Bytes of @data to quote
 */
struct tap_icmp_quote {
	const union inany_addr *src;
	const union inany_addr *dst;
	uint8_t proto;
	size_t l4len;
	const void *hdr;
	size_t hlen;
	const void *data;
	size_t dlen;
};

int tap_backend_init(struct ctx *c);
void tap_listen_handler(const struct ctx *c, uint32_t events);
const struct pool *tap_handler_passt(const struct ctx *c, uint32_t events);
const struct pool *tap_handler_pasta(const struct ctx *c, uint32_t events);

int tap_parse(const struct ctx *c, struct iovec *frame, struct frame_info *fi);

void tap_send_single(const struct ctx *c, const void *frame, size_t len);
size_t tap_send_room(const struct ctx *c, size_t want);
int tap_send_gso(const struct ctx *c, const struct iovec *iov, size_t n,
		 size_t l4_off, size_t seg);
size_t tap_send_frames(const struct ctx *c, const struct iovec *iov,
		       size_t bufs_per_frame, size_t nframes);

/**
 * struct tap_counters - Traffic on the guest link
 * @frames_in:		Frames from the guest
 * @bytes_in:		Their bytes
 * @frames_out:		Frames sent to the guest
 * @bytes_out:		Their bytes
 * @frames_out_dropped:	Frames to the guest dropped (guest not keeping up)
 * @dropped:		Frames from the guest dropped as malformed or
 *			unsupported, see tap_drop_causes_json()
 */
struct tap_counters {
	unsigned long frames_in;
	unsigned long bytes_in;
	unsigned long frames_out;
	unsigned long bytes_out;
	unsigned long frames_out_dropped;
	unsigned long dropped;
};

struct json;

void tap_count_in(size_t frames, size_t bytes);
const struct tap_counters *tap_counters(void);
void tap_drop_causes_json(struct json *j);

void tap_eth_fill(const struct ctx *c, struct ethhdr *eh, uint16_t proto);
void tap_ip4_fill(void *dst_hdr, struct in_addr src, struct in_addr dst,
		  uint8_t proto, size_t l4len);
void tap_ip6_fill(void *dst_hdr, const struct in6_addr *src,
		  const struct in6_addr *dst, uint8_t proto, size_t l4len);
void tap_udp4_fill(struct udphdr *uh, struct in_addr src, in_port_t sport,
		   struct in_addr dst, in_port_t dport, size_t datalen);
void tap_udp6_fill(struct udphdr *uh, const struct in6_addr *src,
		   in_port_t sport, const struct in6_addr *dst,
		   in_port_t dport, size_t datalen);

void tap_udp4_send(const struct ctx *c, struct in_addr src, in_port_t sport,
		   struct in_addr dst, in_port_t dport,
		   const void *data, size_t len);
void tap_udp6_send(const struct ctx *c, const struct in6_addr *src,
		   in_port_t sport, const struct in6_addr *dst,
		   in_port_t dport, const void *data, size_t len);
void tap_icmp4_send(const struct ctx *c, struct in_addr src,
		    struct in_addr dst, const void *l4, size_t l4len);
void tap_icmp6_send(const struct ctx *c, const struct in6_addr *src,
		    const struct in6_addr *dst, const void *l4, size_t l4len);
void tap_icmp_error(const struct ctx *c, const union inany_addr *from,
		    uint8_t type, uint8_t code, uint32_t info,
		    const struct tap_icmp_quote *q);

#endif /* TAP_H */
