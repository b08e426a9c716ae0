/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The repair socket: where passt-repair connects, so that TCP sockets can
 * be switched in and out of repair mode (TCP_REPAIR) for a live migration
 * by a helper that holds CAP_NET_ADMIN, which passt never has.
 */
#ifndef REPAIR_H
#define REPAIR_H

#include <stdbool.h>

#include "ctx.h"
#include "epoll_ctl.h"
#include "repair_proto.h"

int repair_init(const struct ctx *c);
void repair_listen_handler(const struct ctx *c, union epoll_ref ref);
void repair_handler(const struct ctx *c, union epoll_ref ref);
bool repair_connected(void);
int repair_set(const int *fds, unsigned n, int cmd);

#endif /* REPAIR_H */
