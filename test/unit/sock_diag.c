// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for sock_diag.c: sock_diag_parse() on crafted netlink dumps
 * (only the family and states asked for count, stale sequence numbers and
 * truncated messages are skipped, errors are returned), and a real dump
 * of a socket we bind, where the kernel has sock_diag.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>

#include "unit.h"
#include "util.h"
#include "fwd.h"
#include "sock_diag.h"

static unsigned long map[BITMAP_WORDS(NUM_PORTS)];
static char buf[4096] __attribute__((aligned(NLMSG_ALIGNTO)));
static size_t used;

/**
 * put_sock() - Append a SOCK_DIAG_BY_FAMILY message to buf
 * @seq:	Sequence number
 * @af:		Address family
 * @state:	Socket state
 * @port:	Local port
 */
static void put_sock(uint32_t seq, uint8_t af, uint8_t state, uint16_t port)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)(buf + used);
	struct inet_diag_msg *m = NLMSG_DATA(nh);

	memset(nh, 0, NLMSG_SPACE(sizeof(*m)));
	nh->nlmsg_len = NLMSG_LENGTH(sizeof(*m));
	nh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nh->nlmsg_seq = seq;
	m->idiag_family = af;
	m->idiag_state = state;
	m->id.idiag_sport = htons(port);
	used += NLMSG_SPACE(sizeof(*m));
}

/**
 * put_ctl() - Append NLMSG_DONE or NLMSG_ERROR to buf
 * @seq:	Sequence number
 * @type:	NLMSG_DONE or NLMSG_ERROR
 * @error:	Error code, for NLMSG_ERROR
 */
static void put_ctl(uint32_t seq, uint16_t type, int error)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)(buf + used);
	struct nlmsgerr *e = NLMSG_DATA(nh);

	memset(nh, 0, NLMSG_SPACE(sizeof(*e)));
	nh->nlmsg_len = NLMSG_LENGTH(sizeof(*e));
	nh->nlmsg_type = type;
	nh->nlmsg_seq = seq;
	e->error = error;
	used += NLMSG_SPACE(sizeof(*e));
}

static void parse_states_and_family(void)
{
	const uint32_t listen = 1U << SOCK_DIAG_LISTEN;

	used = 0;
	memset(map, 0, sizeof(map));
	put_sock(5, AF_INET, SOCK_DIAG_LISTEN, 8080);
	put_sock(5, AF_INET, SOCK_DIAG_ESTABLISHED, 8081);
	put_sock(5, AF_INET6, SOCK_DIAG_LISTEN, 8082);
	put_sock(4, AF_INET, SOCK_DIAG_LISTEN, 8083);	/* stale */
	put_sock(5, AF_INET, SOCK_DIAG_LISTEN, 0);
	CHECK(sock_diag_parse(buf, used, 5, AF_INET, listen, map) == 0);
	CHECK(bitmap_isset(map, 8080));
	CHECK(!bitmap_isset(map, 8081));
	CHECK(!bitmap_isset(map, 8082));
	CHECK(!bitmap_isset(map, 8083));
	CHECK(!bitmap_isset(map, 0));

	put_ctl(5, NLMSG_DONE, 0);
	CHECK(sock_diag_parse(buf, used, 5, AF_INET, listen, map) == 1);
}

static void parse_errors_and_truncation(void)
{
	const uint32_t unconn = 1U << SOCK_DIAG_CLOSE;

	used = 0;
	put_ctl(7, NLMSG_ERROR, -ENOENT);
	CHECK(sock_diag_parse(buf, used, 7, AF_INET, unconn, map) == -ENOENT);
	/* an error for another request doesn't end ours */
	CHECK(sock_diag_parse(buf, used, 8, AF_INET, unconn, map) == 0);

	/* a message cut short: ignored, no read past the end */
	used = 0;
	memset(map, 0, sizeof(map));
	put_sock(9, AF_INET, SOCK_DIAG_CLOSE, 5353);
	CHECK(sock_diag_parse(buf, used - 8, 9, AF_INET, unconn, map) == 0);
	CHECK(!bitmap_isset(map, 5353));
	CHECK(sock_diag_parse(buf, used, 9, AF_INET, unconn, map) == 0);
	CHECK(bitmap_isset(map, 5353));
	CHECK(sock_diag_parse(buf, 3, 9, AF_INET, unconn, map) == 0);
}

static void dump_real(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(a);
	int s = sock_diag_open(), l, u;
	unsigned tport, uport;

	if (s < 0)
		return;		/* no sock_diag here: nothing to compare */
	l = socket(AF_INET, SOCK_STREAM, 0);
	u = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(l >= 0 && u >= 0);
	CHECK(!bind(l, (struct sockaddr *)&a, sizeof(a)) && !listen(l, 1));
	CHECK(!getsockname(l, (struct sockaddr *)&a, &sl));
	tport = ntohs(a.sin_port);
	a.sin_port = 0;
	CHECK(!bind(u, (struct sockaddr *)&a, sizeof(a)));
	CHECK(!getsockname(u, (struct sockaddr *)&a, &sl));
	uport = ntohs(a.sin_port);

	memset(map, 0, sizeof(map));
	CHECK(!sock_diag_ports(s, AF_INET, IPPROTO_TCP,
			       1U << SOCK_DIAG_LISTEN, map));
	CHECK(bitmap_isset(map, tport));
	memset(map, 0, sizeof(map));
	if (!sock_diag_ports(s, AF_INET, IPPROTO_UDP,
			     1U << SOCK_DIAG_CLOSE, map))
		CHECK(bitmap_isset(map, uport));
	close(l);
	close(u);
	close(s);
}

int main(void)
{
	RUN(parse_states_and_family);
	RUN(parse_errors_and_truncation);
	RUN(dump_real);
	UNIT_EXIT();
}
