/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Built-in ARP service answering the guest */
#ifndef ARP_H
#define ARP_H

#include <sys/uio.h>

#include "passt.h"
#include "packet.h"

int arp(struct ctx *c, const struct iovec *frame, const struct frame_info *fi);

#endif /* ARP_H */
