// SPDX-License-Identifier: GPL-2.0-or-later
/* hostile_frames - Test helper: send malformed ARP, DHCP, DHCPv6 and NDP
 * frames out of an interface (the guest side of passt or pasta), then
 * COUNT randomly corrupted copies of valid requests, so that a test can
 * check the built-in services still answer afterwards. IP, UDP and ICMPv6
 * checksums are right, so frames reach the services and aren't dropped
 * on the way for a trivial reason.
 *
 * Usage: hostile_frames IFNAME [COUNT [SEED]]
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <netinet/icmp6.h>
#include <linux/if_packet.h>
#include <netinet/if_ether.h>

#include "checksum.h"

#define FRAME_MAX	1514

static int sock;
static struct sockaddr_ll dst;
static uint8_t src_mac[ETH_ALEN];
static unsigned sent;

/**
 * send_frame() - Send one frame, counting it
 * @f:		Frame
 * @len:	Length
 */
static void send_frame(const uint8_t *f, size_t len)
{
	if (sendto(sock, f, len, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		perror("sendto");
	else
		sent++;
	usleep(200);	/* don't overflow the tap queue */
}

/**
 * eth() - Ethernet header from us to broadcast or multicast
 * @f:		Frame
 * @proto:	EtherType
 * @v6mcast:	IPv6 multicast destination 33:33:00:00:00:01
 *
 * Return: header length
 */
static size_t eth(uint8_t *f, uint16_t proto, int v6mcast)
{
	static const uint8_t mc[] = { 0x33, 0x33, 0, 0, 0, 1 };
	struct ethhdr eh;

	if (v6mcast)
		memcpy(eh.h_dest, mc, ETH_ALEN);
	else
		memset(eh.h_dest, 0xff, ETH_ALEN);
	memcpy(eh.h_source, src_mac, ETH_ALEN);
	eh.h_proto = htons(proto);
	memcpy(f, &eh, sizeof(eh));
	return sizeof(eh);
}

/**
 * udp4() - UDP over IPv4 from 0.0.0.0:68 to 255.255.255.255:67
 * @f:		Frame buffer
 * @data:	Payload
 * @len:	Payload length
 * @ulen_delta:	Added to the UDP length field (lie about it)
 *
 * Return: frame length
 */
static size_t udp4(uint8_t *f, const void *data, size_t len, int ulen_delta)
{
	size_t off = eth(f, ETH_P_IP, 0);
	struct iphdr iph = { 0 };
	struct udphdr uh;

	iph.version = 4;
	iph.ihl = 5;
	iph.ttl = 64;
	iph.protocol = IPPROTO_UDP;
	iph.tot_len = htons(sizeof(iph) + sizeof(uh) + len);
	iph.daddr = htonl(INADDR_BROADCAST);
	iph.check = csum_ip4_header(&iph, sizeof(iph));
	uh.source = htons(68);
	uh.dest = htons(67);
	uh.len = htons(sizeof(uh) + len + ulen_delta);
	uh.check = 0;
	memcpy(f + off, &iph, sizeof(iph));
	memcpy(f + off + sizeof(iph), &uh, sizeof(uh));
	memcpy(f + off + sizeof(iph) + sizeof(uh), data, len);
	return off + sizeof(iph) + sizeof(uh) + len;
}

/**
 * ip6() - IPv6 packet from fe80::2 to a multicast group
 * @f:		Frame buffer
 * @proto:	Next header: IPPROTO_UDP (to port 547) or IPPROTO_ICMPV6
 * @hlim:	Hop limit
 * @dst6:	Destination address
 * @l4:		Upper-layer packet, checksum computed here
 * @len:	Its length
 *
 * Return: frame length
 */
static size_t ip6(uint8_t *f, uint8_t proto, uint8_t hlim, const char *dst6,
		  const void *l4, size_t len)
{
	size_t off = eth(f, ETH_P_IPV6, 1);
	struct ip6_hdr h = { 0 };
	uint8_t *p = f + off + sizeof(h);
	uint16_t sum;
	size_t csum_off;

	h.ip6_vfc = 0x60;
	h.ip6_plen = htons(len);
	h.ip6_nxt = proto;
	h.ip6_hlim = hlim;
	inet_pton(AF_INET6, "fe80::2", &h.ip6_src);
	inet_pton(AF_INET6, dst6, &h.ip6_dst);
	memcpy(f + off, &h, sizeof(h));
	memcpy(p, l4, len);

	csum_off = proto == IPPROTO_UDP ? 6 : 2;
	if (len >= csum_off + 2) {
		memset(p + csum_off, 0, 2);
		sum = csum(p, len, csum_pseudo6(len, proto, &h.ip6_src,
						&h.ip6_dst));
		memcpy(p + csum_off, &sum, 2);
	}
	return off + sizeof(h) + len;
}

/**
 * udp6() - DHCPv6 message from fe80::2:546 to ff02::1:2:547
 * @f:		Frame buffer
 * @data:	DHCPv6 message
 * @len:	Its length
 *
 * Return: frame length
 */
static size_t udp6(uint8_t *f, const void *data, size_t len)
{
	uint8_t l4[FRAME_MAX];
	struct udphdr uh;

	uh.source = htons(546);
	uh.dest = htons(547);
	uh.len = htons(sizeof(uh) + len);
	uh.check = 0;
	memcpy(l4, &uh, sizeof(uh));
	memcpy(l4 + sizeof(uh), data, len);
	return ip6(f, IPPROTO_UDP, 1, "ff02::1:2", l4, sizeof(uh) + len);
}

/**
 * dhcp_discover() - A valid DHCPDISCOVER
 * @b:		Buffer
 *
 * Return: length
 */
static size_t dhcp_discover(uint8_t *b)
{
	memset(b, 0, 300);
	b[0] = 1;
	b[1] = 1;
	b[2] = 6;
	b[4] = 0x11;
	memcpy(b + 28, src_mac, ETH_ALEN);
	b[236] = 99; b[237] = 130; b[238] = 83; b[239] = 99;
	b[240] = 53; b[241] = 1; b[242] = 1;
	b[243] = 55; b[244] = 4; b[245] = 1; b[246] = 3; b[247] = 6;
	b[248] = 119;
	b[249] = 255;
	return 250;
}

/**
 * dhcpv6_solicit() - A valid SOLICIT with client ID and IA_NA
 * @b:		Buffer
 *
 * Return: length
 */
static size_t dhcpv6_solicit(uint8_t *b)
{
	static const uint8_t m[] = {
		1, 0xaa, 0xbb, 0xcc,
		0, 1, 0, 10, 0, 3, 0, 1, 0x52, 0x54, 0, 1, 2, 3,
		0, 3, 0, 12, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 8, 0, 2, 0, 0,
	};

	memcpy(b, m, sizeof(m));
	return sizeof(m);
}

/**
 * table() - Send the malformed frames
 */
static void table(void)
{
	uint8_t f[FRAME_MAX], b[FRAME_MAX];
	size_t n, off;

	/* ARP: truncated, bogus lengths, probe */
	off = eth(f, ETH_P_ARP, 0);
	memcpy(f + off, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	memcpy(f + off + 8, src_mac, ETH_ALEN);
	memset(f + off + 14, 0, 14);
	f[off + 24] = 192; f[off + 25] = 0; f[off + 26] = 2; f[off + 27] = 1;
	send_frame(f, off + 10);
	f[off + 4] = 255;
	send_frame(f, off + 28);
	f[off + 4] = 6;
	send_frame(f, off + 28);		/* probe from 0.0.0.0 */

	/* DHCP */
	n = dhcp_discover(b);
	send_frame(f, udp4(f, b, 10, 0));			/* truncated */
	send_frame(f, udp4(f, b, 238, 0));		/* half a cookie */
	b[241] = 200;
	send_frame(f, udp4(f, b, n, 0));		/* option too long */
	b[241] = 0;
	send_frame(f, udp4(f, b, n, 0));		/* zero-length type */
	b[241] = 1;
	b[2] = 16;
	send_frame(f, udp4(f, b, n, 0));		/* hlen */
	b[2] = 6;
	b[236] = 0;
	send_frame(f, udp4(f, b, n, 0));		/* cookie */
	b[236] = 99;
	send_frame(f, udp4(f, b, n, 400));		/* UDP length lies */
	send_frame(f, udp4(f, b, n, -(int)n - 4));	/* below header */
	b[249] = 55;
	send_frame(f, udp4(f, b, n, 0));		/* no length at end */
	b[249] = 255;
	n = udp4(f, b, n, 0);
	f[ETH_HLEN + 2] = 0x0f;				/* IP length lies */
	send_frame(f, n);
	n = udp4(f, b, 250, 0);
	f[ETH_HLEN] = 0x43;				/* IHL 3 */
	send_frame(f, n);

	/* DHCPv6 */
	n = dhcpv6_solicit(b);
	send_frame(f, udp6(f, b, 3));				/* truncated */
	b[21] = 40;
	send_frame(f, udp6(f, b, n));			/* IA_NA too long */
	b[21] = 4;
	send_frame(f, udp6(f, b, n));			/* IA_NA too short */
	b[21] = 12;
	b[7] = 0;
	send_frame(f, udp6(f, b, n));			/* client ID empty */
	send_frame(f, udp6(f, b, n - 1));		/* option cut */

	/* NDP */
	memset(b, 0, 32);
	b[0] = ND_ROUTER_SOLICIT;
	b[8] = ND_OPT_SOURCE_LINKADDR;
	b[9] = 0;					/* length 0 */
	send_frame(f, ip6(f, IPPROTO_ICMPV6, 255, "ff02::2", b, 16));
	b[9] = 3;					/* past the end */
	send_frame(f, ip6(f, IPPROTO_ICMPV6, 255, "ff02::2", b, 16));
	send_frame(f, ip6(f, IPPROTO_ICMPV6, 255, "ff02::2", b, 2));
	b[0] = ND_NEIGHBOR_SOLICIT;
	inet_pton(AF_INET6, "2001:db8::1", b + 8);
	b[24] = ND_OPT_SOURCE_LINKADDR;
	b[25] = 0;
	send_frame(f, ip6(f, IPPROTO_ICMPV6, 255, "ff02::1:ff00:1", b, 32));
	b[25] = 1;
	send_frame(f, ip6(f, IPPROTO_ICMPV6, 64, "ff02::1:ff00:1", b, 32));
	send_frame(f, ip6(f, IPPROTO_ICMPV6, 255, "ff02::1:ff00:1", b, 20));
}

/**
 * fuzz() - Send randomly corrupted valid requests of every service
 * @count:	Number of frames
 * @seed:	Seed for rand()
 */
static void fuzz(unsigned count, unsigned seed)
{
	uint8_t f[FRAME_MAX], b[FRAME_MAX];
	unsigned i;

	srand(seed);
	for (i = 0; i < count; i++) {
		size_t n, j, k;

		switch (i % 4) {
		case 0:
			n = dhcp_discover(b);
			break;
		case 1:
			n = dhcpv6_solicit(b);
			break;
		default:
			memset(b, 0, 32);
			b[0] = i % 4 == 2 ? ND_ROUTER_SOLICIT :
					    ND_NEIGHBOR_SOLICIT;
			inet_pton(AF_INET6, "2001:db8::1", b + 8);
			b[24] = ND_OPT_SOURCE_LINKADDR;
			b[25] = 1;
			memcpy(b + 26, src_mac, ETH_ALEN);
			n = 32;
			break;
		}

		for (j = 0, k = 1 + rand() % 6; j < k; j++)
			b[rand() % n] = (uint8_t)rand();
		if (rand() % 3 == 0)
			n = rand() % (n + 1);

		switch (i % 4) {
		case 0:
			send_frame(f, udp4(f, b, n, 0));
			break;
		case 1:
			send_frame(f, udp6(f, b, n));
			break;
		default:
			send_frame(f, ip6(f, IPPROTO_ICMPV6, 255,
					  i % 4 == 2 ? "ff02::2" :
						       "ff02::1:ff00:1", b, n));
			break;
		}
	}
}

/**
 * main() - Entry point
 * @argc:	Argument count
 * @argv:	IFNAME [COUNT [SEED]]
 *
 * Return: 0 on success, 1 on failure
 */
int main(int argc, char **argv)
{
	struct ifreq ifr = { 0 };

	if (argc < 2) {
		fprintf(stderr, "Usage: %s IFNAME [COUNT [SEED]]\n", argv[0]);
		return 1;
	}

	sock = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (sock < 0) {
		perror("socket");
		return 1;
	}

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	if (ioctl(sock, SIOCGIFHWADDR, &ifr)) {
		perror(argv[1]);
		return 1;
	}
	memcpy(src_mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);

	dst.sll_family = AF_PACKET;
	dst.sll_ifindex = (int)if_nametoindex(argv[1]);
	dst.sll_halen = ETH_ALEN;

	table();
	if (argc > 2)
		fuzz((unsigned)atoi(argv[2]),
		     argc > 3 ? (unsigned)atoi(argv[3]) : 1);

	printf("%u frames sent\n", sent);
	return 0;
}
