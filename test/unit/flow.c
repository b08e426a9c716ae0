// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for flow.c: allocation until full, recycling without leaks,
 * hash lookups by guest-side 4-tuple surviving arbitrary removals.
 */

#include <netinet/in.h>

#include "unit.h"
#include "flow.h"

/**
 * fill() - Give an entry a distinct guest-side 4-tuple derived from @n
 * @flow:	Entry
 * @n:		Distinguishing number
 */
static void fill(union flow *flow, unsigned n)
{
	struct flowside *s = &flow->f.side[GUESTSIDE];
	struct in_addr a = { htonl(0xc0000200 | (n & 0xff)) };

	flow->f.type = FLOW_TCP;
	flow->f.proto = IPPROTO_TCP;
	inany_from_v4(&s->eaddr, a);
	a.s_addr = htonl(0xc6336400);
	inany_from_v4(&s->faddr, a);
	s->eport = (in_port_t)(1024 + n / 256);
	s->fport = 80;
}

static union flow *lookup_n(unsigned n)
{
	union flow tmp = { 0 };
	struct flowside *s = &tmp.f.side[GUESTSIDE];

	fill(&tmp, n);
	return flow_lookup(IPPROTO_TCP, &s->eaddr, s->eport, &s->faddr,
			   s->fport);
}

static void flow_alloc_until_full(void)
{
	unsigned i;

	flow_init();
	for (i = 0; i < FLOW_MAX; i++)
		CHECK(flow_alloc() != NULL);
	CHECK(flow_count() == FLOW_MAX);
	CHECK(flow_alloc() == NULL);
	for (i = 0; i < FLOW_MAX; i++)
		flow_free(&flowtab[i]);
	CHECK(flow_count() == 0);
}

/* Many allocate/free cycles must never lose a slot */
static void flow_recycle_no_leak(void)
{
	union flow *f[64];
	unsigned round, i;

	flow_init();
	for (round = 0; round < 10000; round++) {
		for (i = 0; i < 64; i++) {
			f[i] = flow_alloc();
			CHECK(f[i] != NULL);
			if (!f[i])
				return;
			fill(f[i], round * 64 + i);
			CHECK(!flow_hash_insert(f[i]));
		}
		for (i = 0; i < 64; i++)
			flow_free(f[(i * 7) % 64]);
	}
	CHECK(flow_count() == 0);
	CHECK(flow_first_free_max() <= 64);
	CHECK(lookup_n(5) == NULL);
}

static void flow_hash_lookup_and_remove(void)
{
	const unsigned n = FLOW_MAX;
	unsigned i, bad = 0;

	flow_init();
	for (i = 0; i < n; i++) {
		union flow *flow = flow_alloc();

		fill(flow, i);
		CHECK(!flow_hash_insert(flow));
	}
	for (i = 0; i < n; i++)
		bad += lookup_n(i) != &flowtab[i];
	CHECK_MSG(!bad, "%u lookups failed", bad);

	/* A second entry with the same 4-tuple is refused */
	flow_free(&flowtab[3]);
	{
		union flow *dup = flow_alloc();

		fill(dup, 4);
		CHECK(flow_hash_insert(dup) == -1);
		flow_free(dup);
	}

	/* Remove every third entry: all others must stay reachable */
	for (i = 0; i < n; i += 3)
		if (flowtab[i].f.type)
			flow_free(&flowtab[i]);
	bad = 0;
	for (i = 0; i < n; i++) {
		union flow *want = (i % 3) ? &flowtab[i] : NULL;

		bad += lookup_n(i) != want;
	}
	CHECK_MSG(!bad, "%u lookups wrong after removals", bad);
	CHECK(flow_count() == n - DIV_ROUND_UP(n, 3));
}

static void flow_index_bounds(void)
{
	flow_init();
	CHECK(flow_at(FLOW_MAX) == NULL);
	CHECK(flow_at(0) == &flowtab[0]);
	CHECK(flow_idx(&flowtab[17]) == 17);
}

int main(void)
{
	RUN(flow_alloc_until_full);
	RUN(flow_recycle_no_leak);
	RUN(flow_hash_lookup_and_remove);
	RUN(flow_index_bounds);
	UNIT_EXIT();
}
