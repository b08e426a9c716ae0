/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Command line parsing and host-derived defaults */
#ifndef CONF_H
#define CONF_H

#include "ctx.h"

void conf_nofile_raise(void);
void conf(struct ctx *c, int argc, char **argv);

#endif /* CONF_H */
