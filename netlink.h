/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtnetlink: read the host's routes, addresses and links to source the
 * defaults given to the guest; configure the tap interface, its addresses
 * and routes in pasta's target namespace.
 */
#ifndef NETLINK_H
#define NETLINK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* Netlink sockets: in the init (host) namespace, and in the target one */
extern int nl_sock;
extern int nl_sock_ns;

int nl_sock_init(bool ns);

unsigned int nl_get_ext_if(int s, sa_family_t af);
int nl_route_get_def(int s, unsigned int ifi, sa_family_t af, void *gw);
int nl_addr_get(int s, unsigned int ifi, sa_family_t af, void *addr,
		int *prefix_len, void *addr_ll);

int nl_link_set_up(int s, unsigned int ifi);
int nl_link_set_mtu(int s, unsigned int ifi, int mtu);
int nl_link_set_mac(int s, unsigned int ifi, const void *mac);
int nl_addr_set(int s, unsigned int ifi, sa_family_t af, const void *addr,
		int prefix_len);
int nl_addr_dup(int s_src, unsigned int ifi_src, int s_dst,
		unsigned int ifi_dst, sa_family_t af);
int nl_route_set_def(int s, unsigned int ifi, sa_family_t af,
		     const void *gw);
int nl_route_dup(int s_src, unsigned int ifi_src, int s_dst,
		 unsigned int ifi_dst, sa_family_t af);

#endif /* NETLINK_H */
