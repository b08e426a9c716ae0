// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for util.c: address, number and MAC address helpers */

#include <errno.h>
#include "unit.h"
#include "inany.h"
#include "util.h"

static void util_inany_roundtrip(void)
{
	char buf[INANY_ADDRSTRLEN];
	union inany_addr a;

	CHECK(inany_pton("192.0.2.1", &a) == AF_INET);
	CHECK(inany_v4(&a) && inany_v4(&a)->s_addr == htonl(0xc0000201));
	CHECK(!strcmp(inany_ntop(&a, buf, sizeof(buf)), "192.0.2.1"));
	CHECK(inany_pton("2001:db8::1", &a) == AF_INET6);
	CHECK(!inany_v4(&a));
	CHECK(!strcmp(inany_ntop(&a, buf, sizeof(buf)), "2001:db8::1"));
	CHECK(inany_pton("127.0.0.5", &a) && inany_is_loopback(&a));
	CHECK(inany_pton("::1", &a) && inany_is_loopback(&a));
	CHECK(inany_pton("0.0.0.0", &a) && inany_is_unspecified(&a));
	CHECK(!inany_pton("192.0.2.256", &a));
	CHECK(!inany_pton("", &a));
	CHECK(!inany_pton("foo", &a));
}

static void util_parse_long(void)
{
	int err = 0;

	CHECK(parse_long("65520", 0, 65520, &err) == 65520 && !err);
	parse_long("65521", 0, 65520, &err);
	CHECK(err);
	err = 0;
	parse_long("12x", 0, 100, &err);
	CHECK(err);
	err = 0;
	parse_long("", 0, 100, &err);
	CHECK(err);
	err = 0;
	parse_long("-1", 0, 100, &err);
	CHECK(err);
}

static void util_mac(void)
{
	uint8_t mac[MAC_ADDR_LEN];
	char buf[MAC_STRLEN];

	CHECK(!parse_mac("9a:55:9a:55:9a:55", mac));
	CHECK(mac[0] == 0x9a && mac[5] == 0x55);
	CHECK(!strcmp(mac_ntop(mac, buf, sizeof(buf)), "9a:55:9a:55:9a:55"));
	CHECK(parse_mac("9a:55:9a:55:9a", mac));
	CHECK(parse_mac("9a:55:9a:55:9a:5g", mac));
	CHECK(parse_mac("9a:55:9a:55:9a:55:", mac));
}

int main(void)
{
	RUN(util_inany_roundtrip);
	RUN(util_parse_long);
	RUN(util_mac);
	UNIT_EXIT();
}
