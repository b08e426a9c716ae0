// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_lossproxy - Test helper: sit between passt's UNIX socket and the guest
 * (tapbridge, or qemu), copying frames in qemu's stream framing (32-bit
 * big-endian length, then the frame) and dropping TCP segments at random in
 * both directions, so that tests can check retransmissions deliver exact
 * byte streams. Other frames (ARP, NDP, ...) always pass.
 *
 * Usage: tcp_lossproxy LISTEN_SOCKET PASST_SOCKET PERCENT [SEED [DIRS]]
 * DIRS: 1 drops towards passt only, 2 towards the guest only, 3 both
 * Serves one guest connection, exits when either side closes, and then
 * prints, per direction, the TCP frames dropped, the dropped segments that
 * carried new data (bytes past anything forwarded on that connection
 * before: the receiver has no copy of them), and how many of those were
 * sent again, that is, covered by a later segment that got through. A
 * sender that never retransmits leaves that last count at zero.
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
#define FLOWS_MAX	256
#define PENDING_MAX	8192

/**
 * struct seg - Where a TCP segment belongs, and the bytes it carries
 * @key:	IP version, source and destination address, ports
 * @seq:	Sequence number of the first byte of data
 * @len:	Bytes of data
 */
struct seg {
	uint8_t key[1 + 16 + 16 + 4];
	uint32_t seq;
	uint32_t len;
};

/**
 * struct flow - One connection in one direction, as forwarded so far
 * @key:	As in struct seg
 * @end:	Sequence number after the last byte forwarded
 */
struct flow {
	uint8_t key[sizeof(((struct seg *)0)->key)];
	uint32_t end;
};

/**
 * struct dir - One direction: bytes read and not yet parsed, bytes to write
 * @in:		Input buffer
 * @in_len:	Bytes in @in
 * @out:	Output buffer
 * @out_len:	Bytes in @out
 * @dropped:	TCP frames dropped
 * @new_dropped: Dropped segments carrying new data
 * @new_resent:	Of those, how many a later forwarded segment covered
 * @mask:	Bit of this direction in @loss_mask
 * @flows:	Connections seen, with how far they were forwarded
 * @nflows:	Entries in @flows
 * @pending:	Dropped new data not sent again yet
 * @npending:	Entries in @pending
 */
struct dir {
	uint8_t in[BUF_BYTES];
	size_t in_len;
	uint8_t out[BUF_BYTES];
	size_t out_len;
	unsigned long dropped;
	unsigned long new_dropped;
	unsigned long new_resent;
	unsigned mask;
	struct flow flows[FLOWS_MAX];
	unsigned nflows;
	struct seg pending[PENDING_MAX];
	unsigned npending;
};

static struct dir dirs[2];
static int percent;
/* Directions that lose frames: 1 towards passt, 2 towards the guest */
static unsigned loss_mask = 3;
/* State of the pseudo-random drops: the same SEED, the same drops */
static uint32_t rng = 1;

/**
 * roll() - Next pseudo-random number (xorshift32), reproducible from SEED
 *
 * Return: a number from 0 to 99
 */
static unsigned roll(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng % 100;
}

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
 * tcp_seg() - Find connection, sequence number and data length of a segment
 * @f:		Frame, known to be TCP (is_tcp())
 * @len:	Frame length
 * @sg:	Filled with what the segment carries
 *
 * Return: 0 on success, -1 if the headers don't fit in the frame
 */
static int tcp_seg(const uint8_t *f, size_t len, struct seg *sg)
{
	size_t l3 = 14, l4, end;
	uint16_t n;

	memset(sg, 0, sizeof(*sg));
	if (f[12] == 0x08) {
		sg->key[0] = 4;
		memcpy(sg->key + 1, f + l3 + 12, 4);
		memcpy(sg->key + 17, f + l3 + 16, 4);
		l4 = l3 + (size_t)(f[l3] & 0x0f) * 4;
		memcpy(&n, f + l3 + 2, 2);
		end = l3 + ntohs(n);
	} else {
		sg->key[0] = 6;
		memcpy(sg->key + 1, f + l3 + 8, 16);
		memcpy(sg->key + 17, f + l3 + 24, 16);
		l4 = l3 + 40;
		memcpy(&n, f + l3 + 4, 2);
		end = l4 + ntohs(n);
	}
	if (l4 + 20 > len || end > len || end < l4 + 20 ||
	    end < l4 + (size_t)(f[l4 + 12] >> 4) * 4)
		return -1;
	memcpy(sg->key + 33, f + l4, 4);
	memcpy(&sg->seq, f + l4 + 4, 4);
	sg->seq = ntohl(sg->seq);
	sg->len = (uint32_t)(end - l4 - (size_t)(f[l4 + 12] >> 4) * 4);
	return 0;
}

/**
 * flow_of() - Find, or add, the connection of a segment in a direction
 * @d:		Direction
 * @sg:		Segment
 *
 * Return: the connection, NULL if the table is full
 */
static struct flow *flow_of(struct dir *d, const struct seg *sg)
{
	unsigned i;

	for (i = 0; i < d->nflows; i++) {
		if (!memcmp(d->flows[i].key, sg->key, sizeof(sg->key)))
			return &d->flows[i];
	}
	if (d->nflows == FLOWS_MAX)
		return NULL;
	memcpy(d->flows[i].key, sg->key, sizeof(sg->key));
	d->flows[i].end = sg->seq;
	d->nflows++;
	return &d->flows[i];
}

/**
 * account() - Track new data dropped, and data sent again after a drop
 * @d:		Direction
 * @f:		TCP frame
 * @len:	Frame length
 * @drop:	The frame is dropped, not forwarded
 */
static void account(struct dir *d, const uint8_t *f, size_t len, int drop)
{
	struct flow *fl;
	struct seg sg;
	unsigned i;

	if (tcp_seg(f, len, &sg) || !sg.len || !(fl = flow_of(d, &sg)))
		return;

	if (drop) {
		/* New data: nothing forwarded so far reached this far */
		if ((int32_t)(sg.seq - fl->end) >= 0 &&
		    d->npending < PENDING_MAX) {
			d->pending[d->npending++] = sg;
			d->new_dropped++;
		}
		return;
	}

	for (i = 0; i < d->npending; ) {
		struct seg *p = &d->pending[i];

		if (!memcmp(p->key, sg.key, sizeof(sg.key)) &&
		    p->seq - sg.seq < sg.len) {
			d->new_resent++;
			*p = d->pending[--d->npending];
			continue;
		}
		i++;
	}
	if ((int32_t)(sg.seq + sg.len - fl->end) > 0)
		fl->end = sg.seq + sg.len;
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
		int tcp;

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
		tcp = is_tcp(d->in + off + 4, flen);
		if (tcp && (d->mask & loss_mask) && (int)roll() < percent) {
			d->dropped++;
			account(d, d->in + off + 4, flen, 1);
			if (getenv("LOSSPROXY_DEBUG"))
				fprintf(stderr, "drop dir %u len %u\n",
					d->mask, flen);
		} else {
			if (tcp)
				account(d, d->in + off + 4, flen, 0);
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
	rng = (uint32_t)(argc > 4 ? atoi(argv[4]) : 1) * 2654435761U;
	if (!rng)
		rng = 1;
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
	for (i = 0; i < 2; i++) {
		fprintf(stderr, "tcp_lossproxy: to %s: new data dropped %lu, "
			"sent again %lu\n", i ? "guest" : "passt",
			dirs[i].new_dropped, dirs[i].new_resent);
	}
	return 0;
}
