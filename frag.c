// SPDX-License-Identifier: GPL-2.0-or-later
/* frag.c - IP fragments, both ways. From the guest, IPv4 fragments and IPv6
 * datagrams carrying a Fragment header (UDP and ICMP only: fragmented TCP
 * is dropped, as no TCP we offer needs it) are collected in a static table
 * of FRAG_SLOTS datagrams, each with room for a whole 64 KiB payload and
 * its headers in front, so that a complete datagram becomes one contiguous
 * frame without IP fragmentation, handed back to the dispatcher as if it
 * had come in one piece. Overlaps, duplicates, inconsistent ends, too many
 * pieces, lengths past 65535, timeouts and evictions drop the datagram and
 * are counted by cause. Towards the guest, a frame whose IP packet exceeds
 * the guest's MTU is cut into IPv4 fragments or IPv6 Fragment header
 * packets instead of being sent whole.
 */

#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/if_ether.h>

#include "checksum.h"
#include "frag.h"
#include "inany.h"
#include "json.h"
#include "log.h"
#include "util.h"

/* Room in front of a reassembled payload for the largest headers we put
 * there: alignment offset, Ethernet, IPv6 (IPv4 is shorter, and its 20
 * bytes keep the frame 2 bytes past a 4-byte boundary as well)
 */
#define FRAG_HDR_ROOM		(FRAME_ALIGN_OFF + ETH_HLEN + \
				 sizeof(struct ip6_hdr))
/* Fragment frames built towards the guest per tap_send_frames() call */
#define FRAG_OUT_BATCH		64
/* Largest IPv4 header, options included */
#define FRAG_IP4_HDR_MAX	60
/* Largest frame we fragment: Ethernet, IPv6 header, 64 KiB payload */
#define FRAG_OUT_FRAME_MAX	(ETH_HLEN + sizeof(struct ip6_hdr) + \
				 FRAG_PAYLOAD_MAX)

/**
 * enum frag_drop - Why a fragment or a datagram being reassembled is dropped
 */
enum frag_drop {
	FRAG_DROP_TCP,
	FRAG_DROP_PROTO,
	FRAG_DROP_LENGTH,
	FRAG_DROP_TOO_LONG,
	FRAG_DROP_OVERLAP,
	FRAG_DROP_DUPLICATE,
	FRAG_DROP_INCONSISTENT,
	FRAG_DROP_TOO_MANY,
	FRAG_DROP_TIMEOUT,
	FRAG_DROP_EVICTED,
	FRAG_DROP_GUEST_GONE,
	FRAG_DROP_CAUSES,
};

/* Names of the causes, as the statistics show them */
static const char *const frag_drop_name[FRAG_DROP_CAUSES] = {
	[FRAG_DROP_TCP]		 = "tcp",
	[FRAG_DROP_PROTO]	 = "protocol",
	[FRAG_DROP_LENGTH]	 = "bad_length",
	[FRAG_DROP_TOO_LONG]	 = "too_long",
	[FRAG_DROP_OVERLAP]	 = "overlap",
	[FRAG_DROP_DUPLICATE]	 = "duplicate",
	[FRAG_DROP_INCONSISTENT] = "inconsistent_end",
	[FRAG_DROP_TOO_MANY]	 = "too_many_fragments",
	[FRAG_DROP_TIMEOUT]	 = "timeout",
	[FRAG_DROP_EVICTED]	 = "evicted",
	[FRAG_DROP_GUEST_GONE]	 = "guest_gone",
};

/**
 * struct frag_piece - Bytes of a datagram one fragment brought
 * @start:	Offset of the first byte in the payload
 * @end:	Offset past the last byte
 */
struct frag_piece {
	uint32_t start;
	uint32_t end;
};

/**
 * struct frag_key - What tells datagrams apart (RFC 791, RFC 8200 4.5)
 * @saddr:	Source address (IPv4 as v4-mapped)
 * @daddr:	Destination address
 * @id:		Identification
 * @proto:	Transport protocol
 * @v4:		IPv4 (else IPv6)
 */
struct frag_key {
	union inany_addr saddr;
	union inany_addr daddr;
	uint32_t id;
	uint8_t proto;
	bool v4;
};

