/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TCP translation between the guest's frames and host TCP sockets, without
 * a TCP stack of our own: sequence numbers, windows and acknowledgements
 * seen by the guest mirror what the host kernel accepted or holds.
 */
#ifndef TCP_H
#define TCP_H

#include <stdint.h>
#include <time.h>
#include <sys/uio.h>

#include "ctx.h"
#include "epoll_ctl.h"
#include "packet.h"

int tcp_init(const struct ctx *c);
void tcp_tap_handler(const struct ctx *c, const struct iovec *frame,
		     const struct frame_info *fi, const struct timespec *now);
void tcp_tap_flush(const struct ctx *c, const struct timespec *now);
void tcp_sock_handler(const struct ctx *c, union epoll_ref ref, uint32_t events,
		      const struct timespec *now);
void tcp_listen_handler(const struct ctx *c, union epoll_ref ref,
			const struct timespec *now);
void tcp_timer_handler(const struct ctx *c, const struct timespec *now);
void tcp_guest_gone(const struct ctx *c);
void tcp_stats(void);
struct json;
void tcp_stats_json(struct json *j);

#endif /* TCP_H */
