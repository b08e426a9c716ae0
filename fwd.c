// SPDX-License-Identifier: GPL-2.0-or-later
/* fwd.c - placeholder until implemented: replaced by the real module */

#include "fwd.h"

int fwd_spec_parse(struct fwd_ports *fwd, const char *spec, bool allow_auto,
		   bool allow_all, const char **why)
{
	(void)fwd; (void)spec; (void)allow_auto; (void)allow_all; (void)why;
	return -1;
}

void fwd_map_build(struct fwd_ports *fwd)
{
	(void)fwd;
}

void fwd_ephemeral_range(uint16_t *first, uint16_t *last)
{
	*first = 32768;
	*last = 60999;
}
