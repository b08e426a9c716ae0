// SPDX-License-Identifier: GPL-2.0-or-later
/* tap.c - The guest side of the data path, for both modes: the qemu UNIX
 * stream socket (passt: each frame preceded by its length as a 32-bit
 * big-endian integer) and the tap device (pasta). Reads frames in batches
 * into one large static buffer, validates their Ethernet and IP headers
 * into struct frame_info for passt.c to dispatch, and builds and sends
 * frames towards the guest, finishing partially written frames on EPOLLOUT
 * so that the stream never loses framing.
 */

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <linux/sockios.h>
#include <endian.h>

#include "epoll_ctl.h"
#include "frag.h"
#include "inany.h"
#include "json.h"
#include "util.h"
#include "log.h"
#include "checksum.h"
#include "packet.h"
#include "pcap.h"
#include "sock_unix.h"
#include "tap.h"
#include "vhost_user.h"

/* Receive buffer: many frames per read() or recv() */
#define TAP_BUF_BYTES		(8 * 1024 * 1024)
/* Socket buffer sizes asked for on the qemu socket (capped by the kernel) */
#define TAP_SOCK_BUF_BYTES	(4 * 1024 * 1024)
/* iovec entries in one sendmsg() (UIO_MAXIOV) */
#define TAP_IOV_MAX		1024
/* IPv6 extension headers we walk before giving up on a frame */
#define TAP_IPV6_EXT_MAX	16
/* Pasta frames in the receive buffer start at this alignment */
#define TAP_PASTA_ALIGN		8
/* pasta: a first frame up to this long may come alone (tap_frame_alone()) */
#define TAP_PASTA_SMALL		256

/**
 * struct tap_vnet_hdr - virtio-net header before each frame on pasta's tap
 *			 device (virtio 1.x, 5.1.6, without num_buffers):
 *			 written here rather than taken from <linux/virtio_net.h>,
 *			 which pulls in kernel Ethernet definitions that clash
 *			 with the C library's on musl
 * @flags:		TAP_VNET_F_NEEDS_CSUM: checksum from @csum_start on
 * @gso_type:		0 for none, or TAP_VNET_GSO_UDP_L4
 * @hdr_len:		Length of the headers before the payload, little-endian
 * @gso_size:		Payload of each segment, little-endian
 * @csum_start:		Where checksumming starts, little-endian
 * @csum_offset:	Where the checksum goes, from @csum_start, little-endian
 */
struct tap_vnet_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
};

_Static_assert(sizeof(struct tap_vnet_hdr) == 10,
	       "virtio-net header without num_buffers: 10 bytes");

#define TAP_VNET_F_NEEDS_CSUM	1
/* UDP segmentation offload (virtio 1.2; Linux 6.2 for tap devices) */
#define TAP_VNET_GSO_UDP_L4	5

#define TAP_VNET_HDR_LEN	sizeof(struct tap_vnet_hdr)
/* pasta: room before a frame read into tap_buf, for the virtio-net header,
 * keeping the frame at FRAME_ALIGN_OFF from an aligned address
 */
#define TAP_PASTA_HDR_ROOM	(ROUND_UP(TAP_VNET_HDR_LEN, TAP_PASTA_ALIGN) + \
				 FRAME_ALIGN_OFF)

static uint8_t tap_buf[TAP_BUF_BYTES] __attribute__((aligned(FRAME_ALIGN)));
/* passt: unparsed stream bytes in tap_buf are [tap_rstart, tap_rend) */
static size_t tap_rstart, tap_rend;
/* passt: a bad length was found (and logged) at tap_rstart */
static bool tap_rbad;

POOL_DEFINE(tap_pool, TAP_FRAMES_MAX);

/* passt: rest of a frame the socket took only part of, sent on EPOLLOUT */
static uint8_t tap_wpend[TAP_LEN_BYTES + TAP_FRAME_MAX];
static size_t tap_wpend_off, tap_wpend_len;
/* Send buffer size of the qemu socket, as the kernel set it */
static int tap_sndbuf;
/* Most its queue can hold now (SIOCOUTQ units: memory, not bytes), from the
 * last SIOCOUTQ and what we sent since: the guest side only drains it
 */
static size_t tap_outq_bound;
/* Memory a send of @len bytes adds to a stream socket's queue, at most: the
 * kernel rounds buffers up (to twice, at worst) and adds a header to each
 */
#define TAP_OUTQ_COST(len)	(2 * (size_t)(len) + 1024)

/* Frames sent in one sendmsg(), with their length prefixes */
static struct iovec tap_siov[TAP_IOV_MAX];
static uint32_t tap_slen[TAP_IOV_MAX];

/* Frame built by the tap_*_send() helpers */
static uint8_t tap_sbuf[TAP_FRAME_MAX];

static unsigned long tap_drops;

/* Counters of the guest link, for the machine-readable state */
static struct tap_counters tap_count;

/* Drops by reason: the reasons are string constants, told apart by address */
#define TAP_DROP_CAUSES		24
static struct {
	const char *why;
	unsigned long n;
} tap_drop_cause[TAP_DROP_CAUSES];
/* pasta: the tap device carries a virtio-net header before each frame
 * (IFF_VNET_HDR), all zeroes but for segmented frames (tap_send_gso())
 */
static const struct tap_vnet_hdr tap_vnet_none;
static struct iovec tap_piov[TAP_IOV_MAX];
/* pasta: the kernel refused a segmented frame, don't try again */
static bool tap_gso_off;

/**
 * tap_drop() - Count and log a guest frame we won't process
 * @why:	Reason, for the log and the count by reason: a string constant
 *
 * Return: -1, for tap_parse() to return
 */
static int tap_drop(const char *why)
{
	unsigned int i;

	for (i = 0; i < TAP_DROP_CAUSES; i++) {
		if (!tap_drop_cause[i].why)
			tap_drop_cause[i].why = why;
		if (tap_drop_cause[i].why == why) {
			tap_drop_cause[i].n++;
			break;
		}
	}
	tap_drops++;
	drop_debug("Dropping guest frame: %s (%lu dropped)", why, tap_drops);
	return -1;
}

/**
 * tap_ip4_parse() - Validate an IPv4 header, trim the frame to its packet
 * @frame:	Frame, iov_len trimmed to the end of the IP packet
 * @fi:		Frame information to complete
 *
 * Return: 0 if the packet is usable, 1 if it is a fragment, -1 to drop it
 */
