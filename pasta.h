/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pasta: target namespaces (spawn, join, watch for their end) and the tap
 * device inside them.
 */
#ifndef PASTA_H
#define PASTA_H

#include "passt.h"

void pasta_start_ns(struct ctx *c);
void pasta_open_ns(struct ctx *c);
int pasta_tap_open(struct ctx *c);
void pasta_ns_conf(struct ctx *c);
void pasta_netns_quit_init(struct ctx *c);
void pasta_netns_quit_handler(struct ctx *c, union epoll_ref ref);
void pasta_child_handler(struct ctx *c);
int pasta_ns_enter(const struct ctx *c);

#endif /* PASTA_H */
