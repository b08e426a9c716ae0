// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for icmp.c, with real ping sockets: the test enters a user
 * and network namespace of its own (loopback up, ping_group_range "0 0"),
 * the host's gateway is mapped to loopback, and frames for the guest land on
 * a datagram socket pair standing in for the tap device. Checks Echo replies
 * field by field, identifiers bound on the host side (/proc/net/icmp) and
 * mapped when taken, dropping of bad checksums and truncated requests, flow
 * expiry, --no-icmp, and a fuzz run through tap_parse().
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>

#include "unit.h"
#include "frames.h"
#include "tap.h"
#include "icmp.h"

#define ECHO_PAYLOAD	"unit test echo payload"
#define WAIT_MS		1000
#define FUZZ_ROUNDS	3000

static struct ctx_run ctx_run;
static struct ctx ctx = { .run = &ctx_run };
static int tap_peer = -1;
static struct timespec now;

/**
 * write_str() - Write a string to a file
 * @path:	File
 * @s:		Contents
 *
 * Return: 0 on success, -1 on failure
 */
static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	int ret;

	if (fd < 0)
		return -1;
	ret = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(fd);
	return ret;
}

/**
 * enter_ns() - Own user and network namespace with usable ping sockets
 *
 * Return: 0 on success, -1 on failure
 */
static int enter_ns(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int s;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET)) {
		perror("unshare");
		return -1;
	}
	write_str("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)uid);
	if (write_str("/proc/self/uid_map", map))
		return -1;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)gid);
	if (write_str("/proc/self/gid_map", map))
		return -1;
	if (write_str("/proc/sys/net/ipv4/ping_group_range", "0 0"))
		return -1;

	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr))
		return -1;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr))
		return -1;
	close(s);
	return 0;
}

/**
 * setup() - Test context: pasta mode, tap on a socket pair, epoll
 */
static void setup(void)
{
	int sv[2];

	test_ctx(&ctx);
	ctx.ip4.map_host_loopback = ctx.ip4.guest_gw;
	ctx.ip6.map_host_loopback = ctx.ip6.guest_gw;
	memcpy(ctx.run->guest_mac, guest_mac, ETH_ALEN);
	ctx.run->epollfd = epoll_create1(0);
	if (ctx.run->epollfd < 0 ||
	    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv))
		abort();
	ctx.run->fd_tap = sv[0];
	tap_peer = sv[1];
	clock_gettime(CLOCK_MONOTONIC, &now);
	icmp_init(&ctx);
}

/**
 * echo4_frame() - ICMP Echo request frame from the guest
 * @buf:	Frame buffer
 * @dst:	Destination, dotted
 * @id:		Identifier
 * @seq:	Sequence number
 * @fi:		Set as tap_parse() would
 *
 * Return: frame length
 */
static size_t echo4_frame(uint8_t *buf, const char *dst, uint16_t id,
			  uint16_t seq, struct frame_info *fi)
{
	size_t off = eth_put(buf, ETH_P_IP);
	struct iphdr iph = { 0 };
	uint8_t *icmp = buf + off + sizeof(iph);
	size_t l4len = 8 + sizeof(ECHO_PAYLOAD);
	struct in_addr s, d;
	uint16_t c;

	inet_pton(AF_INET, "192.0.2.2", &s);
	inet_pton(AF_INET, dst, &d);
	iph.version = 4;
	iph.ihl = 5;
	iph.ttl = 64;
	iph.protocol = IPPROTO_ICMP;
	iph.tot_len = htons(sizeof(iph) + l4len);
	iph.saddr = s.s_addr;
	iph.daddr = d.s_addr;
	iph.check = csum(&iph, sizeof(iph), 0);
	memcpy(buf + off, &iph, sizeof(iph));

	memset(icmp, 0, 8);
	icmp[0] = ICMP_ECHO;
	icmp[4] = id >> 8;
	icmp[5] = id & 0xff;
	icmp[6] = seq >> 8;
	icmp[7] = seq & 0xff;
	memcpy(icmp + 8, ECHO_PAYLOAD, sizeof(ECHO_PAYLOAD));
	c = csum(icmp, l4len, 0);
	memcpy(icmp + 2, &c, 2);

	memset(fi, 0, sizeof(*fi));
	fi->ethertype = ETH_P_IP;
	fi->l4proto = IPPROTO_ICMP;
	fi->ttl = 64;
	fi->l3_off = off;
	fi->l4_off = off + sizeof(iph);
	fi->l4_len = l4len;
	inany_from_v4(&fi->saddr, s);
	inany_from_v4(&fi->daddr, d);
	return fi->l4_off + l4len;
}