static int tap_ip4_parse(struct iovec *frame, struct frame_info *fi)
{
	size_t hlen, totlen, left;
	struct iphdr iph;
	struct in_addr a;
	const void *p;

	/* Frames follow a 14-byte Ethernet header (and a length prefix or a
	 * virtio-net header): copy, don't dereference at that alignment
	 */
	p = packet_get(frame, fi->l3_off, sizeof(iph), &left);
	if (!p)
		return tap_drop("short IPv4 header");
	memcpy(&iph, p, sizeof(iph));
	if (iph.version != 4)
		return tap_drop("IPv4 ethertype with another IP version");

	hlen = (size_t)iph.ihl * 4;
	totlen = ntohs(iph.tot_len);
	if (hlen < sizeof(iph) || hlen > left)
		return tap_drop("bad IPv4 header length");
	if (totlen < hlen || totlen > left)
		return tap_drop("bad IPv4 total length");
	frame->iov_len = fi->l3_off + totlen;
	fi->l4proto = iph.protocol;
	fi->ttl = iph.ttl;
	fi->l4_off = fi->l3_off + hlen;
	fi->l4_len = totlen - hlen;
	a.s_addr = iph.saddr;
	inany_from_v4(&fi->saddr, a);
	a.s_addr = iph.daddr;
	inany_from_v4(&fi->daddr, a);
	/* A fragment: for frag.c to reassemble */
	return !!(ntohs(iph.frag_off) & (IP_MF | IP_OFFMASK));
}

/**
 * tap_ip6_parse() - Validate an IPv6 header, skip extension headers
 * @frame:	Frame, iov_len trimmed to the end of the IP packet
 * @fi:		Frame information to complete
 *
 * Return: 0 if the packet is usable, 1 if it carries a Fragment header
 *	   (@fi->l4proto is IPPROTO_FRAGMENT), -1 to drop it
 */
static int tap_ip6_parse(struct iovec *frame, struct frame_info *fi)
{
	size_t plen, left, off;
	struct ip6_hdr ip6h;
	const void *p;
	uint8_t nh;
	int i;

	/* Copied: see tap_ip4_parse() */
	p = packet_get(frame, fi->l3_off, sizeof(ip6h), &left);
	if (!p)
		return tap_drop("short IPv6 header");
	memcpy(&ip6h, p, sizeof(ip6h));
	if ((ip6h.ip6_vfc >> 4) != 6)
		return tap_drop("IPv6 ethertype with another IP version");

	plen = ntohs(ip6h.ip6_plen);
	/* Zero means a jumbogram (RFC 2675): not on links we offer */
	if (!plen || plen > left - sizeof(ip6h))
		return tap_drop("bad IPv6 payload length");

	frame->iov_len = fi->l3_off + sizeof(ip6h) + plen;
	fi->ttl = ip6h.ip6_hlim;
	memcpy(&fi->saddr.a6, &ip6h.ip6_src, sizeof(fi->saddr.a6));
	memcpy(&fi->daddr.a6, &ip6h.ip6_dst, sizeof(fi->daddr.a6));
	/* IPv4-mapped addresses never appear on the wire (RFC 4291, 2.5.5.2;
	 * RFC 6052, 5.1), and union inany_addr uses them for IPv4: accepting
	 * one here would make a flow whose guest side is IPv6 look IPv4 on
	 * the host side, or the other way around. Dropping them here keeps
	 * the rule everything after relies on: an address's family, as
	 * inany_v4() tells it, is the family of the frame it came in.
	 */
	if (IN6_IS_ADDR_V4MAPPED(&fi->saddr.a6) ||
	    IN6_IS_ADDR_V4MAPPED(&fi->daddr.a6))
		return tap_drop("IPv4-mapped address in IPv6 header");

	nh = ip6h.ip6_nxt;
	off = fi->l3_off + sizeof(ip6h);
	for (i = 0; i < TAP_IPV6_EXT_MAX; i++) {
		const uint8_t *ext;

		if (nh == IPPROTO_FRAGMENT)
			break;
		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING &&
		    nh != IPPROTO_DSTOPTS)
			break;

		/* RFC 8200, 4.3: length in 8-octet units, first 8 excluded */
		ext = packet_get(frame, off, 2, NULL);
		if (!ext || !packet_get(frame, off, (ext[1] + 1) * 8UL, NULL))
			return tap_drop("truncated IPv6 extension header");
		nh = ext[0];
		off += (ext[1] + 1) * 8UL;
	}
	if (i == TAP_IPV6_EXT_MAX)
		return tap_drop("too many IPv6 extension headers");

	fi->l4proto = nh;
	fi->l4_off = off;
	fi->l4_len = frame->iov_len - off;
	/* A Fragment header at l4_off: for frag.c to reassemble */
	return nh == IPPROTO_FRAGMENT;
}

/**
 * tap_learn() - Remember the guest's MAC and source addresses of a frame
 * @c:		Execution context
 * @src_mac:	Source MAC address of the frame
 * @fi:		Parsed frame
 */
static void tap_learn(const struct ctx *c, const uint8_t *src_mac,
		      const struct frame_info *fi)
{
	static const uint8_t zero_mac[MAC_ADDR_LEN];
	const struct in_addr *v4;
	const struct in6_addr *a6 = &fi->saddr.a6;

	/* Group addresses are never valid sources (IEEE 802, I/G bit) */
	if (!(src_mac[0] & 1) && memcmp(src_mac, zero_mac, MAC_ADDR_LEN))
		memcpy(c->run->guest_mac, src_mac, MAC_ADDR_LEN);

	if (fi->ethertype == ETH_P_IP) {
		v4 = inany_v4(&fi->saddr);
		if (v4 && v4->s_addr != htonl(INADDR_ANY) &&
		    !IN_MULTICAST(ntohl(v4->s_addr)) &&
		    v4->s_addr != htonl(INADDR_BROADCAST) &&
		    !inany_is_loopback(&fi->saddr))
			c->run->addr4_seen = *v4;
	} else if (fi->ethertype == ETH_P_IPV6) {
		if (IN6_IS_ADDR_LINKLOCAL(a6))
			c->run->addr6_ll_seen = *a6;
		else if (!IN6_IS_ADDR_UNSPECIFIED(a6) &&
			 !IN6_IS_ADDR_MULTICAST(a6) &&
			 !IN6_IS_ADDR_LOOPBACK(a6) &&
			 !IN6_IS_ADDR_V4MAPPED(a6))
			c->run->addr6_seen = *a6;
	}
}

/**
 * tap_parse() - Validate a guest frame and describe its layers
 * @c:		Execution context: learns the guest's MAC and addresses
 * @frame:	Frame; iov_len is trimmed to the end of the IP packet
 *		(Ethernet padding removed)
 * @fi:		Filled with what was found
 *
 * ARP frames are only checked for their EtherType: arp.c parses them.
 *
 * Return: 0 if the frame is usable, 1 if it is an IP fragment (see
 *	   frag_input()), -1 if it must be dropped
 */
int tap_parse(const struct ctx *c, struct iovec *frame, struct frame_info *fi)
{
	const struct ethhdr *eh;
	int ret;

	memset(fi, 0, sizeof(*fi));

	eh = packet_get(frame, 0, ETH_HLEN, NULL);
	if (!eh)
		return tap_drop("short Ethernet frame");

	fi->ethertype = ntohs(eh->h_proto);
	fi->l3_off = ETH_HLEN;

	switch (fi->ethertype) {
	case ETH_P_ARP:
		fi->l4_off = fi->l3_off;
		fi->l4_len = frame->iov_len - fi->l3_off;
		ret = 0;
		break;
	case ETH_P_IP:
		ret = tap_ip4_parse(frame, fi);
		break;
	case ETH_P_IPV6:
		ret = tap_ip6_parse(frame, fi);
		break;
	default:
		return tap_drop("unsupported EtherType");
	}

	/* Fragments teach nothing: their datagram will, once reassembled */
	if (!ret)
		tap_learn(c, eh->h_source, fi);
	return ret;
}

