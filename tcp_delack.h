/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Acknowledgements to the guest held back for a moment, hoping for data of
 * ours to carry them, and acknowledged data left in a socket for a moment:
 * the connections waiting, and when they stop waiting.
 */
#ifndef TCP_DELACK_H
#define TCP_DELACK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Returned by tcp_delack_pop() when nothing is due */
#define TCP_DELACK_NONE		UINT32_MAX

bool tcp_delack_add(uint32_t idx, uint64_t now_ms);
int tcp_delack_timeout_ms(const struct timespec *now);
uint32_t tcp_delack_pop(uint64_t now_ms);

#endif /* TCP_DELACK_H */
