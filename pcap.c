// SPDX-License-Identifier: GPL-2.0-or-later
/* pcap.c - placeholder until implemented: replaced by the real module */

#include "pcap.h"

void pcap_init(const char *path)
{
	(void)path;
}

void pcap_frame(const void *frame, size_t len)
{
	(void)frame; (void)len;
}

void pcap_iov(const struct iovec *iov, size_t n)
{
	(void)iov; (void)n;
}
