// SPDX-License-Identifier: GPL-2.0-or-later
/* vhost_user.c - The vhost-user back end of passt (--vhost-user). A front
 * end (qemu) connects to our UNIX socket and, with the messages of the
 * vhost-user protocol, negotiates features, shares guest memory as file
 * descriptors we map, and describes the two virtqueues of a virtio-net
 * device with eventfds for notifications. The data path then runs over
 * those queues (virtio.c): frames the guest transmits are copied out into a
 * pool that passt.c dispatches like any other back end's, frames for the
 * guest are copied into its receive buffers behind a virtio-net header.
 *
 * One front end at a time. Every message is checked for its size and
 * fields, and any message or ring state we can't accept drops the front end
 * (logged), after which the next one may connect.
 */

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/if_ether.h>

#include "epoll_ctl.h"
#include "util.h"
#include "log.h"
#include "packet.h"
#include "pcap.h"
#include "virtio.h"
#include "vhost_user.h"
#include "migrate.h"

/* Queues of the single virtio-net queue pair */
#define VU_RXQ			0	/* to the guest */
#define VU_TXQ			1	/* from the guest */
#define VU_QUEUES		2

/* Largest message payload we take: a full memory table is 8 + 8 * 32 */
#define VU_PAYLOAD_MAX		512
/* How long the rest of a started message may take to arrive */
#define VU_MSG_TIMEOUT_MS	1000
/* Refused requests logged per LOG_RATELIMIT_INTERVAL, see vu_bad() */
#define VU_BAD_LOG_BURST	64

/* Header flags (vhost-user, "Message Specification") */
#define VU_VERSION		1
#define VU_FLAG_VERSION_MASK	0x3
#define VU_FLAG_REPLY		0x4
#define VU_FLAG_NEED_REPLY	0x8

/* Feature bit telling the protocol features are supported */
#define VU_F_PROTOCOL_FEATURES	30
/* Feature bit: log writes to guest memory (dirty page logging) */
#define VU_F_LOG_ALL		26

/* Protocol feature bits */
#define VU_PROTOCOL_F_LOG_SHMFD	1
#define VU_PROTOCOL_F_REPLY_ACK	3
/* Device state transfer through a pipe (SET_DEVICE_STATE_FD) */
#define VU_PROTOCOL_F_DEVICE_STATE	19

/* SET_VRING_KICK/CALL/ERR payload: queue index, flag for "no fd" */
#define VU_VRING_IDX_MASK	0xffULL
#define VU_VRING_NOFD		0x100ULL

#define VU_FEATURES	((1ULL << VIRTIO_F_VERSION_1) |			\
			 (1ULL << VIRTIO_NET_F_MRG_RXBUF) |		\
			 (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |	\
			 (1ULL << VU_F_LOG_ALL) |			\
			 (1ULL << VU_F_PROTOCOL_FEATURES))
#define VU_PROTOCOL_FEATURES	((1ULL << VU_PROTOCOL_F_LOG_SHMFD) |	\
				 (1ULL << VU_PROTOCOL_F_REPLY_ACK) |	\
				 (1ULL << VU_PROTOCOL_F_DEVICE_STATE))

/* Reply to SET_DEVICE_STATE_FD: no descriptor of ours comes with it */
#define VU_STATE_REPLY_NOFD	0x100ULL
/* SET_DEVICE_STATE_FD migration phase: device stopped (the only one) */
#define VU_STATE_PHASE_STOPPED	0

/* Frames from the guest per batch, and the largest one */
#define VU_FRAMES_MAX		256
#define VU_FRAME_MAX		(ETH_MAX_MTU + ETH_HLEN)
/* Copies of guest frames, for the pool handed to passt.c */
#define VU_BUF_BYTES		(8 * 1024 * 1024)
/* Frames in the pool start at this alignment */
#define VU_FRAME_ALIGN		8
/* Pools handed out for one kick before other events get their turn */
#define VU_KICK_POOLS_MAX	8
/* Buffers of one frame to the guest we take from callers, plus header */
#define VU_SRC_IOV_MAX		64

/* Requests from the front end (vhost-user, "Front-end message types") */
enum vu_request {
	VU_GET_FEATURES			= 1,
	VU_SET_FEATURES			= 2,
	VU_SET_OWNER			= 3,
	VU_RESET_OWNER			= 4,
	VU_SET_MEM_TABLE		= 5,
	VU_SET_LOG_BASE			= 6,
	VU_SET_LOG_FD			= 7,
	VU_SET_VRING_NUM		= 8,
	VU_SET_VRING_ADDR		= 9,
	VU_SET_VRING_BASE		= 10,
	VU_GET_VRING_BASE		= 11,
	VU_SET_VRING_KICK		= 12,
	VU_SET_VRING_CALL		= 13,
	VU_SET_VRING_ERR		= 14,
	VU_GET_PROTOCOL_FEATURES	= 15,
	VU_SET_PROTOCOL_FEATURES	= 16,
	VU_GET_QUEUE_NUM		= 17,
	VU_SET_VRING_ENABLE		= 18,
	VU_SET_DEVICE_STATE_FD		= 42,
	VU_CHECK_DEVICE_STATE		= 43,
};

/* Messages are in the machine's own byte order (the vhost-user spec says
 * so): only what lies in guest memory, rings and virtio-net headers, is
 * little-endian
 */

/**
 * struct vu_hdr - Message header
 * @request:	enum vu_request
 * @flags:	Version and VU_FLAG_*
 * @size:	Payload bytes that follow
 */
struct vu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
};

/**
 * struct vu_vring_state - Payload: queue index and a number
 * @index:	Queue index
 * @num:	Size, base index, or enable flag
 */
struct vu_vring_state {
	uint32_t index;
	uint32_t num;
};

/**
 * struct vu_vring_addr - Payload of SET_VRING_ADDR
 * @index:	Queue index
 * @flags:	Logging flag (we offer no logging)
 * @desc:	Descriptor table, front end's address
 * @used:	Used ring, front end's address
 * @avail:	Available ring, front end's address
 * @log:	Log address
 */
struct vu_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc;
	uint64_t used;
	uint64_t avail;
	uint64_t log;
};

