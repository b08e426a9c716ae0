// SPDX-License-Identifier: GPL-2.0-or-later
/* pcap.c - Capture of the frames exchanged with the guest (or the namespace
 * tap) into a file in the classic pcap format, for -p: one global header,
 * then one record per Ethernet frame with a wall-clock timestamp. Each record
 * is written with a single writev() from the caller's buffers, so capturing
 * needs no copies and no dynamic memory.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <sys/uio.h>

#include "util.h"
#include "log.h"
#include "pcap.h"

/* Classic pcap, microsecond timestamps, format version 2.4 */
#define PCAP_MAGIC		0xa1b2c3d4
#define PCAP_VERSION_MAJOR	2
#define PCAP_VERSION_MINOR	4
/* Largest frame we ever handle: an IP packet of 64 KiB plus Ethernet */
#define PCAP_SNAPLEN		(65535 + 14)
#define PCAP_LINKTYPE_ETHERNET	1

/* Most buffers (including the record header) one record is written from */
#define PCAP_IOV_MAX		64

/**
 * struct pcap_file_hdr - Global header of a pcap file
 * @magic:		PCAP_MAGIC, in host byte order
 * @major:		Format major version
 * @minor:		Format minor version
 * @thiszone:		Time zone offset of timestamps, always 0 (UTC)
 * @sigfigs:		Timestamp accuracy, always 0
 * @snaplen:		Largest record stored
 * @linktype:		Link layer of the records
 */
struct pcap_file_hdr {
	uint32_t magic;
	uint16_t major;
	uint16_t minor;
	int32_t thiszone;
	uint32_t sigfigs;
	uint32_t snaplen;
	uint32_t linktype;
};

/**
 * struct pcap_rec_hdr - Header of one record
 * @tv_sec:		Capture time, seconds since the epoch
 * @tv_usec:		Capture time, microseconds within the second
 * @caplen:		Bytes stored in the record
 * @len:		Length of the frame on the wire
 */
struct pcap_rec_hdr {
	uint32_t tv_sec;
	uint32_t tv_usec;
	uint32_t caplen;
	uint32_t len;
};

static int pcap_fd = -1;

/**
 * pcap_init() - Create (or truncate) the capture file, write its header
 * @path:	Path of the capture file, empty or NULL to disable capture
 */
void pcap_init(const char *path)
{
	const struct pcap_file_hdr hdr = {
		.magic = PCAP_MAGIC,
		.major = PCAP_VERSION_MAJOR,
		.minor = PCAP_VERSION_MINOR,
		.snaplen = PCAP_SNAPLEN,
		.linktype = PCAP_LINKTYPE_ETHERNET,
	};

	if (pcap_fd >= 0) {
		close(pcap_fd);
		pcap_fd = -1;
	}
	if (!path || !*path)
		return;

	pcap_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (pcap_fd < 0)
		die_perror("-p %s: can't open capture file", path);
	if (write_all(pcap_fd, &hdr, sizeof(hdr)))
		die_perror("Failed to write pcap file %s", path);

	info("Saving packet capture to %s", path);
}

/**
 * pcap_writev() - Write a whole record, completing short writes
 * @iov:	Buffers, modified
 * @cnt:	Number of buffers
 *
 * Return: 0 on success, -1 on error with errno set
 */
static int pcap_writev(struct iovec *iov, int cnt)
{
	while (cnt) {
		/* Not writev(): one system call fewer for the filters */
		ssize_t n = write(pcap_fd, iov->iov_base, iov->iov_len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (cnt && (size_t)n >= iov->iov_len) {
			n -= iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= n;
		}
	}
	return 0;
}

/**
 * pcap_iov() - Append one frame, given as a list of buffers, to the capture
 * @iov:	Buffers making up one Ethernet frame
 * @n:		Number of buffers
 *
 * Frames longer than the snapshot length are stored truncated, with their
 * full length in the record header.
 */
void pcap_iov(const struct iovec *iov, size_t n)
{
	static bool warned;
	struct iovec out[PCAP_IOV_MAX];
	struct pcap_rec_hdr rh;
	size_t i, total = 0, room;
	struct timespec now;
	int cnt = 1;

	if (pcap_fd < 0)
		return;

	for (i = 0; i < n; i++)
		total += iov[i].iov_len;

	rh.caplen = MIN(total, (size_t)PCAP_SNAPLEN);
	rh.len = MIN(total, (size_t)UINT32_MAX);

	/* Stop at the snapshot length, or when out of slots: then the record
	 * is shorter than planned, so keep its caplen consistent.
	 */
	room = rh.caplen;
	for (i = 0; i < n && room; i++) {
		size_t len = MIN(iov[i].iov_len, room);

		if (!len)
			continue;
		if (cnt == PCAP_IOV_MAX) {
			rh.caplen -= room;
			break;
		}
		out[cnt].iov_base = iov[i].iov_base;
		out[cnt].iov_len = len;
		room -= len;
		cnt++;
	}

	clock_gettime(CLOCK_REALTIME, &now);
	rh.tv_sec = (uint32_t)now.tv_sec;
	rh.tv_usec = (uint32_t)(now.tv_nsec / 1000);
	out[0].iov_base = &rh;
	out[0].iov_len = sizeof(rh);

	if (pcap_writev(out, cnt) && !warned) {
		warn_perror("Failed to write to pcap file");
		warned = true;
	}
}

/**
 * pcap_frame() - Append one frame in a single buffer to the capture
 * @frame:	Ethernet frame
 * @len:	Length of @frame
 */
void pcap_frame(const void *frame, size_t len)
{
	const struct iovec iov = { .iov_base = (void *)frame, .iov_len = len };

	pcap_iov(&iov, 1);
}