/**
 * echo6_frame() - ICMPv6 Echo request frame from the guest
 * @buf:	Frame buffer
 * @dst:	Destination
 * @id:		Identifier
 * @seq:	Sequence number
 * @fi:		Set as tap_parse() would
 *
 * Return: frame length
 */
static size_t echo6_frame(uint8_t *buf, const char *dst, uint16_t id,
			  uint16_t seq, struct frame_info *fi)
{
	uint8_t l4[8 + sizeof(ECHO_PAYLOAD)] = { ICMP6_ECHO_REQUEST, 0 };
	struct in6_addr s, d;
	uint16_t c;

	inet_pton(AF_INET6, "2001:db8::2", &s);
	inet_pton(AF_INET6, dst, &d);
	l4[4] = id >> 8;
	l4[5] = id & 0xff;
	l4[6] = seq >> 8;
	l4[7] = seq & 0xff;
	memcpy(l4 + 8, ECHO_PAYLOAD, sizeof(ECHO_PAYLOAD));
	c = csum(l4, sizeof(l4),
		 csum_pseudo6(sizeof(l4), IPPROTO_ICMPV6, &s, &d));
	memcpy(l4 + 2, &c, 2);
	return ip6_frame(buf, "2001:db8::2", dst, IPPROTO_ICMPV6, 64, l4,
			 sizeof(l4), fi);
}

/**
 * run_events() - Handle ping socket events for a while, as the main loop
 *
 * Return: number of ping socket events handled
 */
static int run_events(int ms)
{
	struct epoll_event ev[8];
	int n, i, handled = 0;

	while ((n = epoll_wait(ctx.run->epollfd, ev, 8, ms)) > 0) {
		for (i = 0; i < n; i++) {
			union epoll_ref ref = { .u64 = ev[i].data.u64 };

			if (ref.type == EPOLL_TYPE_PING) {
				icmp_sock_handler(&ctx, ref);
				handled++;
			}
		}
		ms = 50;
	}
	return handled;
}

/**
 * read_frame() - Next frame sent to the guest
 * @buf:	Buffer, TAP_FRAME_MAX bytes
 *
 * Return: length, 0 if none
 */
static size_t read_frame(uint8_t *buf)
{
	ssize_t n = recv(tap_peer, buf, TAP_FRAME_MAX, MSG_DONTWAIT);

	return n > 0 ? (size_t)n : 0;
}

/**
 * drain_frames() - Discard frames sent to the guest so far
 */
static void drain_frames(void)
{
	static uint8_t buf[TAP_FRAME_MAX];

	while (read_frame(buf))
		;
}

/**
 * ping_sockets() - Count ping sockets, optionally with a given identifier
 * @path:	/proc/self/net/icmp or /proc/self/net/icmp6
 * @id:		Identifier (local "port") to look for, -1 for any
 *
 * Return: number of matching sockets
 */
static int ping_sockets(const char *path, int id)
{
	char line[512], port[16];
	int count = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	snprintf(port, sizeof(port), ":%04X ", id);
	if (!fgets(line, sizeof(line), f)) {	/* header */
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (id < 0 || strstr(line, port))
			count++;
	}
	fclose(f);
	return count;
}