/**
 * struct frag_slot - A datagram being reassembled
 * @buf:	FRAG_HDR_ROOM bytes for headers, then the payload: first, so
 *		that the table's alignment is the buffer's
 * @key:	Datagram
 * @used:	Slot holds a datagram being reassembled
 * @busy:	Slot holds a complete datagram being handled
 * @seq:	Allocation order, to find the oldest
 * @since:	When the first fragment came, seconds
 * @total:	Payload length, once the last fragment came, else 0
 * @have:	Payload bytes received
 * @maxend:	Largest end of a fragment received
 * @npieces:	Fragments received
 * @piece:	Their ranges
 * @eth:	Ethernet header of a fragment, the first one if it came
 * @ttl:	TTL or hop limit of the first fragment
 * @tos:	IPv4 type of service or IPv6 traffic class and flow label
 */
struct frag_slot {
	uint8_t buf[FRAG_HDR_ROOM + FRAG_PAYLOAD_MAX];
	struct frag_key key;
	bool used;
	bool busy;
	unsigned long seq;
	time_t since;
	size_t total;
	size_t have;
	size_t maxend;
	unsigned int npieces;
	struct frag_piece piece[FRAG_PIECES_MAX];
	uint8_t eth[ETH_HLEN];
	uint8_t ttl;
	uint32_t tos;
};

static struct frag_slot frag_table[FRAG_SLOTS]
	__attribute__((aligned(FRAME_ALIGN)));
static unsigned long frag_seq;
static unsigned int frag_timeout = FRAG_TIMEOUT_SEC;

/* Identification of the next datagram we fragment towards the guest */
static uint32_t frag_out_id;
/* A frame to the guest, linear, and the fragments cut from it */
static uint8_t frag_lin[FRAG_OUT_FRAME_MAX];
static uint8_t frag_hdr[FRAG_OUT_BATCH][ETH_HLEN + FRAG_IP4_HDR_MAX];
static struct iovec frag_iov[FRAG_OUT_BATCH * 2];

/**
 * struct frag_counters - What happened to fragments
 * @in:		Fragments from the guest
 * @reassembled:	Datagrams from the guest reassembled
 * @dropped:	Fragments or datagrams from the guest dropped, by cause
 * @out_datagrams:	Datagrams to the guest sent in fragments
 * @out:	Fragments sent to the guest
 * @out_dropped:	Datagrams to the guest that couldn't be fragmented or
 *			sent whole
 */
static struct {
	unsigned long in;
	unsigned long reassembled;
	unsigned long dropped[FRAG_DROP_CAUSES];
	unsigned long out_datagrams;
	unsigned long out;
	unsigned long out_dropped;
} frag_count;

/**
 * frag_init() - Read the timeout override, seed identifications
 *
 * Called before sandboxing: reads the environment.
 */
