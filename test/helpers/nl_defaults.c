// SPDX-License-Identifier: GPL-2.0-or-later
/* nl_defaults - exercise netlink.c from the test scripts
 *
 * Without arguments: print, for IPv4 and IPv6, what netlink.c finds in the
 * current namespace to source defaults from, one fact a line:
 *
 *	ipv4 ifname uplink
 *	ipv4 addr 192.0.2.2/24
 *	ipv4 gw 192.0.2.1
 *	ipv6 ll fe80::...	(IPv6 only)
 *
 * with "none" for what isn't there, and nothing after "ifname none".
 *
 * With -n NSPATH OP...: open a socket here (the "host"), enter the network
 * namespace NSPATH (e.g. /proc/PID/ns/net), open a socket there, then run
 * each OP on an interface of that namespace, printing "OP rc N" (N is 0 or
 * -errno). Without -n, OPs run in the current namespace. OPs:
 *
 *	up IF		mtu IF N	mac IF 02:00:00:00:00:01
 *	addr IF ADDR/LEN		defroute IF GW
 *	copy IF		(for both families: copy addresses and routes of
 *			 the host's outbound interface to IF)
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>

#include "netlink.h"

#define MAC_BYTES	6

/**
 * print_defaults() - Print what netlink.c reports for one address family
 * @af:		AF_INET or AF_INET6
 */
static void print_defaults(sa_family_t af)
{
	const char *v = af == AF_INET ? "ipv4" : "ipv6";
	unsigned char addr[16], ll[16], gw[16];
	char name[IF_NAMESIZE], buf[INET6_ADDRSTRLEN];
	unsigned int ifi;
	int plen;

	ifi = nl_get_ext_if(nl_sock, af);
	if (!ifi || !if_indextoname(ifi, name)) {
		printf("%s ifname none\n", v);
		return;
	}
	printf("%s ifname %s\n", v, name);

	memset(ll, 0, sizeof(ll));
	if (!nl_addr_get(nl_sock, ifi, af, addr, &plen,
			 af == AF_INET6 ? ll : NULL))
		printf("%s addr %s/%i\n", v,
		       inet_ntop(af, addr, buf, sizeof(buf)), plen);
	else
		printf("%s addr none\n", v);

	if (af == AF_INET6) {
		static const unsigned char zero[16];

		if (memcmp(ll, zero, sizeof(ll)))
			printf("%s ll %s\n", v,
			       inet_ntop(af, ll, buf, sizeof(buf)));
		else
			printf("%s ll none\n", v);
	}

	if (!nl_route_get_def(nl_sock, ifi, af, gw))
		printf("%s gw %s\n", v, inet_ntop(af, gw, buf, sizeof(buf)));
	else
		printf("%s gw none\n", v);
}

/**
 * parse_addr() - Parse ADDR or ADDR/LEN of either family
 * @s:		String
 * @addr:	Address, 16 bytes of room
 * @plen:	Prefix length, set if given, may be NULL
 *
 * Return: AF_INET or AF_INET6, exits on failure
 */
static sa_family_t parse_addr(const char *s, void *addr, int *plen)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	sa_family_t af;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = 0;
		if (plen)
			*plen = atoi(slash + 1);
	}
	af = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(af, buf, addr) != 1) {
		fprintf(stderr, "bad address: %s\n", s);
		exit(1);
	}
	return af;
}

/**
 * op_copy() - Copy addresses and routes of the host's outbound interfaces
 * @ifi:	Interface in the target namespace
 *
 * Return: 0 if everything was copied, else the last error
 */
