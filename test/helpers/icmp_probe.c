// SPDX-License-Identifier: GPL-2.0-or-later
/* icmp_probe - Echo test helper for the ICMP integration tests.
 *
 *   icmp_probe echo DST ID
 *	Send one Echo request with identifier ID from a raw socket and wait
 *	up to two seconds for the reply from DST. Succeeds only if the reply
 *	carries ID: raw sockets see replies with any identifier, so this
 *	shows the identifier the guest sent is the one it gets back.
 *   icmp_probe hold ID SECONDS
 *	Bind IPv4 and IPv6 ping sockets with identifier ID, print "held",
 *	sleep: makes pasta's own bind to ID fail.
 *   icmp_probe hostile IFNAME MAC SRC4 DST4 SRC6 DST6 ID
 *	Write frames straight to IFNAME (packet socket) for MAC: Echo
 *	requests with identifier ID and bad checksums, truncated ICMP headers,
 *	IP lengths past the frame, a runt frame; then a well-formed Echo with
 *	identifier ID + 1 per IP version. Succeeds if both well-formed ones
 *	are answered and no reply with ID arrives.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/if_ether.h>
#include <linux/if_packet.h>

#include "checksum.h"

#define PROBE_WAIT_MS		2000
#define PROBE_PAYLOAD		"icmp_probe payload 0123456789"
#define PROBE_FRAME_MAX		256

/**
 * struct probe_seen - Replies observed by the listener
 * @v4_ok:	Reply with the good identifier over IPv4
 * @v6_ok:	Same, IPv6
 * @bad:	Replies with the identifier that must not be answered
 */
struct probe_seen {
	bool v4_ok;
	bool v6_ok;
	int bad;
};

/**
 * echo_build() - Build an Echo request, checksum left for the caller
 * @buf:	Output, at least 8 + sizeof(PROBE_PAYLOAD) bytes
 * @v6:		ICMPv6
 * @id:		Identifier, host order
 * @seq:	Sequence number, host order
 *
 * Return: message length
 */
static size_t echo_build(uint8_t *buf, bool v6, uint16_t id, uint16_t seq)
{
	buf[0] = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	buf[1] = 0;
	buf[2] = buf[3] = 0;
	buf[4] = id >> 8;
	buf[5] = id & 0xff;
	buf[6] = seq >> 8;
	buf[7] = seq & 0xff;
	memcpy(buf + 8, PROBE_PAYLOAD, sizeof(PROBE_PAYLOAD));
	return 8 + sizeof(PROBE_PAYLOAD);
}

/**
 * reply_id() - Identifier of an Echo reply read from a raw socket
 * @buf:	Data read
 * @len:	Length
 * @v6:		ICMPv6 socket (no IP header in what we read)
 *
 * Return: identifier, host order, or -1 if not an Echo reply
 */
static int reply_id(const uint8_t *buf, ssize_t len, bool v6)
{
	size_t off = 0;

	if (!v6) {
		if (len < 20)
			return -1;
		off = (buf[0] & 0xf) * 4;
	}
	if (len < (ssize_t)off + 8)
		return -1;
	if (buf[off] != (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY))
		return -1;
	return buf[off + 4] << 8 | buf[off + 5];
}

/**
 * cmd_echo() - Echo request from a raw socket, check the reply identifier
 * @dst:	Destination address
 * @id:		Identifier
 *
 * Return: exit status
 */
static int cmd_echo(const char *dst, uint16_t id)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sa4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sa6 = (struct sockaddr_in6 *)&ss;
	uint8_t buf[PROBE_FRAME_MAX], in[65536];
	struct timespec start, now;
	bool v6 = strchr(dst, ':');
	socklen_t sl;
	size_t len;
	int s;

	if (v6) {
		sa6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, dst, &sa6->sin6_addr) != 1)
			return 2;
		sl = sizeof(*sa6);
		s = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	} else {
		sa4->sin_family = AF_INET;
		if (inet_pton(AF_INET, dst, &sa4->sin_addr) != 1)
			return 2;
		sl = sizeof(*sa4);
		s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	}
	if (s < 0) {
		perror("socket");
		return 2;
	}

	/* The kernel computes ICMPv6 checksums on raw sockets by itself */
	len = echo_build(buf, v6, id, 1);
	if (!v6) {
		uint16_t c = csum(buf, len, 0);

		memcpy(buf + 2, &c, 2);
	}
	if (sendto(s, buf, len, 0, (struct sockaddr *)&ss, sl) < 0) {
		perror("sendto");
		return 2;
	}

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd pfd = { .fd = s, .events = POLLIN };
		long ms;
		ssize_t n;
		int rid;

		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (now.tv_sec - start.tv_sec) * 1000 +
		     (now.tv_nsec - start.tv_nsec) / 1000000;
		if (ms >= PROBE_WAIT_MS ||
		    poll(&pfd, 1, PROBE_WAIT_MS - ms) <= 0)
			break;
		n = recv(s, in, sizeof(in), 0);
		rid = reply_id(in, n, v6);
		if (rid < 0)
			continue;
		if (rid == id) {
			printf("reply from %s id %u\n", dst, rid);
			return 0;
		}
		printf("reply from %s with other id %u\n", dst, rid);
	}

	fprintf(stderr, "no reply with id %u from %s\n", id, dst);
	return 1;
}

