// SPDX-License-Identifier: GPL-2.0-or-later
/* vhost_user - libFuzzer target: the vhost-user front end's side of the
 * conversation. Messages from the input go over a socket pair to the back
 * end attached with vu_attach(), with file descriptors when asked: a memfd
 * as guest memory (which the input can also write to: descriptor tables,
 * rings, buffers), eventfds, a pipe. Events are dispatched as the loop
 * does: the command handler, the kick handler taking frames from the
 * transmit queue. Frames can also be sent to the guest's receive queue.
 * At the end the front end goes away: no descriptor may be left open.
 *
 * Input: operations, each an opcode byte (modulo 5), then:
 *   0 message: request, flags (u8 each), payload size (u16 LE), file
 *     descriptors (low 4 bits: count, bits 4-5: 0 memfd, 1 eventfd A,
 *     2 eventfd B, 3 pipe), then the payload
 *   1 memory write: offset (u16 LE), length (u8), bytes
 *   2 kick: write eventfd A, dispatch
 *   3 frame to the guest: length (u16 LE), bytes
 *   4 dispatch
 */

#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "packet.h"
#include "tap.h"
#include "vhost_user.h"

#define FUZZ_MEM_SIZE		0x10000
#define FUZZ_FDS_MAX		10
#define FUZZ_EVENTS_MAX		8
#define FUZZ_HDR_LEN		12

static struct ctx_run fuzz_ctx_run;
static struct ctx fuzz_ctx = { .run = &fuzz_ctx_run };
static int fuzz_fd_baseline = -1;
static uint8_t fuzz_frame[TAP_FRAME_MAX];

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
	fuzz_ctx.vhost_user = true;
	fuzz_quiet();
	return 0;
}

/**
 * fuzz_dispatch() - Handle pending events of the command socket and kicks
 * @c:		Execution context
 *
 * Return: number of events handled
 */
static int fuzz_dispatch(struct ctx *c)
{
	static uint8_t copy[TAP_FRAME_MAX];
	struct epoll_event ev[FUZZ_EVENTS_MAX];
	int n, i;

	n = epoll_wait(c->run->epollfd, ev, FUZZ_EVENTS_MAX, 0);
	for (i = 0; i < n; i++) {
		union epoll_ref ref = { .u64 = ev[i].data.u64 };
		const struct pool *p;
		size_t k, rounds = 0;

		switch (ref.type) {
		case EPOLL_TYPE_VHOST_CMD:
			vu_cmd_handler(c, ref, ev[i].events);
			break;
		case EPOLL_TYPE_VHOST_KICK:
			p = vu_kick_handler(c, ref, ev[i].events);
			while (p->count) {
				for (k = 0; k < p->count; k++) {
					if (p->pkt[k].iov_len > sizeof(copy) ||
					    p->pkt[k].iov_len < ETH_HLEN)
						abort();
					memcpy(copy, p->pkt[k].iov_base,
					       p->pkt[k].iov_len);
				}
				if (++rounds > 64)
					break;
				p = vu_kick_handler(c, ref, 0);
			}
			break;
		default:
			break;
		}
	}
	return n > 0 ? n : 0;
}

/**
 * fuzz_send_msg() - Send a message with file descriptors
 * @fd:		Our end of the command socket
 * @buf:	Header and payload
 * @len:	Length of @buf
 * @fds:	Descriptors to pass
 * @nfds:	Number of @fds
 *
 * Return: 0 if it went out whole, -1 otherwise
 */
static int fuzz_send_msg(int fd, const void *buf, size_t len, const int *fds,
			 size_t nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * FUZZ_FDS_MAX)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;

	if (nfds) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cmsg = CMSG_FIRSTHDR(&mh);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * nfds);
	}
	return sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len ?
	       0 : -1;
}

/**
 * LLVMFuzzerTestOneInput() - Play the front end
 * @data:	Operations
 * @size:	Length of @data
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t msg[FUZZ_HDR_LEN + UINT16_MAX];
	struct ctx *c = &fuzz_ctx;
	int sv[2], memfd, ev_a, ev_b, pfd[2], rounds;
	size_t in = 0;
	uint8_t *mem;

	if (fuzz_fd_baseline < 0)
		fuzz_fd_baseline = fuzz_fd_count();

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		abort();
	memfd = memfd_create("fuzz_guest", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	ev_a = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ev_b = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (memfd < 0 || ev_a < 0 || ev_b < 0 || pipe2(pfd, O_CLOEXEC) ||
	    ftruncate(memfd, FUZZ_MEM_SIZE))
		abort();
	mem = mmap(NULL, FUZZ_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   memfd, 0);
	if (mem == MAP_FAILED || vu_attach(c, sv[0]))
		abort();

	while (in < size) {
		uint8_t op = data[in++] % 5;

		if (op == 0) {
			int fds[FUZZ_FDS_MAX], kind;
			uint32_t h[3];
			size_t len, nfds, i;

			if (size - in < 5)
				break;
			h[0] = data[in];
			h[1] = data[in + 1];
			h[2] = (uint32_t)(data[in + 2] | data[in + 3] << 8);
			nfds = MIN(data[in + 4] & 0xf, FUZZ_FDS_MAX);
			kind = (data[in + 4] >> 4) & 3;
			in += 5;
			len = MIN(h[2], size - in);
			/* cppcheck-suppress knownConditionTrueFalse */
			for (i = 0; i < nfds; i++)
				fds[i] = kind == 0 ? memfd : kind == 1 ? ev_a :
					 kind == 2 ? ev_b : pfd[0];
			memcpy(msg, h, sizeof(h));
			memcpy(msg + FUZZ_HDR_LEN, data + in, len);
			in += len;
			if (fuzz_send_msg(sv[1], msg, FUZZ_HDR_LEN + len, fds,
					  nfds))
				break;
			/* Truncated: the end of the input */
			/* cppcheck-suppress knownConditionTrueFalse */
			if (len < h[2])
				shutdown(sv[1], SHUT_WR);
			fuzz_dispatch(c);
		} else if (op == 1) {
			size_t off, len;

			if (size - in < 3)
				break;
			off = (size_t)(data[in] | data[in + 1] << 8);
			len = MIN((size_t)data[in + 2], size - in - 3);
			in += 3;
			len = MIN(len, FUZZ_MEM_SIZE - off);
			memcpy(mem + off, data + in, len);
			in += len;
		} else if (op == 2) {
			eventfd_write(ev_a, 1);
			fuzz_dispatch(c);
		} else if (op == 3) {
			struct iovec iov;
			size_t len;

			if (size - in < 2)
				break;
			len = (size_t)(data[in] | data[in + 1] << 8);
			in += 2;
			len = MIN(len, size - in);
			memcpy(fuzz_frame, data + in, len);
			in += len;
			iov.iov_base = fuzz_frame;
			iov.iov_len = len;
			vu_send_frames(c, &iov, 1, 1);
			fuzz_dispatch(c);
		} else {
			fuzz_dispatch(c);
		}
		fuzz_drain(sv[1]);
	}

	/* The front end leaves: the back end must notice and let go */
	close(sv[1]);
	for (rounds = 0; vu_connected() && rounds < 16; rounds++)
		fuzz_dispatch(c);
	if (vu_connected())
		abort();
	c->run->guest_gone = false;

	munmap(mem, FUZZ_MEM_SIZE);
	close(memfd);
	close(ev_a);
	close(ev_b);
	close(pfd[0]);
	close(pfd[1]);
	if (fuzz_fd_count() > fuzz_fd_baseline + FUZZ_FD_SLACK)
		abort();	/* a descriptor leaked */
	return 0;
}
