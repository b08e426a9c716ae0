/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost-user back end (passt --vhost-user): the control protocol spoken by
 * a front end (qemu) on the UNIX socket, which shares guest memory and the
 * two virtqueues of a virtio-net device, and the data path over those
 * queues: frames from the guest (transmit queue) into a pool for passt.c to
 * dispatch, frames to the guest copied into receive buffers. Below tap.c,
 * which calls it for the vhost-user case of its back-end functions.
 */
#ifndef VHOST_USER_H
#define VHOST_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "epoll_ctl.h"
#include "util.h"
#include "ctx.h"
#include "packet.h"

bool vu_connected(void);
int vu_init(void);
int vu_attach(const struct ctx *c, int fd);
void vu_cmd_handler(const struct ctx *c, union epoll_ref ref, uint32_t events);
const struct pool *vu_kick_handler(const struct ctx *c, union epoll_ref ref,
				   uint32_t events);
size_t vu_send_frames(const struct ctx *c, const struct iovec *iov,
		      size_t bufs_per_frame, size_t nframes);

#endif /* VHOST_USER_H */
