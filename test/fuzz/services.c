// SPDX-License-Identifier: GPL-2.0-or-later
/* services - libFuzzer target: the parsers of the built-in services, ARP,
 * DHCP, DHCPv6 and NDP, called directly on one frame each, with a context
 * configured by conf() like a real passt run. The first input byte picks
 * the service, the rest is an Ethernet frame; its IP and UDP lengths and
 * checksums are made consistent first, so that mutations reach the
 * service's own parser rather than stopping at tap_parse().
 */

#include <stdint.h>
#include <string.h>
#include <netinet/udp.h>

#include "fuzz.h"
#include "packet.h"
#include "tap.h"
#include "arp.h"
#include "dhcp.h"
#include "dhcpv6.h"
#include "ndp.h"

static struct ctx_run fuzz_run, fuzz_run_saved;
static struct ctx fuzz_ctx = { .run = &fuzz_run }, fuzz_ctx_saved;
static uint8_t fuzz_frame[TAP_FRAME_MAX];

/**
 * LLVMFuzzerInitialize() - Check the sandbox, configure
 * @argc:	Unused
 * @argv:	Unused
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_sandbox_check();
	fuzz_conf(&fuzz_ctx);
	fuzz_quiet();
	fuzz_ctx_saved = fuzz_ctx;
	fuzz_run_saved = fuzz_run;
	return 0;
}

/**
 * fuzz_fix_len() - Make IP and UDP lengths match the frame's length
 * @f:		Frame
 * @len:	Length of @f
 */
static void fuzz_fix_len(uint8_t *f, size_t len)
{
	uint16_t proto = (uint16_t)(f[12] << 8 | f[13]), v;
	size_t l4 = 0, l4len = 0;

	if (proto == ETH_P_IP && len >= ETH_HLEN + 20) {
		size_t hl = (f[ETH_HLEN] & 0xf) * 4U;

		if (hl < 20 || ETH_HLEN + hl > len || len - ETH_HLEN > 65535)
			return;
		v = htons((uint16_t)(len - ETH_HLEN));
		memcpy(f + ETH_HLEN + 2, &v, 2);
		l4 = ETH_HLEN + hl;
		if (f[ETH_HLEN + 9] != IPPROTO_UDP)
			return;
	} else if (proto == ETH_P_IPV6 && len >= ETH_HLEN + 40) {
		if (len - ETH_HLEN - 40 > 65535)
			return;
		v = htons((uint16_t)(len - ETH_HLEN - 40));
		memcpy(f + ETH_HLEN + 4, &v, 2);
		l4 = ETH_HLEN + 40;
		if (f[ETH_HLEN + 6] != IPPROTO_UDP)
			return;
	} else {
		return;
	}
	l4len = len - l4;
	if (l4len >= sizeof(struct udphdr)) {
		v = htons((uint16_t)l4len);
		memcpy(f + l4 + 4, &v, 2);
	}
}

/**
 * LLVMFuzzerTestOneInput() - Parse one frame with the service picked
 * @data:	Selector byte, then the frame
 * @size:	Length of @data
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx *c = &fuzz_ctx;
	struct dhcpv6_reply r6;
	struct dhcp_reply r4;
	struct ndp_reply rn;
	uint8_t arp_reply[ARP_FRAME_LEN];
	struct frame_info fi;
	struct iovec frame;
	size_t len;

	if (size < 1 + ETH_HLEN || size - 1 > sizeof(fuzz_frame))
		return 0;
	/* forget what tap_parse() learnt */
	*c = fuzz_ctx_saved;
	fuzz_run = fuzz_run_saved;
	len = size - 1;
	memcpy(fuzz_frame, data + 1, len);
	fuzz_fix_len(fuzz_frame, len);
	fuzz_fix_csum(fuzz_frame, len);

	frame.iov_base = fuzz_frame;
	frame.iov_len = len;
	if (tap_parse(c, &frame, &fi) < 0)
		return 0;

	switch (data[0] & 3) {
	case 0:
		arp_reply_build(c, &frame, &fi, arp_reply, &len);
		if (len > sizeof(arp_reply))
			abort();
		break;
	case 1:
		dhcp_process(c, &frame, &fi, &r4);
		if (r4.len > sizeof(r4.msg))
			abort();
		break;
	case 2:
		dhcpv6_process(c, &frame, &fi, &r6);
		if (r6.len > sizeof(r6.msg))
			abort();
		break;
	default:
		ndp_process(c, &frame, &fi, &rn);
		if (rn.len > sizeof(rn.msg))
			abort();
		break;
	}
	return 0;
}
