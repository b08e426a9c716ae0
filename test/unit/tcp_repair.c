// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for the TCP connection record of the migration stream
 * (tcp_repair.c): encode and decode round trip, and every truncated or
 * corrupted record refused without reading past its end (records are
 * placed right before an inaccessible page, so an overread crashes).
 */

#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <arpa/inet.h>

#include "unit.h"
#include "inany.h"
#include "tcp_repair.h"

#define SNDQ	300
#define RCVQ	200

static uint8_t rec[TCP_MIG_FIXED + SNDQ + RCVQ];
static uint8_t *guard_end;	/* first byte of the inaccessible page */

/**
 * setup() - Map two pages, the second inaccessible; build a record
 */
static void setup(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *m = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct tcp_mig t = { 0 };
	struct in_addr a;
	unsigned i;

	if (m == MAP_FAILED || mprotect(m + pg, (size_t)pg, PROT_NONE))
		exit(EXIT_FAILURE);
	guard_end = m + pg;

	inet_pton(AF_INET, "192.0.2.2", &a);
	inany_from_v4(&t.side[0].eaddr, a);
	inany_from_v4(&t.side[1].faddr, a);
	inet_pton(AF_INET, "192.0.2.1", &a);
	inany_from_v4(&t.side[0].faddr, a);
	inany_from_v4(&t.side[1].eaddr, a);
	t.side[0].eport = t.side[1].fport = 40000;
	t.side[0].fport = t.side[1].eport = 80;
	t.flags = 0x411;
	t.ws_guest = 7;
	t.mss = 1460;
	t.sock_mss = 65483;
	t.snd_wscale = 10;
	t.rcv_wscale = 5;
	t.opts = TCP_MIG_OPT_TS | TCP_MIG_OPT_WS;
	t.isn = 0x01020304;
	t.seq_to_guest = 0xfffffff0;
	t.seq_from_guest = 0x7f000001;
	t.snd_seq = 1000;
	t.rcv_seq = 0x80000000;
	t.sndq_len = SNDQ;
	t.rcvq_len = RCVQ;
	t.ts = 0xdeadbeef;
	t.rcv_wnd = 65535;
	tcp_mig_encode(&t, rec);
	for (i = 0; i < SNDQ + RCVQ; i++)
		rec[TCP_MIG_FIXED + i] = (uint8_t)i;
}

/**
 * at_end() - Copy the first bytes of a record right before the guard page
 * @src:	Record
 * @len:	Bytes to copy
 *
 * Return: the copy
 */
static const uint8_t *at_end(const uint8_t *src, size_t len)
{
	memcpy(guard_end - len, src, len);
	return guard_end - len;
}

/* A record decodes to what was encoded, queues included */
static void tcp_repair_round_trip(void)
{
	const uint8_t *p = at_end(rec, sizeof(rec));
	struct tcp_mig m;
	size_t used = 0;

	CHECK(!tcp_mig_decode(p, sizeof(rec), &m, &used));
	CHECK(used == sizeof(rec));
	CHECK(m.side[0].eport == 40000 && m.side[1].eport == 80);
	CHECK(inany_v4(&m.side[1].faddr) &&
	      inany_v4(&m.side[1].faddr)->s_addr == htonl(0xc0000202));
	CHECK(m.flags == 0x411 && m.ws_guest == 7 && m.mss == 1460);
	CHECK(m.sock_mss == 65483 && m.snd_wscale == 10 &&
	      m.rcv_wscale == 5);
	CHECK(m.opts == (TCP_MIG_OPT_TS | TCP_MIG_OPT_WS));
	CHECK(m.isn == 0x01020304 && m.seq_to_guest == 0xfffffff0);
	CHECK(m.seq_from_guest == 0x7f000001 && m.snd_seq == 1000);
	CHECK(m.rcv_seq == 0x80000000 && m.ts == 0xdeadbeef);
	CHECK(m.rcv_wnd == 65535);
	CHECK(m.sndq_len == SNDQ && m.rcvq_len == RCVQ);
	CHECK(m.sndq == p + TCP_MIG_FIXED && m.sndq[5] == 5);
	CHECK(m.rcvq == p + TCP_MIG_FIXED + SNDQ && m.rcvq[0] == SNDQ % 256);
}

/* Every truncation is refused, without reading past the end */
static void tcp_repair_truncated(void)
{
	struct tcp_mig m;
	size_t len, used;

	for (len = 0; len < sizeof(rec); len++)
		CHECK_MSG(tcp_mig_decode(at_end(rec, len), len, &m, &used),
			  "record cut at %zu accepted", len);
}

/**
 * corrupt() - Decode a copy of the record with one field changed
 * @off:	Offset of the field
 * @v:		Value
 * @n:		Field size, bytes (little-endian)
 *
 * Return: what tcp_mig_decode() says
 */
static const char *corrupt(size_t off, uint32_t v, size_t n)
{
	static uint8_t c[sizeof(rec)];
	struct tcp_mig m;
	size_t used, i;

	memcpy(c, rec, sizeof(rec));
	for (i = 0; i < n; i++)
		c[off + i] = (uint8_t)(v >> (8 * i));
	return tcp_mig_decode(at_end(c, sizeof(c)), sizeof(c), &m, &used);
}

/* Bad scales, MSS, ports, address families and queue lengths: refused */
static void tcp_repair_corrupted(void)
{
	const size_t fixed = 72;	/* after both sides' 4-tuples */
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	uint8_t c[sizeof(rec)];
	struct tcp_mig m;
	size_t used;

	CHECK(corrupt(fixed + 2, 15, 1));		/* ws_guest */
	CHECK(corrupt(fixed + 8, 15, 1));		/* snd_wscale */
	CHECK(corrupt(fixed + 9, 200, 1));		/* rcv_wscale */
	CHECK(corrupt(fixed + 4, 0, 2));		/* mss */
	CHECK(corrupt(fixed + 6, 0, 2));		/* sock_mss */
	CHECK(corrupt(fixed + 4, 65535, 2));		/* mss too large */
	CHECK(corrupt(fixed + 12 + 7 * 4, 0xffffffff, 4));	/* wnd_guest */
	CHECK(corrupt(fixed + 12 + 8 * 4, 0x40000000, 4));	/* wnd_sent */
	CHECK(corrupt(32, 0, 2));			/* guest eport */
	CHECK(corrupt(36 + 34, 0, 2));			/* host fport */
	/* sndq_len, rcvq_len: too long for the record, or over the limit */
	CHECK(corrupt(fixed + 12 + 11 * 4, SNDQ + 1, 4));
	CHECK(corrupt(fixed + 12 + 12 * 4, RCVQ + 1, 4));
	CHECK(corrupt(fixed + 12 + 11 * 4, 0xffffffff, 4));
	CHECK(corrupt(fixed + 12 + 12 * 4, 0xfffffff0, 4));
	/* Shorter queues than the record holds: valid, shorter use */
	CHECK(!corrupt(fixed + 12 + 12 * 4, 0, 4));

	memcpy(c, rec, sizeof(rec));
	memcpy(c + 36, v6, 16);				/* host eaddr IPv6 */
	CHECK(tcp_mig_decode(at_end(c, sizeof(c)), sizeof(c), &m, &used));
}

int main(void)
{
	setup();
	RUN(tcp_repair_round_trip);
	RUN(tcp_repair_truncated);
	RUN(tcp_repair_corrupted);
	UNIT_EXIT();
}