/**
 * tap_epoll_mod() - Change the events watched on the qemu socket
 * @c:		Execution context
 * @out:	Also wait for the socket to become writable
 */
static void tap_epoll_mod(const struct ctx *c, bool out)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TAP_PASST, .fd = c->run->fd_tap };
	struct epoll_event ev = { .data.u64 = ref.u64 };

	ev.events = EPOLLIN | EPOLLRDHUP | (out ? EPOLLOUT : 0);
	if (epoll_ctl(c->run->epollfd, EPOLL_CTL_MOD, c->run->fd_tap, &ev))
		debug("Failed to update events of guest socket: %s",
		      strerror(errno));
}

/**
 * tap_outq_sent() - Account a send on the qemu socket in the queue's bound
 * @len:	Bytes the socket took, 0 if it refused more: it is full
 */
static void tap_outq_sent(size_t len)
{
	if (!len || tap_outq_bound >= (size_t)tap_sndbuf)
		tap_outq_bound = (size_t)tap_sndbuf;
	else
		tap_outq_bound += TAP_OUTQ_COST(len);
}

/**
 * tap_flush_pending() - Send the rest of a partially written frame
 * @c:		Execution context
 *
 * Return: true if nothing is left pending
 */
static bool tap_flush_pending(const struct ctx *c)
{
	ssize_t n;

	while (tap_wpend_off < tap_wpend_len) {
		n = sock_send(c->run->fd_tap, tap_wpend + tap_wpend_off,
			 tap_wpend_len - tap_wpend_off,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			tap_outq_sent(0);
			return false;	/* the read side sees errors */
		}
		tap_outq_sent((size_t)n);
		tap_wpend_off += n;
	}

	tap_wpend_off = tap_wpend_len = 0;
	tap_epoll_mod(c, false);
	return true;
}

/**
 * tap_keep_rest() - Keep the unsent tail of a frame for EPOLLOUT
 * @c:		Execution context
 * @iov:	Frame as sent: length prefix, then the frame's buffers
 * @n:		Number of buffers in @iov
 * @sent:	Bytes of it the socket took
 */
static void tap_keep_rest(const struct ctx *c, const struct iovec *iov,
			  size_t n, size_t sent)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++) {
		const uint8_t *p = iov[i].iov_base;
		size_t l = iov[i].iov_len;

		if (sent >= l) {
			sent -= l;
			continue;
		}
		memcpy(tap_wpend + len, p + sent, l - sent);
		len += l - sent;
		sent = 0;
	}

	tap_wpend_off = 0;
	tap_wpend_len = len;
	tap_epoll_mod(c, true);
}

/**
 * tap_send_room() - Bytes of frames the guest side takes now without waiting
 * @c:		Execution context
 * @want:	Room the caller could use
 *
 * Handlers reading bulk data for the guest ask first, so that they leave
 * in the kernel, rather than read and drop, what the qemu socket wouldn't
 * take: the guest's pace then costs no copies. The tap device and
 * vhost-user rings drop what doesn't fit themselves, cheaply.
 *
 * The queue is measured (SIOCOUTQ) only when its bound from the last
 * measurement, grown by what we sent since, leaves less than @want: a
 * guest that keeps up costs no call per batch.
 *
 * Return: free space in the qemu socket's send buffer, at least, SIZE_MAX
 *	   if unknown or not a qemu socket
 */
size_t tap_send_room(const struct ctx *c, size_t want)
{
	int queued = 0;

	if (c->mode != MODE_PASST || c->vhost_user || c->run->fd_tap < 0 ||
	    tap_sndbuf <= 0)
		return SIZE_MAX;
	if (tap_wpend_len)
		return 0;
	if (tap_outq_bound < (size_t)tap_sndbuf &&
	    (size_t)tap_sndbuf - tap_outq_bound >= want)
		return (size_t)tap_sndbuf - tap_outq_bound;
	if (ioctl(c->run->fd_tap, SIOCOUTQ, &queued) || queued < 0)
		return SIZE_MAX;
	tap_outq_bound = (size_t)queued;
	return queued >= tap_sndbuf ? 0 : (size_t)(tap_sndbuf - queued);
}

/**
 * tap_send_passt() - Send frames on the qemu socket, length-prefixed
 * @c:		Execution context
 * @iov:	Buffers, @bufs_per_frame for each frame
 * @bufs_per_frame:	Buffers making up one frame
 * @nframes:	Number of frames
 *
 * Return: number of frames sent (or completely queued); the others were not
 *	   started and are dropped
 */
static size_t tap_send_passt(const struct ctx *c, const struct iovec *iov,
			     size_t bufs_per_frame, size_t nframes)
{
	size_t done = 0;

	if (bufs_per_frame + 1 > TAP_IOV_MAX)
		return 0;
	if (tap_wpend_len && !tap_flush_pending(c))
		return 0;	/* guest not reading: drop, don't queue */

	while (done < nframes) {
		struct msghdr mh = { .msg_iov = tap_siov };
		size_t start = done, i, f, niov = 0;
		ssize_t n;

		for (f = done; f < nframes; f++) {
			const struct iovec *fiov = &iov[f * bufs_per_frame];
			size_t flen = 0;

			if (niov + bufs_per_frame + 1 > TAP_IOV_MAX)
				break;
			for (i = 0; i < bufs_per_frame; i++)
				flen += fiov[i].iov_len;
			if (flen > TAP_FRAME_MAX) {
				debug("Frame of %zu bytes too long for guest",
				      flen);
				break;
			}
			tap_slen[niov] = htonl(flen);
			tap_siov[niov].iov_base = &tap_slen[niov];
			tap_siov[niov].iov_len = TAP_LEN_BYTES;
			memcpy(&tap_siov[niov + 1], fiov,
			       bufs_per_frame * sizeof(*fiov));
			niov += bufs_per_frame + 1;
		}
		if (!niov)
			break;

		mh.msg_iovlen = niov;
		do
			n = sendmsg(c->run->fd_tap, &mh,
				    MSG_DONTWAIT | MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
				debug("Failed to send to guest: %s",
				      strerror(errno));
			tap_outq_sent(0);
			break;
		}
		tap_outq_sent((size_t)n);

		/* Account whole frames; keep the rest of a split one */
		for (i = 0; i < niov; i += bufs_per_frame + 1) {
			size_t flen = ntohl(tap_slen[i]) + TAP_LEN_BYTES;

			if (!n)
				break;
			if ((size_t)n < flen) {
				tap_keep_rest(c, &tap_siov[i],
					      bufs_per_frame + 1, n);
				tap_outq_sent(0);
			}
			pcap_iov(&tap_siov[i + 1], bufs_per_frame);
			done++;
			if ((size_t)n < flen)
				return done;
			n -= flen;
		}
		/* Stopped at a frame boundary: the socket is full */
		if (done - start < niov / (bufs_per_frame + 1)) {
			tap_outq_sent(0);
			break;
		}
	}

	return done;
}

