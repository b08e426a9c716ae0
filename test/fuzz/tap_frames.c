// SPDX-License-Identifier: GPL-2.0-or-later
/* tap_frames - libFuzzer target: batches of Ethernet frames from the guest,
 * handed to guest_frames(), the dispatch of the event loop (tap_parse(),
 * then ARP, NDP, DHCP, DHCPv6, TCP, UDP and ICMP, then the flushes), with a
 * context configured by conf() like a real passt run and a socket pair in
 * place of qemu. After each batch, events on the sockets the handlers
 * opened are dispatched once, as the loop would. Every input starts from
 * the same state: the guest "leaves" at its end, which closes its flows.
 *
 * Input: one flags byte (bit 0: repair checksums), then records of a 16-bit
 * big-endian length and that many bytes of frame; a zero length ends a
 * batch. Frames are placed as the qemu stream reader places them: right
 * after a 4-byte length, so IP headers are misaligned the same way.
 */

#include <stdint.h>
#include <string.h>
#include <time.h>
#include <sys/epoll.h>

#include "fuzz.h"
#include "packet.h"
#include "tap.h"
#include "tcp.h"
#include "udp.h"
#include "icmp.h"
#include "ndp.h"

#define FUZZ_FLAG_CSUM		1
#define FUZZ_EVENTS_MAX		16

static struct ctx_run fuzz_ctx_run;
static struct ctx fuzz_ctx = { .run = &fuzz_ctx_run };
static int fuzz_qemu = -1;
static uint8_t fuzz_buf[(TAP_LEN_BYTES + TAP_FRAME_MAX) * 4];
POOL_DEFINE(fuzz_pool, TAP_FRAMES_MAX);

/**
 * LLVMFuzzerInitialize() - Check the sandbox, configure and set up handlers
 * @argc:	Unused
 * @argv:	Unused
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct ctx *c = &fuzz_ctx;

	(void)argc;
	(void)argv;
	fuzz_sandbox_check();
	fuzz_conf(c);
	fuzz_quiet();
	icmp_init(c);
	if (tcp_init(c) || udp_init(c)) {
		fprintf(stderr, "fuzz: handler set-up failed\n");
		exit(1);
	}
	fuzz_qemu = fuzz_tap_pair(c);
	return 0;
}

/**
 * fuzz_events() - Dispatch whatever the handlers' sockets have to say
 * @c:		Execution context
 * @now:	Current timestamp
 */
static void fuzz_events(struct ctx *c, const struct timespec *now)
{
	struct epoll_event ev[FUZZ_EVENTS_MAX];
	int n, i;

	n = epoll_wait(c->run->epollfd, ev, FUZZ_EVENTS_MAX, 0);
	for (i = 0; i < n; i++) {
		union epoll_ref ref = { .u64 = ev[i].data.u64 };

		switch (ref.type) {
		case EPOLL_TYPE_TCP:
			tcp_sock_handler(c, ref, ev[i].events, now);
			break;
		case EPOLL_TYPE_TCP_TIMER:
			tcp_timer_handler(c, now);
			break;
		case EPOLL_TYPE_UDP:
			udp_sock_handler(c, ref, ev[i].events, now);
			break;
		case EPOLL_TYPE_PING:
			icmp_sock_handler(c, ref);
			break;
		default:
			break;
		}
	}
	fuzz_drain(fuzz_qemu);
}

/**
 * fuzz_batch() - Hand the collected frames to the loop's dispatch
 * @c:		Execution context
 */
static void fuzz_batch(struct ctx *c)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (fuzz_pool.count)
		guest_frames(c, &fuzz_pool, &now);
	fuzz_pool.count = 0;
	fuzz_drain(fuzz_qemu);
	fuzz_events(c, &now);
	ndp_timer(c, &now);
	fuzz_drain(fuzz_qemu);
}

/**
 * LLVMFuzzerTestOneInput() - Run one input: batches of frames
 * @data:	Input
 * @size:	Length of @data
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx *c = &fuzz_ctx;
	size_t in = 1, out = 0;
	uint8_t flags;

	if (!size)
		return 0;
	flags = data[0];

	while (in + 2 <= size) {
		size_t len = (size_t)(data[in] << 8 | data[in + 1]);

		in += 2;
		if (!len) {
			fuzz_batch(c);
			out = 0;
			continue;
		}
		if (len > size - in)
			len = size - in;
		if (len < ETH_HLEN || fuzz_pool.count >= fuzz_pool.size ||
		    out + TAP_LEN_BYTES + len > sizeof(fuzz_buf)) {
			in += len;
			continue;
		}

		/* Where the qemu stream reader puts frames (packet.h) */
		out += TAP_LEN_BYTES;
		out -= frame_misalign(fuzz_buf + out);
		memcpy(fuzz_buf + out, data + in, len);
		if (flags & FUZZ_FLAG_CSUM)
			fuzz_fix_csum(fuzz_buf + out, len);
		pool_add(&fuzz_pool, fuzz_buf + out, len);
		out += len;
		in += len;
	}
	fuzz_batch(c);

	guest_gone(c);
	fuzz_drain(fuzz_qemu);
	return 0;
}