void frag_init(void)
{
	const char *env = getenv(FRAG_TIMEOUT_ENV);
	struct timespec ts;

	if (env) {
		int e = 0;
		long t = parse_long(env, 1, FRAG_TIMEOUT_MAX_SEC, &e);

		if (e)
			die("%s=%s: expected seconds, 1 to %u",
			    FRAG_TIMEOUT_ENV, env, FRAG_TIMEOUT_MAX_SEC);
		frag_timeout = (unsigned int)t;
	}

	/* Not secret, only fresh: guests don't trust identifications */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	frag_out_id = (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec << 20;
}

/**
 * frag_drop() - Count a drop, release the datagram it concerns
 * @s:		Slot of the datagram, NULL if only a fragment is dropped
 * @why:	Cause
 *
 * Return: 0, for frag_input() to return
 */
static int frag_drop(struct frag_slot *s, enum frag_drop why)
{
	frag_count.dropped[why]++;
	drop_debug("Dropping guest fragment%s: %s", s ? "ed datagram" : "",
		   frag_drop_name[why]);
	if (s)
		s->used = false;
	return 0;
}

/**
 * frag_key_eq() - Do two keys name the same datagram
 * @a:		Key
 * @b:		Key
 *
 * Return: true if they do
 */
static bool frag_key_eq(const struct frag_key *a, const struct frag_key *b)
{
	return a->v4 == b->v4 && a->id == b->id && a->proto == b->proto &&
	       inany_equals(&a->saddr, &b->saddr) &&
	       inany_equals(&a->daddr, &b->daddr);
}

/**
 * frag_same_flow() - Do two keys share source, destination and protocol
 * @a:		Key
 * @b:		Key
 *
 * Return: true if they do
 */
static bool frag_same_flow(const struct frag_key *a, const struct frag_key *b)
{
	return a->v4 == b->v4 && a->proto == b->proto &&
	       inany_equals(&a->saddr, &b->saddr) &&
	       inany_equals(&a->daddr, &b->daddr);
}

/**
 * frag_lookup() - Find the slot of a datagram being reassembled
 * @k:		Datagram
 *
 * Return: slot, NULL if none
 */
static struct frag_slot *frag_lookup(const struct frag_key *k)
{
	unsigned int i;

	for (i = 0; i < FRAG_SLOTS; i++) {
		if (frag_table[i].used && frag_key_eq(&frag_table[i].key, k))
			return &frag_table[i];
	}
	return NULL;
}

/**
 * frag_alloc() - Take a slot for a new datagram, evicting if needed
 * @k:		Datagram
 * @now:	Current timestamp
 *
 * A flow (source, destination, protocol) holding FRAG_FLOW_SLOTS datagrams
 * already loses its own oldest; otherwise, with the table full, the oldest
 * datagram of all goes.
 *
 * Return: slot, set up for @k
 */
static struct frag_slot *frag_alloc(const struct frag_key *k,
				    const struct timespec *now)
{
	struct frag_slot *free_s = NULL, *oldest = NULL, *oldest_flow = NULL;
	unsigned int i, flow = 0;
	struct frag_slot *s;

	for (i = 0; i < FRAG_SLOTS; i++) {
		s = &frag_table[i];
		if (s->busy)
			continue;
		if (!s->used) {
			if (!free_s)
				free_s = s;
			continue;
		}
		if (!oldest || s->seq < oldest->seq)
			oldest = s;
		if (frag_same_flow(&s->key, k)) {
			flow++;
			if (!oldest_flow || s->seq < oldest_flow->seq)
				oldest_flow = s;
		}
	}

	if (flow >= FRAG_FLOW_SLOTS && oldest_flow) {
		frag_drop(oldest_flow, FRAG_DROP_EVICTED);
		s = oldest_flow;
	} else if (!free_s && oldest) {
		frag_drop(oldest, FRAG_DROP_EVICTED);
		s = oldest;
	} else {
		s = free_s;
	}
	/* At most one slot is busy, and FRAG_SLOTS > 1: never NULL here */
	if (!s)
		return NULL;

	s->key = *k;
	s->used = true;
	s->seq = ++frag_seq;
	s->since = now->tv_sec;
	s->total = s->have = s->maxend = 0;
	s->npieces = 0;
	memset(s->eth, 0, sizeof(s->eth));
	return s;
}

/**
 * frag_build() - Put headers in front of a complete payload
 * @s:		Slot holding the whole payload
 * @whole:	Set to the frame: Ethernet, IP header, payload
 */
static void frag_build(const struct frag_slot *s, struct iovec *whole)
{
	uint8_t *payload = (uint8_t *)s->buf + FRAG_HDR_ROOM;
	uint8_t *l3;

	if (s->key.v4) {
		struct iphdr iph = {
			.version	= 4,
			.ihl		= sizeof(iph) / 4,
			.tos		= (uint8_t)s->tos,
			.tot_len	= htons(sizeof(iph) + s->total),
			.id		= htons((uint16_t)s->key.id),
			.ttl		= s->ttl,
			.protocol	= s->key.proto,
			.saddr		= inany_v4(&s->key.saddr)->s_addr,
			.daddr		= inany_v4(&s->key.daddr)->s_addr,
		};

		iph.check = csum_ip4_header(&iph, sizeof(iph));
		l3 = payload - sizeof(iph);
		memcpy(l3, &iph, sizeof(iph));
	} else {
		struct ip6_hdr ip6h;

		memset(&ip6h, 0, sizeof(ip6h));
		ip6h.ip6_flow = htonl(6U << 28 | s->tos);
		ip6h.ip6_plen = htons((uint16_t)s->total);
		ip6h.ip6_nxt = s->key.proto;
		ip6h.ip6_hlim = s->ttl;
		ip6h.ip6_src = s->key.saddr.a6;
		ip6h.ip6_dst = s->key.daddr.a6;
		l3 = payload - sizeof(ip6h);
		memcpy(l3, &ip6h, sizeof(ip6h));
	}

	memcpy(l3 - ETH_HLEN, s->eth, ETH_HLEN);
	whole->iov_base = l3 - ETH_HLEN;
	whole->iov_len = (size_t)(payload - (l3 - ETH_HLEN)) + s->total;
}

/**
 * frag_input() - Take a fragment from the guest, reassemble its datagram
 * @c:		Execution context
 * @frame:	Frame, as tap_parse() trimmed it
 * @fi:		What tap_parse() found: for IPv4, the payload of the
 *		fragment; for IPv6, @fi->l4proto is IPPROTO_FRAGMENT and
 *		@fi->l4_off the offset of the Fragment header
 * @now:	Current timestamp
 * @whole:	Set to the complete datagram as one unfragmented frame, if
 *		this fragment completed it: valid until frag_release()
 *
 * Return: 1 if @whole is set, 0 if the fragment was kept or dropped
 */
int frag_input(const struct ctx *c, const struct iovec *frame,
	       const struct frame_info *fi, const struct timespec *now,
	       struct iovec *whole)
{
	size_t off, len, data_off, max, end;
	struct frag_slot *s;
	const uint8_t *data;
	struct frag_key k;
	uint32_t tos;
	unsigned int i;
	const void *p;
	bool more;

	(void)c;
	memset(&k, 0, sizeof(k));
	k.saddr = fi->saddr;
	k.daddr = fi->daddr;
	k.v4 = fi->ethertype == ETH_P_IP;

	if (k.v4) {
		struct iphdr iph;
		uint16_t fo;

		p = packet_get(frame, fi->l3_off, sizeof(iph), NULL);
		if (!p)
			return frag_drop(NULL, FRAG_DROP_LENGTH);
		memcpy(&iph, p, sizeof(iph));
		fo = ntohs(iph.frag_off);
		off = (size_t)(fo & IP_OFFMASK) * 8;
		more = fo & IP_MF;
		k.id = ntohs(iph.id);
		k.proto = iph.protocol;
		tos = iph.tos;
		data_off = fi->l4_off;
		len = fi->l4_len;
		max = FRAG_PAYLOAD_MAX - sizeof(struct iphdr);
	} else {
		struct ip6_frag fh;
		struct ip6_hdr ip6h;

		p = packet_get(frame, fi->l3_off, sizeof(ip6h), NULL);
		if (!p || fi->l4_len < sizeof(fh))
			return frag_drop(NULL, FRAG_DROP_LENGTH);
		memcpy(&ip6h, p, sizeof(ip6h));
		p = packet_get(frame, fi->l4_off, sizeof(fh), NULL);
		if (!p)
			return frag_drop(NULL, FRAG_DROP_LENGTH);
		memcpy(&fh, p, sizeof(fh));
		off = ntohs(fh.ip6f_offlg & IP6F_OFF_MASK);
		more = fh.ip6f_offlg & IP6F_MORE_FRAG;
		k.id = ntohl(fh.ip6f_ident);
		k.proto = fh.ip6f_nxt;
		tos = ntohl(ip6h.ip6_flow) & 0x0fffffff;
		data_off = fi->l4_off + sizeof(fh);
		len = fi->l4_len - sizeof(fh);
		max = FRAG_PAYLOAD_MAX;
	}
	frag_count.in++;

	data = packet_get(frame, data_off, len, NULL);
	if (!data)
		return frag_drop(NULL, FRAG_DROP_LENGTH);
	if (k.proto == IPPROTO_TCP)
		return frag_drop(NULL, FRAG_DROP_TCP);
	if (k.proto != IPPROTO_UDP &&
	    k.proto != (k.v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6))
		return frag_drop(NULL, FRAG_DROP_PROTO);
	/* RFC 791, RFC 8200 4.5: all but the last carry multiples of 8 */
	if (!len || (more && len % 8))
		return frag_drop(NULL, FRAG_DROP_LENGTH);

	s = frag_lookup(&k);
	end = off + len;
	if (end > max)
		return frag_drop(s, FRAG_DROP_TOO_LONG);
	if (!s)
		s = frag_alloc(&k, now);
	if (!s)
		return frag_drop(NULL, FRAG_DROP_EVICTED);

	if (s->total && end > s->total)
		return frag_drop(s, FRAG_DROP_INCONSISTENT);
	for (i = 0; i < s->npieces; i++) {
		const struct frag_piece *pc = &s->piece[i];

		if (pc->start == off && pc->end == end)
			return frag_drop(s, FRAG_DROP_DUPLICATE);
		if (off < pc->end && pc->start < end)
			return frag_drop(s, FRAG_DROP_OVERLAP);
	}
	if (!more && (s->total || end < s->maxend))
		return frag_drop(s, FRAG_DROP_INCONSISTENT);
	if (s->npieces >= FRAG_PIECES_MAX)
		return frag_drop(s, FRAG_DROP_TOO_MANY);

	memcpy(s->buf + FRAG_HDR_ROOM + off, data, len);
	s->piece[s->npieces].start = (uint32_t)off;
	s->piece[s->npieces].end = (uint32_t)end;
	s->npieces++;
	s->have += len;
	s->maxend = MAX(s->maxend, end);
	if (!more)
		s->total = end;
	if (!off || s->npieces == 1) {
		p = packet_get(frame, 0, ETH_HLEN, NULL);
		if (p)
			memcpy(s->eth, p, ETH_HLEN);
		s->ttl = fi->ttl;
		s->tos = tos;
	}

	if (!s->total || s->have != s->total)
		return 0;

	/* Pieces don't overlap and all end within total: no gaps either */
	s->used = false;
	s->busy = true;
	frag_count.reassembled++;
	frag_build(s, whole);
	return 1;
}

/**
 * frag_release() - The complete datagram given by frag_input() was handled
 */
void frag_release(void)
{
	unsigned int i;

	for (i = 0; i < FRAG_SLOTS; i++)
		frag_table[i].busy = false;
}

/**
 * frag_timer() - Drop datagrams that didn't complete in time
 * @c:		Execution context
 * @now:	Current timestamp
 */
void frag_timer(const struct ctx *c, const struct timespec *now)
{
	unsigned int i;

	(void)c;
	for (i = 0; i < FRAG_SLOTS; i++) {
		struct frag_slot *s = &frag_table[i];

		if (s->used && now->tv_sec - s->since >= (time_t)frag_timeout)
			frag_drop(s, FRAG_DROP_TIMEOUT);
	}
}

/**
 * frag_guest_gone() - The guest went away: forget its datagrams
 */
void frag_guest_gone(void)
{
	unsigned int i;

	for (i = 0; i < FRAG_SLOTS; i++) {
		if (frag_table[i].used)
			frag_drop(&frag_table[i], FRAG_DROP_GUEST_GONE);
	}
}

/**
 * frag_in_flight() - Datagrams being reassembled
 *
 * Return: their number
 */
unsigned int frag_in_flight(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < FRAG_SLOTS; i++)
		n += frag_table[i].used;
	return n;
}