/**
 * struct vu_log_base - Payload of SET_LOG_BASE
 * @size:	Bytes of the log
 * @offset:	Offset of the log in the file descriptor
 */
struct vu_log_base {
	uint64_t size;
	uint64_t offset;
};

/**
 * struct vu_state_fd - Payload of SET_DEVICE_STATE_FD
 * @direction:	enum migrate_dir: 0 save (to the front end), 1 load
 * @phase:	Migration phase, VU_STATE_PHASE_STOPPED
 */
struct vu_state_fd {
	uint32_t direction;
	uint32_t phase;
};

/**
 * struct vu_mem_region - One region of SET_MEM_TABLE
 * @gpa:	Guest physical address
 * @size:	Length
 * @uva:	Front end's address
 * @mmap_offset: Offset of the region in the file descriptor
 */
struct vu_mem_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;
	uint64_t mmap_offset;
};

/**
 * struct vu_mem_table - Payload of SET_MEM_TABLE
 * @nregions:	Number of regions
 * @padding:	Unused
 * @r:		Regions, one file descriptor each
 */
struct vu_mem_table {
	uint32_t nregions;
	uint32_t padding;
	struct vu_mem_region r[];
};

/**
 * struct vu_msg - A message as received
 * @hdr:	Header
 * @payload:	Payload, @hdr.size bytes valid
 * @fds:	File descriptors that came with it, -1 once taken
 * @nfds:	Number of file descriptors
 */
struct vu_msg {
	struct vu_hdr hdr;
	union {
		uint64_t u64;
		struct vu_vring_state state;
		struct vu_vring_addr addr;
		struct vu_state_fd state_fd;
		struct vu_log_base log;
		struct vu_mem_table mem;
		uint8_t raw[VU_PAYLOAD_MAX];
	} payload;
	int fds[VIRTIO_REGIONS_MAX];
	size_t nfds;
};

/**
 * struct vu_dev - State of the connected front end and its device
 * @fd:		Command socket, -1 if no front end is connected
 * @gen:	Connection count, in epoll references to spot stale events
 * @features:	Negotiated feature bits
 * @protocol:	Negotiated protocol feature bits
 * @hdr_len:	Length of the virtio-net header before each frame
 * @mem:	Guest memory
 * @vq:		Receive and transmit queues
 */
static struct vu_dev {
	int fd;
	uint32_t gen;
	uint64_t features;
	uint64_t protocol;
	size_t hdr_len;
	struct virtio_mem mem;
	struct virtq vq[VU_QUEUES];
} vu = {
	.fd = -1,
	.vq = {
		[VU_RXQ] = { .kick_fd = -1, .call_fd = -1, .err_fd = -1 },
		[VU_TXQ] = { .kick_fd = -1, .call_fd = -1, .err_fd = -1 },
	},
};

static struct vu_msg vu_msg;

/* Dirty page log, and our whole mapping of its file */
static struct virtio_log vu_log = { .mem = &vu.mem };
static void *vu_log_mapped;
static size_t vu_log_mapped_len;

static uint8_t vu_buf[VU_BUF_BYTES] __attribute__((aligned(FRAME_ALIGN)));
POOL_DEFINE(vu_pool, VU_FRAMES_MAX);
/* Pools handed out since the last kick */
static unsigned vu_kick_pools;

/* Buffers of the chain being read (transmit) or filled (receive) */
static struct iovec vu_tx_iov[VIRTQ_IOV_MAX];
static struct iovec vu_rx_iov[VIRTQ_IOV_MAX];

/* epoll set to wait for the rest of a message from the front end, alone */
static int vu_wait_fd = -1;

/**
 * vu_connected() - Is a front end connected?
 *
 * Return: true if so
 */
bool vu_connected(void)
{
	return vu.fd >= 0;
}

/**
 * vu_ref() - epoll reference for one of the front end's descriptors
 * @type:	EPOLL_TYPE_VHOST_CMD or EPOLL_TYPE_VHOST_KICK
 * @fd:		File descriptor
 * @q:		Queue index, for kick eventfds
 *
 * Return: reference carrying the connection count too
 */
static union epoll_ref vu_ref(enum epoll_type type, int fd, unsigned q)
{
	union epoll_ref ref = { .type = type, .fd = fd };

	ref.data = (vu.gen << 8) | q;
	return ref;
}

/**
 * vu_iov_copy() - Copy between two lists of buffers
 * @dst:	Destination buffers
 * @ndst:	Number of destination buffers
 * @src:	Source buffers
 * @nsrc:	Number of source buffers
 * @skip:	Bytes of the source to skip first
 *
 * Return: bytes copied: all of the source after @skip, or as much as the
 *	   destination holds
 */
static size_t vu_iov_copy(const struct iovec *dst, size_t ndst,
			  const struct iovec *src, size_t nsrc, size_t skip)
{
	size_t di = 0, doff = 0, si = 0, copied = 0;

	while (si < nsrc && skip >= src[si].iov_len)
		skip -= src[si++].iov_len;

	while (si < nsrc && di < ndst) {
		size_t n = MIN(src[si].iov_len - skip, dst[di].iov_len - doff);

		memcpy((uint8_t *)dst[di].iov_base + doff,
		       (const uint8_t *)src[si].iov_base + skip, n);
		copied += n;
		skip += n;
		doff += n;
		if (skip == src[si].iov_len) {
			si++;
			skip = 0;
		}
		if (doff == dst[di].iov_len) {
			di++;
			doff = 0;
		}
	}

	return copied;
}

/**
 * vu_iov_size() - Total length of a list of buffers
 * @iov:	Buffers
 * @n:		Number of buffers
 *
 * Return: sum of the lengths
 */
static size_t vu_iov_size(const struct iovec *iov, size_t n)
{
	size_t len = 0, i;

	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	return len;
}

/**
 * vu_update_ready() - Publish whether frames can flow, as @c->run->fd_tap
 * @c:		Execution context
 *
 * Other modules take a non-negative fd_tap to mean a guest is attached (the
 * first Router Advertisement goes out then), so it is only set while both
 * queues run.
 */
