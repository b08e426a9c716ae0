/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Built-in NDP: Neighbour Advertisements and Router Advertisements */
#ifndef NDP_H
#define NDP_H

#include <time.h>
#include <sys/uio.h>

#include "passt.h"
#include "packet.h"

int ndp(struct ctx *c, const struct iovec *frame, const struct frame_info *fi);
void ndp_timer(struct ctx *c, const struct timespec *now);

#endif /* NDP_H */
