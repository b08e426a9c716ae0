// SPDX-License-Identifier: GPL-2.0-or-later
/* pcap.c - placeholder until implemented: replaced by the real module */

#include "pcap.h"

void pcap_init(const char *path)
{
	(void)path;
}
