// SPDX-License-Identifier: GPL-2.0-or-later
/* tap.c - placeholder until implemented: replaced by the real module */

#include "tap.h"
#include "log.h"

int tap_backend_init(struct ctx *c)
{
	(void)c;
	die("Data path not implemented yet");
}

void tap_listen_handler(struct ctx *c, uint32_t events)
{
	(void)c; (void)events;
}

const struct pool *tap_handler_passt(struct ctx *c, uint32_t events)
{
	(void)c; (void)events;
	return NULL;
}

const struct pool *tap_handler_pasta(struct ctx *c, uint32_t events)
{
	(void)c; (void)events;
	return NULL;
}

int tap_parse(const struct ctx *c, struct iovec *frame, struct frame_info *fi)
{
	(void)c; (void)frame; (void)fi;
	return -1;
}