/**
 * tap_send_pasta() - Write frames to the tap device, one write each
 * @c:		Execution context
 * @iov:	Buffers, @bufs_per_frame for each frame
 * @bufs_per_frame:	Buffers making up one frame
 * @nframes:	Number of frames
 *
 * Return: number of frames written or lost to errors; those left over were
 *	   not written because the device queue is full
 */
static size_t tap_send_pasta(const struct ctx *c, const struct iovec *iov,
			     size_t bufs_per_frame, size_t nframes)
{
	size_t hdr = c->tap_vnet_hdr ? 1 : 0;
	size_t f;

	if (bufs_per_frame + hdr > TAP_IOV_MAX)
		return 0;
	tap_piov[0].iov_base = (void *)&tap_vnet_none;
	tap_piov[0].iov_len = sizeof(tap_vnet_none);
	for (f = 0; f < nframes; f++) {
		const struct iovec *fiov = &iov[f * bufs_per_frame];
		ssize_t n;

		memcpy(&tap_piov[hdr], fiov, bufs_per_frame * sizeof(*fiov));
		do
			/* #syscalls:pasta writev */
			n = writev(c->run->fd_tap, tap_piov,
				   (int)(bufs_per_frame + hdr));
		while (n < 0 && errno == EINTR);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == ENOBUFS)
				break;
			/* e.g. EIO with the link down: lost, like on a wire */
			debug("Failed to write to tap device: %s",
			      strerror(errno));
			continue;
		}
		pcap_iov(fiov, bufs_per_frame);
	}

	return f;
}

/**
 * tap_send_frames() - Send a batch of frames to the guest
 * @c:		Execution context
 * @iov:	Buffers, @bufs_per_frame for each frame, in order
 * @bufs_per_frame:	Buffers making up one frame
 * @nframes:	Number of frames
 *
 * A frame is never left half-sent on the qemu socket: either all of it goes
 * out now, or its tail is kept and sent as soon as the socket is writable.
 *
 * Return: number of frames sent, counting from the first; the rest were
 *	   dropped (the guest is not keeping up) and may be sent again later
 */
size_t tap_send_frames(const struct ctx *c, const struct iovec *iov,
		       size_t bufs_per_frame, size_t nframes)
{
	size_t sent, i;

	if (!nframes || !bufs_per_frame)
		return 0;
	if (c->mode == MODE_PASST && c->vhost_user)
		sent = vu_send_frames(c, iov, bufs_per_frame, nframes);
	else if (c->run->fd_tap < 0)
		sent = 0;
	else if (c->mode == MODE_PASTA)
		sent = tap_send_pasta(c, iov, bufs_per_frame, nframes);
	else
		sent = tap_send_passt(c, iov, bufs_per_frame, nframes);

	sent = MIN(sent, nframes);
	tap_count.frames_out += sent;
	tap_count.frames_out_dropped += nframes - sent;
	for (i = 0; i < sent * bufs_per_frame; i++)
		tap_count.bytes_out += iov[i].iov_len;
	return sent;
}

/**
 * tap_count_in() - Count frames from the guest, before they are parsed
 * @frames:	Number of frames
 * @bytes:	Their total length
 */
void tap_count_in(size_t frames, size_t bytes)
{
	tap_count.frames_in += frames;
	tap_count.bytes_in += bytes;
}

/**
 * tap_counters() - Counters of the guest link
 *
 * Return: the counters, drops included
 */
const struct tap_counters *tap_counters(void)
{
	tap_count.dropped = tap_drops;
	return &tap_count;
}

/**
 * tap_drop_causes_json() - Frames from the guest dropped, by reason, in JSON
 * @j:		Writer: an object is appended, reason to count
 */
void tap_drop_causes_json(struct json *j)
{
	unsigned int i;

	json_printf(j, "{");
	for (i = 0; i < TAP_DROP_CAUSES && tap_drop_cause[i].why; i++) {
		json_printf(j, "%s", i ? "," : "");
		json_str(j, tap_drop_cause[i].why);
		json_printf(j, ":%lu", tap_drop_cause[i].n);
	}
	json_printf(j, "}");
}

/**
 * tap_send_gso() - Send datagrams of one size as one segmented frame (pasta)
 * @c:		Execution context
 * @iov:	Frame: Ethernet, IP and UDP headers in the first buffer, with
 *		lengths for the whole payload and the UDP checksum field
 *		holding the pseudo-header sum (not complemented), then the
 *		payloads
 * @n:		Number of buffers in @iov
 * @l4_off:	Offset of the UDP header in the frame
 * @seg:	Payload size of each datagram but the last
 *
 * The tap device's kernel side cuts the frame into datagrams of @seg bytes
 * where it's delivered or forwarded (UDP GSO, Linux 6.2 and later): one
 * write and one pass through the namespace's stack for all of them.
 *
 * Return: 0 if written (or lost to the device queue being full, as frames
 *	   are), -1 if segmented frames can't be sent: send them one by one
 */