static void vu_update_ready(const struct ctx *c)
{
	bool ready = vu.fd >= 0 && virtq_ready(&vu.vq[VU_RXQ]) &&
		     virtq_ready(&vu.vq[VU_TXQ]);
	bool was_ready;

	const struct virtio_log *log = NULL;

	if (vu_log.map && (vu.features & (1ULL << VU_F_LOG_ALL)))
		log = &vu_log;
	vu.vq[VU_RXQ].log = vu.vq[VU_TXQ].log = log;

	was_ready = c->run->fd_tap >= 0;
	c->run->fd_tap = ready ? vu.fd : -1;
	if (ready && !was_ready) {
		info("vhost-user: queues running");
		migrate_device_ready(c);
	}
}

/**
 * vu_queue_stop() - Stop a queue: no more kicks from it
 * @c:		Execution context
 * @vq:		Queue
 */
static void vu_queue_stop(const struct ctx *c, struct virtq *vq)
{
	if (vq->kick_fd >= 0) {
		epoll_ctl(c->run->epollfd, EPOLL_CTL_DEL, vq->kick_fd, NULL);
		close(vq->kick_fd);
		vq->kick_fd = -1;
	}
	vq->started = false;
}

/**
 * vu_queues_reset() - Forget both queues, closing their eventfds
 * @c:		Execution context
 */
static void vu_queues_reset(const struct ctx *c)
{
	unsigned q;

	for (q = 0; q < VU_QUEUES; q++) {
		struct virtq *vq = &vu.vq[q];

		vu_queue_stop(c, vq);
		if (vq->call_fd >= 0)
			close(vq->call_fd);
		if (vq->err_fd >= 0)
			close(vq->err_fd);
		memset(vq, 0, sizeof(*vq));
		vq->kick_fd = vq->call_fd = vq->err_fd = -1;
	}
}

/**
 * vu_mem_unmap() - Unmap a table of guest memory regions
 * @m:		Memory table, emptied
 */
static void vu_mem_unmap(struct virtio_mem *m)
{
	unsigned i;

	for (i = 0; i < m->n; i++)
		munmap(m->r[i].map, m->r[i].map_len);
	memset(m, 0, sizeof(*m));
}

/**
 * vu_log_unmap() - Unmap the dirty page log, if any
 */
static void vu_log_unmap(void)
{
	if (vu_log_mapped)
		munmap(vu_log_mapped, vu_log_mapped_len);
	vu_log_mapped = NULL;
	vu_log_mapped_len = 0;
	vu_log.map = NULL;
	vu_log.len = 0;
	vu.vq[VU_RXQ].log = vu.vq[VU_TXQ].log = NULL;
}

/**
 * vu_close() - Drop the front end, get ready for the next one
 * @c:		Execution context
 *
 * With -1 (or -F), that was the only front end we serve: exit.
 */
static void vu_close(const struct ctx *c)
{
	if (vu.fd < 0)
		return;

	epoll_ctl(c->run->epollfd, EPOLL_CTL_DEL, vu.fd, NULL);
	close(vu.fd);
	vu.fd = -1;
	migrate_abort(c);
	vu_queues_reset(c);
	vu_log_unmap();
	vu_mem_unmap(&vu.mem);
	vu.features = vu.protocol = 0;
	vu.gen++;
	vu_update_ready(c);
	c->run->guest_gone = true;

	/* After a migration, exiting would close lingering sockets */
	if (c->one_off && !migrate_lingering(c)) {
		info("vhost-user: front end gone, exiting");
		exit(EXIT_SUCCESS);
	}
	info("vhost-user: front end gone, waiting for a new one");
}

/**
 * vu_init() - Set up what the vhost-user back end needs before the sandbox
 *
 * Return: 0 on success, -1 on failure
 */
int vu_init(void)
{
	vu_wait_fd = epoll_create1(EPOLL_CLOEXEC);
	return vu_wait_fd < 0 ? -1 : 0;
}

/**
 * vu_attach() - Start serving a connected front end
 * @c:		Execution context
 * @fd:		Connected command socket
 *
 * Return: 0 on success, -1 if one is already connected or @fd can't be
 *	   watched (the caller closes @fd)
 */
int vu_attach(const struct ctx *c, int fd)
{
	union epoll_ref ref;

	if (vu.fd >= 0)
		return -1;

	vu.gen++;
	ref = vu_ref(EPOLL_TYPE_VHOST_CMD, fd, 0);
	/* #syscalls:vu fcntl(arg1=F_GETFL/F_SETFL/F_GET_SEALS/F_ADD_SEALS) */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) ||
	    epoll_add_ref(c->run->epollfd, fd, EPOLLIN | EPOLLRDHUP, ref)) {
		err("vhost-user: can't watch front end socket");
		return -1;
	}

	vu.fd = fd;
	vu.features = vu.protocol = 0;
	vu.hdr_len = sizeof(struct virtio_net_hdr_v1);
	vu_queues_reset(c);
	info("vhost-user: front end connected");
	return 0;
}

/**
 * vu_recv_wait() - Receive exactly some bytes, waiting a little for them
 * @fd:		Command socket
 * @buf:	Destination
 * @len:	Bytes to receive
 *
 * The whole wait is bounded, so that a front end dribbling bytes can't hold
 * up the loop for more than VU_MSG_TIMEOUT_MS.
 *
 * Return: 0 on success, -1 on error, end of stream or timeout (logged)
 */
static int vu_recv_wait(int fd, void *buf, size_t len)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
	struct timespec start, now;
	size_t done = 0;

	/* Waiting with epoll rather than poll(): one call fewer to allow.
	 * Closing the socket takes it out of this set by itself.
	 */
	if (epoll_ctl(vu_wait_fd, EPOLL_CTL_ADD, fd, &ev) && errno != EEXIST)
		return -1;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (done < len) {
		long long left;
		ssize_t n;

		n = sock_recv(fd, (uint8_t *)buf + done, len - done,
			      MSG_DONTWAIT);
		if (n > 0) {
			done += n;
			continue;
		}
		if (!n) {
			err_ratelimit("vhost-user: front end closed in a "
				      "message");
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			err_perror_ratelimit("vhost-user: receive");
			return -1;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = VU_MSG_TIMEOUT_MS - timespec_diff_ms(&now, &start);
		n = left > 0 ? epoll_wait(vu_wait_fd, &ev, 1, (int)left) : 0;
		if (n == 0) {
			err_ratelimit("vhost-user: truncated message from "
				      "front end");
			return -1;
		}
		if (n < 0 && errno != EINTR)
			return -1;
	}

	return 0;
}