static void icmp_echo4_reply(void)
{
	static uint8_t buf[FRAME_BUF], out[TAP_FRAME_MAX];
	size_t len, l4len = 8 + sizeof(ECHO_PAYLOAD);
	struct iphdr iph;
	const uint8_t *icmp;
	struct frame_info fi;
	struct iovec iov;

	len = echo4_frame(buf, "192.0.2.1", 0x4242, 7, &fi);
	iov = guarded(buf, len);
	CHECK(icmp_tap_handler(&ctx, &iov, &fi, &now) == 1);
	CHECK(ping_sockets("/proc/self/net/icmp", 0x4242) == 1);
	CHECK(run_events(WAIT_MS) >= 1);

	len = read_frame(out);
	CHECK_MSG(len == ETH_HLEN + sizeof(iph) + l4len, "length %zu", len);
	if (len != ETH_HLEN + sizeof(iph) + l4len)
		return;
	memcpy(&iph, out + ETH_HLEN, sizeof(iph));
	icmp = out + ETH_HLEN + sizeof(iph);
	CHECK(!memcmp(out, guest_mac, ETH_ALEN));
	/* From the address the guest pinged, not from loopback */
	CHECK(iph.saddr == ctx.ip4.guest_gw.s_addr);
	CHECK(iph.daddr == ctx.ip4.addr.s_addr);
	CHECK(iph.protocol == IPPROTO_ICMP);
	CHECK(icmp[0] == ICMP_ECHOREPLY && icmp[1] == 0);
	CHECK(icmp[4] == 0x42 && icmp[5] == 0x42);
	CHECK(icmp[6] == 0 && icmp[7] == 7);
	CHECK(!memcmp(icmp + 8, ECHO_PAYLOAD, sizeof(ECHO_PAYLOAD)));
	CHECK(csum(icmp, l4len, 0) == 0);
}

static void icmp_echo6_reply(void)
{
	static uint8_t buf[FRAME_BUF], out[TAP_FRAME_MAX];
	size_t len, l4len = 8 + sizeof(ECHO_PAYLOAD);
	struct ip6_hdr ip6h;
	const uint8_t *icmp;
	struct frame_info fi;
	struct iovec iov;

	len = echo6_frame(buf, "2001:db8::1", 0x4243, 9, &fi);
	iov = guarded(buf, len);
	CHECK(icmp_tap_handler(&ctx, &iov, &fi, &now) == 1);
	CHECK(ping_sockets("/proc/self/net/icmp6", 0x4243) == 1);
	CHECK(run_events(WAIT_MS) >= 1);

	len = read_frame(out);
	CHECK_MSG(len == ETH_HLEN + sizeof(ip6h) + l4len, "length %zu", len);
	if (len != ETH_HLEN + sizeof(ip6h) + l4len)
		return;
	memcpy(&ip6h, out + ETH_HLEN, sizeof(ip6h));
	icmp = out + ETH_HLEN + sizeof(ip6h);
	CHECK(IN6_ARE_ADDR_EQUAL(&ip6h.ip6_src, &ctx.ip6.guest_gw));
	CHECK(IN6_ARE_ADDR_EQUAL(&ip6h.ip6_dst, &ctx.ip6.addr));
	CHECK(ip6h.ip6_nxt == IPPROTO_ICMPV6);
	CHECK(icmp[0] == ICMP6_ECHO_REPLY && icmp[1] == 0);
	CHECK(icmp[4] == 0x42 && icmp[5] == 0x43);
	CHECK(icmp[6] == 0 && icmp[7] == 9);
	CHECK(!memcmp(icmp + 8, ECHO_PAYLOAD, sizeof(ECHO_PAYLOAD)));
	CHECK(csum(icmp, l4len, csum_pseudo6(l4len, IPPROTO_ICMPV6,
					     &ip6h.ip6_src,
					     &ip6h.ip6_dst)) == 0);
}

