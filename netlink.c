// SPDX-License-Identifier: GPL-2.0-or-later
/* netlink.c - placeholder until implemented: replaced by the real module */

#include "netlink.h"

int nl_sock = -1;
int nl_sock_ns = -1;
int nl_sock_init(void)
{
	return -1;
}

int nl_sock_init_ns(void)
{
	return -1;
}

unsigned int nl_get_ext_if(int s, sa_family_t af)
{
	(void)s; (void)af;
	return 0;
}

int nl_route_get_def(int s, unsigned int ifi, sa_family_t af, void *gw)
{
	(void)s; (void)ifi; (void)af; (void)gw;
	return -1;
}

int nl_addr_get(int s, unsigned int ifi, sa_family_t af, void *addr,
		int *prefix_len, void *addr_ll)
{
	(void)s; (void)ifi; (void)af; (void)addr; (void)prefix_len;
	(void)addr_ll;
	return -1;
}

int nl_link_get_mac(int s, unsigned int ifi, void *mac)
{
	(void)s; (void)ifi; (void)mac;
	return -1;
}

int nl_link_get_mtu(int s, unsigned int ifi)
{
	(void)s; (void)ifi;
	return -1;
}

int nl_link_set_up(int s, unsigned int ifi)
{
	(void)s; (void)ifi;
	return -1;
}

int nl_link_set_mtu(int s, unsigned int ifi, int mtu)
{
	(void)s; (void)ifi; (void)mtu;
	return -1;
}

int nl_link_set_mac(int s, unsigned int ifi, const void *mac)
{
	(void)s; (void)ifi; (void)mac;
	return -1;
}

int nl_addr_set(int s, unsigned int ifi, sa_family_t af, const void *addr,
		int prefix_len)
{
	(void)s; (void)ifi; (void)af; (void)addr; (void)prefix_len;
	return -1;
}

int nl_addr_dup(int s_src, unsigned int ifi_src, int s_dst,
		unsigned int ifi_dst, sa_family_t af)
{
	(void)s_src; (void)ifi_src; (void)s_dst; (void)ifi_dst; (void)af;
	return -1;
}

int nl_route_set_def(int s, unsigned int ifi, sa_family_t af, const void *gw)
{
	(void)s; (void)ifi; (void)af; (void)gw;
	return -1;
}

int nl_route_dup(int s_src, unsigned int ifi_src, int s_dst,
		 unsigned int ifi_dst, sa_family_t af)
{
	(void)s_src; (void)ifi_src; (void)s_dst; (void)ifi_dst; (void)af;
	return -1;
}