/**
 * vu_msg_recv() - Receive one message and the descriptors that come with it
 * @m:		Message to fill
 *
 * Return: 1 if a message was received, 0 if none is waiting, -1 to drop
 *	   the front end (logged)
 */
static int vu_msg_recv(struct vu_msg *m)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VIRTIO_REGIONS_MAX)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = &m->hdr, .iov_len = sizeof(m->hdr) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cmsg;
	ssize_t n;

	m->nfds = 0;
	do
		n = recvmsg(vu.fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n < 0) {
		err_perror_ratelimit("vhost-user: receive");
		return -1;
	}
	if (!n) {
		info("vhost-user: front end closed the connection");
		return -1;
	}

	for (cmsg = CMSG_FIRSTHDR(&mh); cmsg; cmsg = CMSG_NXTHDR(&mh, cmsg)) {
		size_t i, k;

		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		k = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int),
			       sizeof(fd));
			if (m->nfds < VIRTIO_REGIONS_MAX)
				m->fds[m->nfds++] = fd;
			else
				close(fd);
		}
	}
	if (mh.msg_flags & MSG_CTRUNC) {
		err_ratelimit("vhost-user: too many file descriptors in a "
			      "message");
		return -1;
	}

	if ((size_t)n < sizeof(m->hdr) &&
	    vu_recv_wait(vu.fd, (uint8_t *)&m->hdr + n, sizeof(m->hdr) - n))
		return -1;

	if ((m->hdr.flags & VU_FLAG_VERSION_MASK) != VU_VERSION) {
		err_ratelimit("vhost-user: message version %u, not %u",
			      m->hdr.flags & VU_FLAG_VERSION_MASK, VU_VERSION);
		return -1;
	}
	if (m->hdr.size > VU_PAYLOAD_MAX) {
		err_ratelimit("vhost-user: request %u with %u bytes of payload",
			      m->hdr.request, m->hdr.size);
		return -1;
	}
	if (m->hdr.size && vu_recv_wait(vu.fd, &m->payload, m->hdr.size))
		return -1;

	return 1;
}

/**
 * vu_msg_close_fds() - Close the descriptors of a message nobody took
 * @m:		Message
 */
static void vu_msg_close_fds(struct vu_msg *m)
{
	size_t i;

	for (i = 0; i < m->nfds; i++) {
		if (m->fds[i] >= 0)
			close(m->fds[i]);
		m->fds[i] = -1;
	}
	m->nfds = 0;
}

/**
 * vu_reply() - Send a reply to a request
 * @req:	Request header
 * @payload:	Reply payload
 * @size:	Length of @payload
 *
 * Return: 0 on success, -1 on failure (logged)
 */
static int vu_reply(const struct vu_hdr *req, const void *payload,
		    uint32_t size)
{
	struct vu_hdr h = {
		.request = req->request,
		.flags = VU_VERSION | VU_FLAG_REPLY,
		.size = size,
	};
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = (void *)payload, .iov_len = size },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n;

	do
		n = sendmsg(vu.fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)(sizeof(h) + size)) {
		err_ratelimit("vhost-user: can't reply to request %u",
			      req->request);
		return -1;
	}
	return 0;
}

/**
 * vu_reply_u64() - Send a reply carrying a 64-bit number
 * @req:	Request header
 * @v:		Number
 *
 * Return: 0 on success, -1 on failure
 */
static int vu_reply_u64(const struct vu_hdr *req, uint64_t v)
{
	return vu_reply(req, &v, sizeof(v));
}

/**
 * vu_bad() - Log a request we refuse
 * @m:		Request
 * @why:	What is wrong with it
 *
 * Return: -1
 */
static int vu_bad(const struct vu_msg *m, const char *why)
{
	/* One site for every reason, and each ends the session: a wider
	 * burst, so that a front end's distinct mistakes are all told
	 */
	logmsg_ratelimit(logmsg, LOG_ERR, VU_BAD_LOG_BURST,
			 LOG_RATELIMIT_INTERVAL,
			 "vhost-user: request %u (size %u, %zu fds): %s",
			 m->hdr.request, m->hdr.size, m->nfds, why);
	return -1;
}

/**
 * vu_queue_of() - Queue addressed by an index, checked
 * @m:		Request, for the log
 * @index:	Queue index from the request
 *
 * Return: queue, NULL if there's no such queue (logged)
 */
static struct virtq *vu_queue_of(const struct vu_msg *m, uint64_t index)
{
	if (index >= VU_QUEUES) {
		vu_bad(m, "no such queue");
		return NULL;
	}
	return &vu.vq[index];
}

/**
 * vu_seal_shrink() - Make sure a memory file can't shrink under our mapping
 * @fd:		File descriptor of guest memory
 *
 * A front end truncating the file later would turn our accesses into
 * SIGBUS. memfds can be sealed against that (qemu's are, by default); other
 * files can't, so the front end has to be trusted not to.
 */
static void vu_seal_shrink(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);

	if (seals >= 0 && (seals & F_SEAL_SHRINK))
		return;
	if (seals >= 0 && !fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK))
		return;
	warn_ratelimit("vhost-user: guest memory file can't be sealed against "
		       "shrinking");
}

/**
 * vu_set_mem_table() - Map the guest memory regions a front end shares
 * @m:		SET_MEM_TABLE request, with one descriptor per region
 *
 * Return: 0 on success, -1 if the table is malformed or can't be mapped
 */