int tap_send_gso(const struct ctx *c, const struct iovec *iov, size_t n,
		 size_t l4_off, size_t seg)
{
	struct tap_vnet_hdr vh = {
		.flags		= TAP_VNET_F_NEEDS_CSUM,
		.gso_type	= TAP_VNET_GSO_UDP_L4,
	};
	ssize_t r;

	if (c->mode != MODE_PASTA || !c->tap_vnet_hdr || tap_gso_off ||
	    c->run->fd_tap < 0 ||
	    n + 1 > TAP_IOV_MAX)
		return -1;

	vh.hdr_len = htole16((uint16_t)(l4_off + sizeof(struct udphdr)));
	vh.gso_size = htole16((uint16_t)seg);
	vh.csum_start = htole16((uint16_t)l4_off);
	vh.csum_offset = htole16((uint16_t)offsetof(struct udphdr, check));
	tap_piov[0].iov_base = &vh;
	tap_piov[0].iov_len = sizeof(vh);
	memcpy(&tap_piov[1], iov, n * sizeof(*iov));

	do
		r = writev(c->run->fd_tap, tap_piov, n + 1);
	while (r < 0 && errno == EINTR);
	if (r >= 0) {
		pcap_iov(iov, n);
		return 0;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
		return 0;
	if (errno == EINVAL) {
		info("Tap device refuses segmented UDP frames (%s): sending "
		     "datagrams one by one", strerror(errno));
		tap_gso_off = true;
	}
	return -1;
}

/**
 * tap_send_single() - Send one frame held in a single buffer, in IP
 *		      fragments if larger than the guest's MTU
 * @c:		Execution context
 * @frame:	Ethernet frame
 * @len:	Length of @frame
 */
void tap_send_single(const struct ctx *c, const void *frame, size_t len)
{
	struct iovec iov = { .iov_base = (void *)frame, .iov_len = len };

	if (frag_to_guest(c, &iov, 1, tap_send_frames))
		return;
	tap_send_frames(c, &iov, 1, 1);
}

/**
 * tap_eth_fill() - Fill an Ethernet header for a frame to the guest
 * @c:		Execution context
 * @eh:		Header to fill
 * @proto:	EtherType, host order
 *
 * The destination is the guest's MAC address once we've seen a frame from
 * it, broadcast before that.
 */
void tap_eth_fill(const struct ctx *c, struct ethhdr *eh, uint16_t proto)
{
	static const uint8_t zero_mac[MAC_ADDR_LEN];

	if (memcmp(c->run->guest_mac, zero_mac, MAC_ADDR_LEN))
		memcpy(eh->h_dest, c->run->guest_mac, MAC_ADDR_LEN);
	else
		memset(eh->h_dest, 0xff, MAC_ADDR_LEN);
	memcpy(eh->h_source, c->our_tap_mac, MAC_ADDR_LEN);
	eh->h_proto = htons(proto);
}

/**
 * tap_ip4_fill() - Fill an IPv4 header (no options), with its checksum
 * @dst_hdr:	Where the header goes: any alignment (struct iphdr layout)
 * @src:	Source address
 * @dst:	Destination address
 * @proto:	L4 protocol number
 * @l4len:	Length of L4 header and payload
 *
 * Headers usually follow a 14-byte Ethernet header, so they're built in an
 * aligned copy and stored with memcpy().
 */
void tap_ip4_fill(void *dst_hdr, struct in_addr src, struct in_addr dst,
		  uint8_t proto, size_t l4len)
{
	struct iphdr iph = {
		.version	= 4,
		.ihl		= sizeof(iph) / 4,
		.tot_len	= htons(sizeof(iph) + l4len),
		.frag_off	= htons(IP_DF),
		.ttl		= TAP_TTL,
		.protocol	= proto,
		.saddr		= src.s_addr,
		.daddr		= dst.s_addr,
	};

	iph.check = csum_ip4_header(&iph, sizeof(iph));
	memcpy(dst_hdr, &iph, sizeof(iph));
}

/**
 * tap_ip6_fill() - Fill an IPv6 header (no extension headers)
 * @dst_hdr:	Where the header goes: any alignment (struct ip6_hdr layout)
 * @src:	Source address
 * @dst:	Destination address
 * @proto:	Next header: L4 protocol number
 * @l4len:	Length of L4 header and payload
 */
void tap_ip6_fill(void *dst_hdr, const struct in6_addr *src,
		  const struct in6_addr *dst, uint8_t proto, size_t l4len)
{
	struct ip6_hdr ip6h;

	memset(&ip6h, 0, sizeof(ip6h));
	ip6h.ip6_flow = htonl(6U << 28);
	ip6h.ip6_plen = htons(l4len);
	ip6h.ip6_nxt = proto;
	ip6h.ip6_hlim = TAP_TTL;
	memcpy(&ip6h.ip6_src, src, sizeof(ip6h.ip6_src));
	memcpy(&ip6h.ip6_dst, dst, sizeof(ip6h.ip6_dst));
	memcpy(dst_hdr, &ip6h, sizeof(ip6h));
}

/**
 * tap_udp4_fill() - Fill a UDP header over IPv4, payload right after it
 * @uh:		Header, followed by @datalen bytes of payload
 * @src:	Source address
 * @sport:	Source port, host order
 * @dst:	Destination address
 * @dport:	Destination port, host order
 * @datalen:	Payload length
 */
void tap_udp4_fill(struct udphdr *uh, struct in_addr src, in_port_t sport,
		   struct in_addr dst, in_port_t dport, size_t datalen)
{
	size_t l4len = sizeof(*uh) + datalen;
	uint32_t sum;

	uh->source = htons(sport);
	uh->dest = htons(dport);
	uh->len = htons(l4len);
	uh->check = 0;
	sum = csum_pseudo4(l4len, IPPROTO_UDP, src, dst);
	uh->check = csum(uh, l4len, sum);
	/* RFC 768: a computed zero is sent as all ones */
	if (!uh->check)
		uh->check = 0xffff;
}

/**
 * tap_udp6_fill() - Fill a UDP header over IPv6, payload right after it
 * @uh:		Header, followed by @datalen bytes of payload
 * @src:	Source address
 * @sport:	Source port, host order
 * @dst:	Destination address
 * @dport:	Destination port, host order
 * @datalen:	Payload length
 */
void tap_udp6_fill(struct udphdr *uh, const struct in6_addr *src,
		   in_port_t sport, const struct in6_addr *dst,
		   in_port_t dport, size_t datalen)
{
	size_t l4len = sizeof(*uh) + datalen;
	uint32_t sum;

	uh->source = htons(sport);
	uh->dest = htons(dport);
	uh->len = htons(l4len);
	uh->check = 0;
	sum = csum_pseudo6(l4len, IPPROTO_UDP, src, dst);
	uh->check = csum(uh, l4len, sum);
	/* RFC 8200, 8.1: zero is not allowed over IPv6 */
	if (!uh->check)
		uh->check = 0xffff;
}

/**
 * tap_eth4_fill() - Ethernet header for an IPv4 packet, by destination
 * @c:		Execution context
 * @eh:		Header to fill
 * @dst:	IPv4 destination: limited broadcast goes to the broadcast MAC
 */
static void tap_eth4_fill(const struct ctx *c, struct ethhdr *eh,
			  struct in_addr dst)
{
	tap_eth_fill(c, eh, ETH_P_IP);
	if (dst.s_addr == htonl(INADDR_BROADCAST))
		memset(eh->h_dest, 0xff, MAC_ADDR_LEN);
}

/**
 * tap_eth6_fill() - Ethernet header for an IPv6 packet, by destination
 * @c:		Execution context
 * @eh:		Header to fill
 * @dst:	IPv6 destination: multicast maps to 33:33:xx:xx:xx:xx
 *		(RFC 2464, 7)
 */
static void tap_eth6_fill(const struct ctx *c, struct ethhdr *eh,
			  const struct in6_addr *dst)
{
	tap_eth_fill(c, eh, ETH_P_IPV6);
	if (IN6_IS_ADDR_MULTICAST(dst)) {
		eh->h_dest[0] = eh->h_dest[1] = 0x33;
		memcpy(&eh->h_dest[2], &dst->s6_addr[12], 4);
	}
}

/* Offsets of the headers in frames built by the tap_*_send() helpers */
#define TAP_IP_OFF		ETH_HLEN
#define TAP_L4_OFF4		(TAP_IP_OFF + sizeof(struct iphdr))
#define TAP_L4_OFF6		(TAP_IP_OFF + sizeof(struct ip6_hdr))

/**
 * tap_udp4_send() - Send a UDP datagram over IPv4 to the guest
 * @c:		Execution context
 * @src:	Source address
 * @sport:	Source port, host order
 * @dst:	Destination address
 * @dport:	Destination port, host order
 * @data:	Payload
 * @len:	Payload length
 */
void tap_udp4_send(const struct ctx *c, struct in_addr src, in_port_t sport,
		   struct in_addr dst, in_port_t dport,
		   const void *data, size_t len)
{
	size_t l4len = sizeof(struct udphdr) + len;
	struct udphdr *uh = (struct udphdr *)(tap_sbuf + TAP_L4_OFF4);

	if (len > sizeof(tap_sbuf) - TAP_L4_OFF4 - sizeof(*uh)) {
		debug("UDP payload of %zu bytes too long for guest", len);
		return;
	}

	tap_eth4_fill(c, (struct ethhdr *)tap_sbuf, dst);
	tap_ip4_fill((struct iphdr *)(tap_sbuf + TAP_IP_OFF), src, dst,
		     IPPROTO_UDP, l4len);
	memcpy(uh + 1, data, len);
	tap_udp4_fill(uh, src, sport, dst, dport, len);
	tap_send_single(c, tap_sbuf, TAP_L4_OFF4 + l4len);
}

/**
 * tap_udp6_send() - Send a UDP datagram over IPv6 to the guest
 * @c:		Execution context
 * @src:	Source address
 * @sport:	Source port, host order
 * @dst:	Destination address
 * @dport:	Destination port, host order
 * @data:	Payload
 * @len:	Payload length
 */
void tap_udp6_send(const struct ctx *c, const struct in6_addr *src,
		   in_port_t sport, const struct in6_addr *dst,
		   in_port_t dport, const void *data, size_t len)
{
	size_t l4len = sizeof(struct udphdr) + len;
	struct udphdr *uh = (struct udphdr *)(tap_sbuf + TAP_L4_OFF6);

	if (len > sizeof(tap_sbuf) - TAP_L4_OFF6 - sizeof(*uh)) {
		debug("UDP payload of %zu bytes too long for guest", len);
		return;
	}

	tap_eth6_fill(c, (struct ethhdr *)tap_sbuf, dst);
	tap_ip6_fill((struct ip6_hdr *)(tap_sbuf + TAP_IP_OFF), src, dst,
		     IPPROTO_UDP, l4len);
	memcpy(uh + 1, data, len);
	tap_udp6_fill(uh, src, sport, dst, dport, len);
	tap_send_single(c, tap_sbuf, TAP_L4_OFF6 + l4len);
}

/**
 * tap_icmp4_send() - Send an ICMP message over IPv4 to the guest
 * @c:		Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @l4:		ICMP message; its checksum field is computed here
 * @l4len:	Length of @l4
 */
void tap_icmp4_send(const struct ctx *c, struct in_addr src,
		    struct in_addr dst, const void *l4, size_t l4len)
{
	uint8_t *ih = tap_sbuf + TAP_L4_OFF4;
	uint16_t sum;

	if (l4len < sizeof(struct icmphdr) ||
	    l4len > sizeof(tap_sbuf) - TAP_L4_OFF4) {
		debug("Bad ICMP message length %zu for guest", l4len);
		return;
	}

	tap_eth4_fill(c, (struct ethhdr *)tap_sbuf, dst);
	tap_ip4_fill((struct iphdr *)(tap_sbuf + TAP_IP_OFF), src, dst,
		     IPPROTO_ICMP, l4len);
	memcpy(ih, l4, l4len);
	memset(ih + offsetof(struct icmphdr, checksum), 0, sizeof(sum));
	sum = csum(ih, l4len, 0);
	memcpy(ih + offsetof(struct icmphdr, checksum), &sum, sizeof(sum));
	tap_send_single(c, tap_sbuf, TAP_L4_OFF4 + l4len);
}

/**
 * tap_icmp6_send() - Send an ICMPv6 message to the guest
 * @c:		Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @l4:		ICMPv6 message; its checksum field is computed here
 * @l4len:	Length of @l4
 */
void tap_icmp6_send(const struct ctx *c, const struct in6_addr *src,
		    const struct in6_addr *dst, const void *l4, size_t l4len)
{
	uint8_t *ih = tap_sbuf + TAP_L4_OFF6;
	uint16_t ck;
	uint32_t sum;

	if (l4len < 4 || l4len > sizeof(tap_sbuf) - TAP_L4_OFF6) {
		debug("Bad ICMPv6 message length %zu for guest", l4len);
		return;
	}

	tap_eth6_fill(c, (struct ethhdr *)tap_sbuf, dst);
	tap_ip6_fill((struct ip6_hdr *)(tap_sbuf + TAP_IP_OFF), src, dst,
		     IPPROTO_ICMPV6, l4len);
	memcpy(ih, l4, l4len);
	memset(ih + offsetof(struct icmp6_hdr, icmp6_cksum), 0, sizeof(ck));
	sum = csum_pseudo6(l4len, IPPROTO_ICMPV6, src, dst);
	ck = csum(ih, l4len, sum);
	memcpy(ih + offsetof(struct icmp6_hdr, icmp6_cksum), &ck, sizeof(ck));
	tap_send_single(c, tap_sbuf, TAP_L4_OFF6 + l4len);
}

/**
 * tap_icmp_error() - Send an ICMP or ICMPv6 error quoting a guest datagram
 * @c:		Execution context
 * @from:	Source of the error: the peer, or a router on the way
 * @type:	ICMP or ICMPv6 type (destination unreachable, ...)
 * @code:	Code for @type
 * @info:	Next-hop MTU, for fragmentation needed (ICMP) and packet too
 *		big (ICMPv6), ignored otherwise
 * @q:		The datagram: addresses (the family is that of @q->src),
 *		protocol, and what to quote of it
 *
 * The quote is the datagram's IP header, as we rebuild it, and as much of
 * its transport header and payload as TAP_ICMP4_QUOTE_L4 or
 * TAP_ICMP6_QUOTE_L4 allow. Checksums are tap_icmp4_send()'s and
 * tap_icmp6_send()'s.
 */
void tap_icmp_error(const struct ctx *c, const union inany_addr *from,
		    uint8_t type, uint8_t code, uint32_t info,
		    const struct tap_icmp_quote *q)
{
	uint8_t msg[sizeof(struct icmp6_hdr) + sizeof(struct ip6_hdr) +
		    TAP_ICMP6_QUOTE_L4];
	const struct in_addr *src4 = inany_v4(q->src);
	size_t len, room, n;

	memset(msg, 0, sizeof(msg));
	if (src4) {
		struct icmphdr ih;

		memset(&ih, 0, sizeof(ih));
		ih.type = type;
		ih.code = code;
		if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
			ih.un.frag.mtu = htons((uint16_t)info);
		memcpy(msg, &ih, sizeof(ih));
		len = sizeof(ih);
		tap_ip4_fill(msg + len, *src4, *inany_v4(q->dst), q->proto,
			     q->l4len);
		len += sizeof(struct iphdr);
		room = TAP_ICMP4_QUOTE_L4;
	} else {
		struct icmp6_hdr ih;

		memset(&ih, 0, sizeof(ih));
		ih.icmp6_type = type;
		ih.icmp6_code = code;
		if (type == ICMP6_PACKET_TOO_BIG)
			ih.icmp6_mtu = htonl(info);
		memcpy(msg, &ih, sizeof(ih));
		len = sizeof(ih);
		tap_ip6_fill(msg + len, &q->src->a6, &q->dst->a6, q->proto,
			     q->l4len);
		len += sizeof(struct ip6_hdr);
		room = TAP_ICMP6_QUOTE_L4;
	}

	n = MIN(q->hlen, room);
	memcpy(msg + len, q->hdr, n);
	len += n;
	room -= n;
	n = q->data ? MIN(q->dlen, room) : 0;
	if (n)
		memcpy(msg + len, q->data, n);
	len += n;

	if (src4)
		tap_icmp4_send(c, *inany_v4(from), *src4, msg, len);
	else
		tap_icmp6_send(c, &from->a6, &q->src->a6, msg, len);
}

/**
 * tap_passt_close() - Forget the connected guest, go back to accepting
 * @c:		Execution context
 *
 * With -1 or -F, that was the only guest we serve: exit.
 */
static void tap_passt_close(const struct ctx *c)
{
	epoll_ctl(c->run->epollfd, EPOLL_CTL_DEL, c->run->fd_tap, NULL);
	close(c->run->fd_tap);
	c->run->fd_tap = -1;
	tap_rstart = tap_rend = 0;
	tap_rbad = false;
	tap_wpend_off = tap_wpend_len = 0;
	c->run->guest_gone = true;

	if (c->one_off) {
		info("Client closed connection, exiting");
		exit(EXIT_SUCCESS);
	}
	info("Client connection closed, waiting for a new one");
}

/**
 * tap_passt_attach() - Start serving a connected guest socket
 * @c:		Execution context
 * @fd:		Connected stream socket
 *
 * Return: 0 on success, -1 if it can't be watched
 */
static int tap_passt_attach(const struct ctx *c, int fd)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TAP_PASST, .fd = fd };
	int v = TAP_SOCK_BUF_BYTES;
	socklen_t sl;

	/* Best effort: bigger buffers mean fewer EAGAIN under load. Past
	 * net.core.[wr]mem_max only with CAP_NET_ADMIN, if we still have it
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	sl = sizeof(tap_sndbuf);
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &tap_sndbuf, &sl))
		tap_sndbuf = 0;
	tap_outq_bound = (size_t)MAX(tap_sndbuf, 0);	/* measure first */

	if (epoll_add_ref(c->run->epollfd, fd, EPOLLIN | EPOLLRDHUP, ref)) {
		err("Failed to watch guest socket");
		return -1;
	}

	c->run->fd_tap = fd;
	tap_rstart = tap_rend = 0;
	tap_rbad = false;
	tap_wpend_off = tap_wpend_len = 0;
	return 0;
}

