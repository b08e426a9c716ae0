/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capture of guest-side frames to a pcap file (-p) */
#ifndef PCAP_H
#define PCAP_H

#include <stddef.h>
#include <sys/uio.h>

void pcap_init(const char *path);
void pcap_frame(const void *frame, size_t len);
void pcap_iov(const struct iovec *iov, size_t n);

#endif /* PCAP_H */