static int vu_set_mem_table(struct vu_msg *m)
{
	struct virtio_mem nm = { 0 };
	uint32_t nr = m->payload.mem.nregions;
	unsigned i, q;

	if (m->hdr.size < sizeof(struct vu_mem_table))
		return vu_bad(m, "short memory table");
	if (!nr || nr > VIRTIO_REGIONS_MAX)
		return vu_bad(m, "bad number of memory regions");
	if (m->hdr.size != sizeof(struct vu_mem_table) +
			   nr * sizeof(struct vu_mem_region))
		return vu_bad(m, "size doesn't match number of regions");
	if (m->nfds != nr)
		return vu_bad(m, "one file descriptor per region needed");

	for (i = 0; i < nr; i++) {
		const struct vu_mem_region *r = &m->payload.mem.r[i];
		uint64_t end = r->mmap_offset + r->size;
		struct stat st;
		void *map;

		if (!r->size || r->gpa + r->size < r->gpa ||
		    r->uva + r->size < r->uva || end < r->size ||
		    end > SIZE_MAX) {
			vu_bad(m, "bad memory region bounds");
			goto fail;
		}
		/* Past the end of the file, accesses would raise SIGBUS */
		/* #syscalls:vu newfstatat|fstatat64 */
		if (fstat(m->fds[i], &st) || (uint64_t)st.st_size < end) {
			vu_bad(m, "memory region past the end of its file");
			goto fail;
		}
		vu_seal_shrink(m->fds[i]);

		/* #syscalls:vu mmap(arg2&PROT_EXEC=0,arg3&MAP_ANONYMOUS|MAP_FIXED=0) munmap */
		map = mmap(NULL, end, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_NORESERVE, m->fds[i], 0);
		if (map == MAP_FAILED) {
			err_perror_ratelimit("vhost-user: can't map guest "
					     "memory");
			goto fail;
		}
		nm.r[i].gpa = r->gpa;
		nm.r[i].size = r->size;
		nm.r[i].uva = r->uva;
		nm.r[i].map = map;
		nm.r[i].map_len = end;
		nm.r[i].base = (uint8_t *)map + r->mmap_offset;
		nm.n = i + 1;
		debug("vhost-user: region %u: guest 0x%llx, %llu bytes", i,
		      (unsigned long long)r->gpa,
		      (unsigned long long)r->size);
	}

	vu_msg_close_fds(m);
	vu_mem_unmap(&vu.mem);
	vu.mem = nm;

	/* Rings move with the memory: find them again */
	for (q = 0; q < VU_QUEUES; q++) {
		struct virtq *vq = &vu.vq[q];

		if (vq->addr_set && vq->num && virtq_map(&vu.mem, vq) &&
		    vq->started)
			return vu_bad(m, "running queue outside new memory");
	}
	return 0;

fail:
	vu_mem_unmap(&nm);
	return -1;
}

/**
 * vu_set_vring_fd() - Take a queue's kick, call or error eventfd
 * @c:		Execution context
 * @m:		SET_VRING_KICK, SET_VRING_CALL or SET_VRING_ERR request
 *
 * Return: 0 on success, -1 on a malformed request or a queue we can't start
 */
static int vu_set_vring_fd(const struct ctx *c, struct vu_msg *m)
{
	uint64_t v = m->payload.u64;
	bool nofd = v & VU_VRING_NOFD;
	struct virtq *vq;
	union epoll_ref ref;
	int fd;

	if (m->hdr.size != sizeof(uint64_t))
		return vu_bad(m, "bad size");
	if (v & ~(VU_VRING_IDX_MASK | VU_VRING_NOFD))
		return vu_bad(m, "unknown flags");
	if (m->nfds != (nofd ? 0U : 1U))
		return vu_bad(m, "file descriptor doesn't match flag");
	vq = vu_queue_of(m, v & VU_VRING_IDX_MASK);
	if (!vq)
		return -1;

	fd = nofd ? -1 : m->fds[0];
	if (!nofd)
		m->fds[0] = -1;

	/* Whatever the front end passed, reading or signalling it must never
	 * block us (qemu's eventfds are non-blocking already)
	 */
	if (fd >= 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)) {
		close(fd);
		return vu_bad(m, "can't make eventfd non-blocking");
	}

	switch (m->hdr.request) {
	case VU_SET_VRING_CALL:
		if (vq->call_fd >= 0)
			close(vq->call_fd);
		vq->call_fd = fd;
		return 0;
	case VU_SET_VRING_ERR:
		if (vq->err_fd >= 0)
			close(vq->err_fd);
		vq->err_fd = fd;
		return 0;
	}

	/* SET_VRING_KICK starts the queue */
	vu_queue_stop(c, vq);
	if (fd < 0)
		return vu_bad(m, "polled queues not supported");
	vq->kick_fd = fd;
	if (virtq_map(&vu.mem, vq))
		return vu_bad(m, "queue not set up in guest memory");

	/* Kicks only matter for the transmit queue: when the receive queue
	 * runs out of buffers, frames for the guest are dropped, not queued
	 */
	if (vq == &vu.vq[VU_TXQ]) {
		/* Edge-triggered: every kick wakes us, and we never need to
		 * read() the counter (one system call fewer in the filter)
		 */
		ref = vu_ref(EPOLL_TYPE_VHOST_KICK, fd, VU_TXQ);
		if (epoll_add_ref(c->run->epollfd, fd, EPOLLIN | EPOLLET, ref))
			return vu_bad(m, "can't watch kick eventfd");
		/* Buffers made available before now: look at them */
		eventfd_write(fd, 1);
	} else {
		virtq_no_notify(vq);
	}
	vq->started = true;
	if (!(vu.features & (1ULL << VU_F_PROTOCOL_FEATURES)))
		vq->enabled = true;
	return 0;
}

/**
 * vu_set_vring_addr() - Take the front-end addresses of a queue's rings
 * @m:		SET_VRING_ADDR request
 *
 * Return: 0 on success, -1 if malformed or outside guest memory
 */
static int vu_set_vring_addr(struct vu_msg *m)
{
	const struct vu_vring_addr *a = &m->payload.addr;
	struct virtq *vq;

	if (m->hdr.size != sizeof(*a))
		return vu_bad(m, "bad size");
	vq = vu_queue_of(m, a->index);
	if (!vq)
		return -1;
	if (vq->started)
		return vu_bad(m, "queue is running");

	vq->desc_uva = a->desc;
	vq->avail_uva = a->avail;
	vq->used_uva = a->used;
	vq->addr_set = true;
	if (vu.mem.n && vq->num && virtq_map(&vu.mem, vq))
		return vu_bad(m, "rings outside guest memory");
	return 0;
}

