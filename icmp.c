// SPDX-License-Identifier: GPL-2.0-or-later
/* icmp.c - placeholder until implemented: replaced by the real module */

#include "icmp.h"

void icmp_init(struct ctx *c)
{
	(void)c;
}

int icmp_tap_handler(struct ctx *c, const struct iovec *frame,
		     const struct frame_info *fi, const struct timespec *now)
{
	(void)c; (void)frame; (void)fi; (void)now;
	return 0;
}

void icmp_sock_handler(struct ctx *c, union epoll_ref ref)
{
	(void)c; (void)ref;
}

void icmp_timer(struct ctx *c, const struct timespec *now)
{
	(void)c; (void)now;
}
