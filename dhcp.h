/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Built-in DHCP service answering the guest */
#ifndef DHCP_H
#define DHCP_H

#include <sys/uio.h>

#include "passt.h"
#include "packet.h"

int dhcp(struct ctx *c, const struct iovec *frame, const struct frame_info *fi);

#endif /* DHCP_H */
