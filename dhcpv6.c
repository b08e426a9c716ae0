// SPDX-License-Identifier: GPL-2.0-or-later
/* dhcpv6.c - placeholder until implemented: replaced by the real module */

#include "dhcpv6.h"

int dhcpv6(struct ctx *c, const struct iovec *frame, const struct frame_info *fi)
{
	(void)c; (void)frame; (void)fi;
	return 0;
}
