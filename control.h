/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The --control socket: run-time changes to port forwarding and the
 * machine-readable state (JSON), see control.c for the protocol.
 */
#ifndef CONTROL_H
#define CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include "epoll_ctl.h"

struct ctx;
struct json;

void control_init(const struct ctx *c);
void control_listen_handler(const struct ctx *c);
void control_handler(const struct ctx *c, union epoll_ref ref,
		     uint32_t events);
void control_timer(const struct ctx *c);
/* Parts of the state: guest, tap, TCP, UDP, forwards */
#define CONTROL_STATS_SECTIONS	5

void control_stats_json(const struct ctx *c, struct json *j,
			unsigned int sec);

#endif /* CONTROL_H */