/**
 * cmd_hold() - Keep ping sockets bound to an identifier
 * @id:		Identifier
 * @secs:	How long
 *
 * Return: exit status
 */
static int cmd_hold(uint16_t id, unsigned int secs)
{
	struct sockaddr_in sa4 = { .sin_family = AF_INET,
				   .sin_port = htons(id) };
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6,
				    .sin6_port = htons(id) };
	int s4 = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	int s6 = socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6);

	if (s4 < 0 || s6 < 0 ||
	    bind(s4, (struct sockaddr *)&sa4, sizeof(sa4)) ||
	    bind(s6, (struct sockaddr *)&sa6, sizeof(sa6))) {
		perror("ping socket");
		return 1;
	}
	printf("held\n");
	fflush(stdout);
	sleep(secs);
	return 0;
}

/**
 * frame_send() - Write one frame on a packet socket
 * @s:		Packet socket, bound to the interface
 * @f:		Frame
 * @len:	Length
 */
static void frame_send(int s, const uint8_t *f, size_t len)
{
	if (send(s, f, len, 0) < 0)
		perror("send frame");
}

/**
 * ip4_frame() - Ethernet + IPv4 header + ICMP message
 * @f:		Frame buffer, Ethernet header already set
 * @src:	Source address
 * @dst:	Destination address
 * @msg:	ICMP message
 * @len:	Length of @msg copied
 * @tot_len:	Value of the IPv4 total length field
 *
 * Return: frame length
 */
static size_t ip4_frame(uint8_t *f, struct in_addr src, struct in_addr dst,
			const uint8_t *msg, size_t len, uint16_t tot_len)
{
	struct iphdr ip;

	/* Built aside: at offset 14 it would be misaligned */
	memset(&ip, 0, sizeof(ip));
	f[12] = ETH_P_IP >> 8;
	f[13] = ETH_P_IP & 0xff;
	ip.version = 4;
	ip.ihl = 5;
	ip.tot_len = htons(tot_len);
	ip.ttl = 64;
	ip.protocol = IPPROTO_ICMP;
	ip.saddr = src.s_addr;
	ip.daddr = dst.s_addr;
	ip.check = csum(&ip, sizeof(ip), 0);
	memcpy(f + ETH_HLEN, &ip, sizeof(ip));
	memcpy(f + ETH_HLEN + sizeof(ip), msg, len);
	return ETH_HLEN + sizeof(ip) + len;
}

/**
 * ip6_frame() - Ethernet + IPv6 header + ICMPv6 message
 * @f:		Frame buffer, Ethernet header already set
 * @src:	Source address
 * @dst:	Destination address
 * @msg:	ICMPv6 message
 * @len:	Length of @msg copied
 * @plen:	Value of the payload length field
 *
 * Return: frame length
 */
static size_t ip6_frame(uint8_t *f, const struct in6_addr *src,
			const struct in6_addr *dst, const uint8_t *msg,
			size_t len, uint16_t plen)
{
	struct ip6_hdr ip6;

	/* Built aside: at offset 14 it would be misaligned */
	memset(&ip6, 0, sizeof(ip6));
	f[12] = ETH_P_IPV6 >> 8;
	f[13] = ETH_P_IPV6 & 0xff;
	ip6.ip6_flow = htonl(6U << 28);
	ip6.ip6_plen = htons(plen);
	ip6.ip6_nxt = IPPROTO_ICMPV6;
	ip6.ip6_hlim = 64;
	ip6.ip6_src = *src;
	ip6.ip6_dst = *dst;
	memcpy(f + ETH_HLEN, &ip6, sizeof(ip6));
	memcpy(f + ETH_HLEN + sizeof(ip6), msg, len);
	return ETH_HLEN + sizeof(ip6) + len;
}

/**
 * listen_replies() - Collect Echo replies on raw sockets for a while
 * @s4:		Raw ICMP socket
 * @s6:		Raw ICMPv6 socket
 * @good:	Identifier that should be answered
 * @bad:	Identifier that must not be
 * @seen:	Updated with what arrived
 */
static void listen_replies(int s4, int s6, uint16_t good, uint16_t bad,
			   struct probe_seen *seen)
{
	struct pollfd pfd[2] = { { .fd = s4, .events = POLLIN },
				 { .fd = s6, .events = POLLIN } };
	struct timespec start, now;
	uint8_t in[65536];
	long ms = 0;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (ms < PROBE_WAIT_MS && poll(pfd, 2, PROBE_WAIT_MS - ms) > 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (now.tv_sec - start.tv_sec) * 1000 +
		     (now.tv_nsec - start.tv_nsec) / 1000000;

		for (i = 0; i < 2; i++) {
			ssize_t n;
			int rid;

			if (!(pfd[i].revents & POLLIN))
				continue;
			n = recv(pfd[i].fd, in, sizeof(in), MSG_DONTWAIT);
			rid = reply_id(in, n, i == 1);
			if (rid == bad) {
				printf("reply to malformed request (IPv%c)\n",
				       i ? '6' : '4');
				seen->bad++;
			} else if (rid == good) {
				if (i)
					seen->v6_ok = true;
				else
					seen->v4_ok = true;
			}
		}
	}
}

