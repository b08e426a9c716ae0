/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Live migration state: the versioned stream a vhost-user front end moves
 * from the source passt to the target (what the guest was seen using, and
 * the connections that can move), and its transfer through the pipe the
 * front end passes with SET_DEVICE_STATE_FD.
 */
#ifndef MIGRATE_H
#define MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctx.h"
#include "epoll_ctl.h"

/* Stream header: magic, version, section bytes, CRC-32 of the sections */
#define MIGRATE_MAGIC		"PASSTMIG"
#define MIGRATE_MAGIC_LEN	8
#define MIGRATE_VERSION		1
#define MIGRATE_HDR_LEN		20

/* Section header: type, flags, payload length */
#define MIGRATE_SEC_HDR_LEN	8
/* Section flag: a target that doesn't know the type must refuse the stream */
#define MIGRATE_SEC_REQUIRED	0x1

/* Section types */
#define MIGRATE_SEC_GUEST	1	/* MAC and addresses seen */
#define MIGRATE_SEC_TCP		2	/* TCP connections (tcp_repair.h) */

/* Largest stream we build or accept */
#define MIGRATE_BUF_MAX		(32 << 20)

/**
 * enum migrate_dir - Direction of a state transfer (vhost-user values)
 * @MIGRATE_SAVE:	From us to the front end (source)
 * @MIGRATE_LOAD:	From the front end to us (target)
 */
enum migrate_dir {
	MIGRATE_SAVE = 0,
	MIGRATE_LOAD = 1,
};

uint32_t migrate_crc32(const uint8_t *buf, size_t len);
size_t migrate_build(const struct ctx *c, uint8_t *buf, size_t size);
int migrate_parse(const struct ctx *c, const uint8_t *buf, size_t len,
		  bool apply);
int migrate_start(const struct ctx *c, enum migrate_dir dir, int fd);
void migrate_handler(const struct ctx *c, union epoll_ref ref,
		     uint32_t events);
int migrate_check(const struct ctx *c);
void migrate_abort(const struct ctx *c);
void migrate_checked(const struct ctx *c);
bool migrate_lingering(const struct ctx *c);

/**
 * struct migrate_conn_ops - A protocol's connections in the stream
 * @save:	Source, guest stopped: write the section's payload to @buf
 *		(at most @size bytes), return its length or -1 if it doesn't
 *		fit
 * @done:	Source: the front end checked the saved state (@ok: migration
 *		completed), or the save failed or was dropped
 * @load:	Target: check the payload, or (@apply) recreate the
 *		connections; NULL if valid, else what is wrong
 * @ready:	Target: frames reach the guest again (its queues run), or
 *		a timer tick
 */
struct migrate_conn_ops {
	ssize_t (*save)(const struct ctx *c, uint8_t *buf, size_t size);
	void (*done)(const struct ctx *c, bool ok);
	const char *(*load)(const struct ctx *c, const uint8_t *p, size_t len,
			    bool apply);
	void (*ready)(const struct ctx *c);
};

void migrate_set_tcp(const struct migrate_conn_ops *ops);
void migrate_device_ready(const struct ctx *c);
void migrate_timer(const struct ctx *c);

#endif /* MIGRATE_H */