/**
 * vu_set_features() - Take the feature bits the front end negotiated
 * @m:		SET_FEATURES or SET_PROTOCOL_FEATURES request
 *
 * Return: 0 on success, -1 if malformed or not a subset of what we offer
 */
static int vu_set_features(const struct vu_msg *m)
{
	uint64_t v = m->payload.u64;

	if (m->hdr.size != sizeof(uint64_t))
		return vu_bad(m, "bad size");

	if (m->hdr.request == VU_SET_PROTOCOL_FEATURES) {
		if (v & ~VU_PROTOCOL_FEATURES)
			return vu_bad(m, "protocol features not offered");
		vu.protocol = v;
		return 0;
	}

	if (v & ~VU_FEATURES)
		return vu_bad(m, "features not offered");
	vu.features = v;
	if (v & ((1ULL << VIRTIO_F_VERSION_1) |
		 (1ULL << VIRTIO_NET_F_MRG_RXBUF)))
		vu.hdr_len = sizeof(struct virtio_net_hdr_v1);
	else
		vu.hdr_len = VIRTIO_NET_HDR_LEGACY_LEN;

	/* Without protocol features, queues need no enabling */
	if (!(v & (1ULL << VU_F_PROTOCOL_FEATURES))) {
		vu.vq[VU_RXQ].enabled = true;
		vu.vq[VU_TXQ].enabled = true;
	}
	return 0;
}

/**
 * vu_vring_req() - Act on a request carrying a struct vu_vring_state
 * @c:		Execution context
 * @m:		SET_VRING_NUM, SET_VRING_BASE, GET_VRING_BASE or
 *		SET_VRING_ENABLE request
 * @replied:	Set if the request was answered with a reply of its own
 *
 * Return: 0 on success, -1 to drop the front end
 */
static int vu_vring_req(const struct ctx *c, const struct vu_msg *m,
			bool *replied)
{
	const struct vu_vring_state *s = &m->payload.state;
	struct vu_vring_state st;
	struct virtq *vq;

	if (m->hdr.size != sizeof(*s))
		return vu_bad(m, "bad size");
	vq = vu_queue_of(m, s->index);
	if (!vq)
		return -1;

	switch (m->hdr.request) {
	case VU_SET_VRING_NUM:
		if (vq->started)
			return vu_bad(m, "queue is running");
		if (!s->num || s->num > VIRTQ_SIZE_MAX ||
		    (s->num & (s->num - 1)))
			return vu_bad(m, "bad queue size");
		vq->num = s->num;
		if (vu.mem.n && vq->addr_set && virtq_map(&vu.mem, vq))
			return vu_bad(m, "rings outside guest memory");
		return 0;
	case VU_SET_VRING_BASE:
		if (vq->started)
			return vu_bad(m, "queue is running");
		if (s->num > UINT16_MAX)
			return vu_bad(m, "bad ring index");
		vq->last_avail = vq->used_idx = s->num;
		return 0;
	case VU_GET_VRING_BASE:
		/* Stops the queue: nothing we took is left unreturned */
		vu_queue_stop(c, vq);
		st.index = s->index;
		st.num = vq->last_avail;
		*replied = true;
		return vu_reply(&m->hdr, &st, sizeof(st));
	default:	/* VU_SET_VRING_ENABLE */
		if (s->num > 1)
			return vu_bad(m, "bad enable flag");
		vq->enabled = s->num;
		return 0;
	}
}

/**
 * vu_set_log_base() - SET_LOG_BASE: map the dirty page log
 * @m:		Request, with the log's file descriptor
 * @replied:	Set, as the request is answered with a reply of its own
 *
 * Return: 0 on success, -1 to drop the front end
 */
static int vu_set_log_base(struct vu_msg *m, bool *replied)
{
	const struct vu_log_base *l = &m->payload.log;
	struct stat st;
	uint64_t end;
	void *map;

	if (!(vu.protocol & (1ULL << VU_PROTOCOL_F_LOG_SHMFD)))
		return vu_bad(m, "log in shared memory not negotiated");
	if (m->hdr.size != sizeof(*l) || m->nfds != 1)
		return vu_bad(m, "bad size or descriptor count");
	if (!l->size || l->size > SIZE_MAX / 2 || l->offset > SIZE_MAX / 2)
		return vu_bad(m, "bad log size or offset");
	end = l->size + l->offset;
	if (fstat(m->fds[0], &st) || (uint64_t)st.st_size < end)
		return vu_bad(m, "log past the end of its file");
	vu_seal_shrink(m->fds[0]);

	map = mmap(NULL, end, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_NORESERVE, m->fds[0], 0);
	if (map == MAP_FAILED) {
		err_perror_ratelimit("vhost-user: can't map dirty page log");
		return -1;
	}
	vu_log_unmap();
	vu_log_mapped = map;
	vu_log_mapped_len = end;
	vu_log.map = (uint8_t *)map + l->offset;
	vu_log.len = l->size;
	debug("vhost-user: dirty page log of %llu bytes",
	      (unsigned long long)l->size);

	/* With LOG_SHMFD, the front end waits for a reply */
	*replied = true;
	return vu_reply_u64(&m->hdr, 0);
}

/**
 * vu_state_fd() - SET_DEVICE_STATE_FD: transfer device state through a pipe
 * @c:		Execution context
 * @m:		Request, with the pipe end as its descriptor (taken)
 * @replied:	Set, as the request is answered with a reply of its own
 *
 * Return: 0 on success (a failed transfer is told in the reply), -1 to
 *	   drop the front end
 */
