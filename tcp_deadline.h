/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Deadlines of TCP connections, ordered: a binary min-heap of flow table
 * indices keyed by deadline, so that a timer expiry finds what is due
 * without scanning the flow table.
 */
#ifndef TCP_DEADLINE_H
#define TCP_DEADLINE_H

#include <stdint.h>

void tcp_deadline_set(uint32_t idx, uint64_t when);
uint64_t tcp_deadline_next(void);
uint32_t tcp_deadline_pop(uint64_t now);
unsigned tcp_deadline_count(void);
void tcp_deadline_clear(void);

#endif /* TCP_DEADLINE_H */
