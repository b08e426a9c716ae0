// SPDX-License-Identifier: GPL-2.0-or-later
/* virtio.c - Split virtqueues in guest memory shared by a vhost-user front
 * end (virtio 1.x, 2.7): translation of guest physical and front-end
 * addresses through the table of mapped regions, taking descriptor chains
 * (direct or indirect) from the available ring as lists of buffers, and
 * returning them on the used ring. The guest may change its memory at any
 * time: every ring entry and descriptor is read once, then checked, and a
 * chain that points outside guest memory, loops, or goes the wrong way is
 * an error the caller answers by dropping the front end.
 */

#include <endian.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "util.h"
#include "log.h"
#include "virtio.h"

/**
 * virtio_region_find() - Region holding an address, and bytes left in it
 * @m:		Memory table
 * @addr:	Address, guest physical or front end's
 * @uva:	@addr is the front end's (user) address, not guest physical
 * @left:	Set to the bytes from @addr to the end of the region
 *
 * Return: pointer to @addr in our mapping, NULL if no region holds it
 */
static uint8_t *virtio_region_find(const struct virtio_mem *m, uint64_t addr,
				   bool uva, uint64_t *left)
{
	unsigned i;

	for (i = 0; i < m->n; i++) {
		const struct virtio_region *r = &m->r[i];
		uint64_t start = uva ? r->uva : r->gpa;

		if (addr < start || addr - start >= r->size)
			continue;
		*left = r->size - (addr - start);
		return r->base + (addr - start);
	}

	return NULL;
}

/**
 * virtio_gpa() - Translate a guest physical range within one region
 * @m:		Memory table
 * @gpa:	Guest physical address
 * @len:	Bytes that must all be mapped
 *
 * Return: pointer to @len bytes at @gpa, NULL if not inside one region
 */
void *virtio_gpa(const struct virtio_mem *m, uint64_t gpa, uint64_t len)
{
	uint64_t left;
	uint8_t *p = virtio_region_find(m, gpa, false, &left);

	if (!p || len > left)
		return NULL;
	return p;
}

/**
 * virtio_uva() - Translate a range of the front end's addresses
 * @m:		Memory table
 * @uva:	Address in the front end's address space
 * @len:	Bytes that must all be mapped
 *
 * Return: pointer to @len bytes at @uva, NULL if not inside one region
 */
void *virtio_uva(const struct virtio_mem *m, uint64_t uva, uint64_t len)
{
	uint64_t left;
	uint8_t *p = virtio_region_find(m, uva, true, &left);

	if (!p || len > left)
		return NULL;
	return p;
}

/**
 * virtq_map() - Find the rings of a queue in the mapped guest memory
 * @m:		Memory table
 * @vq:		Queue, with size and front-end addresses set
 *
 * Return: 0 if the three rings are mapped and aligned, -1 if not (the
 *	   ring pointers are then cleared)
 */
int virtq_map(const struct virtio_mem *m, struct virtq *vq)
{
	uint64_t n = vq->num;

	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
	if (!vq->addr_set || !n || !m->n)
		return -1;

	/* Alignments from virtio 1.x, 2.7: 16, 2 and 4 bytes */
	if ((vq->desc_uva % 16) || (vq->avail_uva % 2) || (vq->used_uva % 4))
		return -1;

	vq->desc = virtio_uva(m, vq->desc_uva, n * sizeof(struct virtq_desc));
	/* flags, idx, ring[n], used_event */
	vq->avail = virtio_uva(m, vq->avail_uva, 4 + 2 * n + 2);
	/* flags, idx, ring[n], avail_event */
	vq->used = virtio_uva(m, vq->used_uva,
			      4 + n * sizeof(struct virtq_used_elem) + 2);
	if (!vq->desc || !vq->avail || !vq->used) {
		vq->desc = NULL;
		vq->avail = NULL;
		vq->used = NULL;
		return -1;
	}
	return 0;
}

/**
 * virtq_ready() - Can the data path use a queue?
 * @vq:		Queue
 *
 * Return: true if the queue is mapped, started and enabled
 */
bool virtq_ready(const struct virtq *vq)
{
	return vq->started && vq->enabled && vq->desc && vq->num;
}

/**
 * virtq_desc_read() - Read a descriptor from guest memory, once
 * @table:	Descriptor table (direct, or indirect at any alignment)
 * @i:		Index, already checked against the table size
 * @d:		Copy, host byte order
 */
