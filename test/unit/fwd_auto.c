// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for fwd_auto.c: fwd_auto_scan() on /proc/net/{tcp,udp}{,6}
 * contents (proc(5) format): only listening TCP sockets and unconnected
 * UDP sockets count, header and malformed lines are ignored, files longer
 * than one read buffer are read whole, and the real files parse; and
 * fwd_auto_sockstat_count() on /proc/net/sockstat{,6} contents.
 */

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "unit.h"
#include "util.h"
#include "fwd.h"
#include "fwd_auto.h"

static unsigned long map[BITMAP_WORDS(NUM_PORTS)];

/**
 * scan_text() - Scan a text through a temporary file
 * @text:	File contents
 * @tcp:	TCP rather than UDP
 *
 * Return: fwd_auto_scan() result
 */
static int scan_text(const char *text, bool tcp)
{
	char path[] = "/tmp/fwd_auto_unit.XXXXXX";
	int fd = mkstemp(path), rc;

	if (fd < 0)
		return -1;
	unlink(path);
	if (write_all(fd, text, strlen(text)))
		return -1;
	memset(map, 0, sizeof(map));
	rc = fwd_auto_scan(fd, tcp, map);
	close(fd);
	return rc;
}

#define HDR "  sl  local_address rem_address   st tx_queue rx_queue tr " \
	    "tm->when retrnsmt   uid  timeout inode\n"

static void scan_tcp_listen_only(void)
{
	CHECK(!scan_text(HDR
		"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 "
		"00:00000000 00000000     0        0 1001 1 0 100 0 0 10 0\n"
		"   1: 0100007F:1F91 0100007F:D431 01 00000000:00000000 "
		"00:00000000 00000000     0        0 1002 1 0 100 0 0 10 0\n"
		"   2: 00000000:0016 00000000:0000 0A 00000000:00000000 "
		"00:00000000 00000000     0        0 1003 1 0 100 0 0 10 0\n",
		true));
	CHECK(bitmap_isset(map, 8080));
	CHECK(!bitmap_isset(map, 8081));	/* established */
	CHECK(bitmap_isset(map, 22));
	CHECK(!bitmap_isset(map, 0));
}

static void scan_tcp6(void)
{
	CHECK(!scan_text(HDR
		"   0: 00000000000000000000000001000000:1389 "
		"00000000000000000000000000000000:0000 0A 00000000:00000000 "
		"00:00000000 00000000     0        0 2001 1 0 100 0 0 10 0\n",
		true));
	CHECK(bitmap_isset(map, 5001));
}

static void scan_udp_unconnected_only(void)
{
	CHECK(!scan_text(HDR
		"  10: 00000000:0035 00000000:0000 07 00000000:00000000 "
		"00:00000000 00000000     0        0 3001 2 0 0\n"
		"  11: 0100007F:A000 0100007F:0035 01 00000000:00000000 "
		"00:00000000 00000000     0        0 3002 2 0 0\n", false));
	CHECK(bitmap_isset(map, 53));
	CHECK(!bitmap_isset(map, 0xa000));
	/* A UDP scan doesn't take TCP listeners, nor the reverse */
	CHECK(!scan_text(HDR
		"   0: 00000000:0016 00000000:0000 0A 00000000:00000000\n",
		false));
	CHECK(!bitmap_isset(map, 22));
}

static void scan_malformed(void)
{
	CHECK(!scan_text("garbage\n: : :\n   0: 0100007F 0A\n"
			 "   1: 0100007F:FFFFFFFFF 00000000:0000 0A\n"
			 "   2: zz:0050 00000000:0000 0A\n"
			 "   3: 0100007F:0050 00000000:0000\n"
			 "   4: 0100007F:0051 00000000:0000 0A", true));
	CHECK(!bitmap_isset(map, 80));
	CHECK(bitmap_isset(map, 81));	/* last line, no newline */
	CHECK(!scan_text("", true));
}

static void scan_long_file(void)
{
	static char text[400000];
	size_t off = 0;
	unsigned i;

	for (i = 1; i <= 3000; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
			"%4u: 0100007F:%04X 00000000:0000 0A 00000000:00000000"
			" 00:00000000 00000000     0        0 %u 1 0 100 0 0 "
			"10 0\n", i, i + 10000, i);
	CHECK(!scan_text(text, true));
	for (i = 1; i <= 3000; i++)
		CHECK_MSG(bitmap_isset(map, i + 10000), "port %u", i + 10000);
}