/**
 * cmd_hostile() - Malformed Echo frames, then good ones as a control
 * @argv:	IFNAME MAC SRC4 DST4 SRC6 DST6 ID
 *
 * Return: exit status
 */
static int cmd_hostile(char **argv)
{
	uint8_t f[PROBE_FRAME_MAX], msg[PROBE_FRAME_MAX];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct in6_addr src6, dst6;
	struct in_addr src4, dst4;
	struct probe_seen seen = { 0 };
	uint16_t id = atoi(argv[6]), c;
	unsigned int mac[6];
	struct ifreq ifr;
	int s, s4, s6, i;
	size_t len, flen;

	if (sscanf(argv[1], "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1], &mac[2],
		   &mac[3], &mac[4], &mac[5]) != 6 ||
	    inet_pton(AF_INET, argv[2], &src4) != 1 ||
	    inet_pton(AF_INET, argv[3], &dst4) != 1 ||
	    inet_pton(AF_INET6, argv[4], &src6) != 1 ||
	    inet_pton(AF_INET6, argv[5], &dst6) != 1)
		return 2;

	s = socket(AF_PACKET, SOCK_RAW, 0);
	s4 = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	s6 = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	if (s < 0 || s4 < 0 || s6 < 0) {
		perror("socket");
		return 2;
	}

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", argv[0]);
	if (ioctl(s, SIOCGIFHWADDR, &ifr)) {
		perror("SIOCGIFHWADDR");
		return 2;
	}
	sll.sll_ifindex = if_nametoindex(argv[0]);
	if (bind(s, (struct sockaddr *)&sll, sizeof(sll))) {
		perror("bind packet socket");
		return 2;
	}

	for (i = 0; i < 6; i++)
		f[i] = mac[i];
	memcpy(f + 6, ifr.ifr_hwaddr.sa_data, 6);

	/* IPv4 Echo with a wrong checksum */
	len = echo_build(msg, false, id, 1);
	c = csum(msg, len, 0) ^ 0x0101;
	memcpy(msg + 2, &c, 2);
	frame_send(s, f, ip4_frame(f, src4, dst4, msg, len, 20 + len));

	/* IPv4: ICMP header cut after 4 bytes, IP length says so */
	frame_send(s, f, ip4_frame(f, src4, dst4, msg, 4, 20 + 4));

	/* IPv4 length beyond the end of the frame */
	frame_send(s, f, ip4_frame(f, src4, dst4, msg, len, 1400));

	/* IPv6 Echo with a wrong checksum */
	len = echo_build(msg, true, id, 1);
	c = csum(msg, len, csum_pseudo6(len, IPPROTO_ICMPV6, &src6, &dst6));
	c ^= 0x0101;
	memcpy(msg + 2, &c, 2);
	frame_send(s, f, ip6_frame(f, &src6, &dst6, msg, len, len));

	/* IPv6: ICMPv6 header cut after 4 bytes */
	frame_send(s, f, ip6_frame(f, &src6, &dst6, msg, 4, 4));

	/* IPv6 payload length beyond the end of the frame */
	frame_send(s, f, ip6_frame(f, &src6, &dst6, msg, len, 1400));

	/* Runt: Ethernet header and two bytes */
	frame_send(s, f, ETH_HLEN + 2);

	/* Controls: the same, well-formed, with another identifier */
	len = echo_build(msg, false, id + 1, 1);
	c = csum(msg, len, 0);
	memcpy(msg + 2, &c, 2);
	flen = ip4_frame(f, src4, dst4, msg, len, 20 + len);
	frame_send(s, f, flen);

	len = echo_build(msg, true, id + 1, 1);
	c = csum(msg, len, csum_pseudo6(len, IPPROTO_ICMPV6, &src6, &dst6));
	memcpy(msg + 2, &c, 2);
	frame_send(s, f, ip6_frame(f, &src6, &dst6, msg, len, len));

	listen_replies(s4, s6, id + 1, id, &seen);

	printf("control replies: IPv4 %s, IPv6 %s; replies to malformed: %i\n",
	       seen.v4_ok ? "yes" : "no", seen.v6_ok ? "yes" : "no",
	       seen.bad);
	return seen.v4_ok && seen.v6_ok && !seen.bad ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "echo"))
		return cmd_echo(argv[2], atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "hold"))
		return cmd_hold(atoi(argv[2]), atoi(argv[3]));
	if (argc == 9 && !strcmp(argv[1], "hostile"))
		return cmd_hostile(argv + 2);

	fprintf(stderr, "Usage: %s echo DST ID | hold ID SECONDS | "
		"hostile IFNAME MAC SRC4 DST4 SRC6 DST6 ID\n", argv[0]);
	return 2;
}
