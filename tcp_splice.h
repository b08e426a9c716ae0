/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pasta's loopback bypass for TCP: connections between loopback in the
 * namespace and loopback on the host are joined socket to socket, data
 * moved with splice(2) through a pipe pair, never through the tap device.
 */
#ifndef TCP_SPLICE_H
#define TCP_SPLICE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/socket.h>

#include "ctx.h"
#include "epoll_ctl.h"
#include "fwd.h"

/* Flag in the epoll reference data of listening sockets (EPOLL_TYPE_TCP_LISTEN)
 * opened inside the namespace (-T): their connections always go to the host
 */
#define TCP_SPLICE_LISTEN_NS	(1U << 16)

int tcp_splice_init(const struct ctx *c);
bool tcp_splice_accept(const struct ctx *c, union epoll_ref ref, int s,
		       const union sockaddr_inany *peer);
void tcp_splice_sock_handler(const struct ctx *c, union epoll_ref ref,
			     uint32_t events);
void tcp_splice_timer(const struct ctx *c, const struct timespec *now);
int tcp_splice_listen(const struct ctx *c, const struct fwd_rule *r,
		      in_port_t port, bool ns, int *fds);
void tcp_splice_stats(void);
struct json;
void tcp_splice_stats_json(struct json *j);

#endif /* TCP_SPLICE_H */
