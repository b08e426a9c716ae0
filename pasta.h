/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pasta: target namespaces (spawn, join, watch for their end) and the tap
 * device inside them. pasta_ns_call() runs a function in the target network
 * namespace (e.g. to open sockets there) without moving the main process.
 */
#ifndef PASTA_H
#define PASTA_H

#include "ctx.h"
#include "epoll_ctl.h"

void pasta_setup(struct ctx *c);
void pasta_start_child(const struct ctx *c);
int pasta_child_exit_status(void);
void pasta_netns_quit_handler(const struct ctx *c, union epoll_ref ref);
int pasta_ns_enter(const struct ctx *c);
void pasta_ns_helper_start(struct ctx *c);
void pasta_ns_helper_stop(void);
int pasta_ns_call(const struct ctx *c, int (*fn)(void *arg), void *arg);

#endif /* PASTA_H */