static int vu_state_fd(const struct ctx *c, struct vu_msg *m, bool *replied)
{
	const struct vu_state_fd *s = &m->payload.state_fd;
	int fd;

	if (!(vu.protocol & (1ULL << VU_PROTOCOL_F_DEVICE_STATE)))
		return vu_bad(m, "device state not negotiated");
	if (m->hdr.size != sizeof(*s) || m->nfds != 1)
		return vu_bad(m, "bad size or descriptor count");
	if (s->direction != MIGRATE_SAVE && s->direction != MIGRATE_LOAD)
		return vu_bad(m, "bad transfer direction");

	*replied = true;
	if (s->phase != VU_STATE_PHASE_STOPPED) {
		err("vhost-user: device state transfer in phase %u refused",
		    s->phase);
		return vu_reply_u64(&m->hdr, VU_STATE_REPLY_NOFD | 1);
	}
	if (vu.vq[VU_RXQ].started || vu.vq[VU_TXQ].started) {
		err("vhost-user: device state transfer with queues running");
		return vu_reply_u64(&m->hdr, VU_STATE_REPLY_NOFD | 1);
	}

	fd = m->fds[0];
	m->fds[0] = -1;
	info("vhost-user: %s device state",
	     s->direction == MIGRATE_SAVE ? "saving" : "loading");
	if (migrate_start(c, s->direction, fd))
		return vu_reply_u64(&m->hdr, VU_STATE_REPLY_NOFD | 1);
	return vu_reply_u64(&m->hdr, VU_STATE_REPLY_NOFD);
}

/**
 * vu_handle() - Act on a request from the front end
 * @c:		Execution context
 * @m:		Request; descriptors it keeps are set to -1
 * @replied:	Set if the request was answered with a reply of its own
 *
 * Return: 0 on success, -1 to drop the front end
 */
static int vu_handle(const struct ctx *c, struct vu_msg *m, bool *replied)
{
	*replied = false;

	switch (m->hdr.request) {
	case VU_SET_MEM_TABLE:
		return vu_set_mem_table(m);
	case VU_SET_VRING_KICK:
	case VU_SET_VRING_CALL:
	case VU_SET_VRING_ERR:
		return vu_set_vring_fd(c, m);
	case VU_SET_LOG_BASE:
		return vu_set_log_base(m, replied);
	case VU_SET_LOG_FD:
		return vu_bad(m, "log eventfd not supported");
	case VU_SET_DEVICE_STATE_FD:
		return vu_state_fd(c, m, replied);
	}

	/* Only the requests above carry file descriptors */
	if (m->nfds)
		return vu_bad(m, "unexpected file descriptors");

	switch (m->hdr.request) {
	case VU_GET_FEATURES:
		*replied = true;
		return vu_reply_u64(&m->hdr, VU_FEATURES);
	case VU_GET_PROTOCOL_FEATURES:
		*replied = true;
		return vu_reply_u64(&m->hdr, VU_PROTOCOL_FEATURES);
	case VU_GET_QUEUE_NUM:
		*replied = true;
		return vu_reply_u64(&m->hdr, VU_QUEUES / 2);
	case VU_SET_FEATURES:
	case VU_SET_PROTOCOL_FEATURES:
		return vu_set_features(m);
	case VU_SET_OWNER:
		return 0;
	case VU_CHECK_DEVICE_STATE:
		if (!(vu.protocol & (1ULL << VU_PROTOCOL_F_DEVICE_STATE)))
			return vu_bad(m, "device state not negotiated");
		*replied = true;
		{
			int ret = vu_reply_u64(&m->hdr,
					       migrate_check(c) ? 1 : 0);

			migrate_checked(c);
			return ret;
		}
	case VU_RESET_OWNER:
		vu_queues_reset(c);
		vu.features = 0;
		return 0;
	case VU_SET_VRING_ADDR:
		return vu_set_vring_addr(m);
	case VU_SET_VRING_NUM:
	case VU_SET_VRING_BASE:
	case VU_GET_VRING_BASE:
	case VU_SET_VRING_ENABLE:
		return vu_vring_req(c, m, replied);
	default:
		return vu_bad(m, "unsupported request");
	}
}

/**
 * vu_cmd_handler() - Handle messages from the front end on its socket
 * @c:		Execution context
 * @ref:	epoll reference of the command socket
 * @events:	epoll events
 */
void vu_cmd_handler(const struct ctx *c, union epoll_ref ref, uint32_t events)
{
	struct vu_msg *m = &vu_msg;

	(void)events;
	if (vu.fd < 0 || ref.fd != vu.fd || (ref.data >> 8) != vu.gen)
		return;

	for (;;) {
		bool replied;
		int ret;

		ret = vu_msg_recv(m);
		if (!ret)
			break;
		if (ret < 0) {
			vu_msg_close_fds(m);
			vu_close(c);
			return;
		}

		trace("vhost-user: request %u, size %u, %zu fds",
		      m->hdr.request, m->hdr.size, m->nfds);
		ret = vu_handle(c, m, &replied);
		vu_msg_close_fds(m);

		/* REPLY_ACK: a status for requests without a reply */
		if (!ret && !replied && (m->hdr.flags & VU_FLAG_NEED_REPLY) &&
		    (vu.protocol & (1ULL << VU_PROTOCOL_F_REPLY_ACK)))
			ret = vu_reply_u64(&m->hdr, 0);

		if (ret) {
			vu_close(c);
			return;
		}
		vu_update_ready(c);
	}
}

/**
 * vu_kick_handler() - Take frames the guest transmitted
 * @c:		Execution context
 * @ref:	epoll reference of the transmit queue's kick eventfd
 * @events:	epoll events; 0 to only take more frames, without a kick
 *
 * Call again with @events 0 until the pool comes back empty: one pool may
 * not hold all the frames waiting.
 *
 * Return: pool of frames (copies), valid until the next call
 */
