// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_hostile - Test helper: send malformed and out-of-window TCP frames out
 * of an interface (the guest side of passt or pasta). Every frame has a
 * right IPv4 header checksum, so it reaches the TCP handler, and most have a
 * right TCP checksum too, so each is dropped for the intended reason: data
 * offset below 5 or past the segment, options running past the header, bad
 * TCP checksum, SYN with data, sequence and acknowledgement numbers out of
 * the window, stray RSTs and random flags, aimed at a connection in use and
 * at ports nobody uses.
 *
 * Usage: tcp_hostile IFNAME DST_MAC SRC DST DPORT SPORT COUNT [SEED]
 */

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
#include <netinet/tcp.h>
#include <linux/if_packet.h>
#include <netinet/if_ether.h>

#include "checksum.h"

#define PAYLOAD_MAX	512

static int sock;
static struct sockaddr_ll dst_ll;
static uint8_t src_mac[ETH_ALEN], dst_mac[ETH_ALEN];
static struct in_addr saddr, daddr;

/**
 * send_seg() - Build and send one TCP segment
 * @sport:	Source port
 * @dport:	Destination port
 * @flags:	TCP flags byte
 * @seq:	Sequence number
 * @ack:	Acknowledgement number
 * @doff:	Data offset field (words), whatever the real header length
 * @hlen:	Bytes of TCP header actually present (>= 20)
 * @opt:	Options after the 20-byte header, @hlen - 20 bytes
 * @plen:	Payload bytes (random)
 * @bad_csum:	Corrupt the TCP checksum
 */
static void send_seg(uint16_t sport, uint16_t dport, uint8_t flags,
		     uint32_t seq, uint32_t ack, unsigned doff, size_t hlen,
		     const uint8_t *opt, size_t plen, int bad_csum)
{
	uint8_t f[ETH_HLEN + 20 + 60 + PAYLOAD_MAX] = { 0 };
	struct ethhdr *eh = (struct ethhdr *)f;
	uint8_t *th = f + ETH_HLEN + 20;
	size_t l4len = hlen + plen, i;
	struct iphdr iph = { 0 };
	uint16_t sum;

	memcpy(eh->h_dest, dst_mac, ETH_ALEN);
	memcpy(eh->h_source, src_mac, ETH_ALEN);
	eh->h_proto = htons(ETH_P_IP);

	/* Built aside: at offset 14 it would be misaligned */
	iph.version = 4;
	iph.ihl = 5;
	iph.tot_len = htons(20 + l4len);
	iph.ttl = 64;
	iph.protocol = IPPROTO_TCP;
	iph.saddr = saddr.s_addr;
	iph.daddr = daddr.s_addr;
	iph.check = csum_ip4_header(&iph, 20);
	memcpy(f + ETH_HLEN, &iph, sizeof(iph));

	th[0] = sport >> 8;
	th[1] = sport & 0xff;
	th[2] = dport >> 8;
	th[3] = dport & 0xff;
	seq = htonl(seq);
	ack = htonl(ack);
	memcpy(th + 4, &seq, 4);
	memcpy(th + 8, &ack, 4);
	th[12] = (uint8_t)(doff << 4);
	th[13] = flags;
	th[14] = 0xff;
	th[15] = 0xff;
	if (hlen > 20)
		memcpy(th + 20, opt, hlen - 20);
	for (i = 0; i < plen; i++)
		th[hlen + i] = (uint8_t)rand();

	sum = csum(th, l4len, csum_pseudo4(l4len, IPPROTO_TCP, saddr, daddr));
	if (bad_csum)
		sum ^= 0x5a5a;
	memcpy(th + 16, &sum, 2);

	if (sendto(sock, f, ETH_HLEN + 20 + l4len, 0,
		   (struct sockaddr *)&dst_ll, sizeof(dst_ll)) < 0)
		perror("tcp_hostile: sendto");
}

int main(int argc, char **argv)
{
	static const uint8_t long_opt[4] = { 2, 40, 0x05, 0xb4 };
	static const uint8_t junk_opt[8] = { 3, 0, 1, 1, 8, 200, 0, 0 };
	unsigned long count, n;
	uint16_t dport, sport;
	struct ifreq ifr;

	if (argc < 8 ||
	    sscanf(argv[2], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &dst_mac[0],
		   &dst_mac[1], &dst_mac[2], &dst_mac[3], &dst_mac[4],
		   &dst_mac[5]) != 6 ||
	    inet_pton(AF_INET, argv[3], &saddr) != 1 ||
	    inet_pton(AF_INET, argv[4], &daddr) != 1) {
		fprintf(stderr, "Usage: %s IFNAME DST_MAC SRC DST DPORT SPORT "
				"COUNT [SEED]\n", argv[0]);
		return 2;
	}
	dport = (uint16_t)atoi(argv[5]);
	sport = (uint16_t)atoi(argv[6]);
	count = strtoul(argv[7], NULL, 0);
	srand(argc > 8 ? atoi(argv[8]) : 1);

	sock = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (sock < 0) {
		perror("tcp_hostile: socket");
		return 1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", argv[1]);
	if (ioctl(sock, SIOCGIFHWADDR, &ifr)) {
		perror("tcp_hostile: SIOCGIFHWADDR");
		return 1;
	}
	memcpy(src_mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	dst_ll.sll_family = AF_PACKET;
	dst_ll.sll_ifindex = (int)if_nametoindex(argv[1]);
	dst_ll.sll_halen = ETH_ALEN;
	memcpy(dst_ll.sll_addr, dst_mac, ETH_ALEN);

	for (n = 0; n < count; n++) {
		/* Half aimed at the live connection, half at random ports */
		uint16_t sp = (rand() & 1) ? sport : (uint16_t)(rand() | 1);
		uint32_t seq = (uint32_t)rand() << 1, ack = (uint32_t)rand();

		switch (n % 9) {
		case 0:		/* data offset below the header */
			send_seg(sp, dport, TH_ACK, seq, ack, 2, 20, NULL,
				 64, 0);
			break;
		case 1:		/* data offset past the segment */
			send_seg(sp, dport, TH_ACK, seq, ack, 15, 20, NULL,
				 8, 0);
			break;
		case 2:		/* option longer than the header */
			send_seg(sp, dport, TH_SYN, seq, 0, 6, 24, long_opt,
				 0, 0);
			break;
		case 3:		/* bad checksum on otherwise fine data */
			send_seg(sp, dport, TH_ACK | TH_PUSH, seq, ack, 5, 20,
				 NULL, 200, 1);
			break;
		case 4:		/* SYN with data and junk options */
			send_seg((uint16_t)(rand() | 1), dport, TH_SYN, seq, 0,
				 7, 28, junk_opt, 100, 0);
			break;
		case 5:		/* data at a random sequence number */
			send_seg(sp, dport, TH_ACK | TH_PUSH, seq, ack, 5, 20,
				 NULL, (size_t)(rand() % PAYLOAD_MAX), 0);
			break;
		case 6:		/* stray RST */
			send_seg(sp, dport, TH_RST, seq, 0, 5, 20, NULL, 0, 0);
			break;
		case 7:		/* random flags */
			send_seg(sp, dport, (uint8_t)rand() & ~TH_SYN, seq,
				 ack, 5, 20, NULL, (size_t)(rand() % 64), 0);
			break;
		case 8:		/* FIN out of window */
			send_seg(sp, dport, TH_FIN | TH_ACK, seq, ack, 5, 20,
				 NULL, 0, 0);
			break;
		}
	}
	return 0;
}
