// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/fwd_nat.c - fwd.c's address translation: --map-host-loopback,
 * --map-guest-addr, --dns-forward, the DNS exception of the manual's NOTES,
 * unreachable destinations, one IP version on both sides of a flow, the
 * guest-side view of host peers, and the addresses forwarded ports listen
 * on (loopback only in pasta's namespace).
 */

#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "unit.h"
#include "util.h"
#include "passt.h"
#include "fwd.h"

static struct ctx_run c_run;
static struct ctx c = { .run = &c_run };

/**
 * a() - Parse an address for a test
 * @s:		Address text
 *
 * Return: address (static storage of a rotating set)
 */
static const union inany_addr *a(const char *s)
{
	static union inany_addr buf[8];
	static unsigned n;
	union inany_addr *r = &buf[n++ % 8];

	if (!inany_pton(s, r))
		printf("  bad address in test: %s\n", s);
	return r;
}

/**
 * from_guest() - Translate and print the result
 * @proto:	IPPROTO_*
 * @dst:	Destination text
 * @port:	Destination port
 *
 * Return: translated address as text, "drop" if unreachable
 */
static const char *from_guest(uint8_t proto, const char *dst, in_port_t port)
{
	static char buf[INANY_ADDRSTRLEN];
	union inany_addr out;

	if (fwd_nat_from_guest(&c, proto, a(dst), port, &out))
		return "drop";
	return inany_ntop(&out, buf, sizeof(buf));
}

/**
 * setup() - A context like the sandbox's: gateway mapped to loopback
 */
static void setup(void)
{
	memset(&c, 0, sizeof(c));
	memset(&c_run, 0, sizeof(c_run));
	c.run = &c_run;
	c.ipv4_enabled = c.ipv6_enabled = true;
	inet_pton(AF_INET, "192.0.2.2", &c.ip4.addr);
	inet_pton(AF_INET, "192.0.2.1", &c.ip4.map_host_loopback);
	inet_pton(AF_INET, "192.0.2.53", &c.ip4.dns_host);
	inet_pton(AF_INET6, "2001:db8::2", &c.ip6.addr);
	inet_pton(AF_INET6, "2001:db8::1", &c.ip6.map_host_loopback);
	inet_pton(AF_INET6, "2001:db8::53", &c.ip6.dns_host);
}

static void test_loopback_mapping(void)
{
	setup();
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "192.0.2.1", 80),
		      "127.0.0.1"));
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "2001:db8::1", 80), "::1"));
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "192.0.2.9", 80),
		      "192.0.2.9"));
	/* Not the resolver: DNS to the gateway goes to loopback too */
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "192.0.2.1", 53),
		      "127.0.0.1"));
}

static void test_dns_forward(void)
{
	setup();
	inet_pton(AF_INET, "198.51.100.53", &c.ip4.dns_match);
	inet_pton(AF_INET, "127.0.0.1", &c.ip4.dns_host);
	inet_pton(AF_INET6, "2001:db8:5::53", &c.ip6.dns_match);
	c.ip6.dns_host = in6addr_loopback;

	CHECK(!strcmp(from_guest(IPPROTO_UDP, "198.51.100.53", 53),
		      "127.0.0.1"));
	CHECK(!strcmp(from_guest(IPPROTO_TCP, "198.51.100.53", 853),
		      "127.0.0.1"));
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "198.51.100.53", 54),
		      "198.51.100.53"));
	CHECK(!strcmp(from_guest(IPPROTO_ICMP, "198.51.100.53", 53),
		      "198.51.100.53"));
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "2001:db8:5::53", 53), "::1"));
}

static void test_dns_exception(void)
{
	setup();
	/* The mapped gateway is the host's resolver: DNS stays with it */
	inet_pton(AF_INET, "192.0.2.53", &c.ip4.map_host_loopback);
	inet_pton(AF_INET6, "2001:db8::53", &c.ip6.map_host_loopback);
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "192.0.2.53", 53),
		      "192.0.2.53"));
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "2001:db8::53", 53),
		      "2001:db8::53"));
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "192.0.2.53", 5353),
		      "127.0.0.1"));

	/* A resolver on the host's loopback, reached through the gateway */
	setup();
	inet_pton(AF_INET, "127.0.0.53", &c.ip4.dns_host);
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "192.0.2.1", 53),
		      "127.0.0.53"));

	/* A remote resolver listed first, a loopback one after it */
	setup();
	inet_pton(AF_INET, "127.0.0.53", &c.ip4.dns_host_lo);
	c.ip6.dns_host_lo = in6addr_loopback;
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "192.0.2.1", 53),
		      "127.0.0.53"));
	CHECK(!strcmp(from_guest(IPPROTO_TCP, "2001:db8::1", 53), "::1"));
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "192.0.2.1", 80),
		      "127.0.0.1"));
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "192.0.2.53", 53),
		      "192.0.2.53"));

	/* --dns-forward given: no exception */
	setup();
	inet_pton(AF_INET, "127.0.0.53", &c.ip4.dns_host_lo);
	inet_pton(AF_INET, "192.0.2.1", &c.ip4.dns_host);
	inet_pton(AF_INET, "198.51.100.53", &c.ip4.dns_match);
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "192.0.2.1", 53),
		      "127.0.0.1"));
}