static void icmp_flow_reused(void)
{
	static uint8_t buf[FRAME_BUF];
	struct frame_info fi;
	struct iovec iov;
	size_t len;
	int before = ping_sockets("/proc/self/net/icmp", -1);

	drain_frames();
	len = echo4_frame(buf, "192.0.2.1", 0x4242, 8, &fi);
	iov = guarded(buf, len);
	CHECK(icmp_tap_handler(&ctx, &iov, &fi, &now) == 1);
	CHECK(ping_sockets("/proc/self/net/icmp", -1) == before);
	CHECK(run_events(WAIT_MS) >= 1);
	drain_frames();
}

static void icmp_id_in_use_mapped(void)
{
	static uint8_t buf[FRAME_BUF], out[TAP_FRAME_MAX];
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(0x5151) };
	struct frame_info fi;
	struct iovec iov;
	size_t len;
	int s;

	/* Someone on the host holds identifier 0x5151 */
	s = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	CHECK(s >= 0 && !bind(s, (struct sockaddr *)&sa, sizeof(sa)));

	drain_frames();
	len = echo4_frame(buf, "192.0.2.1", 0x5151, 1, &fi);
	iov = guarded(buf, len);
	CHECK(icmp_tap_handler(&ctx, &iov, &fi, &now) == 1);
	CHECK(ping_sockets("/proc/self/net/icmp", 0x5151) == 1);  /* theirs */
	CHECK(run_events(WAIT_MS) >= 1);

	len = read_frame(out);
	CHECK(len > ETH_HLEN + sizeof(struct iphdr) + 8);
	if (len > ETH_HLEN + sizeof(struct iphdr) + 8) {
		const uint8_t *icmp = out + ETH_HLEN + sizeof(struct iphdr);

		CHECK(icmp[0] == ICMP_ECHOREPLY);
		CHECK(icmp[4] == 0x51 && icmp[5] == 0x51);
		len -= ETH_HLEN + sizeof(struct iphdr);
		CHECK(csum(icmp, len, 0) == 0);
	}
	close(s);
}

static void icmp_bad_checksum_dropped(void)
{
	static uint8_t buf[FRAME_BUF];
	struct frame_info fi;
	struct iovec iov;
	size_t len;

	len = echo4_frame(buf, "192.0.2.1", 0x6001, 1, &fi);
	buf[fi.l4_off + 2] ^= 0x10;
	iov = guarded(buf, len);
	CHECK(icmp_tap_handler(&ctx, &iov, &fi, &now) == 1);
	CHECK(ping_sockets("/proc/self/net/icmp", 0x6001) == 0);

	len = echo6_frame(buf, "2001:db8::1", 0x6002, 1, &fi);
	buf[fi.l4_off + 3] ^= 0x01;
	iov = guarded(buf, len);
	CHECK(icmp_tap_handler(&ctx, &iov, &fi, &now) == 1);
	CHECK(ping_sockets("/proc/self/net/icmp6", 0x6002) == 0);
	CHECK(run_events(100) == 0);
}

static void icmp_truncated_dropped(void)
{
	static uint8_t buf[FRAME_BUF];
	struct frame_info fi;
	struct iovec iov;
	size_t len, cut;

	len = echo4_frame(buf, "192.0.2.1", 0x6003, 1, &fi);
	for (cut = 1; cut < 8; cut++) {
		/* Header declared short, frame ends there */
		fi.l4_len = cut;
		iov = guarded(buf, fi.l4_off + cut);
		icmp_tap_handler(&ctx, &iov, &fi, &now);
	}
	/* Declared length past the end of the frame */
	fi.l4_len = len;
	iov = guarded(buf, len);
	CHECK(icmp_tap_handler(&ctx, &iov, &fi, &now) == 0);
	CHECK(ping_sockets("/proc/self/net/icmp", 0x6003) == 0);
}

