// SPDX-License-Identifier: GPL-2.0-or-later
/* sockclient - Test helper: connect to a UNIX stream socket, send what's
 * on standard input, then copy what comes back to standard output until
 * the other side closes or a timeout expires. Used to feed hostile streams
 * to passt and to see whether it drops us.
 *
 * Usage: sockclient [-c] [-l] [-t SECONDS] SOCKET
 *   -c		close right after sending (don't wait for replies)
 *   -l		instead of the bytes received, print the length of each
 *		frame in them (qemu framing), one a line
 *   -t SECONDS	how long to wait for the other side to close (default 5)
 *
 * Exit status: 0 if the other side closed (or -c), 2 on timeout, 1 on
 * errors, 3 if -l found a frame cut short at the end
 */

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#define BUF_BYTES	65536

static char buf[BUF_BYTES];

/* -l: where we are in the framing of the received stream */
static uint8_t len_bytes[4];
static size_t len_have, frame_left;

/**
 * frames_scan() - Print the length of each frame starting in a buffer
 * @p:		Received bytes
 * @n:		Number of bytes
 */
static void frames_scan(const uint8_t *p, size_t n)
{
	while (n) {
		if (frame_left) {
			size_t skip = n < frame_left ? n : frame_left;

			frame_left -= skip;
			p += skip;
			n -= skip;
			continue;
		}
		len_bytes[len_have++] = *p++;
		n--;
		if (len_have == sizeof(len_bytes)) {
			frame_left = (uint32_t)len_bytes[0] << 24 |
				     len_bytes[1] << 16 | len_bytes[2] << 8 |
				     len_bytes[3];
			printf("%zu\n", frame_left);
			len_have = 0;
		}
	}
}

/**
 * done() - Exit status once the peer closed or the timeout expired
 * @scan:	-l given
 * @rc:		Status otherwise
 *
 * Return: 3 if -l and the stream ended inside a frame, @rc otherwise
 */
static int done(int scan, int rc)
{
	fflush(stdout);
	if (scan && (frame_left || len_have))
		return 3;
	return rc;
}

/**
 * now_ms() - Monotonic time
 *
 * Return: milliseconds
 */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/**
 * main() - Send standard input, wait for the peer to close
 * @argc:	Argument count
 * @argv:	Options and socket path
 *
 * Return: see file comment
 */
int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int opt, fd, close_now = 0, scan = 0;
	long long deadline;
	double timeout = 5;
	ssize_t n;

	while ((opt = getopt(argc, argv, "clt:")) != -1) {
		if (opt == 'c')
			close_now = 1;
		else if (opt == 'l')
			scan = 1;
		else if (opt == 't')
			timeout = atof(optarg);
		else
			return 1;
	}
	if (optind != argc - 1 ||
	    strlen(argv[optind]) >= sizeof(a.sun_path)) {
		fprintf(stderr, "Usage: %s [-c] [-l] [-t SECONDS] SOCKET\n",
			argv[0]);
		return 1;
	}
	strcpy(a.sun_path, argv[optind]);

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("sockclient: connect");
		return 1;
	}

	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0) {
		char *p = buf;

		while (n > 0) {
			ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

			if (w < 0)
				return errno == EPIPE || errno == ECONNRESET ?
				       0 : 1;
			p += w;
			n -= w;
		}
	}
	if (close_now)
		return 0;

	deadline = now_ms() + (long long)(timeout * 1000);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();

		if (left <= 0)
			return done(scan, 2);
		if (poll(&pfd, 1, left) <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0)
			return done(scan, errno == ECONNRESET ? 0 : 1);
		if (!n)
			return done(scan, 0);
		if (scan)
			frames_scan((uint8_t *)buf, n);
		else if (fwrite(buf, 1, n, stdout) != (size_t)n)
			return 1;
		fflush(stdout);
	}
}