/**
 * tap_listen_handler() - Accept a guest on the listening socket
 * @c:		Execution context
 * @events:	epoll events
 */
void tap_listen_handler(const struct ctx *c, uint32_t events)
{
	struct ucred cred;
	socklen_t sl = sizeof(cred);
	int fd;

	(void)events;

	/* Non-blocking from the start: no fcntl() in the stream filter */
	fd = accept4(c->run->fd_tap_listen, NULL, NULL,
		     SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			warn_perror("Failed to accept guest connection");
		return;
	}

	if (c->run->fd_tap >= 0 || (c->vhost_user && vu_connected())) {
		info("Guest already connected, refusing another connection");
		close(fd);
		return;
	}

	if (!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &sl))
		info("Accepted connection from PID %i", (int)cred.pid);
	else
		info("Accepted connection");

	if (c->vhost_user) {
		if (vu_attach(c, fd))
			close(fd);
		return;
	}
	if (tap_passt_attach(c, fd))
		close(fd);
}

/**
 * tap_passt_bad_len() - Log a frame length we can't trust, once a client
 * @len:	Length read from the stream
 *
 * Return: -1
 */
static int tap_passt_bad_len(uint32_t len)
{
	if (!tap_rbad)
		err("Bad frame length %u from guest, dropping connection", len);
	tap_rbad = true;
	return -1;
}

