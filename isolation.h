/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The sandbox, in the steps main() takes (see isolation.c); --runas */
#ifndef ISOLATION_H
#define ISOLATION_H

#include "ctx.h"

int isolation_runas_parse(const char *spec, uid_t *uid, gid_t *gid);
void isolation_default_user(struct ctx *c);
void isolation_initial(const struct ctx *c, int argc, char **argv);
void isolation_drop_user(const struct ctx *c);
void isolation_prefork(const struct ctx *c);
void isolation_daemonise(const struct ctx *c);
void isolation_postfork(const struct ctx *c);
void isolation_seccomp(const struct ctx *c);
void isolation_ns_helper(const struct ctx *c);

/* For tests: read users and groups from other files than /etc/{passwd,group} */
void isolation_set_db(const char *passwd, const char *group);

#endif /* ISOLATION_H */
