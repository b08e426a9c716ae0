// SPDX-License-Identifier: GPL-2.0-or-later
/* isolation.c - placeholder until implemented: replaced by the real module */

#include "isolation.h"

void isolation_drop_user(const struct ctx *c)
{
	(void)c;
}

void isolation_daemonise(const struct ctx *c)
{
	(void)c;
}

int isolation_runas_parse(const char *spec, uid_t *uid, gid_t *gid)
{
	(void)spec; (void)uid; (void)gid;
	return -1;
}

void isolation_default_user(struct ctx *c)
{
	(void)c;
}