const struct pool *vu_kick_handler(const struct ctx *c, union epoll_ref ref,
				   uint32_t events)
{
	struct virtq *vq = &vu.vq[VU_TXQ];
	size_t off = 0, pushed = 0;

	vu_pool.count = 0;
	if (vu.fd < 0 || (ref.data >> 8) != vu.gen || ref.fd != vq->kick_fd)
		return &vu_pool;

	/* A guest refilling the queue as fast as we empty it mustn't starve
	 * host sockets: after a few pools, kick ourselves and come back later
	 */
	if (events) {
		vu_kick_pools = 0;
	} else if (++vu_kick_pools >= VU_KICK_POOLS_MAX) {
		/* #syscalls:vu write */
		eventfd_write(vq->kick_fd, 1);
		return &vu_pool;
	}

	if (!virtq_ready(vq))
		return &vu_pool;

	while (vu_pool.count < vu_pool.size &&
	       sizeof(vu_buf) - off >= VU_FRAME_MAX + FRAME_ALIGN_OFF) {
		uint8_t *frame = vu_buf + off + FRAME_ALIGN_OFF;
		struct iovec dst = { frame, VU_FRAME_MAX };
		size_t niov, len, total;
		uint16_t head;
		int ret;

		ret = virtq_pop(&vu.mem, vq, false, vu_tx_iov, &niov, &head);
		if (!ret)
			break;
		if (ret < 0) {
			if (pushed)
				virtq_publish(vq);
			vu_close(c);
			return &vu_pool;
		}

		total = vu_iov_size(vu_tx_iov, niov);
		len = vu_iov_copy(&dst, 1, vu_tx_iov, niov, vu.hdr_len);
		virtq_push(vq, head, 0);
		pushed++;

		if (total < vu.hdr_len + ETH_HLEN ||
		    total - vu.hdr_len > VU_FRAME_MAX) {
			drop_debug("vhost-user: dropping %zu-byte buffer from "
				   "guest", total);
			continue;
		}

		pool_add(&vu_pool, frame, len);
		pcap_frame(frame, len);
		off += ROUND_UP(len + FRAME_ALIGN_OFF, VU_FRAME_ALIGN);
	}

	if (pushed) {
		virtq_publish(vq);
		virtq_notify(vq);
	}
	return &vu_pool;
}

/**
 * vu_send_one() - Copy one frame into the guest's receive buffers
 * @vq:		Receive queue, ready
 * @src:	Virtio-net header, then the buffers of the frame
 * @nsrc:	Number of entries in @src
 * @len:	Bytes in @src
 *
 * With VIRTIO_NET_F_MRG_RXBUF, a frame spans as many buffers as it needs,
 * and num_buffers in its header says how many.
 *
 * Return: 1 if the frame went out (or can never fit and was dropped), 0 if
 *	   the guest has no buffers for it now, -1 if the queue is broken
 */
static int vu_send_one(struct virtq *vq, const struct iovec *src,
		       size_t nsrc, size_t len)
{
	bool mrg = vu.features & (1ULL << VIRTIO_NET_F_MRG_RXBUF);
	uint16_t last_avail = vq->last_avail, used_idx = vq->used_idx;
	struct virtio_net_hdr_v1 *vh = NULL;
	uint16_t nbufs = 0;
	size_t done = 0;
	int ret;

	while (done < len) {
		size_t niov, n;
		uint16_t head;

		if (nbufs && !mrg) {
			debug("vhost-user: %zu-byte frame too long for guest "
			      "buffer", len);
			ret = 1;
			goto undo;
		}

		ret = virtq_pop(&vu.mem, vq, true, vu_rx_iov, &niov, &head);
		if (ret <= 0)
			goto undo;
		ret = -1;
		if (!nbufs) {
			if (!niov || vu_rx_iov[0].iov_len < vu.hdr_len) {
				err_ratelimit("vhost-user: receive buffer too "
					      "short for a virtio-net header");
				goto undo;
			}
			vh = vu_rx_iov[0].iov_base;
		}

		n = vu_iov_copy(vu_rx_iov, niov, src, nsrc, done);
		if (!n) {
			err_ratelimit("vhost-user: empty receive buffer");
			goto undo;
		}
		virtio_log_iov(vq->log, vu_rx_iov, niov, n);
		virtq_push(vq, head, n);
		done += n;
		nbufs++;
	}

	if (vu.hdr_len == sizeof(*vh))
		__atomic_store_n(&vh->num_buffers, htole16(nbufs),
				 __ATOMIC_RELAXED);
	return 1;

undo:
	/* Buffers taken for a frame that doesn't go out stay available */
	vq->last_avail = last_avail;
	vq->used_idx = used_idx;
	return ret;
}

/**
 * vu_send_frames() - Send frames to the guest over the receive queue
 * @c:		Execution context
 * @iov:	Buffers, @bufs_per_frame for each frame, in order
 * @bufs_per_frame:	Buffers making up one frame
 * @nframes:	Number of frames
 *
 * Return: number of frames sent, counting from the first; the rest found
 *	   no receive buffers (or the queue isn't running) and were dropped
 */
size_t vu_send_frames(const struct ctx *c, const struct iovec *iov,
		      size_t bufs_per_frame, size_t nframes)
{
	static const struct virtio_net_hdr_v1 hdr;
	struct iovec src[VU_SRC_IOV_MAX];
	struct virtq *vq = &vu.vq[VU_RXQ];
	size_t f, sent = 0;

	(void)c;
	if (vu.fd < 0 || !virtq_ready(vq) || bufs_per_frame >= VU_SRC_IOV_MAX)
		return 0;

	src[0].iov_base = (void *)&hdr;
	src[0].iov_len = vu.hdr_len;
	for (f = 0; f < nframes; f++) {
		const struct iovec *fiov = &iov[f * bufs_per_frame];
		size_t flen = vu_iov_size(fiov, bufs_per_frame);
		int ret;

		if (flen > VU_FRAME_MAX) {
			debug("vhost-user: frame of %zu bytes too long", flen);
			break;
		}
		memcpy(&src[1], fiov, bufs_per_frame * sizeof(*fiov));
		ret = vu_send_one(vq, src, bufs_per_frame + 1,
				  vu.hdr_len + flen);
		if (ret < 0) {
			/* Leave the queue alone: the command handler drops
			 * the front end when it sees the socket shut
			 */
			vq->started = false;
			shutdown(vu.fd, SHUT_RDWR);
			break;
		}
		if (!ret)
			break;
		pcap_iov(fiov, bufs_per_frame);
		sent++;
	}

	if (f)
		virtq_publish(vq);
	if (sent)
		virtq_notify(vq);
	return f;
}
