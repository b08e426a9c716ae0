// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for virtio.c: address translation through the region table,
 * and descriptor chains (direct, indirect, split at region boundaries) taken
 * from a split virtqueue laid out in fake guest memory, including the
 * chains a hostile driver could build: loops, indexes and addresses out of
 * range, nested indirect tables, buffers going the wrong way. Rings and
 * descriptors are little-endian (virtio 1.x): the fixtures are written and
 * read as such, so that the tests hold on big-endian hosts too.
 */

#include <endian.h>
#include <stdint.h>
#include <string.h>

#include "unit.h"
#include "virtio.h"

#define REGION_BYTES	0x8000
#define UVA_OFF		0x100000ULL
#define QSIZE		8

/* Two regions, contiguous for the guest, apart in our memory */
static uint8_t mem_a[REGION_BYTES] __attribute__((aligned(4096)));
static uint8_t mem_b[REGION_BYTES] __attribute__((aligned(4096)));
static struct virtio_mem mem;
static struct virtq vq;
static struct iovec iov[VIRTQ_IOV_MAX];

/* Guest layout, in region A: rings, then buffers */
#define DESC_GPA	0x0000
#define AVAIL_GPA	0x1000
#define USED_GPA	0x2000
#define INDIRECT_GPA	0x3000
#define BUF_GPA		0x4000

/**
 * setup() - Fresh memory table and a mapped, started queue
 */
static void setup(void)
{
	memset(mem_a, 0, sizeof(mem_a));
	memset(mem_b, 0, sizeof(mem_b));
	memset(&mem, 0, sizeof(mem));
	memset(&vq, 0, sizeof(vq));

	mem.n = 2;
	mem.r[0].gpa = 0;
	mem.r[0].size = REGION_BYTES;
	mem.r[0].uva = UVA_OFF;
	mem.r[0].base = mem_a;
	mem.r[1].gpa = REGION_BYTES;
	mem.r[1].size = REGION_BYTES;
	mem.r[1].uva = UVA_OFF + REGION_BYTES;
	mem.r[1].base = mem_b;

	vq.num = QSIZE;
	vq.desc_uva = UVA_OFF + DESC_GPA;
	vq.avail_uva = UVA_OFF + AVAIL_GPA;
	vq.used_uva = UVA_OFF + USED_GPA;
	vq.addr_set = true;
	vq.kick_fd = vq.call_fd = vq.err_fd = -1;
	vq.started = vq.enabled = true;
	CHECK(!virtq_map(&mem, &vq));
}

/**
 * desc() - Write a descriptor into a table in region A
 * @table_gpa:	Guest address of the table
 * @i:		Index
 * @addr:	Buffer address
 * @len:	Buffer length
 * @flags:	VIRTQ_DESC_F_*
 * @next:	Next index
 */
static void desc(uint64_t table_gpa, unsigned i, uint64_t addr, uint32_t len,
		 uint16_t flags, uint16_t next)
{
	struct virtq_desc d = {
		htole64(addr), htole32(len), htole16(flags), htole16(next)
	};

	memcpy(mem_a + table_gpa + i * sizeof(d), &d, sizeof(d));
}

/**
 * avail() - Make a chain available
 * @head:	Head descriptor index
 */
static void avail(uint16_t head)
{
	uint16_t idx = le16toh(vq.avail->idx);

	vq.avail->ring[idx % QSIZE] = htole16(head);
	vq.avail->idx = htole16(idx + 1);
}

/**
 * used_idx() - Index of the used ring, as the driver reads it
 *
 * Return: host-order index
 */
static uint16_t used_idx(void)
{
	return le16toh(vq.used->idx);
}

/**
 * used_id() - Chain head in a used ring entry, as the driver reads it
 * @i:		Entry
 *
 * Return: host-order chain head
 */
static uint32_t used_id(unsigned i)
{
	return le32toh(vq.used->ring[i].id);
}

static void test_translate(void)
{
	setup();
	CHECK(virtio_gpa(&mem, 0, 1) == mem_a);
	CHECK(virtio_gpa(&mem, REGION_BYTES - 4, 4) ==
	      mem_a + REGION_BYTES - 4);
	CHECK(!virtio_gpa(&mem, REGION_BYTES - 4, 5));	/* spans regions */
	CHECK(virtio_gpa(&mem, REGION_BYTES, 16) == mem_b);
	CHECK(!virtio_gpa(&mem, 2 * REGION_BYTES, 1));
	CHECK(!virtio_gpa(&mem, UINT64_MAX, 2));
	CHECK(!virtio_gpa(&mem, 16, UINT64_MAX));
	CHECK(virtio_uva(&mem, UVA_OFF + 8, 8) == mem_a + 8);
	CHECK(!virtio_uva(&mem, 8, 8));
}