static void virtq_desc_read(const uint8_t *table, unsigned i,
			    struct virtq_desc *d)
{
	struct virtq_desc raw;

	/* One copy: the guest may change the entry while we look at it */
	memcpy(&raw, table + (size_t)i * sizeof(raw), sizeof(raw));
	__atomic_signal_fence(__ATOMIC_SEQ_CST);

	d->addr = le64toh(raw.addr);
	d->len = le32toh(raw.len);
	d->flags = le16toh(raw.flags);
	d->next = le16toh(raw.next);
}

/**
 * virtq_add_buf() - Append a guest buffer to a list, split at regions
 * @m:		Memory table
 * @gpa:	Guest physical address of the buffer
 * @len:	Its length
 * @iov:	List of buffers
 * @niov:	Entries used in @iov, updated
 *
 * Return: 0 on success, -1 if part of the buffer is outside guest memory or
 *	   the list is full
 */
static int virtq_add_buf(const struct virtio_mem *m, uint64_t gpa,
			 uint64_t len, struct iovec *iov, size_t *niov)
{
	while (len) {
		uint64_t left, chunk;
		uint8_t *p;

		p = virtio_region_find(m, gpa, false, &left);
		if (!p) {
			err_ratelimit("vhost-user: buffer at 0x%llx outside "
				      "guest memory", (unsigned long long)gpa);
			return -1;
		}
		if (*niov >= VIRTQ_IOV_MAX) {
			err_ratelimit("vhost-user: descriptor chain too long");
			return -1;
		}

		chunk = MIN(len, left);
		iov[*niov].iov_base = p;
		iov[*niov].iov_len = chunk;
		(*niov)++;
		gpa += chunk;
		len -= chunk;
	}

	return 0;
}

/**
 * virtq_pop() - Take the next descriptor chain from the available ring
 * @m:		Memory table
 * @vq:		Queue, ready
 * @write:	The device writes these buffers (receive queue), else reads
 * @iov:	Buffers of the chain, VIRTQ_IOV_MAX entries
 * @niov:	Set to the number of entries filled in @iov
 * @head:	Set to the chain's head, to return it with virtq_push()
 *
 * Return: 1 if a chain was taken, 0 if none is available, -1 if the driver
 *	   broke the queue (logged)
 */
int virtq_pop(const struct virtio_mem *m, struct virtq *vq, bool write,
	      struct iovec *iov, size_t *niov, uint16_t *head)
{
	const uint8_t *table = (const uint8_t *)vq->desc;
	unsigned tsize = vq->num, i, seen = 0;
	bool indirect = false;
	uint16_t avail_idx, h;

	avail_idx = le16toh(__atomic_load_n(&vq->avail->idx,
					    __ATOMIC_ACQUIRE));
	if (avail_idx == vq->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->num) {
		err_ratelimit("vhost-user: driver made %u buffers available on "
			      "a queue of %u",
			      (uint16_t)(avail_idx - vq->last_avail), vq->num);
		return -1;
	}

	h = le16toh(__atomic_load_n(&vq->avail->ring[vq->last_avail %
						     vq->num],
				    __ATOMIC_RELAXED));
	if (h >= vq->num) {
		err_ratelimit("vhost-user: chain head %u past queue size %u", h,
			      vq->num);
		return -1;
	}

	*niov = 0;
	for (i = h; ; ) {
		struct virtq_desc d;

		if (seen++ >= tsize) {
			err_ratelimit("vhost-user: descriptor chain loops");
			return -1;
		}
		virtq_desc_read(table, i, &d);

		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			/* virtio 1.x, 2.7.5.3.1: no nesting, no NEXT */
			size_t dsize = sizeof(struct virtq_desc);

			if (indirect || (d.flags & VIRTQ_DESC_F_NEXT) ||
			    !d.len || d.len % dsize ||
			    d.len / dsize > VIRTQ_SIZE_MAX) {
				err_ratelimit("vhost-user: bad indirect "
					      "descriptor");
				return -1;
			}
			table = virtio_gpa(m, d.addr, d.len);
			if (!table) {
				err_ratelimit("vhost-user: indirect table at "
					      "0x%llx outside guest memory",
					      (unsigned long long)d.addr);
				return -1;
			}
			tsize = d.len / sizeof(struct virtq_desc);
			indirect = true;
			seen = 0;
			i = 0;
			continue;
		}