/**
 * tap_passt_frames() - Collect complete frames buffered from the stream
 *
 * Return: 0, or -1 if the stream carries a length we can't trust (the
 *	   connection must go: resynchronising on a byte stream is guesswork)
 */
static int tap_passt_frames(void)
{
	while (tap_rend - tap_rstart >= TAP_LEN_BYTES) {
		uint8_t *frame;
		size_t shift;
		uint32_t len;

		if (tap_pool.count >= tap_pool.size)
			break;

		memcpy(&len, tap_buf + tap_rstart, sizeof(len));
		len = ntohl(len);
		if (len < ETH_HLEN || len > TAP_FRAME_MAX)
			return tap_passt_bad_len(len);
		if (tap_rend - tap_rstart - TAP_LEN_BYTES < len)
			break;

		/* Frames follow each other at any address: move a misaligned
		 * one back over its own length field, consumed already
		 */
		frame = tap_buf + tap_rstart + TAP_LEN_BYTES;
		shift = frame_misalign(frame);
		if (shift) {
			memmove(frame - shift, frame, len);
			frame -= shift;
		}
		pool_add(&tap_pool, frame, len);
		pcap_frame(frame, len);
		tap_rstart += TAP_LEN_BYTES + len;
	}

	return 0;
}

/**
 * tap_handler_passt() - Read frames from the qemu socket
 * @c:		Execution context
 * @events:	epoll events; 0 to only hand out frames already buffered
 *
 * One call reads at most once, and only when no complete frame is left
 * from the previous read: call again with @events 0 until the pool comes
 * back empty, so that more frames than fit a pool aren't left waiting.
 *
 * Return: pool of complete frames, valid until the next call
 */
const struct pool *tap_handler_passt(const struct ctx *c, uint32_t events)
{
	ssize_t n;

	tap_pool.count = 0;
	if (c->run->fd_tap < 0)
		return &tap_pool;

	if ((events & EPOLLOUT) && tap_wpend_len)
		tap_flush_pending(c);

	if (tap_passt_frames())
		goto drop;
	if (tap_pool.count || !(events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP |
					  EPOLLERR)))
		return &tap_pool;

	/* Only a partial frame is left: move it to the start */
	if (tap_rstart) {
		memmove(tap_buf, tap_buf + tap_rstart, tap_rend - tap_rstart);
		tap_rend -= tap_rstart;
		tap_rstart = 0;
	}

	do
		n = sock_recv(c->run->fd_tap, tap_buf + tap_rend,
			 sizeof(tap_buf) - tap_rend, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);

	if (n == 0)
		goto close;
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return &tap_pool;
		debug("Error on guest socket: %s", strerror(errno));
		goto close;
	}

	tap_rend += n;
	if (tap_passt_frames())
		goto drop;
	return &tap_pool;

drop:
	/* Frames before the bad length are good: answer them first, the
	 * next call finds the bad length again, with an empty pool
	 */
	if (!tap_pool.count)
		tap_passt_close(c);
	return &tap_pool;
