/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ICMP/ICMPv6 echo through unprivileged ping sockets */
#ifndef ICMP_H
#define ICMP_H

#include <time.h>
#include <sys/uio.h>

#include "ctx.h"
#include "epoll_ctl.h"
#include "packet.h"

void icmp_init(const struct ctx *c);
int icmp_tap_handler(const struct ctx *c, const struct iovec *frame,
		     const struct frame_info *fi, const struct timespec *now);
void icmp_sock_handler(const struct ctx *c, union epoll_ref ref);
void icmp_timer(const struct ctx *c, const struct timespec *now);
void icmp_guest_gone(const struct ctx *c);

#endif /* ICMP_H */
