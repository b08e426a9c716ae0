// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for tcp_delack.c: the list of connections holding an ACK or
 * acknowledged data, its one deadline, the loop's timeout, and a full list.
 */

#include <stdint.h>
#include <time.h>

#include "unit.h"
#include "tcp_delack.h"

/**
 * ts() - Timestamp of a number of milliseconds
 * @ms:		Milliseconds
 *
 * Return: timestamp
 */
static struct timespec ts(uint64_t ms)
{
	struct timespec t = { .tv_sec = (time_t)(ms / 1000),
			      .tv_nsec = (long)(ms % 1000) * 1000000 };

	return t;
}

/* Entries wait for their deadline, once each; then the list is empty */
static void delack_deadline(void)
{
	struct timespec now = ts(1000);
	unsigned got = 0;
	uint32_t idx;

	CHECK(tcp_delack_timeout_ms(&now) == -1);
	CHECK(tcp_delack_add(7, 1000));
	CHECK(tcp_delack_add(9, 1001));
	CHECK(tcp_delack_add(7, 1001));		/* already there */
	CHECK(tcp_delack_pop(1001) == TCP_DELACK_NONE);

	now = ts(1001);
	CHECK(tcp_delack_timeout_ms(&now) == 1);
	now = ts(1002);
	CHECK(tcp_delack_timeout_ms(&now) == 0);
	CHECK(!tcp_delack_add(11, 1002));	/* due: do it now */

	while ((idx = tcp_delack_pop(1002)) != TCP_DELACK_NONE) {
		CHECK(idx == 7 || idx == 9);
		got++;
	}
	CHECK(got == 2);
	CHECK(tcp_delack_timeout_ms(&now) == -1);
}

/* A full list refuses more, and takes new entries once emptied */
static void delack_full(void)
{
	unsigned n = 0;
	uint32_t i;

	for (i = 0; tcp_delack_add(i, 5000); i++)
		n++;
	CHECK(n >= 8 && n < 1000);
	CHECK(!tcp_delack_add(i + 1, 5000));
	while (tcp_delack_pop(6000) != TCP_DELACK_NONE)
		n--;
	CHECK(n == 0);
	CHECK(tcp_delack_add(1, 6000));
	CHECK(tcp_delack_pop(6002) == 1);
}

int main(void)
{
	RUN(delack_deadline);
	RUN(delack_full);
	UNIT_EXIT();
}
