// SPDX-License-Identifier: GPL-2.0-or-later
/* virtq - libFuzzer target: descriptor chain walking in virtio.c, on fake
 * guest memory made of two static buffers that are contiguous in guest
 * physical addresses but not in ours, so that buffers crossing the
 * boundary must be split. The input holds the queue size, starting ring
 * index and direction, then the memory image: descriptor table, available
 * ring, indirect tables and buffers. Every buffer virtq_pop() hands out
 * must lie inside one of the two buffers: it is read or written whole.
 *
 * Layout (guest physical = offset in the image): descriptor table at 0,
 * available ring at 0x1000, used ring at 0x2000, region boundary at 0x8000.
 */

#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "virtio.h"

#define FUZZ_REGION		0x8000
#define FUZZ_UVA		0x7f0000000000ULL
#define FUZZ_AVAIL		0x1000
#define FUZZ_USED		0x2000
#define FUZZ_HDR		4

static uint8_t fuzz_mem0[FUZZ_REGION] __attribute__((aligned(4096)));
static uint8_t fuzz_mem1[FUZZ_REGION] __attribute__((aligned(4096)));
static struct iovec fuzz_iov[VIRTQ_IOV_MAX];

/**
 * fuzz_inside() - Check that a buffer lies in one of the memory buffers
 * @iov:	Buffer
 *
 * Return: true if it does
 */
static bool fuzz_inside(const struct iovec *iov)
{
	const uint8_t *p = iov->iov_base;
	size_t i;

	for (i = 0; i < 2; i++) {
		const uint8_t *b = i ? fuzz_mem1 : fuzz_mem0;

		if (p >= b && p <= b + FUZZ_REGION &&
		    iov->iov_len <= (size_t)(b + FUZZ_REGION - p))
			return true;
	}
	return false;
}

/**
 * LLVMFuzzerInitialize() - Quiet logs
 * @argc:	Unused
 * @argv:	Unused
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - Pop, check and return every chain
 * @data:	Queue size exponent, 16-bit start index, direction, image
 * @size:	Length of @data
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_mem m = {
		.n = 2,
		.r = {
			{ .gpa = 0, .size = FUZZ_REGION, .uva = FUZZ_UVA,
			  .base = fuzz_mem0 },
			{ .gpa = FUZZ_REGION, .size = FUZZ_REGION,
			  .uva = FUZZ_UVA + FUZZ_REGION, .base = fuzz_mem1 },
		},
	};
	struct virtq vq = { .kick_fd = -1, .call_fd = -1, .err_fd = -1 };
	size_t img, n0, rounds;
	volatile uint8_t sum = 0;
	bool write;

	if (size < FUZZ_HDR)
		return 0;

	vq.num = 1U << (data[0] % 9);
	vq.last_avail = vq.used_idx = (uint16_t)(data[1] << 8 | data[2]);
	write = data[3] & 1;
	vq.desc_uva = FUZZ_UVA;
	vq.avail_uva = FUZZ_UVA + FUZZ_AVAIL;
	vq.used_uva = FUZZ_UVA + FUZZ_USED;
	vq.addr_set = vq.started = vq.enabled = true;

	img = size - FUZZ_HDR;
	n0 = MIN(img, sizeof(fuzz_mem0));
	memset(fuzz_mem0, 0, sizeof(fuzz_mem0));
	memset(fuzz_mem1, 0, sizeof(fuzz_mem1));
	memcpy(fuzz_mem0, data + FUZZ_HDR, n0);
	memcpy(fuzz_mem1, data + FUZZ_HDR + n0,
	       MIN(img - n0, sizeof(fuzz_mem1)));

	if (virtq_map(&m, &vq) || !virtq_ready(&vq))
		abort();

	for (rounds = 0; rounds <= vq.num; rounds++) {
		size_t niov, i;
		uint16_t head;
		uint32_t len = 0;
		int ret;

		ret = virtq_pop(&m, &vq, write, fuzz_iov, &niov, &head);
		if (ret <= 0)
			break;
		if (head >= vq.num || niov > VIRTQ_IOV_MAX)
			abort();
		for (i = 0; i < niov; i++) {
			const uint8_t *p = fuzz_iov[i].iov_base;
			size_t k;

			if (!fuzz_inside(&fuzz_iov[i]))
				abort();
			if (write) {
				memset(fuzz_iov[i].iov_base, 0xa5,
				       fuzz_iov[i].iov_len);
			} else {
				for (k = 0; k < fuzz_iov[i].iov_len; k++)
					sum += p[k];
			}
			len += (uint32_t)fuzz_iov[i].iov_len;
		}
		virtq_push(&vq, head, write ? len : 0);
	}
	/* Never more chains than the driver made available */
	if (rounds > vq.num)
		abort();
	virtq_publish(&vq);
	virtq_notify(&vq);
	(void)sum;
	return 0;
}
