// SPDX-License-Identifier: GPL-2.0-or-later
/* ndp.c - placeholder until implemented: replaced by the real module */

#include "ndp.h"

int ndp(struct ctx *c, const struct iovec *frame, const struct frame_info *fi)
{
	(void)c; (void)frame; (void)fi;
	return 0;
}

void ndp_timer(struct ctx *c, const struct timespec *now)
{
	(void)c; (void)now;
}
