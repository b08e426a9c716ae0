/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ICMP/ICMPv6 echo through unprivileged ping sockets */
#ifndef ICMP_H
#define ICMP_H

#include <time.h>
#include <sys/uio.h>

#include "passt.h"
#include "packet.h"

void icmp_init(struct ctx *c);
int icmp_tap_handler(struct ctx *c, const struct iovec *frame,
		     const struct frame_info *fi, const struct timespec *now);
void icmp_sock_handler(struct ctx *c, union epoll_ref ref);
void icmp_timer(struct ctx *c, const struct timespec *now);
void icmp_guest_gone(struct ctx *c);

#endif /* ICMP_H */