/**
 * frag_stats_json() - Counters, as the members of a JSON object
 * @j:		Writer
 */
void frag_stats_json(struct json *j)
{
	unsigned long total = 0;
	unsigned int i;

	for (i = 0; i < FRAG_DROP_CAUSES; i++)
		total += frag_count.dropped[i];
	json_printf(j, "\"in\":%lu,\"in_flight\":%u,\"reassembled\":%lu,"
		    "\"dropped\":%lu,\"dropped_by_cause\":{",
		    frag_count.in, frag_in_flight(), frag_count.reassembled,
		    total);
	for (i = 0; i < FRAG_DROP_CAUSES; i++) {
		json_printf(j, "%s", i ? "," : "");
		json_str(j, frag_drop_name[i]);
		json_printf(j, ":%lu", frag_count.dropped[i]);
	}
	json_printf(j, "},\"out_datagrams\":%lu,\"out\":%lu,"
		    "\"out_dropped\":%lu", frag_count.out_datagrams,
		    frag_count.out, frag_count.out_dropped);
}

/**
 * frag_send() - Send fragment frames built so far
 * @c:		Execution context
 * @n:		Frames in frag_hdr and frag_iov
 * @send:	The guest link's batch send, tap_send_frames()
 *
 * Return: 0 if all went, -1 if the guest didn't take them all
 */
