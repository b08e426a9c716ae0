/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The receive window offered to the guest on a TCP connection (tcp_wnd.c) */
#ifndef TCP_WND_H
#define TCP_WND_H

#include <stdbool.h>
#include <stdint.h>

#include "tcp_conn.h"

/* Window scale we announce */
#define TCP_WS_OURS		8

uint32_t tcp_wnd_calc(struct tcp_conn *conn, bool *low);
uint32_t tcp_wnd_hole(struct tcp_conn *conn, uint32_t wnd);

#endif /* TCP_WND_H */
