/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Acknowledgements to the guest held back for a moment, hoping for data of
 * ours to carry them: the connections waiting, and when they stop waiting.
 */
#ifndef TCP_DELACK_H
#define TCP_DELACK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Returned by tcp_delack_pop() when nothing is due */
#define TCP_DELACK_NONE		UINT32_MAX

bool tcp_delack_hold(uint32_t idx, uint32_t unacked, uint32_t mss,
		     uint64_t now_ms);
int tcp_delack_timeout_ms(const struct timespec *now);
uint32_t tcp_delack_pop(uint64_t now_ms);

#endif /* TCP_DELACK_H */
