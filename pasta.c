// SPDX-License-Identifier: GPL-2.0-or-later
/* pasta.c - placeholder until implemented: replaced by the real module */

#include "pasta.h"

void pasta_netns_quit_handler(struct ctx *c, union epoll_ref ref)
{
	(void)c; (void)ref;
}

void pasta_setup(struct ctx *c)
{
	(void)c;
}

void pasta_start_child(struct ctx *c)
{
	(void)c;
}

int pasta_ns_enter(const struct ctx *c)
{
	(void)c;
	return -1;
}
