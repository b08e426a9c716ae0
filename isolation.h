/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Process set-up: --runas, dropping to an unprivileged user, daemonising */
#ifndef ISOLATION_H
#define ISOLATION_H

#include "passt.h"

int isolation_runas_parse(const char *spec, uid_t *uid, gid_t *gid);
void isolation_default_user(struct ctx *c);
void isolation_drop_user(const struct ctx *c);
void isolation_daemonise(const struct ctx *c);

/* For tests: read users and groups from other files than /etc/{passwd,group} */
void isolation_set_db(const char *passwd, const char *group);

#endif /* ISOLATION_H */