static void icmp_not_echo_ignored(void)
{
	static uint8_t buf[FRAME_BUF];
	struct frame_info fi;
	struct iovec iov;
	size_t len;
	uint16_t c;

	len = echo4_frame(buf, "192.0.2.1", 0x6004, 1, &fi);
	buf[fi.l4_off] = ICMP_TIMESTAMP;
	buf[fi.l4_off + 2] = buf[fi.l4_off + 3] = 0;
	c = csum(buf + fi.l4_off, fi.l4_len, 0);
	memcpy(buf + fi.l4_off + 2, &c, 2);
	iov = guarded(buf, len);
	CHECK(icmp_tap_handler(&ctx, &iov, &fi, &now) == 0);
	CHECK(ping_sockets("/proc/self/net/icmp", 0x6004) == 0);
}

static void icmp_no_icmp(void)
{
	static uint8_t buf[FRAME_BUF];
	struct frame_info fi;
	struct iovec iov;
	size_t len;

	ctx.no_icmp = true;
	len = echo4_frame(buf, "192.0.2.1", 0x6005, 1, &fi);
	iov = guarded(buf, len);
	CHECK(icmp_tap_handler(&ctx, &iov, &fi, &now) == 1);
	CHECK(ping_sockets("/proc/self/net/icmp", 0x6005) == 0);
	ctx.no_icmp = false;
}

static void icmp_flows_expire(void)
{
	struct timespec later = now;

	later.tv_sec += 59;
	icmp_timer(&ctx, &later);
	CHECK(ping_sockets("/proc/self/net/icmp", 0x4242) == 1);
	CHECK(ping_sockets("/proc/self/net/icmp6", 0x4243) == 1);

	later.tv_sec += 2;
	icmp_timer(&ctx, &later);
	CHECK(ping_sockets("/proc/self/net/icmp", 0x4242) == 0);
	CHECK(ping_sockets("/proc/self/net/icmp6", 0x4243) == 0);
	CHECK(ping_sockets("/proc/self/net/icmp", -1) == 0);
	CHECK(ping_sockets("/proc/self/net/icmp6", -1) == 0);
}

static void icmp_fuzz(void)
{
	static uint8_t good4[FRAME_BUF], good6[FRAME_BUF], buf[FRAME_BUF];
	struct frame_info fi;
	size_t len4, len6;
	uint32_t state = 1;
	int i;

	len4 = echo4_frame(good4, "192.0.2.1", 0x7000, 1, &fi);
	len6 = echo6_frame(good6, "2001:db8::1", 0x7001, 1, &fi);

	for (i = 0; i < FUZZ_ROUNDS; i++) {
		bool v6 = i & 1;
		size_t len = mutate(buf, v6 ? good6 : good4, v6 ? len6 : len4,
				    ETH_HLEN, &state);
		struct iovec iov = guarded(buf, len);

		if (tap_parse(&ctx, &iov, &fi) < 0)
			continue;
		if (fi.l4proto == IPPROTO_ICMP || fi.l4proto == IPPROTO_ICMPV6)
			icmp_tap_handler(&ctx, &iov, &fi, &now);
	}
	run_events(100);
	drain_frames();
	CHECK(1);	/* no crash, no read past a frame (guard page) */
}

int main(void)
{
	if (enter_ns()) {
		printf("FAIL: icmp_namespace_setup\n");
		return EXIT_FAILURE;
	}
	setup();

	RUN(icmp_echo4_reply);
	RUN(icmp_echo6_reply);
	RUN(icmp_flow_reused);
	RUN(icmp_id_in_use_mapped);
	RUN(icmp_bad_checksum_dropped);
	RUN(icmp_truncated_dropped);
	RUN(icmp_not_echo_ignored);
	RUN(icmp_no_icmp);
	RUN(icmp_fuzz);
	RUN(icmp_flows_expire);
	UNIT_EXIT();
}
