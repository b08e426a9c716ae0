// SPDX-License-Identifier: GPL-2.0-or-later
/* repair.c - The repair socket of the vhost-user back end: a UNIX domain
 * socket (--repair-path, by default the vhost-user path with ".repair"),
 * bound before the sandbox closes, where one passt-repair helper connects.
 * Migration hands it TCP sockets in batches with a command byte
 * (repair_proto.h) and waits for its one-byte answer: with the guest
 * stopped, a short synchronous exchange is simpler than a state machine.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "log.h"
#include "repair.h"
#include "sock_unix.h"
#include "util.h"

/* How long we wait for the helper to answer one batch */
#define REPAIR_TIMEOUT_S	5

static int repair_listen_fd = -1;
static int repair_fd = -1;

/**
 * repair_init() - Bind and listen at the repair socket path, if any
 * @c:		Execution context: vhost_user, repair_path
 *
 * Return: 0 on success or if there is nothing to do, -1 on failure
 */
int repair_init(const struct ctx *c)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_REPAIR_LISTEN };
	static char path[sizeof(c->repair_path)];

	if (!c->vhost_user || !*c->repair_path)
		return 0;

	memcpy(path, c->repair_path, sizeof(path));
	repair_listen_fd = sock_unix_open(path, sizeof(path));
	ref.fd = repair_listen_fd;
	if (epoll_add_ref(c->run->epollfd, repair_listen_fd, EPOLLIN, ref)) {
		close(repair_listen_fd);
		repair_listen_fd = -1;
		return -1;
	}
	info("Repair socket for passt-repair bound at %s", path);
	return 0;
}

/**
 * repair_close() - Drop the helper's connection
 * @c:		Execution context
 */
static void repair_close(const struct ctx *c)
{
	if (repair_fd < 0)
		return;
	epoll_ctl(c->run->epollfd, EPOLL_CTL_DEL, repair_fd, NULL);
	close(repair_fd);
	repair_fd = -1;
}

/**
 * repair_listen_handler() - A helper connects: take it if we have none
 * @c:		Execution context
 * @ref:	epoll reference of the listening socket
 */
void repair_listen_handler(const struct ctx *c, union epoll_ref ref)
{
	union epoll_ref cref = { .type = EPOLL_TYPE_REPAIR };
	struct timeval tv = { .tv_sec = REPAIR_TIMEOUT_S };
	int s;

	s = accept4(ref.fd, NULL, NULL, SOCK_CLOEXEC);
	if (s < 0)
		return;
	if (repair_fd >= 0) {
		warn("passt-repair: a helper is connected already, "
		     "refusing another");
		close(s);
		return;
	}

	cref.fd = s;
	if (setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    epoll_add_ref(c->run->epollfd, s, EPOLLIN | EPOLLRDHUP, cref)) {
		warn_perror("passt-repair: can't set up the connection");
		close(s);
		return;
	}
	repair_fd = s;
	info("passt-repair connected");
}

/**
 * repair_handler() - Event on the helper's connection: it speaks only when
 *		      asked, so this is its end (or a protocol error)
 * @c:		Execution context
 * @ref:	epoll reference
 */
void repair_handler(const struct ctx *c, union epoll_ref ref)
{
	if (ref.fd != repair_fd)
		return;
	info("passt-repair disconnected");
	repair_close(c);
}

/**
 * repair_connected() - Is a helper connected?
 *
 * Return: true if so
 */
bool repair_connected(void)
{
	return repair_fd >= 0;
}

/**
 * repair_batch() - One command for up to REPAIR_FDS_MAX sockets
 * @fds:	Sockets
 * @n:		Number of sockets, 1 to REPAIR_FDS_MAX
 * @cmd:	REPAIR_CMD_ON or REPAIR_CMD_OFF
 *
 * Return: 0 on success, -errno on failure
 */
static int repair_batch(const int *fds, unsigned n, int cmd)
{
	char cbuf[CMSG_SPACE(sizeof(int) * REPAIR_FDS_MAX)] = { 0 };
	uint8_t b = (uint8_t)cmd, reply;
	struct iovec iov = { .iov_base = &b, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = CMSG_SPACE(sizeof(int) * n) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	ssize_t r;

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(cm), fds, sizeof(int) * n);

	do
		r = sendmsg(repair_fd, &mh, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r != 1)
		return r < 0 ? -errno : -EIO;

	do
		/* #syscalls:vu recvfrom */
		r = recv(repair_fd, &reply, 1, 0);
	while (r < 0 && errno == EINTR);
	if (r != 1)
		return r < 0 ? -errno : -ECONNRESET;
	if (reply == b)
		return 0;
	if (reply & REPAIR_REPLY_ERR)
		return -(reply & ~REPAIR_REPLY_ERR);
	return -EPROTO;
}

/**
 * repair_set() - Switch sockets in or out of repair mode through the helper
 * @fds:	Sockets
 * @n:		Number of sockets
 * @cmd:	REPAIR_CMD_ON or REPAIR_CMD_OFF
 *
 * A helper that doesn't answer, or answers wrong, is dropped: the
 * connection would be out of step with us.
 *
 * Return: 0 on success, -errno on failure (logged once)
 */
int repair_set(const int *fds, unsigned n, int cmd)
{
	unsigned i;
	int ret;

	if (repair_fd < 0)
		return -ENOTCONN;
	for (i = 0; i < n; i += REPAIR_FDS_MAX) {
		ret = repair_batch(fds + i, MIN(n - i, REPAIR_FDS_MAX), cmd);
		if (ret) {
			err("passt-repair: TCP_REPAIR %i failed: %s", cmd,
			    strerror(-ret));
			if (ret != -EPERM) {
				close(repair_fd);	/* out of step */
				repair_fd = -1;
			}
			return ret;
		}
	}
	return 0;
}
