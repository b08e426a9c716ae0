/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Built-in DHCPV6 service answering the guest */
#ifndef DHCPV6_H
#define DHCPV6_H

#include <sys/uio.h>

#include "passt.h"
#include "packet.h"

int dhcpv6(struct ctx *c, const struct iovec *frame, const struct frame_info *fi);

#endif /* DHCPV6_H */
