/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The guest's TCP connections in a live migration: the functions that
 * migrate.c calls to save, settle and load the MIGRATE_SEC_TCP section.
 */
#ifndef TCP_MIGRATE_H
#define TCP_MIGRATE_H

#include "migrate.h"

extern const struct migrate_conn_ops tcp_migrate_ops;

#endif /* TCP_MIGRATE_H */