static void test_unreachable(void)
{
	setup();
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "224.0.0.251", 5353), "drop"));
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "255.255.255.255", 9),
		      "drop"));
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "127.0.0.1", 9), "drop"));
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "ff02::fb", 5353), "drop"));
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "fe80::9", 9), "drop"));
	c.ipv6_enabled = false;
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "2001:db8::9", 9), "drop"));
}

static void test_family_kept(void)
{
	setup();
	/* An IPv6 resolver written as ::ffff:a.b.c.d in resolv.conf */
	inet_pton(AF_INET6, "::ffff:192.0.2.53", &c.ip6.dns_host);
	inet_pton(AF_INET6, "2001:db8:5::53", &c.ip6.dns_match);
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "2001:db8:5::53", 53), "drop"));
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "2001:db8:5::53", 54),
		      "2001:db8:5::53"));
}

static void test_map_guest_addr(void)
{
	setup();
	inet_pton(AF_INET, "192.0.2.99", &c.ip4.map_guest_addr);
	CHECK(!strcmp(from_guest(IPPROTO_UDP, "192.0.2.99", 9),
		      "192.0.2.2"));
}

static void test_to_guest(void)
{
	char b1[INANY_ADDRSTRLEN], b2[INANY_ADDRSTRLEN];
	union inany_addr f, e;

	setup();
	inet_pton(AF_INET, "192.0.2.7", &c.run->addr4_seen);
	CHECK(!fwd_nat_to_guest(&c, a("127.0.0.1"), &f, &e));
	CHECK(!strcmp(inany_ntop(&f, b1, sizeof(b1)), "192.0.2.1"));
	CHECK(!strcmp(inany_ntop(&e, b2, sizeof(b2)), "192.0.2.7"));

	CHECK(!fwd_nat_to_guest(&c, a("192.0.2.3"), &f, &e));
	CHECK(!strcmp(inany_ntop(&f, b1, sizeof(b1)), "192.0.2.3"));

	/* The host's own address is the guest's: shown as the gateway */
	CHECK(!fwd_nat_to_guest(&c, a("192.0.2.2"), &f, &e));
	CHECK(!strcmp(inany_ntop(&f, b1, sizeof(b1)), "192.0.2.1"));

	CHECK(!fwd_nat_to_guest(&c, a("::1"), &f, &e));
	CHECK(!strcmp(inany_ntop(&f, b1, sizeof(b1)), "2001:db8::1"));
	CHECK(!strcmp(inany_ntop(&e, b2, sizeof(b2)), "2001:db8::2"));

	memset(&c.ip4.map_host_loopback, 0, sizeof(c.ip4.map_host_loopback));
	CHECK(fwd_nat_to_guest(&c, a("127.0.0.1"), &f, &e));
}

/**
 * listen_addrs() - fwd_listen_addrs() results as text
 * @r:		Rule, NULL for none
 * @ns:		Listener in the namespace
 *
 * Return: addresses, each followed by "/6" for IPV6_V6ONLY, space-separated
 */
static const char *listen_addrs(const struct fwd_rule *r, bool ns)
{
	static char buf[FWD_LISTEN_MAX * (INANY_ADDRSTRLEN + 4)];
	struct fwd_listen_addr la[FWD_LISTEN_MAX];
	char ab[INANY_ADDRSTRLEN];
	int i, n = fwd_listen_addrs(&c, r, ns, la);

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		size_t l = strlen(buf);

		snprintf(buf + l, sizeof(buf) - l, "%s%s%s", i ? " " : "",
			 inany_ntop(&la[i].addr, ab, sizeof(ab)),
			 la[i].v6only ? "/6" : "");
	}
	return buf;
}

static void test_listen_addrs(void)
{
	struct fwd_rule r = { 0 };

	setup();
	/* -T, -U: loopback only, one socket per IP version */
	CHECK(!strcmp(listen_addrs(NULL, true), "127.0.0.1 ::1/6"));
	CHECK(!strcmp(listen_addrs(&r, true), "127.0.0.1 ::1/6"));
	/* -t, -u: every address, one dual-stack socket */
	CHECK(!strcmp(listen_addrs(NULL, false), "::"));

	/* An address given in the rule is bound as given, on both sides */
	inany_pton("192.0.2.2", &r.addr);
	r.flags = FWD_RULE_ADDR;
	CHECK(!strcmp(listen_addrs(&r, true), "192.0.2.2/6"));
	CHECK(!strcmp(listen_addrs(&r, false), "192.0.2.2/6"));

	/* An interface alone doesn't widen the namespace's listeners */
	r.flags = 0;
	memcpy(r.ifname, "lo", 3);
	CHECK(!strcmp(listen_addrs(&r, true), "127.0.0.1 ::1/6"));

	c.ipv6_enabled = false;
	CHECK(!strcmp(listen_addrs(NULL, true), "127.0.0.1"));
	CHECK(!strcmp(listen_addrs(NULL, false), "0.0.0.0"));
	c.ipv6_enabled = true;
	c.ipv4_enabled = false;
	CHECK(!strcmp(listen_addrs(NULL, true), "::1/6"));
	CHECK(!strcmp(listen_addrs(NULL, false), "::/6"));
}

int main(void)
{
	RUN(test_loopback_mapping);
	RUN(test_dns_forward);
	RUN(test_dns_exception);
	RUN(test_unreachable);
	RUN(test_family_kept);
	RUN(test_map_guest_addr);
	RUN(test_to_guest);
	RUN(test_listen_addrs);
	UNIT_EXIT();
}