static int frag_send(const struct ctx *c, size_t n, frag_send_fn send)
{
	size_t sent = send(c, frag_iov, 2, n);

	frag_count.out += sent;
	return sent == n ? 0 : -1;
}

/**
 * frag_to_guest() - Send a frame to the guest in fragments if too large
 * @c:		Execution context
 * @iov:	The frame: Ethernet header, IPv4 header or IPv6 header with
 *		no extension headers, payload, split across buffers in any way
 * @cnt:	Buffers in @iov
 * @send:	The guest link's batch send, tap_send_frames(): passed in, so
 *		that frag.c stays below tap.c, which calls it
 *
 * The guest's MTU is the one we advertise, -m, or the largest IP packet if
 * none is advertised.
 *
 * Return: 0 if the frame fits (the caller sends it), 1 if it was sent in
 *	   fragments, -1 if it was dropped
 */
int frag_to_guest(const struct ctx *c, const struct iovec *iov, size_t cnt,
		  frag_send_fn send)
{
	size_t mtu = c->mtu ? (size_t)c->mtu : ETH_MAX_MTU;
	size_t total = 0, hlen, payload, per, off, n = 0, i;
	struct ethhdr eh;
	bool v4;

	for (i = 0; i < cnt; i++)
		total += iov[i].iov_len;
	if (total <= ETH_HLEN + mtu)
		return 0;
	if (total > sizeof(frag_lin))
		goto drop;

	for (i = 0, off = 0; i < cnt; off += iov[i].iov_len, i++)
		memcpy(frag_lin + off, iov[i].iov_base, iov[i].iov_len);
	memcpy(&eh, frag_lin, sizeof(eh));
	if (eh.h_proto == htons(ETH_P_IP)) {
		v4 = true;
		hlen = (size_t)(frag_lin[ETH_HLEN] & 0x0f) * 4;
		if (hlen < sizeof(struct iphdr) || hlen > FRAG_IP4_HDR_MAX ||
		    total < ETH_HLEN + hlen || mtu < hlen + 8)
			goto drop;
		per = (mtu - hlen) & ~(size_t)7;
	} else if (eh.h_proto == htons(ETH_P_IPV6)) {
		v4 = false;
		hlen = sizeof(struct ip6_hdr);
		if (total < ETH_HLEN + hlen ||
		    mtu < hlen + sizeof(struct ip6_frag) + 8)
			goto drop;
		per = (mtu - hlen - sizeof(struct ip6_frag)) & ~(size_t)7;
	} else {
		return 0;
	}
	payload = total - ETH_HLEN - hlen;
	frag_out_id++;

	for (off = 0; off < payload; off += per) {
		size_t len = MIN(per, payload - off);
		bool more = off + len < payload;
		uint8_t *h = frag_hdr[n];
		size_t flen;

		memcpy(h, frag_lin, ETH_HLEN + hlen);
		if (v4) {
			struct iphdr iph;

			memcpy(&iph, h + ETH_HLEN, sizeof(iph));
			iph.tot_len = htons((uint16_t)(hlen + len));
			iph.id = htons((uint16_t)frag_out_id);
			iph.frag_off = htons((uint16_t)(off / 8) |
					     (more ? IP_MF : 0));
			iph.check = 0;
			memcpy(h + ETH_HLEN, &iph, sizeof(iph));
			iph.check = csum_ip4_header(h + ETH_HLEN, hlen);
			memcpy(h + ETH_HLEN, &iph, sizeof(iph));
			flen = ETH_HLEN + hlen;
		} else {
			struct ip6_frag fh;
			struct ip6_hdr ip6h;

			memcpy(&ip6h, h + ETH_HLEN, sizeof(ip6h));
			fh.ip6f_nxt = ip6h.ip6_nxt;
			fh.ip6f_reserved = 0;
			fh.ip6f_offlg = htons((uint16_t)off) |
					(more ? IP6F_MORE_FRAG : 0);
			fh.ip6f_ident = htonl(frag_out_id);
			ip6h.ip6_nxt = IPPROTO_FRAGMENT;
			ip6h.ip6_plen = htons((uint16_t)(sizeof(fh) + len));
			memcpy(h + ETH_HLEN, &ip6h, sizeof(ip6h));
			memcpy(h + ETH_HLEN + hlen, &fh, sizeof(fh));
			flen = ETH_HLEN + hlen + sizeof(fh);
		}
		frag_iov[n * 2].iov_base = h;
		frag_iov[n * 2].iov_len = flen;
		frag_iov[n * 2 + 1].iov_base = frag_lin + ETH_HLEN + hlen + off;
		frag_iov[n * 2 + 1].iov_len = len;

		if (++n == FRAG_OUT_BATCH) {
			if (frag_send(c, n, send))
				goto drop;
			n = 0;
		}
	}
	if (n && frag_send(c, n, send))
		goto drop;
	frag_count.out_datagrams++;
	return 1;

drop:
	frag_count.out_dropped++;
	debug("Frame of %zu bytes to the guest dropped: can't fragment it",
	      total);
	return -1;
}
