// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/pcap.c - Capture files: the global header and each record are
 * checked byte for byte, long frames are truncated to the snapshot length,
 * and tcpdump (when installed) reads the file back with the right number of
 * packets.
 */

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "unit.h"
#include "log.h"
#include "pcap.h"

#define SNAPLEN		(65535 + 14)
#define BIG_LEN		70000
#define FILE_MAX	(256 * 1024)

static char path[] = "/tmp/pcap-unit-XXXXXX";
static uint8_t file[FILE_MAX];
static size_t file_len;
static time_t t_start, t_end;

static uint8_t small[60], medium[1514], big[BIG_LEN];

/**
 * get32() - Read a host-order 32-bit value from the file image
 * @off:	Offset
 *
 * Return: value
 */
static uint32_t get32(size_t off)
{
	uint32_t v;

	memcpy(&v, file + off, sizeof(v));
	return v;
}

/**
 * fill() - Make a frame: broadcast destination, our MAC, IPv4 type, pattern
 * @buf:	Frame
 * @len:	Length
 * @seed:	Pattern seed, so that frames differ
 */
static void fill(uint8_t *buf, size_t len, unsigned int seed)
{
	static const uint8_t eth[14] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55, 0x08, 0x00,
	};
	size_t i;

	memcpy(buf, eth, sizeof(eth));
	for (i = sizeof(eth); i < len; i++)
		buf[i] = (uint8_t)(i * 7 + seed);
}

/**
 * write_capture() - Capture four frames, then load the file
 */
static void write_capture(void)
{
	struct iovec iov[3];
	struct stat st;
	int fd;

	fd = mkstemp(path);
	close(fd);

	fill(small, sizeof(small), 1);
	fill(medium, sizeof(medium), 2);
	fill(big, sizeof(big), 3);

	t_start = time(NULL);
	pcap_init(path);
	pcap_frame(small, sizeof(small));
	/* One frame split over three buffers, one of them empty */
	iov[0].iov_base = medium;
	iov[0].iov_len = 14;
	iov[1].iov_base = medium + 14;
	iov[1].iov_len = 0;
	iov[2].iov_base = medium + 14;
	iov[2].iov_len = sizeof(medium) - 14;
	pcap_iov(iov, 3);
	pcap_frame(big, sizeof(big));
	pcap_frame(small, sizeof(small));
	t_end = time(NULL);

	stat(path, &st);
	fd = open(path, O_RDONLY);
	file_len = read(fd, file, sizeof(file));
	close(fd);
	CHECK((off_t)file_len == st.st_size);
}

/**
 * test_global_header() - Magic, version 2.4, snapshot length, Ethernet
 */
static void test_global_header(void)
{
	CHECK(file_len >= 24);
	CHECK(get32(0) == 0xa1b2c3d4);
	CHECK(*(uint16_t *)(file + 4) == 2);
	CHECK(*(uint16_t *)(file + 6) == 4);
	CHECK(get32(8) == 0);		/* thiszone */
	CHECK(get32(12) == 0);		/* sigfigs */
	CHECK(get32(16) == SNAPLEN);
	CHECK(get32(20) == 1);		/* LINKTYPE_ETHERNET */
}

/**
 * check_record() - Check one record against the frame it should hold
 * @off:	Offset of the record in the file, advanced past it
 * @frame:	Expected frame
 * @len:	Length of the frame
 */
static void check_record(size_t *off, const uint8_t *frame, size_t len)
{
	size_t caplen = len < SNAPLEN ? len : SNAPLEN;
	uint32_t sec, usec;

	CHECK_MSG(*off + 16 + caplen <= file_len,
		  "record at %zu runs past the end", *off);
	if (*off + 16 + caplen > file_len)
		return;

	sec = get32(*off);
	usec = get32(*off + 4);
	CHECK(sec >= t_start && sec <= t_end);
	CHECK(usec < 1000000);
	CHECK_MSG(get32(*off + 8) == caplen, "caplen %u, expected %zu",
		  get32(*off + 8), caplen);
	CHECK_MSG(get32(*off + 12) == len, "len %u, expected %zu",
		  get32(*off + 12), len);
	CHECK(!memcmp(file + *off + 16, frame, caplen));
	*off += 16 + caplen;
}

/**
 * test_records() - Every record has the right lengths, time and bytes
 */
static void test_records(void)
{
	size_t off = 24;

	check_record(&off, small, sizeof(small));
	check_record(&off, medium, sizeof(medium));
	check_record(&off, big, sizeof(big));
	check_record(&off, small, sizeof(small));
	CHECK_MSG(off == file_len, "%zu trailing bytes", file_len - off);
}

/**
 * test_tcpdump_reads_back() - tcpdump -r sees exactly four packets
 */
static void test_tcpdump_reads_back(void)
{
	char cmd[256], line[512];
	int count = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "tcpdump -n -r %s 2>/dev/null", path);
	p = popen(cmd, "r");
	CHECK(p);
	if (!p)
		return;
	while (fgets(line, sizeof(line), p))
		count++;
	CHECK(pclose(p) == 0);
	CHECK_MSG(count == 4, "tcpdump printed %d packets", count);
}

/**
 * test_many_buffers() - A frame in more buffers than one record takes is
 * stored truncated, with consistent lengths, and the file stays readable
 */
static void test_many_buffers(void)
{
	char many_path[] = "/tmp/pcap-many-XXXXXX";
	struct iovec iov[100];
	size_t i, n;
	int fd;

	fd = mkstemp(many_path);
	close(fd);
	for (i = 0; i < 100; i++) {
		iov[i].iov_base = medium + i;
		iov[i].iov_len = 1;
	}
	pcap_init(many_path);
	pcap_iov(iov, 100);
	pcap_frame(small, sizeof(small));
	pcap_init(NULL);

	fd = open(many_path, O_RDONLY);
	n = read(fd, file, sizeof(file));
	close(fd);
	unlink(many_path);

	/* 63 buffers fit next to the record header */
	CHECK(n == 24 + 16 + 63 + 16 + sizeof(small));
	if (n != 24 + 16 + 63 + 16 + sizeof(small))
		return;
	CHECK(get32(24 + 8) == 63);
	CHECK(get32(24 + 12) == 100);
	CHECK(!memcmp(file + 24 + 16, medium, 63));
	CHECK(get32(24 + 16 + 63 + 8) == sizeof(small));
}

/**
 * test_disabled() - An empty path captures nothing, and truncates nothing
 */
static void test_disabled(void)
{
	struct stat st;

	pcap_init("");
	pcap_frame(small, sizeof(small));
	CHECK(!stat(path, &st) && (size_t)st.st_size == file_len);
}

int main(void)
{
	log_set_stderr(false);

	write_capture();
	RUN(test_global_header);
	RUN(test_records);
	if (!system("command -v tcpdump >/dev/null 2>&1"))
		RUN(test_tcpdump_reads_back);
	else
		printf("SKIP: test_tcpdump_reads_back: no tcpdump\n");
	RUN(test_disabled);
	RUN(test_many_buffers);

	unlink(path);
	UNIT_EXIT();
}