static void test_map(void)
{
	setup();
	CHECK(vq.desc && vq.avail && vq.used);

	vq.desc_uva = UVA_OFF + 8;		/* not 16-byte aligned */
	CHECK(virtq_map(&mem, &vq));
	CHECK(!vq.desc && !vq.avail && !vq.used);

	setup();
	vq.used_uva = UVA_OFF + REGION_BYTES - 16;	/* runs off region A */
	CHECK(virtq_map(&mem, &vq));

	setup();
	vq.num = 0;
	CHECK(virtq_map(&mem, &vq));
	CHECK(!virtq_ready(&vq));
}

static void test_pop_chain(void)
{
	uint16_t head = 0xffff;
	size_t n = 0;

	setup();
	CHECK(virtq_pop(&mem, &vq, false, iov, &n, &head) == 0);

	desc(DESC_GPA, 3, BUF_GPA, 100, VIRTQ_DESC_F_NEXT, 5);
	desc(DESC_GPA, 5, BUF_GPA + 0x100, 200, 0, 0);
	avail(3);
	CHECK(virtq_pop(&mem, &vq, false, iov, &n, &head) == 1);
	CHECK(head == 3 && n == 2);
	CHECK(iov[0].iov_base == mem_a + BUF_GPA && iov[0].iov_len == 100);
	CHECK(iov[1].iov_base == mem_a + BUF_GPA + 0x100 &&
	      iov[1].iov_len == 200);
	CHECK(vq.last_avail == 1);
	CHECK(virtq_pop(&mem, &vq, false, iov, &n, &head) == 0);

	virtq_push(&vq, head, 0x1234);
	CHECK(used_idx() == 0);		/* not published yet */
	virtq_publish(&vq);
	CHECK(used_idx() == 1 && used_id(0) == 3);

	/* Byte by byte, whatever the host's order */
	CHECK(!memcmp(&vq.used->idx, "\x01\x00", 2));
	CHECK(!memcmp(&vq.used->ring[0], "\x03\x00\x00\x00\x34\x12\x00\x00",
		      8));
}

static void test_pop_split_regions(void)
{
	uint16_t head;
	size_t n;

	setup();
	desc(DESC_GPA, 0, REGION_BYTES - 0x10, 0x30, VIRTQ_DESC_F_WRITE, 0);
	avail(0);
	CHECK(virtq_pop(&mem, &vq, true, iov, &n, &head) == 1);
	CHECK(n == 2);
	CHECK(iov[0].iov_base == mem_a + REGION_BYTES - 0x10 &&
	      iov[0].iov_len == 0x10);
	CHECK(iov[1].iov_base == mem_b && iov[1].iov_len == 0x20);
}

static void test_pop_indirect(void)
{
	uint16_t head;
	size_t n;

	setup();
	desc(INDIRECT_GPA, 0, BUF_GPA, 12, VIRTQ_DESC_F_NEXT, 1);
	desc(INDIRECT_GPA, 1, BUF_GPA + 0x40, 60, 0, 0);
	desc(DESC_GPA, 2, INDIRECT_GPA, 2 * sizeof(struct virtq_desc),
	     VIRTQ_DESC_F_INDIRECT, 0);
	avail(2);
	CHECK(virtq_pop(&mem, &vq, false, iov, &n, &head) == 1);
	CHECK(head == 2 && n == 2);
	CHECK(iov[1].iov_base == mem_a + BUF_GPA + 0x40 &&
	      iov[1].iov_len == 60);
}

static void test_pop_wraps(void)
{
	uint16_t head;
	size_t n;

	setup();
	vq.last_avail = vq.used_idx = 0xffff;
	vq.avail->idx = htole16(0xffff);
	desc(DESC_GPA, 1, BUF_GPA, 64, 0, 0);
	avail(1);
	CHECK(le16toh(vq.avail->idx) == 0);
	CHECK(virtq_pop(&mem, &vq, false, iov, &n, &head) == 1);
	CHECK(head == 1 && vq.last_avail == 0);
	virtq_push(&vq, head, 0);
	virtq_publish(&vq);
	CHECK(used_idx() == 0 && used_id(QSIZE - 1) == 1);
}

/**
 * pop_fails() - Does the next chain break the queue?
 * @write:	Take it as a receive (device-writable) chain
 *
 * Return: true if virtq_pop() refuses it
 */
static bool pop_fails(bool write)
{
	uint16_t head;
	size_t n;

	return virtq_pop(&mem, &vq, write, iov, &n, &head) < 0;
}

