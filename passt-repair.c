// SPDX-License-Identifier: GPL-2.0-or-later
/* passt-repair.c - Helper that switches TCP sockets of passt in and out of
 * repair mode (TCP_REPAIR) during a live migration. passt never holds
 * CAP_NET_ADMIN; this program, started with it for the network namespace of
 * the sockets, connects to passt's repair socket, receives batches of
 * sockets with a command byte (repair_proto.h), applies it to each and
 * answers one byte per batch. It exits when passt closes the connection.
 *
 * Usage: passt-repair PATH
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/filter.h>

#include "repair_proto.h"

/**
 * repair_one() - Switch one socket in or out of repair mode, frozen
 * @s:		Socket
 * @on:		true: freeze, then repair on; false: repair off, then thaw
 *
 * A socket in repair mode still acknowledges and queues what its peer
 * sends: data that would be lost once the socket is described. Frozen by
 * a socket filter that drops every packet, it leaves such data
 * unacknowledged, for the peer to send again to the migrated connection.
 * Attaching it may need CAP_NET_ADMIN too, hence here.
 *
 * Return: 0 on success, errno value on failure
 */
static int repair_one(int s, bool on)
{
	struct sock_filter drop = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog = { .len = 1, .filter = &drop };
	int v = on ? 1 : 0, zero = 0;

	if (on && setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
			     sizeof(prog)))
		return errno;
	if (setsockopt(s, IPPROTO_TCP, TCP_REPAIR, &v, sizeof(v))) {
		int ret = errno;

		if (on)
			setsockopt(s, SOL_SOCKET, SO_DETACH_FILTER, &zero,
				   sizeof(zero));
		return ret;
	}
	if (!on)
		setsockopt(s, SOL_SOCKET, SO_DETACH_FILTER, &zero,
			   sizeof(zero));
	return 0;
}

/**
 * repair_batch() - Receive one command with its sockets, apply, answer
 * @s:		Connected repair socket
 *
 * Return: 1 if passt closed the connection, 0 on success, -1 on failure
 */
static int repair_batch(int s)
{
	char cbuf[CMSG_SPACE(sizeof(int) * REPAIR_FDS_MAX)];
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	int fds[REPAIR_FDS_MAX], n = 0, i, err = 0;
	struct cmsghdr *cm;
	unsigned char cmd, reply;
	ssize_t r;

	iov.iov_base = &cmd;
	iov.iov_len = 1;
	do
		r = recvmsg(s, &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (!r)
		return 1;
	if (r < 0) {
		perror("passt-repair: recvmsg");
		return -1;
	}

	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		size_t len;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		len = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (len > (size_t)(REPAIR_FDS_MAX - n))
			len = (size_t)(REPAIR_FDS_MAX - n);
		memcpy(fds + n, CMSG_DATA(cm), len * sizeof(int));
		n += (int)len;
	}

	for (i = 0; i < n; i++) {
		int ret;

		if (cmd != REPAIR_CMD_ON && cmd != REPAIR_CMD_OFF)
			ret = EINVAL;
		else
			ret = repair_one(fds[i], cmd == REPAIR_CMD_ON);
		if (ret && !err)
			err = ret;
		close(fds[i]);
	}
	if ((mh.msg_flags & MSG_CTRUNC) && !err)
		err = E2BIG;

	reply = err ? (unsigned char)(REPAIR_REPLY_ERR | (err & 0x7f)) : cmd;
	if (err)
		fprintf(stderr, "passt-repair: TCP_REPAIR %u on %i sockets: "
			"%s\n", cmd, n, strerror(err));
	do
		r = send(s, &reply, 1, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r != 1) {
		perror("passt-repair: send");
		return -1;
	}
	return 0;
}

/**
 * main() - Connect to the repair socket, serve batches until passt leaves
 * @argc:	Argument count
 * @argv:	Program name, socket path
 *
 * Return: 0 once passt closed the connection, 1 on errors
 */
int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s, r;

	if (argc != 2 || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		fprintf(stderr, "Usage: %s PATH\n", argv[0]);
		return argc == 2 ? 0 : 1;
	}
	if (strlen(argv[1]) >= sizeof(a.sun_path)) {
		fprintf(stderr, "passt-repair: %s: path too long\n", argv[1]);
		return 1;
	}
	memcpy(a.sun_path, argv[1], strlen(argv[1]) + 1);

	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a))) {
		fprintf(stderr, "passt-repair: connect to %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}

	while (!(r = repair_batch(s)))
		;
	close(s);
	return r > 0 ? 0 : 1;
}
