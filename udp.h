/* SPDX-License-Identifier: GPL-2.0-or-later */
/* UDP translation between the guest's frames and host UDP sockets: one
 * connected host socket per flow, forwarded ports bound on the host,
 * datagrams moved in batches, ICMP errors from the host relayed to the guest.
 */
#ifndef UDP_H
#define UDP_H

#include <stdint.h>
#include <time.h>
#include <sys/uio.h>

#include "ctx.h"
#include "epoll_ctl.h"
#include "packet.h"

/* Bits of a -u socket's epoll data holding the port; its rule's index
 * above, which control.c updates when the -u table changes
 */
#define UDP_LISTEN_PORT_BITS	16

int udp_init(struct ctx *c);
void udp_tap_handler(const struct ctx *c, const struct iovec *frame,
		     const struct frame_info *fi, const struct timespec *now);
void udp_tap_flush(const struct ctx *c);
void udp_sock_handler(const struct ctx *c, union epoll_ref ref, uint32_t events,
		      const struct timespec *now);
void udp_listen_handler(const struct ctx *c, union epoll_ref ref, uint32_t events,
			const struct timespec *now);
void udp_timer(const struct ctx *c, const struct timespec *now);
void udp_guest_gone(const struct ctx *c);
void udp_stats(void);
struct json;
void udp_stats_json(struct json *j);

#endif /* UDP_H */
