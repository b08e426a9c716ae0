// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for the TCP timer: the deadline heap (tcp_deadline.c) against
 * a plain array under random sets, moves and clears, and the cost of one
 * timer expiry with 20,000 connections, none of them due (the common case:
 * one connection's retransmission timer fires among many idle ones).
 */

#include <stdint.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>

#include "unit.h"
#include "ctx.h"
#include "flow.h"
#include "tcp.h"
#include "tcp_deadline.h"
#include "util.h"

#define BENCH_CONNS	20000U
#define BENCH_EVENTS	2000U
#define REF_SLOTS	1000
#define REF_OPS		200000

static uint64_t ref_when[REF_SLOTS];
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

/**
 * ns_now() - Monotonic clock in nanoseconds
 *
 * Return: nanoseconds
 */
static long long ns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/**
 * rng() - xorshift64 pseudo-random numbers, fixed seed
 *
 * Return: next number
 */
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/**
 * ref_min() - Earliest deadline in the reference array
 *
 * Return: earliest deadline, 0 if none
 */
static uint64_t ref_min(void)
{
	uint64_t m = 0;
	unsigned i;

	for (i = 0; i < REF_SLOTS; i++)
		if (ref_when[i] && (!m || ref_when[i] < m))
			m = ref_when[i];
	return m;
}

/**
 * heap_matches_reference() - Random sets, moves and clears, then pops: the
 *			      heap agrees with a plain array at every step
 */
static void heap_matches_reference(void)
{
	unsigned i, count = 0, bad = 0;
	uint64_t last = 0, now;

	tcp_deadline_clear();
	memset(ref_when, 0, sizeof(ref_when));

	for (i = 0; i < REF_OPS; i++) {
		uint32_t idx = (uint32_t)(rng() % REF_SLOTS);
		uint64_t when = rng() % 4 ? 1 + rng() % 100000 : 0;

		tcp_deadline_set(idx, when);
		count += !ref_when[idx] && when;
		count -= ref_when[idx] && !when;
		ref_when[idx] = when;
		if (tcp_deadline_next() != ref_min() ||
		    tcp_deadline_count() != count)
			bad++;
	}
	CHECK_MSG(!bad, "%u steps disagreed with the reference", bad);

	/* Pops: due ones only, in order, each once */
	now = 50000;
	for (;;) {
		uint32_t idx = tcp_deadline_pop(now);

		if (idx == FLOW_IDX_NONE)
			break;
		CHECK(idx < REF_SLOTS);
		if (idx >= REF_SLOTS)
			break;
		CHECK(ref_when[idx] && ref_when[idx] <= now);
		CHECK(ref_when[idx] >= last);
		last = ref_when[idx];
		ref_when[idx] = 0;
	}
	CHECK(!ref_min() || ref_min() > now);
	CHECK(tcp_deadline_next() == ref_min());

	/* Out-of-range indices are ignored */
	tcp_deadline_set(FLOW_MAX, 1);
	CHECK(tcp_deadline_pop(now) == FLOW_IDX_NONE);

	tcp_deadline_clear();
	CHECK(!tcp_deadline_count() && !tcp_deadline_next());
	CHECK(tcp_deadline_pop(UINT64_MAX) == FLOW_IDX_NONE);
}

/**
 * heap_cost_20000() - Time setting, moving and popping 20,000 deadlines
 */
static void heap_cost_20000(void)
{
	long long t0, t1, t2;
	unsigned i, popped = 0;

	tcp_deadline_clear();
	t0 = ns_now();
	for (i = 0; i < BENCH_CONNS; i++)
		tcp_deadline_set(i, 1 + rng() % 1000000);
	for (i = 0; i < BENCH_CONNS; i++)
		tcp_deadline_set(i, 1 + rng() % 1000000);
	t1 = ns_now();
	for (;;) {
		uint32_t idx = tcp_deadline_pop(UINT64_MAX);

		if (idx == FLOW_IDX_NONE)
			break;
		popped++;
	}
	t2 = ns_now();

	printf("  deadline set or move, %u queued: %lld ns; pop: %lld ns\n",
	       BENCH_CONNS, (t1 - t0) / (2 * BENCH_CONNS),
	       (t2 - t1) / BENCH_CONNS);
	CHECK(popped == BENCH_CONNS);
	CHECK(!tcp_deadline_count());
}

/**
 * timer_cost_20000() - Time tcp_timer_handler() over a table of idle
 *			connections; print the cost per expiry
 */
static void timer_cost_20000(void)
{
	static struct ctx c;
	struct timespec now;
	long long t0, t1;
	unsigned i;

	flow_init();
	for (i = 0; i < BENCH_CONNS; i++) {
		union flow *flow = flow_alloc();

		CHECK(flow);
		if (!flow)
			return;
		flow->f.type = FLOW_TCP;
		flow->f.proto = IPPROTO_TCP;
	}

	t0 = ns_now();
	for (i = 0; i < BENCH_EVENTS; i++) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		tcp_timer_handler(&c, &now);
	}
	t1 = ns_now();

	printf("  timer expiry, %u TCP connections: %lld ns\n", BENCH_CONNS,
	       (t1 - t0) / BENCH_EVENTS);
	/* Nothing was due: nothing may have been closed */
	CHECK(flow_count_type(FLOW_TCP) == BENCH_CONNS);
	flow_init();
}

/**
 * timer_event_cost() - Cost of one timer event with N connections queued
 * @n:		Connections, each with a deadline set
 *
 * One event: a connection's deadline moves (what an ACK does to its
 * retransmission timer), another one falls due and is taken out, as the
 * timer handler does, and is queued again.
 *
 * Return: nanoseconds per event
 */
static long long timer_event_cost(unsigned n)
{
	const unsigned events = 200000;
	long long t0, t1;
	uint64_t now = 1000000;
	unsigned i;

	tcp_deadline_clear();
	for (i = 0; i < n; i++)
		tcp_deadline_set(i, now + 1 + rng() % 1000000);

	t0 = ns_now();
	for (i = 0; i < events; i++) {
		uint32_t idx;

		tcp_deadline_set((uint32_t)(rng() % n),
				 now + 1 + rng() % 1000000);
		tcp_deadline_set((uint32_t)(rng() % n), now);
		idx = tcp_deadline_pop(now);
		if (idx != FLOW_IDX_NONE)
			tcp_deadline_set(idx, now + 1 + rng() % 1000000);
	}
	t1 = ns_now();

	CHECK(tcp_deadline_count() == n);
	tcp_deadline_clear();
	return (t1 - t0) / events;
}

/**
 * timer_cost_flat() - Print the cost per timer event from 100 to 30,000
 *		       connections: a heap makes it grow with log n only
 */
static void timer_cost_flat(void)
{
	static const unsigned sizes[] = { 100, 1000, 10000, 30000 };
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		printf("  timer event, %5u connections queued: %lld ns\n",
		       sizes[i], timer_event_cost(sizes[i]));
}

int main(void)
{
	RUN(heap_matches_reference);
	RUN(heap_cost_20000);
	RUN(timer_cost_20000);
	RUN(timer_cost_flat);
	UNIT_EXIT();
}
