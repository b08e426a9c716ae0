// SPDX-License-Identifier: GPL-2.0-or-later
/* arp.c - placeholder until implemented: replaced by the real module */

#include "arp.h"

int arp(struct ctx *c, const struct iovec *frame, const struct frame_info *fi)
{
	(void)c; (void)frame; (void)fi;
	return 0;
}
