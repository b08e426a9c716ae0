/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pasta's loopback bypass for UDP: datagrams between loopback on the host
 * and the namespace, forwarded socket to socket in recvmmsg()/sendmmsg()
 * batches, never through the tap device.
 */
#ifndef UDP_SPLICE_H
#define UDP_SPLICE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/socket.h>

#include "ctx.h"
#include "epoll_ctl.h"
#include "fwd.h"

int udp_splice_init(const struct ctx *c);
int udp_splice_listen(const struct ctx *c, const struct fwd_rule *r,
		      in_port_t port, bool ns, int *fds);
void udp_splice_unlisten(int s);
bool udp_splice_from_host(const struct ctx *c, int lsock, in_port_t port,
			  const union sockaddr_inany *peer,
			  const void *data, size_t len,
			  const struct timespec *now);
void udp_splice_listen_handler(const struct ctx *c, union epoll_ref ref,
			       uint32_t events, const struct timespec *now);
void udp_splice_sock_handler(const struct ctx *c, union epoll_ref ref,
			     uint32_t events, const struct timespec *now);
void udp_splice_timer(const struct ctx *c, const struct timespec *now);

#endif /* UDP_SPLICE_H */