		if (!!(d.flags & VIRTQ_DESC_F_WRITE) != write) {
			err_ratelimit("vhost-user: %s descriptor on a %s queue",
				      write ? "read-only" : "writable",
				      write ? "receive" : "transmit");
			return -1;
		}
		if (virtq_add_buf(m, d.addr, d.len, iov, niov))
			return -1;

		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		i = d.next;
		if (i >= tsize) {
			err_ratelimit("vhost-user: next descriptor %u past "
				      "table of %u", i, tsize);
			return -1;
		}
	}

	vq->last_avail++;
	*head = h;
	return 1;
}

/**
 * virtio_log_write() - Mark the pages of a write to guest memory as dirty
 * @l:		Log
 * @p:		Start of the write, in our mapping of guest memory
 * @len:	Bytes written
 *
 * Pages past the end of the log can't be marked: the front end sized it
 * for all of guest memory, so that only happens with a lying front end.
 */
void virtio_log_write(const struct virtio_log *l, const void *p, size_t len)
{
	const uint8_t *b = p;
	unsigned i;

	if (!l || !l->map || !len)
		return;

	for (i = 0; i < l->mem->n; i++) {
		const struct virtio_region *r = &l->mem->r[i];
		uint64_t first, last, pg;

		if (b < r->base || (size_t)(b - r->base) >= r->size)
			continue;
		first = (r->gpa + (b - r->base)) / VIRTIO_LOG_PAGE;
		last = (r->gpa + (b - r->base) + len - 1) / VIRTIO_LOG_PAGE;
		for (pg = first; pg <= last && pg / 8 < l->len; pg++)
			__atomic_fetch_or(&l->map[pg / 8], 1U << (pg % 8),
					  __ATOMIC_RELAXED);
		return;
	}
}

/**
 * virtio_log_iov() - Mark the pages of a write through buffers as dirty
 * @l:		Log
 * @iov:	Buffers in guest memory, written from the first
 * @niov:	Entries in @iov
 * @len:	Bytes written
 */
void virtio_log_iov(const struct virtio_log *l, const struct iovec *iov,
		    size_t niov, size_t len)
{
	size_t i;

	for (i = 0; i < niov && len; i++) {
		size_t n = MIN(len, iov[i].iov_len);

		virtio_log_write(l, iov[i].iov_base, n);
		len -= n;
	}
}

/**
 * virtq_push() - Put a chain on the used ring, not yet visible to the driver
 * @vq:		Queue
 * @head:	Head of the chain, from virtq_pop()
 * @len:	Bytes written into the chain's buffers
 */
void virtq_push(struct virtq *vq, uint16_t head, uint32_t len)
{
	struct virtq_used_elem *e = &vq->used->ring[vq->used_idx % vq->num];

	__atomic_store_n(&e->id, htole32(head), __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, htole32(len), __ATOMIC_RELAXED);
	vq->used_idx++;
	virtio_log_write(vq->log, e, sizeof(*e));
}

/**
 * virtq_publish() - Make pushed chains visible to the driver
 * @vq:		Queue
 */
void virtq_publish(struct virtq *vq)
{
	/* Entries first, then the index (virtio 1.x, 2.7.8) */
	__atomic_store_n(&vq->used->idx, htole16(vq->used_idx),
			 __ATOMIC_RELEASE);
	virtio_log_write(vq->log, &vq->used->idx, sizeof(vq->used->idx));
}

/**
 * virtq_no_notify() - Ask the driver not to notify us of new buffers
 * @vq:		Queue, mapped
 *
 * A hint (virtio 1.x, 2.7.10): for the receive queue, whose buffers we only
 * look at when we have a frame for the guest, kicks are wasted work for it.
 */
void virtq_no_notify(struct virtq *vq)
{
	__atomic_store_n(&vq->used->flags, htole16(VIRTQ_USED_F_NO_NOTIFY),
			 __ATOMIC_RELAXED);
	virtio_log_write(vq->log, &vq->used->flags, sizeof(vq->used->flags));
}

/**
 * virtq_notify() - Signal used buffers, unless the driver doesn't want it
 * @vq:		Queue
 */
void virtq_notify(const struct virtq *vq)
{
	uint16_t flags;

	if (vq->call_fd < 0)
		return;

	/* The index store must be visible before we look at the flags */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	flags = le16toh(__atomic_load_n(&vq->avail->flags, __ATOMIC_RELAXED));
	if (flags & VIRTQ_AVAIL_F_NO_INTERRUPT)
		return;

	if (eventfd_write(vq->call_fd, 1) && errno != EAGAIN)
		debug("vhost-user: can't signal call eventfd: %s",
		      strerror(errno));
}
