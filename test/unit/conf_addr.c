// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/conf_addr.c - The resolv.conf a command spawned by pasta sees
 * when the host's resolver is on loopback (conf_resolv_rewrite()): which
 * lines are replaced, kept, left out, and when no file is needed at all.
 */

#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "unit.h"
#include "util.h"
#include "passt.h"
#include "conf_addr.h"

static struct ctx_run c_run;
static struct ctx c = { .run = &c_run };

/**
 * setup() - A context like the sandbox's: gateways mapped to loopback
 */
static void setup(void)
{
	memset(&c, 0, sizeof(c));
	c.run = &c_run;
	c.mode = MODE_PASTA;
	c.ipv4_enabled = c.ipv6_enabled = true;
	snprintf(c.pasta_ifname, sizeof(c.pasta_ifname), "uplink");
	inet_pton(AF_INET, "192.0.2.1", &c.ip4.map_host_loopback);
	inet_pton(AF_INET6, "2001:db8::1", &c.ip6.map_host_loopback);
}

/**
 * rewrite() - Rewrite a host file, compare with what's expected
 * @host:	Host's resolv.conf
 * @dns_given:	-D given
 * @want:	Expected result, NULL if no file is expected
 *
 * Return: true if the result matches
 */
static bool rewrite(const char *host, bool dns_given, const char *want)
{
	static char out[CONF_RESOLV_CMD_MAX_BYTES];
	ssize_t n = conf_resolv_rewrite(&c, host, dns_given, out, sizeof(out));

	if (!want)
		return n == 0;
	if (n != (ssize_t)strlen(want) || strcmp(out, want)) {
		printf("  got (%zi): %s", n, n > 0 ? out : "\n");
		return false;
	}
	return true;
}

static void test_stub_replaced(void)
{
	setup();
	CHECK(rewrite("# comment\nnameserver 127.0.0.53\n"
		      "options edns0 trust-ad\nsearch example.org\n", false,
		      "# comment\nnameserver 192.0.2.1\n"
		      "options edns0 trust-ad\nsearch example.org\n"));
	CHECK(rewrite("  nameserver\t::1", false,
		      "nameserver 2001:db8::1\n"));
	/* Two stubs, one address: once */
	CHECK(rewrite("nameserver 127.0.0.53\nnameserver 127.0.0.1\n", false,
		      "nameserver 192.0.2.1\n"));
}

static void test_order_kept(void)
{
	setup();
	CHECK(rewrite("nameserver 192.0.2.9\nnameserver 127.0.0.53\n"
		      "nameserver ::1\nnameserver 2001:db8::9\n", false,
		      "nameserver 192.0.2.9\nnameserver 192.0.2.1\n"
		      "nameserver 2001:db8::1\nnameserver 2001:db8::9\n"));
}

static void test_no_file(void)
{
	setup();
	CHECK(rewrite("nameserver 192.0.2.53\nsearch example.org\n", false,
		      NULL));
	CHECK(rewrite("", false, NULL));
	CHECK(rewrite("# nameserver 127.0.0.53\n", false, NULL));
	c.no_dns = true;
	CHECK(rewrite("nameserver 127.0.0.53\n", false, NULL));
}

static void test_choice_of_address(void)
{
	setup();
	/* --dns-forward, with a nameserver to forward to */
	inet_pton(AF_INET, "192.0.2.77", &c.ip4.dns_match);
	inet_pton(AF_INET, "127.0.0.53", &c.ip4.dns_host);
	CHECK(rewrite("nameserver 127.0.0.53\n", false,
		      "nameserver 192.0.2.77\n"));

	/* Link-local: scoped to the namespace interface */
	setup();
	inet_pton(AF_INET6, "fe80::1", &c.ip6.map_host_loopback);
	CHECK(rewrite("nameserver ::1\n", false,
		      "nameserver fe80::1%uplink\n"));

	/* Nothing to reach it at: left out */
	setup();
	c.ip4.map_host_loopback.s_addr = 0;
	CHECK(rewrite("nameserver 127.0.0.53\nnameserver 192.0.2.9\n", false,
		      "nameserver 192.0.2.9\n"));
	c.ipv6_enabled = false;
	CHECK(rewrite("nameserver ::1\n", false, ""));
}

static void test_dns_given(void)
{
	setup();
	inet_pton(AF_INET, "192.0.2.53", &c.ip4.dns[0]);
	inet_pton(AF_INET6, "2001:db8::53", &c.ip6.dns[0]);
	CHECK(rewrite("search a.example\nnameserver 127.0.0.53\n"
		      "nameserver 192.0.2.9\n", true,
		      "search a.example\nnameserver 192.0.2.53\n"
		      "nameserver 2001:db8::53\n"));
}

static void test_too_long(void)
{
	static char host[CONF_RESOLV_CMD_MAX_BYTES];
	static char out[64];

	setup();
	memset(host, '#', sizeof(host) - 1);
	memcpy(host, "nameserver 127.0.0.1\n", strlen("nameserver 127.0.0.1\n"));
	CHECK(conf_resolv_rewrite(&c, host, false, out, sizeof(out)) == -1);
}

int main(void)
{
	RUN(test_stub_replaced);
	RUN(test_order_kept);
	RUN(test_no_file);
	RUN(test_choice_of_address);
	RUN(test_dns_given);
	RUN(test_too_long);
	UNIT_EXIT();
}