static void test_pop_hostile(void)
{
	setup();	/* loop */
	desc(DESC_GPA, 0, BUF_GPA, 8, VIRTQ_DESC_F_NEXT, 1);
	desc(DESC_GPA, 1, BUF_GPA, 8, VIRTQ_DESC_F_NEXT, 0);
	avail(0);
	CHECK(pop_fails(false));

	setup();	/* next past the table */
	desc(DESC_GPA, 0, BUF_GPA, 8, VIRTQ_DESC_F_NEXT, QSIZE);
	avail(0);
	CHECK(pop_fails(false));

	setup();	/* head past the queue */
	avail(QSIZE);
	CHECK(pop_fails(false));

	setup();	/* more available than the queue holds */
	vq.avail->idx = htole16(QSIZE + 1);
	CHECK(pop_fails(false));

	setup();	/* outside guest memory, and running off its end */
	desc(DESC_GPA, 0, 3 * REGION_BYTES, 8, 0, 0);
	avail(0);
	CHECK(pop_fails(false));
	setup();
	desc(DESC_GPA, 0, 2 * REGION_BYTES - 4, 8, 0, 0);
	avail(0);
	CHECK(pop_fails(false));
	setup();
	desc(DESC_GPA, 0, UINT64_MAX - 2, 8, 0, 0);
	avail(0);
	CHECK(pop_fails(false));

	setup();	/* wrong direction, both ways */
	desc(DESC_GPA, 0, BUF_GPA, 8, VIRTQ_DESC_F_WRITE, 0);
	avail(0);
	CHECK(pop_fails(false));
	setup();
	desc(DESC_GPA, 0, BUF_GPA, 8, 0, 0);
	avail(0);
	CHECK(pop_fails(true));

	setup();	/* nested indirect table */
	desc(INDIRECT_GPA, 0, INDIRECT_GPA, 16, VIRTQ_DESC_F_INDIRECT, 0);
	desc(DESC_GPA, 0, INDIRECT_GPA, 16, VIRTQ_DESC_F_INDIRECT, 0);
	avail(0);
	CHECK(pop_fails(false));

	setup();	/* indirect with NEXT, bad length, outside memory */
	desc(DESC_GPA, 0, INDIRECT_GPA, 16,
	     VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	avail(0);
	CHECK(pop_fails(false));
	setup();
	desc(DESC_GPA, 0, INDIRECT_GPA, 20, VIRTQ_DESC_F_INDIRECT, 0);
	avail(0);
	CHECK(pop_fails(false));
	setup();
	desc(DESC_GPA, 0, INDIRECT_GPA, 0, VIRTQ_DESC_F_INDIRECT, 0);
	avail(0);
	CHECK(pop_fails(false));
	setup();
	desc(DESC_GPA, 0, 2 * REGION_BYTES - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	avail(0);
	CHECK(pop_fails(false));

	setup();	/* loop inside an indirect table */
	desc(INDIRECT_GPA, 0, BUF_GPA, 8, VIRTQ_DESC_F_NEXT, 1);
	desc(INDIRECT_GPA, 1, BUF_GPA, 8, VIRTQ_DESC_F_NEXT, 0);
	desc(DESC_GPA, 0, INDIRECT_GPA, 32, VIRTQ_DESC_F_INDIRECT, 0);
	avail(0);
	CHECK(pop_fails(false));
}

/* Dirty page log: every page written (buffers, used ring) marked, only those */
static void test_dirty_log(void)
{
	uint8_t map[3] = { 0 };
	struct virtio_log log = { .mem = &mem, .map = map, .len = 2 };
	uint16_t head;
	size_t n = 0;

	setup();
	vq.log = &log;
	/* A receive buffer across the two regions: pages 7 and 8 */
	desc(DESC_GPA, 0, REGION_BYTES - 0x100, 0x200, VIRTQ_DESC_F_WRITE, 0);
	avail(0);
	CHECK(virtq_pop(&mem, &vq, true, iov, &n, &head) == 1 && n == 2);
	CHECK(!map[0] && !map[1]);
	virtio_log_iov(&log, iov, n, 0x180);
	CHECK(map[0] == 0x80 && map[1] == 0x01);
	/* The used ring, page 2 */
	virtq_push(&vq, head, 0x180);
	virtq_publish(&vq);
	CHECK(map[0] == 0x84 && map[1] == 0x01 && !map[2]);

	/* A write ending at a page boundary marks no page past it */
	memset(map, 0, sizeof(map));
	virtio_log_write(&log, mem_a + 0x1000, 0x1000);
	CHECK(map[0] == 0x02 && !map[1]);
	/* Nothing written, nothing marked; outside guest memory, nothing */
	virtio_log_write(&log, mem_a + 0x3000, 0);
	virtio_log_write(&log, map, 1);
	CHECK(map[0] == 0x02 && !map[1]);
	/* Pages past the end of the log aren't marked (nor written past) */
	log.len = 1;
	virtio_log_write(&log, mem_b + 0x1000, 1);
	CHECK(!map[1] && !map[2]);
	/* No log: nothing happens */
	vq.log = NULL;
	virtq_publish(&vq);
}

int main(void)
{
	RUN(test_translate);
	RUN(test_map);
	RUN(test_pop_chain);
	RUN(test_pop_split_regions);
	RUN(test_pop_indirect);
	RUN(test_pop_wraps);
	RUN(test_pop_hostile);
	RUN(test_dirty_log);
	UNIT_EXIT();
}
