/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Between conf.c and conf_addr.c: the options seen on the command line,
 * which the addresses, routes and nameservers derived in conf_addr.c
 * depend on, and the start-up summary passt.c prints.
 */
#ifndef CONF_ADDR_H
#define CONF_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <netinet/in.h>

#include "ctx.h"

/**
 * struct conf_args - Options seen on the command line, before defaults
 * @c:			Execution context the options fill
 * @v4only:		-4 given
 * @v6only:		-6 given
 * @ifname:		-i, or NULL
 * @prefix_len:		-n, or -1
 * @dns4:		-D IPv4 addresses
 * @dns6:		-D IPv6 addresses
 * @dns4_n:		Number of @dns4
 * @dns6_n:		Number of @dns6
 * @dns_given:		-D given with addresses (after any "none")
 * @search_given:	-S given
 * @dhcp_dns:		--dhcp-dns 1, --no-dhcp-dns 0, neither -1
 * @dhcp_search:	--dhcp-search 1, --no-dhcp-search 0, neither -1
 * @mhl4_given:		--map-host-loopback given for IPv4 (or none)
 * @mhl6_given:		--map-host-loopback given for IPv6 (or none)
 * @dns_host4_given:	--dns-host given for IPv4
 * @dns_host6_given:	--dns-host given for IPv6
 * @runas_given:	--runas given
 * @log_size_given:	--log-size given
 * @repair_given:	--repair-path given (possibly "none")
 * @netns_given:	--netns given
 * @userns_given:	--userns given
 * @fwd_prev:		Last -t, -u, -T and -U specification, NULL if none
 */
struct conf_args {
	struct ctx *c;
	bool v4only;
	bool v6only;
	const char *ifname;
	int prefix_len;
	struct in_addr dns4[DNS_MAX];
	struct in6_addr dns6[DNS_MAX];
	unsigned int dns4_n;
	unsigned int dns6_n;
	bool dns_given;
	bool search_given;
	int dhcp_dns;
	int dhcp_search;
	bool mhl4_given;
	bool mhl6_given;
	bool dns_host4_given;
	bool dns_host6_given;
	bool runas_given;
	bool log_size_given;
	bool repair_given;
	bool netns_given;
	bool userns_given;
	const char *fwd_prev[4];
};

/* Largest resolv.conf conf_resolv_cmd() writes, terminator included */
#define CONF_RESOLV_CMD_MAX_BYTES	(128 * 1024)

bool conf_domain_ok(const char *name);
int conf_domain_copy(char *dst, const char *src, size_t len);
bool conf_ip4(struct ctx *c, const struct conf_args *a);
bool conf_ip6(struct ctx *c);
void conf_dns_setup(struct ctx *c, const struct conf_args *a);
ssize_t conf_resolv_rewrite(const struct ctx *c, const char *host,
			    bool dns_given, char *out, size_t size);
ssize_t conf_resolv_cmd(const struct ctx *c, char *out, size_t size);

void conf_print(const struct ctx *c);

#endif /* CONF_ADDR_H */