close:
	if (tap_rend > tap_rstart)
		debug("Guest closed with %zu bytes of a frame unread",
		      tap_rend - tap_rstart);
	tap_passt_close(c);
	return &tap_pool;
}

/**
 * tap_frame_alone() - Guess if a frame read from the tap comes alone
 * @frame:	Frame, at least ETH_HLEN bytes
 * @len:	Its length
 *
 * A short frame with data, or not TCP (a request, an answer, a datagram),
 * comes last of what a wake-up brings in request/response traffic, and so
 * does a SYN, FIN or RST (a connection opened or closed). Pure TCP ACKs of
 * a transfer to the guest come in bursts, better handled together, and so
 * do full segments. A wrong guess costs a system call, nothing else.
 *
 * Return: true if the frame is short and not a pure TCP ACK
 */
static bool tap_frame_alone(const uint8_t *frame, size_t len)
{
	size_t l4, end;
	uint16_t proto, plen;

	if (len > TAP_PASTA_SMALL)
		return false;
	memcpy(&proto, frame + ETH_HLEN - 2, sizeof(proto));
	if (proto == htons(ETH_P_IP) && len >= ETH_HLEN + 20) {
		if (frame[ETH_HLEN + 9] != IPPROTO_TCP)
			return true;
		memcpy(&plen, frame + ETH_HLEN + 2, sizeof(plen));
		l4 = ETH_HLEN + (size_t)(frame[ETH_HLEN] & 0xf) * 4;
		end = ETH_HLEN + ntohs(plen);
	} else if (proto == htons(ETH_P_IPV6) && len >= ETH_HLEN + 40) {
		if (frame[ETH_HLEN + 6] != IPPROTO_TCP)
			return true;
		memcpy(&plen, frame + ETH_HLEN + 4, sizeof(plen));
		l4 = ETH_HLEN + 40;
		end = l4 + ntohs(plen);
	} else {
		return true;
	}
	if (l4 + 13 >= len)
		return true;
	/* SYN, FIN or RST */
	if (frame[l4 + 13] & 0x07)
		return true;
	return MIN(end, len) > l4 + (size_t)(frame[l4 + 12] >> 4) * 4;
}

/**
 * tap_handler_pasta() - Read frames from the tap device
 * @c:		Execution context
 * @events:	epoll events
 *
 * Reads until the device is empty, which takes a read that finds nothing,
 * or until a frame of request/response traffic (tap_frame_alone()): nothing
 * may follow it for a while, and the device is level-triggered: if more is
 * there, the next epoll_wait() says so at once.
 *
 * Return: pool of frames, valid until the next call
 */
const struct pool *tap_handler_pasta(const struct ctx *c, uint32_t events)
{
	size_t hdr = c->tap_vnet_hdr ? TAP_VNET_HDR_LEN : 0;
	size_t off = 0;

	tap_pool.count = 0;
	if (c->run->fd_tap < 0)
		return &tap_pool;

	if (events & (EPOLLERR | EPOLLHUP)) {
		info("Tap device gone, exiting");
		exit(EXIT_SUCCESS);
	}
	if (!(events & EPOLLIN))
		return &tap_pool;

	while (tap_pool.count < tap_pool.size &&
	       sizeof(tap_buf) - off >= TAP_FRAME_MAX + TAP_PASTA_HDR_ROOM) {
		uint8_t *frame = tap_buf + off + TAP_PASTA_HDR_ROOM;
		/* #syscalls:pasta read */
		ssize_t n = read(c->run->fd_tap, frame - hdr, hdr + TAP_FRAME_MAX);

		/* No offloads are enabled: the header says nothing */
		if (n >= (ssize_t)hdr)
			n -= (ssize_t)hdr;
		else if (n >= 0)
			n = 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				debug("Error reading tap device: %s",
				      strerror(errno));
			break;
		}
		if (n < ETH_HLEN) {
			tap_drop("short frame on tap device");
			continue;
		}

		pool_add(&tap_pool, frame, n);
		pcap_frame(frame, n);
		off += ROUND_UP((size_t)n + TAP_PASTA_HDR_ROOM,
				TAP_PASTA_ALIGN);
		if (tap_frame_alone(frame, (size_t)n))
			break;
	}

	return &tap_pool;
}

/**
 * tap_sock_init() - Set up the listening UNIX socket for qemu
 * @c:		Execution context
 *
 * Return: 0 on success, -1 on failure
 */
static int tap_sock_init(struct ctx *c)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TAP_LISTEN };
	int fd = sock_unix_open(c->sock_path, sizeof(c->sock_path));

	ref.fd = fd;
	if (epoll_add_ref(c->run->epollfd, fd, EPOLLIN, ref)) {
		err("Failed to watch listening socket");
		close(fd);
		return -1;
	}
	c->run->fd_tap_listen = fd;

	info("UNIX domain socket bound at %s", c->sock_path);
	if (c->vhost_user) {
		info("You can start qemu with (shared memory is required):");
		info("    qemu-system-x86_64 ... -chardev socket,id=c,path=%s "
		     "-netdev vhost-user,id=v,chardev=c "
		     "-device virtio-net-pci,netdev=v "
		     "-object memory-backend-memfd,id=m,share=on,size=SIZE "
		     "-numa node,memdev=m", c->sock_path);
		return 0;
	}
	info("You can now start qemu (>= 7.2) with:");
	info("    qemu-system-x86_64 ... -netdev stream,id=s,server=off,"
	     "addr.type=unix,addr.path=%s -device virtio-net-pci,netdev=s",
	     c->sock_path);
	return 0;
}

/**
 * tap_backend_init() - Set up the guest-side interface for the mode
 * @c:		Execution context: fd_tap (pasta: opened by
 *		pasta_setup()), fd_from_parent, sock_path
 *
 * Return: 0 on success, -1 on failure
 */
int tap_backend_init(struct ctx *c)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TAP_PASTA };

	if (c->mode == MODE_PASTA) {
		if (c->run->fd_tap < 0) {
			err("No tap device to attach to");
			return -1;
		}
		fcntl(c->run->fd_tap, F_SETFL,
		      fcntl(c->run->fd_tap, F_GETFL) | O_NONBLOCK);
		ref.fd = c->run->fd_tap;
		if (epoll_add_ref(c->run->epollfd, c->run->fd_tap,
				  EPOLLIN | EPOLLRDHUP, ref)) {
			err("Failed to watch tap device");
			return -1;
		}
		return 0;
	}

	c->run->fd_tap = -1;
	if (c->vhost_user && vu_init()) {
		err_perror("Failed to set up the vhost-user back end");
		return -1;
	}
	if (c->fd_from_parent >= 0) {
		/* -F: this is the only guest, as with -1 */
		c->one_off = true;
		if (c->vhost_user)
			return vu_attach(c, c->fd_from_parent);
		fcntl(c->fd_from_parent, F_SETFL,
		      fcntl(c->fd_from_parent, F_GETFL) | O_NONBLOCK);
		return tap_passt_attach(c, c->fd_from_parent);
	}

	return tap_sock_init(c);
}
