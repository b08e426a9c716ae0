/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sock_diag: the ports of a network namespace's listening TCP sockets and
 * bound UDP sockets, from the kernel's inet_diag netlink interface.
 */
#ifndef SOCK_DIAG_H
#define SOCK_DIAG_H

#include <stddef.h>
#include <stdint.h>

/* Socket states, as inet_diag reports them: include/net/tcp_states.h */
#define SOCK_DIAG_ESTABLISHED	1
#define SOCK_DIAG_CLOSE		7	/* UDP: bound, not connected */
#define SOCK_DIAG_LISTEN	10

int sock_diag_open(void);
int sock_diag_parse(const void *buf, size_t len, uint32_t seq, uint8_t af,
		    uint32_t states, unsigned long *map);
int sock_diag_ports(int s, uint8_t af, uint8_t proto, uint32_t states,
		    unsigned long *map);

#endif /* SOCK_DIAG_H */
