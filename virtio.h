/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Split virtqueues (virtio 1.x, 2.7) in guest memory shared by a vhost-user
 * front end: the table of mapped memory regions with bounds-checked address
 * translation, and taking descriptor chains from the available ring and
 * returning them on the used ring. Nothing read from guest memory is
 * trusted: every index, address and length is checked before use.
 */
#ifndef VIRTIO_H
#define VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* Memory regions a front end may share (vhost-user baseline limit) */
#define VIRTIO_REGIONS_MAX	8
/* Largest split virtqueue (virtio 1.x, 2.7) */
#define VIRTQ_SIZE_MAX		32768
/* Buffers (after splitting at region boundaries) in one descriptor chain */
#define VIRTQ_IOV_MAX		1024

/* Descriptor flags (virtio 1.x, 2.7.5) */
#define VIRTQ_DESC_F_NEXT	1
#define VIRTQ_DESC_F_WRITE	2
#define VIRTQ_DESC_F_INDIRECT	4
/* Driver doesn't want used buffer notifications (2.7.7) */
#define VIRTQ_AVAIL_F_NO_INTERRUPT	1
/* Device doesn't want available buffer notifications (2.7.10) */
#define VIRTQ_USED_F_NO_NOTIFY		1

/* Feature bits (virtio 1.x, 5.1.3 and 6) */
#define VIRTIO_NET_F_MRG_RXBUF		15
#define VIRTIO_RING_F_INDIRECT_DESC	28
#define VIRTIO_F_VERSION_1		32

/**
 * struct virtq_desc - Descriptor table entry, little-endian
 * @addr:	Guest physical address of the buffer
 * @len:	Buffer length
 * @flags:	VIRTQ_DESC_F_*
 * @next:	Next descriptor of the chain, with VIRTQ_DESC_F_NEXT
 */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/**
 * struct virtq_avail - Available ring (driver to device)
 * @flags:	VIRTQ_AVAIL_F_*
 * @idx:	Where the driver puts the next entry (free-running)
 * @ring:	Heads of descriptor chains, then used_event
 */
struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

/**
 * struct virtq_used_elem - Used ring entry
 * @id:		Head of the descriptor chain returned
 * @len:	Bytes the device wrote into it
 */
struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

/**
 * struct virtq_used - Used ring (device to driver)
 * @flags:	VIRTQ_USED_F_*
 * @idx:	Where the device puts the next entry (free-running)
 * @ring:	Returned chains, then avail_event
 */
struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

/**
 * struct virtio_net_hdr_v1 - Header before each frame (virtio 1.x, 5.1.6)
 * @flags:	VIRTIO_NET_HDR_F_*
 * @gso_type:	VIRTIO_NET_HDR_GSO_*
 * @hdr_len:	Header length for GSO
 * @gso_size:	Segment size for GSO
 * @csum_start:	Where checksumming starts, with NEEDS_CSUM
 * @csum_offset: Where the checksum goes, from @csum_start
 * @num_buffers: Buffers this frame spans, with VIRTIO_NET_F_MRG_RXBUF
 */
struct virtio_net_hdr_v1 {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};

/* Header without num_buffers: legacy devices without MRG_RXBUF */
#define VIRTIO_NET_HDR_LEGACY_LEN	10

/**
 * struct virtio_region - Guest memory region mapped from a front end's fd
 * @gpa:	Guest physical address of its start
 * @size:	Length in bytes
 * @uva:	Its address in the front end's own address space
 * @base:	Where it is mapped here
 * @map:	Start of our mapping (which begins at the file's start)
 * @map_len:	Length of our mapping
 */
struct virtio_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;
	uint8_t *base;
	void *map;
	size_t map_len;
};

/**
 * struct virtio_mem - Table of guest memory regions
 * @n:		Number of valid regions
 * @r:		Regions
 */
struct virtio_mem {
	unsigned n;
	struct virtio_region r[VIRTIO_REGIONS_MAX];
};

/**
 * struct virtq - One split virtqueue as seen by the device
 * @num:	Queue size, 0 if not set
 * @last_avail:	Next available ring entry to take (free-running)
 * @used_idx:	Next used ring entry to fill (free-running), published
 *		to the driver by virtq_publish()
 * @desc_uva:	Descriptor table, front end's address
 * @avail_uva:	Available ring, front end's address
 * @used_uva:	Used ring, front end's address
 * @addr_set:	The three addresses above were given
 * @desc:	Descriptor table, mapped (NULL until translated)
 * @avail:	Available ring, mapped
 * @used:	Used ring, mapped
 * @kick_fd:	Driver's notifications to us (eventfd), -1 if none
 * @call_fd:	Our notifications to the driver (eventfd), -1 if none
 * @err_fd:	Error notifications to the front end, -1 if none
 * @started:	Kick file descriptor received, not stopped since
 * @enabled:	Enabled by the front end (or implicitly)
 */
/**
 * struct virtio_log - Dirty page log shared by the front end for migration
 * @mem:	Guest memory the log describes
 * @map:	Bitmap, one bit per VIRTIO_LOG_PAGE of guest physical memory
 * @len:	Bytes of @map
 */
struct virtio_log {
	const struct virtio_mem *mem;
	uint8_t *map;
	size_t len;
};

/* Guest memory described by one bit of the log (vhost-user) */
#define VIRTIO_LOG_PAGE		4096

struct virtq {
	unsigned num;
	uint16_t last_avail;
	uint16_t used_idx;
	uint64_t desc_uva;
	uint64_t avail_uva;
	uint64_t used_uva;
	bool addr_set;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	int kick_fd;
	int call_fd;
	int err_fd;
	bool started;
	bool enabled;
	const struct virtio_log *log;
};

void *virtio_gpa(const struct virtio_mem *m, uint64_t gpa, uint64_t len);
void *virtio_uva(const struct virtio_mem *m, uint64_t uva, uint64_t len);
int virtq_map(const struct virtio_mem *m, struct virtq *vq);
bool virtq_ready(const struct virtq *vq);
int virtq_pop(const struct virtio_mem *m, struct virtq *vq, bool write,
	      struct iovec *iov, size_t *niov, uint16_t *head);
void virtio_log_write(const struct virtio_log *l, const void *p, size_t len);
void virtio_log_iov(const struct virtio_log *l, const struct iovec *iov,
		    size_t niov, size_t len);
void virtq_push(struct virtq *vq, uint16_t head, uint32_t len);
void virtq_publish(struct virtq *vq);
void virtq_notify(const struct virtq *vq);
void virtq_no_notify(struct virtq *vq);

#endif /* VIRTIO_H */