static void scan_real_proc(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr = { htonl(INADDR_LOOPBACK) } };
	socklen_t sl = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), fd;

	CHECK(s >= 0);
	CHECK(!bind(s, (struct sockaddr *)&a, sizeof(a)));
	CHECK(!listen(s, 1));
	CHECK(!getsockname(s, (struct sockaddr *)&a, &sl));
	fd = open("/proc/net/tcp", O_RDONLY);
	CHECK(fd >= 0);
	memset(map, 0, sizeof(map));
	CHECK(!fwd_auto_scan(fd, true, map));
	CHECK(bitmap_isset(map, ntohs(a.sin_port)));
	close(s);
	memset(map, 0, sizeof(map));
	CHECK(!fwd_auto_scan(fd, true, map));	/* re-read from offset 0 */
	CHECK(!bitmap_isset(map, ntohs(a.sin_port)));
	close(fd);
}

#define SOCKSTAT "sockets: used 13\n" \
	"TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 117\n" \
	"UDP: inuse 42 mem 3\n" \
	"UDPLITE: inuse 7\n"

static void sockstat_parse(void)
{
	const char *six = "TCP6: inuse 0\nUDP6: inuse 5\nUDPLITE6: inuse 9";
	size_t udp = strlen("sockets: used 13\n"
			    "TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 117\n"
			    "UDP: inuse 4");

	CHECK(fwd_auto_sockstat_count(SOCKSTAT, strlen(SOCKSTAT),
				      "UDP: inuse ") == 42);
	CHECK(fwd_auto_sockstat_count(SOCKSTAT, strlen(SOCKSTAT),
				      "UDPLITE: inuse ") == 7);
	CHECK(fwd_auto_sockstat_count(six, strlen(six), "UDP6: inuse ") == 5);
	/* missing, cut short (the number too: "4" of "42"), not a number,
	 * not at the start of a line, too large
	 */
	CHECK(fwd_auto_sockstat_count(six, strlen(six), "UDP: inuse ") < 0);
	CHECK(fwd_auto_sockstat_count(six, strlen(six),
				      "UDPLITE6: inuse ") < 0);
	CHECK(fwd_auto_sockstat_count(SOCKSTAT, 50, "UDP: inuse ") < 0);
	CHECK(fwd_auto_sockstat_count(SOCKSTAT, udp, "UDP: inuse ") < 0);
	CHECK(fwd_auto_sockstat_count(SOCKSTAT, udp + 1, "UDP: inuse ") < 0);
	CHECK(fwd_auto_sockstat_count(SOCKSTAT, udp + 2, "UDP: inuse ") == 42);
	CHECK(fwd_auto_sockstat_count("UDP: inuse x\n", 13,
				      "UDP: inuse ") < 0);
	CHECK(fwd_auto_sockstat_count("UDP: inuse 4x\n", 14,
				      "UDP: inuse ") < 0);
	CHECK(fwd_auto_sockstat_count(" UDP: inuse 4\n", 14,
				      "UDP: inuse ") < 0);
	CHECK(fwd_auto_sockstat_count("UDP: inuse 99999999999999999999\n",
				      31, "UDP: inuse ") < 0);
	CHECK(fwd_auto_sockstat_count("", 0, "UDP: inuse ") < 0);
}

static void sockstat_real_proc(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	int fd = open("/proc/net/sockstat", O_RDONLY);
	char buf[1024];
	ssize_t n;

	CHECK(s >= 0);
	CHECK(fd >= 0);
	CHECK(!bind(s, (struct sockaddr *)&a, sizeof(a)));
	n = pread(fd, buf, sizeof(buf), 0);
	CHECK(n > 0);
	/* Others may bind and close too: ours is there, at least */
	CHECK(fwd_auto_sockstat_count(buf, (size_t)n, "UDP: inuse ") >= 1);
	close(fd);
	close(s);
}

int main(void)
{
	RUN(scan_tcp_listen_only);
	RUN(scan_tcp6);
	RUN(scan_udp_unconnected_only);
	RUN(scan_malformed);
	RUN(scan_long_file);
	RUN(scan_real_proc);
	RUN(sockstat_parse);
	RUN(sockstat_real_proc);
	UNIT_EXIT();
}
