// SPDX-License-Identifier: GPL-2.0-or-later
/* epoll_ctl.c - Registration of file descriptors with the event loop's
 * epoll instance, with the typed reference of epoll_ctl.h.
 */

#include <errno.h>
#include <sys/epoll.h>

#include "epoll_ctl.h"

/**
 * epoll_add_ref() - Add a file descriptor to epoll with a typed reference
 * @epollfd:	epoll instance
 * @fd:		File descriptor to add
 * @events:	Event mask
 * @ref:	Reference, stored in the event data
 *
 * Return: 0 on success, negative error code on failure
 */
int epoll_add_ref(int epollfd, int fd, uint32_t events, union epoll_ref ref)
{
	struct epoll_event ev = { .events = events, .data.u64 = ref.u64 };

	if (fd < 0 || fd > FD_REF_MAX)
		return -EBADF;
	/* #syscalls epoll_ctl */
	if (epoll_ctl(epollfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	return 0;
}
