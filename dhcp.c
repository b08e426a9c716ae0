// SPDX-License-Identifier: GPL-2.0-or-later
/* dhcp.c - placeholder until implemented: replaced by the real module */

#include "dhcp.h"

int dhcp(struct ctx *c, const struct iovec *frame, const struct frame_info *fi)
{
	(void)c; (void)frame; (void)fi;
	return 0;
}
