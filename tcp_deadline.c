// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_deadline.c - Deadlines of TCP connections, ordered by time.
 *
 * A binary min-heap of (deadline, flow table index) pairs, statically sized
 * for the whole flow table, with each index's position in the heap kept
 * aside so that a connection's deadline can be moved or cleared in
 * O(log n). The TCP timer handler pops what is due and arms the timer for
 * the top of the heap.
 */

#include <stdint.h>

#include "flow.h"
#include "tcp_deadline.h"

/**
 * struct tcp_deadline_ent - One entry of the heap
 * @when:	Deadline, milliseconds on the monotonic clock
 * @idx:	Flow table index of the connection
 */
struct tcp_deadline_ent {
	uint64_t when;
	uint32_t idx;
};

static struct tcp_deadline_ent tcp_deadline_heap[FLOW_MAX];
/* Heap position of each flow table index, plus one: 0 if not queued */
static uint32_t tcp_deadline_pos[FLOW_MAX];
static uint32_t tcp_deadline_n;

/**
 * tcp_deadline_put() - Store an entry at a heap position
 * @i:		Position
 * @e:		Entry
 */
static void tcp_deadline_put(uint32_t i, struct tcp_deadline_ent e)
{
	tcp_deadline_heap[i] = e;
	tcp_deadline_pos[e.idx] = i + 1;
}

/**
 * tcp_deadline_up() - Move an entry towards the top while it's earlier
 * @i:		Position of the entry
 */
static void tcp_deadline_up(uint32_t i)
{
	struct tcp_deadline_ent e = tcp_deadline_heap[i];

	while (i) {
		uint32_t parent = (i - 1) / 2;

		if (tcp_deadline_heap[parent].when <= e.when)
			break;
		tcp_deadline_put(i, tcp_deadline_heap[parent]);
		i = parent;
	}
	tcp_deadline_put(i, e);
}

/**
 * tcp_deadline_down() - Move an entry away from the top while it's later
 * @i:		Position of the entry
 */
static void tcp_deadline_down(uint32_t i)
{
	struct tcp_deadline_ent e = tcp_deadline_heap[i];

	for (;;) {
		uint32_t child = 2 * i + 1;

		if (child >= tcp_deadline_n)
			break;
		if (child + 1 < tcp_deadline_n &&
		    tcp_deadline_heap[child + 1].when <
		    tcp_deadline_heap[child].when)
			child++;
		if (tcp_deadline_heap[child].when >= e.when)
			break;
		tcp_deadline_put(i, tcp_deadline_heap[child]);
		i = child;
	}
	tcp_deadline_put(i, e);
}

/**
 * tcp_deadline_fix() - Restore heap order around a changed entry
 * @i:		Position of the entry
 */
static void tcp_deadline_fix(uint32_t i)
{
	uint32_t parent = (i - 1) / 2;

	if (i && tcp_deadline_heap[i].when < tcp_deadline_heap[parent].when)
		tcp_deadline_up(i);
	else
		tcp_deadline_down(i);
}

/**
 * tcp_deadline_remove() - Take the entry at a position out of the heap
 * @i:		Position
 */
static void tcp_deadline_remove(uint32_t i)
{
	tcp_deadline_pos[tcp_deadline_heap[i].idx] = 0;
	if (i == --tcp_deadline_n)
		return;
	tcp_deadline_put(i, tcp_deadline_heap[tcp_deadline_n]);
	tcp_deadline_fix(i);
}

/**
 * tcp_deadline_set() - Set, move or clear the deadline of a connection
 * @idx:	Flow table index
 * @when:	Deadline (milliseconds, monotonic), 0 to clear
 */
void tcp_deadline_set(uint32_t idx, uint64_t when)
{
	uint32_t pos;

	if (idx >= FLOW_MAX)
		return;
	pos = tcp_deadline_pos[idx];

	if (!when) {
		if (pos)
			tcp_deadline_remove(pos - 1);
		return;
	}
	if (!pos) {
		struct tcp_deadline_ent e = { .when = when, .idx = idx };

		tcp_deadline_put(tcp_deadline_n, e);
		tcp_deadline_up(tcp_deadline_n++);
		return;
	}
	tcp_deadline_heap[pos - 1].when = when;
	tcp_deadline_fix(pos - 1);
}

/**
 * tcp_deadline_next() - Earliest deadline
 *
 * Return: earliest deadline, 0 if none is set
 */
uint64_t tcp_deadline_next(void)
{
	return tcp_deadline_n ? tcp_deadline_heap[0].when : 0;
}

/**
 * tcp_deadline_pop() - Take out the earliest deadline if it's due
 * @now:	Current time, milliseconds on the monotonic clock
 *
 * Return: flow table index whose deadline passed, FLOW_IDX_NONE if none
 */
uint32_t tcp_deadline_pop(uint64_t now)
{
	uint32_t idx;

	if (!tcp_deadline_n || tcp_deadline_heap[0].when > now)
		return FLOW_IDX_NONE;
	idx = tcp_deadline_heap[0].idx;
	tcp_deadline_remove(0);
	return idx;
}

/**
 * tcp_deadline_count() - Number of deadlines set
 *
 * Return: count
 */
unsigned tcp_deadline_count(void)
{
	return tcp_deadline_n;
}

/**
 * tcp_deadline_clear() - Forget every deadline
 */
void tcp_deadline_clear(void)
{
	while (tcp_deadline_n)
		tcp_deadline_pos[tcp_deadline_heap[--tcp_deadline_n].idx] = 0;
}
