/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The event loop's own entry points, for passt.c alone: handing a batch of
 * guest frames to the protocol handlers, and closing the guest's flows when
 * it goes away.
 */
#ifndef PASST_H
#define PASST_H

#include <time.h>

#include "ctx.h"

struct pool;
void guest_frames(const struct ctx *c, const struct pool *p,
		  const struct timespec *now);
void guest_gone(const struct ctx *c);

#endif /* PASST_H */
