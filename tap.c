// SPDX-License-Identifier: GPL-2.0-or-later
/* tap.c - placeholder until implemented: replaced by the real module */

#include "tap.h"
#include "log.h"

int tap_backend_init(struct ctx *c)
{
	(void)c;
	die("Data path not implemented yet");
}

void tap_listen_handler(struct ctx *c, uint32_t events)
{
	(void)c; (void)events;
}

const struct pool *tap_handler_passt(struct ctx *c, uint32_t events)
{
	(void)c; (void)events;
	return NULL;
}

const struct pool *tap_handler_pasta(struct ctx *c, uint32_t events)
{
	(void)c; (void)events;
	return NULL;
}

int tap_parse(const struct ctx *c, struct iovec *frame, struct frame_info *fi)
{
	(void)c; (void)frame; (void)fi;
	return -1;
}

void tap_send_single(const struct ctx *c, const void *frame, size_t len)
{
	(void)c; (void)frame; (void)len;
}

size_t tap_send_frames(const struct ctx *c, const struct iovec *iov,
		       size_t bufs_per_frame, size_t nframes)
{
	(void)c; (void)iov; (void)bufs_per_frame; (void)nframes;
	return 0;
}

void tap_udp4_send(const struct ctx *c, struct in_addr src, in_port_t sport,
		   struct in_addr dst, in_port_t dport,
		   const void *data, size_t len)
{
	(void)c; (void)src; (void)sport; (void)dst; (void)dport;
	(void)data; (void)len;
}

void tap_udp6_send(const struct ctx *c, const struct in6_addr *src,
		   in_port_t sport, const struct in6_addr *dst,
		   in_port_t dport, const void *data, size_t len)
{
	(void)c; (void)src; (void)sport; (void)dst; (void)dport;
	(void)data; (void)len;
}

void tap_icmp4_send(const struct ctx *c, struct in_addr src,
		    struct in_addr dst, const void *l4, size_t l4len)
{
	(void)c; (void)src; (void)dst; (void)l4; (void)l4len;
}

void tap_icmp6_send(const struct ctx *c, const struct in6_addr *src,
		    const struct in6_addr *dst, const void *l4, size_t l4len)
{
	(void)c; (void)src; (void)dst; (void)l4; (void)l4len;
}
