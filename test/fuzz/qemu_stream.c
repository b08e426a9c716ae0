// SPDX-License-Identifier: GPL-2.0-or-later
/* qemu_stream - libFuzzer target: the byte stream qemu writes on passt's
 * UNIX socket (each frame after a 32-bit big-endian length), fed through a
 * socket pair to tap_handler_passt(), called as the event loop calls it
 * until the stream ends. Each frame handed out is checked against a
 * reference parse of the same bytes: same count, lengths and contents, in
 * order, and nothing handed out once a length is found bad.
 */

#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "packet.h"
#include "tap.h"

static struct ctx_run fuzz_ctx_run;
static struct ctx fuzz_ctx = { .run = &fuzz_ctx_run };

/**
 * LLVMFuzzerInitialize() - Check the sandbox, configure
 * @argc:	Unused
 * @argv:	Unused
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_sandbox_check();
	fuzz_conf(&fuzz_ctx);
	fuzz_quiet();
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - Write the input on the stream, read it back
 * @data:	Stream bytes
 * @size:	Length of @data
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx *c = &fuzz_ctx;
	size_t ref = 0, rounds = 0;
	bool bad = false;
	int qemu, sz;

	qemu = fuzz_tap_pair(c);
	/* Room for the whole input: the reader sees it all, in any chunks */
	sz = (int)size + 4096;
	setsockopt(qemu, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (size && send(qemu, data, size, MSG_DONTWAIT) != (ssize_t)size)
		abort();
	shutdown(qemu, SHUT_WR);

	while (c->run->fd_tap >= 0) {
		const struct pool *p = tap_handler_passt(c, EPOLLIN);
		size_t i;

		if (++rounds > size + 16)
			abort();	/* no progress */

		for (i = 0; i < p->count; i++) {
			uint32_t len;

			/* Reference: length prefix, then the frame */
			if (bad || size - ref < TAP_LEN_BYTES)
				abort();
			memcpy(&len, data + ref, sizeof(len));
			len = ntohl(len);
			if (len < ETH_HLEN || len > TAP_FRAME_MAX ||
			    size - ref - TAP_LEN_BYTES < len)
				abort();
			if (p->pkt[i].iov_len != len ||
			    memcmp(p->pkt[i].iov_base,
				   data + ref + TAP_LEN_BYTES, len))
				abort();
			ref += TAP_LEN_BYTES + len;
		}
		if (!p->count && size - ref >= TAP_LEN_BYTES) {
			uint32_t len;

			memcpy(&len, data + ref, sizeof(len));
			len = ntohl(len);
			bad = len < ETH_HLEN || len > TAP_FRAME_MAX;
		}
		fuzz_drain(qemu);
	}

	/* Every complete frame before a bad length or the end came out */
	if (size - ref >= TAP_LEN_BYTES && !bad) {
		uint32_t len;

		memcpy(&len, data + ref, sizeof(len));
		len = ntohl(len);
		if (len >= ETH_HLEN && len <= TAP_FRAME_MAX &&
		    size - ref - TAP_LEN_BYTES >= len)
			abort();
	}

	close(qemu);
	c->run->guest_gone = false;
	return 0;
}
