/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The UNIX socket file the hypervisor connects to (passt mode, stream or
 * vhost-user): choosing its path, finding out whether another process
 * serves it already, binding and listening, and removing it at exit.
 */
#ifndef SOCK_UNIX_H
#define SOCK_UNIX_H

#include <stddef.h>

/* Default socket paths probed in passt mode, first free one wins */
#define SOCK_UNIX_PROBE_FMT	"/tmp/passt_%i.socket"
#define SOCK_UNIX_PROBE_MAX	64

int sock_unix_open(char *path, size_t size);
int sock_unix_open_private(const char *path);

#endif /* SOCK_UNIX_H */
