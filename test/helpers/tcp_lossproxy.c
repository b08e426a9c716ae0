// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_lossproxy - Test helper: sit between passt's UNIX socket and the guest
 * (tapbridge, or qemu), copying frames in qemu's stream framing (32-bit
 * big-endian length, then the frame) and dropping TCP segments at random in
 * both directions, so that tests can check retransmissions deliver exact
 * byte streams. Other frames (ARP, NDP, ...) always pass.
 *
 * Usage: tcp_lossproxy LISTEN_SOCKET PASST_SOCKET PERCENT [SEED [DIRS]]
 * DIRS: 1 drops towards passt only, 2 towards the guest only, 3 both
 * Serves one guest connection, exits when either side closes.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>

#define BUF_BYTES	(8 << 20)
#define FRAME_MAX	(65535 + 14)

/**
 * struct dir - One direction: bytes read and not yet parsed, bytes to write
 * @in:		Input buffer
 * @in_len:	Bytes in @in
 * @out:	Output buffer
 * @out_len:	Bytes in @out
 * @dropped:	TCP frames dropped
 * @mask:	Bit of this direction in @loss_mask
 */
struct dir {
	uint8_t in[BUF_BYTES];
	size_t in_len;
	uint8_t out[BUF_BYTES];
	size_t out_len;
	unsigned long dropped;
	unsigned mask;
};

static struct dir dirs[2];
static int percent;
/* Directions that lose frames: 1 towards passt, 2 towards the guest */
static unsigned loss_mask = 3;

/**
 * is_tcp() - Tell if a frame carries a TCP segment
 * @f:		Frame
 * @len:	Frame length
 *
 * Return: 1 for IPv4 or IPv6 (no extension headers) TCP, 0 otherwise
 */
static int is_tcp(const uint8_t *f, size_t len)
{
	if (len < 14 + 40)
		return 0;
	if (f[12] == 0x08 && f[13] == 0x00)
		return f[14 + 9] == 6;
	if (f[12] == 0x86 && f[13] == 0xdd)
		return f[14 + 6] == 6;
	return 0;
}

/**
 * parse() - Move complete frames from input to output, dropping some
 * @d:		Direction
 */
static void parse(struct dir *d)
{
	size_t off = 0;

	while (d->in_len - off >= 4) {
		uint32_t flen;

		memcpy(&flen, d->in + off, 4);
		flen = ntohl(flen);
		if (flen > FRAME_MAX) {
			fprintf(stderr, "tcp_lossproxy: bad frame length\n");
			exit(1);
		}
		if (d->in_len - off < 4 + flen)
			break;
		if (d->out_len + 4 + flen > BUF_BYTES)
			break;
		if (is_tcp(d->in + off + 4, flen) && (d->mask & loss_mask) &&
		    rand() % 100 < percent) {
			d->dropped++;
			if (getenv("LOSSPROXY_DEBUG"))
				fprintf(stderr, "drop dir %u len %u\n",
					d->mask, flen);
		} else {
			memcpy(d->out + d->out_len, d->in + off, 4 + flen);
			d->out_len += 4 + flen;
		}
		off += 4 + flen;
	}
	memmove(d->in, d->in + off, d->in_len - off);
	d->in_len -= off;
}

/**
 * unix_sock() - Listening or connected UNIX stream socket
 * @path:	Socket path
 * @listening:	Listen and accept one connection instead of connecting
 *
 * Return: connected socket
 */
static int unix_sock(const char *path, int listening)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM, 0), c;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (!listening) {
		if (connect(s, (struct sockaddr *)&a, sizeof(a))) {
			perror("tcp_lossproxy: connect");
			exit(1);
		}
		return s;
	}
	unlink(path);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1)) {
		perror("tcp_lossproxy: bind");
		exit(1);
	}
	c = accept(s, NULL, NULL);
	if (c < 0) {
		perror("tcp_lossproxy: accept");
		exit(1);
	}
	close(s);
	return c;
}

int main(int argc, char **argv)
{
	int fd[2];	/* 0: guest, 1: passt; dirs[i] reads fd[i] */
	int i;

	if (argc < 4) {
		fprintf(stderr, "Usage: %s LISTEN_SOCKET PASST_SOCKET PERCENT "
				"[SEED [DIRS]]\n", argv[0]);
		return 2;
	}
	percent = atoi(argv[3]);
	srand(argc > 4 ? atoi(argv[4]) : 1);
	if (argc > 5)
		loss_mask = (unsigned)atoi(argv[5]);
	dirs[0].mask = 1;
	dirs[1].mask = 2;

	fd[0] = unix_sock(argv[1], 1);
	fd[1] = unix_sock(argv[2], 0);
	for (i = 0; i < 2; i++)
		fcntl(fd[i], F_SETFL, O_NONBLOCK);

	for (;;) {
		struct pollfd pfd[2];

		for (i = 0; i < 2; i++) {
			/* fd[i] is read into dirs[i], written from dirs[!i] */
			pfd[i].fd = fd[i];
			pfd[i].events = 0;
			if (dirs[i].in_len < BUF_BYTES / 2)
				pfd[i].events |= POLLIN;
			if (dirs[!i].out_len)
				pfd[i].events |= POLLOUT;
		}
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			return 1;

		for (i = 0; i < 2; i++) {
			struct dir *rd = &dirs[i], *wr = &dirs[!i];
			ssize_t n;

			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) {
				n = read(fd[i], rd->in + rd->in_len,
					 BUF_BYTES - rd->in_len);
				if (!n || (n < 0 && errno != EAGAIN))
					goto out;
				if (n < 0)
					n = 0;
				rd->in_len += n;
			}
			if ((pfd[i].revents & POLLOUT) && wr->out_len) {
				n = write(fd[i], wr->out, wr->out_len);
				if (n < 0 && errno != EAGAIN)
					goto out;
				if (n > 0) {
					memmove(wr->out, wr->out + n,
						wr->out_len - n);
					wr->out_len -= n;
				}
			}
		}
		parse(&dirs[0]);
		parse(&dirs[1]);
	}
out:
	fprintf(stderr, "tcp_lossproxy: dropped %lu to passt, %lu to guest\n",
		dirs[0].dropped, dirs[1].dropped);
	return 0;
}
