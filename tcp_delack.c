// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_delack.c - Acknowledgements held back for data to carry them.
 *
 * A guest that sends a request and waits for the answer gets a pure ACK
 * for the request, then the answer: two frames where the answer alone
 * would do, as it carries the same acknowledgement. Like a TCP receiver's
 * delayed ACK, tcp.c holds the ACK of a short segment with PSH (less than
 * a full segment not acknowledged) for a millisecond or two. The request's
 * ACK, in turn, acknowledges the previous answer, which tcp.c may leave in
 * the socket as long, if it's small, instead of a call to remove each.
 *
 * This keeps the flow table indices of the connections holding either,
 * and one deadline for all of them: the event loop waits no longer than
 * that, and what no answer took care of is done then. The list is short:
 * a connection that finds it full does its work at once.
 */

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "tcp_delack.h"
#include "util.h"

/* Connections holding an acknowledgement at once, at most */
#define TCP_DELACK_MAX		64
/* How long, on a millisecond clock: between 1 and 2 ms */
#define TCP_DELACK_MS		2

static uint32_t tcp_delack_idx[TCP_DELACK_MAX];
static unsigned tcp_delack_n;
/* When the held acknowledgements are due, milliseconds, monotonic clock */
static uint64_t tcp_delack_due;

/**
 * tcp_delack_add() - Have a connection looked at again once the list is due
 * @idx:	Flow table index of the connection
 * @now_ms:	Current time, milliseconds on the monotonic clock
 *
 * Return: true if on the list, false if the caller must do its work now:
 *	   the list is full, or it is due
 */
bool tcp_delack_add(uint32_t idx, uint64_t now_ms)
{
	unsigned i;

	if (!tcp_delack_n) {
		tcp_delack_due = now_ms + TCP_DELACK_MS;
	} else if (tcp_delack_due <= now_ms) {
		return false;
	}

	for (i = 0; i < tcp_delack_n; i++) {
		if (tcp_delack_idx[i] == idx)
			return true;
	}
	if (tcp_delack_n >= TCP_DELACK_MAX)
		return false;
	tcp_delack_idx[tcp_delack_n++] = idx;
	return true;
}

/**
 * tcp_delack_timeout_ms() - How long the event loop may wait for events
 * @now:	Current timestamp, monotonic clock
 *
 * Return: milliseconds until held acknowledgements are due, -1 if none
 */
int tcp_delack_timeout_ms(const struct timespec *now)
{
	uint64_t ms = (uint64_t)now->tv_sec * MS_PER_SEC +
		      (uint64_t)now->tv_nsec / NS_PER_MS;

	if (!tcp_delack_n)
		return -1;
	return tcp_delack_due <= ms ? 0 : (int)(tcp_delack_due - ms);
}

/**
 * tcp_delack_pop() - Take a connection whose acknowledgement is due
 * @now_ms:	Current time, milliseconds on the monotonic clock
 *
 * Once the deadline has passed, every held entry is due: pop until
 * TCP_DELACK_NONE. An entry may name a connection closed, or an index
 * used again, since: the caller sends an ACK only if data waits for one.
 *
 * Return: flow table index, TCP_DELACK_NONE if none is due
 */
uint32_t tcp_delack_pop(uint64_t now_ms)
{
	if (!tcp_delack_n || tcp_delack_due > now_ms)
		return TCP_DELACK_NONE;
	return tcp_delack_idx[--tcp_delack_n];
}
