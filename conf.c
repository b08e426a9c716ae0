// SPDX-License-Identifier: GPL-2.0-or-later
/* conf.c - placeholder until implemented: replaced by the real module */

#include "util.h"
#include "log.h"
#include "conf.h"

void conf(struct ctx *c, int argc, char **argv)
{
	(void)argc; (void)argv;
	c->fd_tap = c->fd_tap_listen = c->fd_from_parent = -1;
	c->pidfile_fd = -1;
	c->foreground = true;
}

void conf_print(const struct ctx *c)
{
	(void)c;
}
