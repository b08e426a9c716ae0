/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The small protocol between passt and passt-repair on the repair socket:
 * passt sends one command byte with up to REPAIR_FDS_MAX TCP sockets
 * attached (SCM_RIGHTS); the helper sets TCP_REPAIR on each as the byte
 * says and answers with one byte, the command itself if every socket took
 * it, else REPAIR_REPLY_ERR with the errno of the first failure.
 */
#ifndef REPAIR_PROTO_H
#define REPAIR_PROTO_H

/* Commands: the value given to setsockopt(TCP_REPAIR) */
#define REPAIR_CMD_OFF		0
#define REPAIR_CMD_ON		1

/* Reply flag: the command failed, low bits carry errno (capped) */
#define REPAIR_REPLY_ERR	0x80

/* Sockets per message: the kernel's limit for SCM_RIGHTS (SCM_MAX_FD) */
#define REPAIR_FDS_MAX		253

#endif /* REPAIR_PROTO_H */