static int op_copy(unsigned int ifi)
{
	static const sa_family_t afs[] = { AF_INET, AF_INET6 };
	int ret = 0;
	size_t i;

	for (i = 0; i < sizeof(afs) / sizeof(afs[0]); i++) {
		unsigned int src = nl_get_ext_if(nl_sock, afs[i]);
		int rc;

		if (!src)
			continue;
		rc = nl_addr_dup(nl_sock, src, nl_sock_ns, ifi, afs[i]);
		printf("addr_dup %s rc %i\n", afs[i] == AF_INET ? "ipv4" :
		       "ipv6", rc);
		if (rc)
			ret = rc;
		rc = nl_route_dup(nl_sock, src, nl_sock_ns, ifi, afs[i]);
		printf("route_dup %s rc %i\n", afs[i] == AF_INET ? "ipv4" :
		       "ipv6", rc);
		if (rc)
			ret = rc;
	}
	return ret;
}

/**
 * run_ops() - Run configuration operations from the command line
 * @argc:	Number of remaining arguments
 * @argv:	Remaining arguments
 *
 * Return: 0 if all succeeded, 1 otherwise
 */
static int run_ops(int argc, char **argv)
{
	int i = 0, status = 0;

	while (i < argc) {
		const char *op = argv[i];
		unsigned char a[16];
		unsigned int ifi;
		int rc, plen = -1;
		sa_family_t af;

		if (i + 1 >= argc) {
			fprintf(stderr, "%s: missing interface\n", op);
			return 1;
		}
		ifi = if_nametoindex(argv[i + 1]);
		if (!ifi) {
			fprintf(stderr, "%s: no interface %s\n", op,
				argv[i + 1]);
			return 1;
		}
		i += 2;

		if (!strcmp(op, "up")) {
			rc = nl_link_set_up(nl_sock_ns, ifi);
		} else if (!strcmp(op, "copy")) {
			rc = op_copy(ifi);
		} else if (i >= argc) {
			fprintf(stderr, "%s: missing argument\n", op);
			return 1;
		} else if (!strcmp(op, "mtu")) {
			rc = nl_link_set_mtu(nl_sock_ns, ifi, atoi(argv[i++]));
		} else if (!strcmp(op, "mac")) {
			unsigned int m[MAC_BYTES], j;

			if (sscanf(argv[i++], "%x:%x:%x:%x:%x:%x", &m[0], &m[1],
				   &m[2], &m[3], &m[4], &m[5]) != MAC_BYTES) {
				fprintf(stderr, "bad MAC address\n");
				return 1;
			}
			for (j = 0; j < MAC_BYTES; j++)
				a[j] = m[j];
			rc = nl_link_set_mac(nl_sock_ns, ifi, a);
		} else if (!strcmp(op, "addr")) {
			af = parse_addr(argv[i++], a, &plen);
			if (plen < 0)
				plen = af == AF_INET ? 32 : 128;
			rc = nl_addr_set(nl_sock_ns, ifi, af, a, plen);
		} else if (!strcmp(op, "defroute")) {
			af = parse_addr(argv[i++], a, NULL);
			rc = nl_route_set_def(nl_sock_ns, ifi, af, a);
		} else {
			fprintf(stderr, "unknown operation %s\n", op);
			return 1;
		}

		printf("%s rc %i\n", op, rc);
		if (rc)
			status = 1;
	}

	return status;
}

int main(int argc, char **argv)
{
	int rc;

	rc = nl_sock_init(false);
	if (rc) {
		fprintf(stderr, "nl_sock_init: %s\n", strerror(-rc));
		return 1;
	}

	if (argc == 1) {
		print_defaults(AF_INET);
		print_defaults(AF_INET6);
		return 0;
	}

	if (argc > 2 && !strcmp(argv[1], "-n")) {
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);

		if (fd < 0 || setns(fd, CLONE_NEWNET)) {
			perror(argv[2]);
			return 1;
		}
		close(fd);
		argc -= 2;
		argv += 2;
	}

	rc = nl_sock_init(true);
	if (rc) {
		fprintf(stderr, "nl_sock_init_ns: %s\n", strerror(-rc));
		return 1;
	}

	return run_ops(argc - 1, argv + 1);
}
