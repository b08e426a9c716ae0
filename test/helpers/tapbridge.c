// SPDX-License-Identifier: GPL-2.0-or-later
/* tapbridge - Test helper: a namespace "guest" for passt. Creates a tap
 * interface in the current network namespace, brings it up, and copies
 * frames between it and passt's UNIX socket, with qemu's framing (32-bit
 * big-endian length before each frame). Exits when passt closes.
 *
 * Usage: tapbridge SOCKET IFNAME	connect to passt at SOCKET
 *	  tapbridge -F FD IFNAME	use FD, an already connected socket
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/if_tun.h>

#define FRAME_MAX	(65535 + 14)
#define LEN_BYTES	4
#define BUF_BYTES	(1024 * 1024)

static uint8_t sbuf[BUF_BYTES];		/* stream from passt */
static uint8_t tbuf[LEN_BYTES + FRAME_MAX];	/* frame from the tap */

/**
 * tap_open() - Create a tap interface and bring it up
 * @ifname:	Interface name
 *
 * Return: tap file descriptor; exits on failure
 */
static int tap_open(const char *ifname)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	int fd, s;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("tapbridge: /dev/net/tun");
		exit(1);
	}
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		perror("tapbridge: TUNSETIFF");
		exit(1);
	}

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr)) {
		perror("tapbridge: SIOCGIFFLAGS");
		exit(1);
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr)) {
		perror("tapbridge: SIOCSIFFLAGS");
		exit(1);
	}
	close(s);
	return fd;
}

/**
 * sock_connect() - Connect to passt's UNIX socket
 * @path:	Socket path
 *
 * Return: connected socket; exits on failure
 */
static int sock_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "tapbridge: %s: path too long\n", path);
		exit(1);
	}
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		fprintf(stderr, "tapbridge: connect %s: %s\n", path,
			strerror(errno));
		exit(1);
	}
	return fd;
}

/**
 * write_all() - Write a whole buffer to a blocking descriptor
 * @fd:		File descriptor
 * @buf:	Data
 * @len:	Length
 *
 * Return: 0 on success, -1 on failure
 */
static int write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

/**
 * main() - Bridge frames until passt closes the connection
 * @argc:	Argument count
 * @argv:	SOCKET IFNAME, or -F FD IFNAME
 *
 * Return: 0 when passt closes, 1 on errors
 */
int main(int argc, char **argv)
{
	size_t have = 0;
	int tap, sock;

	if (argc == 4 && !strcmp(argv[1], "-F")) {
		sock = atoi(argv[2]);
		tap = tap_open(argv[3]);
	} else if (argc == 3) {
		tap = tap_open(argv[2]);
		sock = sock_connect(argv[1]);
	} else {
		fprintf(stderr, "Usage: %s SOCKET IFNAME | -F FD IFNAME\n",
			argv[0]);
		return 1;
	}

	for (;;) {
		struct pollfd pfd[2] = { { .fd = sock, .events = POLLIN },
					 { .fd = tap, .events = POLLIN } };
		ssize_t n;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}

		if (pfd[0].revents) {
			size_t off = 0;

			n = read(sock, sbuf + have, sizeof(sbuf) - have);
			if (n <= 0)
				return n ? 1 : 0;
			have += n;

			while (have - off >= LEN_BYTES) {
				uint32_t len;

				memcpy(&len, sbuf + off, LEN_BYTES);
				len = ntohl(len);
				if (len > FRAME_MAX) {
					fprintf(stderr, "tapbridge: bad length"
						" %u from passt\n", len);
					return 1;
				}
				if (have - off - LEN_BYTES < len)
					break;
				/* Errors (e.g. link down) lose the frame */
				n = write(tap, sbuf + off + LEN_BYTES, len);
				off += LEN_BYTES + len;
			}
			memmove(sbuf, sbuf + off, have - off);
			have -= off;
		}

		if (pfd[1].revents) {
			uint32_t len;

			n = read(tap, tbuf + LEN_BYTES, FRAME_MAX);
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				return 1;
			if (n <= 0)
				continue;
			len = htonl(n);
			memcpy(tbuf, &len, LEN_BYTES);
			if (write_all(sock, tbuf, LEN_BYTES + n))
				return 0;	/* passt went away */
		}
	}
}
