/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pasta's automatic port forwarding (-t/-u/-T/-U auto): ports bound on one
 * side, as sock_diag (or /proc/net) reports them, get listeners on the
 * other side.
 */
#ifndef FWD_AUTO_H
#define FWD_AUTO_H

#include <stdbool.h>
#include <time.h>

#include "ctx.h"
#include "json.h"

/* Longest time between two scans of the bound ports, while none change */
#define FWD_AUTO_INTERVAL_MS	1000

int fwd_auto_init(const struct ctx *c);
long fwd_auto_timeout_ms(const struct timespec *now);
void fwd_auto_timer(const struct ctx *c, const struct timespec *now);
unsigned long fwd_auto_scans(void);
void fwd_auto_stats(void);
void fwd_auto_stats_json(struct json *j);
void fwd_auto_udp_recheck(void);
int fwd_auto_scan(int fd, bool tcp, unsigned long *map);
long fwd_auto_sockstat_count(const char *buf, size_t len, const char *key);

#endif /* FWD_AUTO_H */
