// SPDX-License-Identifier: GPL-2.0-or-later
/* flow_load - Benchmark helper: many flows at once. The UDP client sends one
 * datagram from each of N distinct source ports and counts the ports that
 * get an answer; the UDP responder echoes every datagram and counts them.
 * The TCP client opens N connections and holds them; the TCP acceptor
 * accepts and holds them. Work is split over processes of at most
 * FLOW_LOAD_PER_PROC descriptors each, so that a descriptor limit of 20,000
 * per process doesn't cap the load. Bounded: N at most 65,000, at most 600
 * seconds, and only loopback or 192.0.2.0/24 (the test sandbox) as peers.
 *
 * Usage: flow_load udp-echo PORT SECONDS
 *        flow_load udp-flows ADDR PORT FIRST_SPORT N SECONDS
 *        flow_load tcp-accept PORT PROCS SECONDS
 *        flow_load tcp-hold ADDR PORT N SECONDS
 * udp-echo prints "received N" when it ends (SIGTERM or SECONDS elapsed);
 * udp-flows prints "sent S answered A" and exits; tcp-hold prints
 * "established E of N" once every connection is set up or given up on,
 * then holds them until SIGTERM or SECONDS elapsed.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define FLOW_LOAD_PER_PROC	15000
#define FLOW_LOAD_N_MAX		65000
#define FLOW_LOAD_SECONDS_MAX	600
#define FLOW_LOAD_PROCS_MAX	8
/* Datagrams in flight per process, and the silence that ends a batch */
#define UDP_BATCH		100
#define UDP_QUIET_MS		30
/* Connects in flight per process, and the time a batch gets */
#define TCP_BATCH		200
#define TCP_BATCH_MS		2000

static volatile sig_atomic_t flow_load_stop;
static pid_t flow_load_kids[FLOW_LOAD_PROCS_MAX + 1];
static int flow_load_nkids;

/**
 * now_ms() - Monotonic clock in milliseconds
 *
 * Return: milliseconds
 */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/**
 * on_term() - SIGTERM handler: stop, and stop the children
 * @sig:	Signal number, unused
 */
static void on_term(int sig)
{
	int i;

	(void)sig;
	flow_load_stop = 1;
	for (i = 0; i < flow_load_nkids; i++)
		kill(flow_load_kids[i], SIGTERM);
}

/**
 * setup_process() - Raise the descriptor limit to the hard one, catch SIGTERM
 */
static void setup_process(void)
{
	struct sigaction sa = { .sa_handler = on_term };
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	sigaction(SIGTERM, &sa, NULL);
}

/**
 * peer_addr() - Parse a peer address, allowing only sandbox and loopback
 * @s:		Dotted IPv4 address
 * @port:	Port
 * @a:		Filled with the address
 *
 * Return: 0 on success, -1 if invalid or not allowed
 */
static int peer_addr(const char *s, int port, struct sockaddr_in *a)
{
	uint32_t h;

	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	if (inet_pton(AF_INET, s, &a->sin_addr) != 1 || port <= 0 ||
	    port > 65535)
		return -1;
	h = ntohl(a->sin_addr.s_addr);
	if ((h >> 24) == 127 || (h >> 8) == 0xc00002)	/* 192.0.2.0/24 */
		return 0;
	fprintf(stderr, "flow_load: %s is not a sandbox address\n", s);
	return -1;
}

/**
 * udp_echo() - Echo datagrams back until SIGTERM or the deadline
 * @port:	UDP port to bind, all addresses
 * @secs:	Seconds to run at most
 *
 * Return: 0 on success, 1 on set-up failure
 */
static int udp_echo(int port, int secs)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int64_t end = now_ms() + (int64_t)secs * 1000;
	int s, buf = 1 << 22;
	unsigned long n = 0;
	char b[2048];

	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a))) {
		perror("flow_load: udp-echo");
		return 1;
	}
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	while (!flow_load_stop && now_ms() < end) {
		struct timeval tv = { .tv_usec = 100000 };
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t r;

		setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		r = recvfrom(s, b, sizeof(b), 0, (struct sockaddr *)&from,
			     &fl);
		if (r < 0)
			continue;
		n++;
		sendto(s, b, r, 0, (struct sockaddr *)&from, fl);
	}
	printf("received %lu\n", n);
	return 0;
}

/**
 * udp_wait() - Collect answers until all came or none came for a while
 * @ep:		epoll descriptor, sockets added with their index
 * @fds:	Sockets, by index; an answered one leaves the epoll set (and
 *		stays open: its flow stays held)
 * @want:	Answers still expected
 * @quiet:	Milliseconds without an answer that end the wait
 * @end:	Deadline, monotonic milliseconds
 *
 * Return: answers collected
 */
static int udp_wait(int ep, int *fds, int want, int quiet, int64_t end)
{
	struct epoll_event ev[256];
	int got = 0, n, i;
	char b[64];

	while (got < want && now_ms() < end) {
		n = epoll_wait(ep, ev, 256, quiet);
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			int *fd = &fds[ev[i].data.u32];

			if (*fd < 0 || recv(*fd, b, sizeof(b), 0) < 0)
				continue;
			epoll_ctl(ep, EPOLL_CTL_DEL, *fd, NULL);
			got++;
		}
	}
	return got;
}

/**
 * udp_flows_slice() - One process's share: send from ports, count answers
 * @dst:	Responder
 * @first:	First source port
 * @n:		Number of source ports
 * @end:	Deadline, monotonic milliseconds
 * @out:	Pipe to write "sent answered" to
 *
 * Return: 0
 */
static int udp_flows_slice(const struct sockaddr_in *dst, int first, int n,
			   int64_t end, int out)
{
	int ep = epoll_create1(0), sent = 0, answered = 0, inflight = 0, i;
	int *fds = calloc(n, sizeof(*fds));
	char line[64];

	if (ep < 0 || !fds)
		return 1;
	for (i = 0; i < n && now_ms() < end; i++) {
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_port = htons(first + i) };
		struct epoll_event ev = { .events = EPOLLIN,
					  .data.u32 = (uint32_t)i };
		uint16_t tag = htons(first + i);

		fds[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		if (fds[i] < 0)
			break;
		if (bind(fds[i], (struct sockaddr *)&a, sizeof(a)) ||
		    epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) ||
		    sendto(fds[i], &tag, sizeof(tag), 0,
			   (const struct sockaddr *)dst, sizeof(*dst)) < 0) {
			close(fds[i]);
			fds[i] = -1;
			continue;
		}
		sent++;
		if (++inflight >= UDP_BATCH) {
			answered += udp_wait(ep, fds, inflight, UDP_QUIET_MS,
					     end);
			inflight = 0;
		}
	}
	answered += udp_wait(ep, fds, sent - answered, 500, end);
	snprintf(line, sizeof(line), "%d %d\n", sent, answered);
	if (write(out, line, strlen(line)) < 0)
		return 1;
	return 0;
}

/**
 * spawn() - Fork a child that dies with its parent
 *
 * Return: as fork()
 */
static pid_t spawn(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		flow_load_nkids = 0;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	} else if (pid > 0) {
		flow_load_kids[flow_load_nkids++] = pid;
	}
	return pid;
}

/**
 * udp_flows() - Send from N source ports, over processes, print the counts
 * @addr:	Responder's address
 * @port:	Responder's port
 * @first:	First source port
 * @n:		Number of source ports
 * @secs:	Seconds to run at most
 *
 * Return: 0 on success, 1 on failure
 */
static int udp_flows(const char *addr, int port, int first, int n, int secs)
{
	int64_t end = now_ms() + (int64_t)secs * 1000;
	int p[2], i, sent = 0, answered = 0, s, a;
	struct sockaddr_in dst;
	char buf[4096];
	FILE *f;

	if (peer_addr(addr, port, &dst) || first < 1 || first + n > 65536 ||
	    pipe(p))
		return 1;
	for (i = 0; i < n; i += FLOW_LOAD_PER_PROC) {
		int k = n - i < FLOW_LOAD_PER_PROC ? n - i : FLOW_LOAD_PER_PROC;

		if (spawn() == 0) {
			close(p[0]);
			_exit(udp_flows_slice(&dst, first + i, k, end, p[1]));
		}
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	while (f && fgets(buf, sizeof(buf), f)) {
		if (sscanf(buf, "%d %d", &s, &a) == 2) {
			sent += s;
			answered += a;
		}
	}
	while (wait(NULL) > 0)
		;
	printf("sent %d answered %d\n", sent, answered);
	return 0;
}

/**
 * hold_until() - Sleep until SIGTERM or the deadline
 * @end:	Deadline, monotonic milliseconds
 */
static void hold_until(int64_t end)
{
	while (!flow_load_stop && now_ms() < end)
		usleep(100000);
}

/**
 * tcp_accept_one() - One acceptor process: accept and hold connections
 * @port:	Port, shared with the other acceptors (SO_REUSEPORT)
 * @end:	Deadline, monotonic milliseconds
 *
 * Return: 0 on success, 1 on set-up failure
 */
static int tcp_accept_one(int port, int64_t end)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int s, one = 1, held = 0;

	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (s < 0)
		return 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4096)) {
		perror("flow_load: tcp-accept");
		return 1;
	}
	while (!flow_load_stop && now_ms() < end &&
	       held < FLOW_LOAD_PER_PROC) {
		int c = accept(s, NULL, NULL);

		if (c >= 0)
			held++;
		else if (errno == EAGAIN)
			usleep(2000);
		else if (errno == EMFILE || errno == ENFILE)
			break;
	}
	/* Full: stop accepting, the other acceptors take the rest */
	close(s);
	hold_until(end);
	return 0;
}

/**
 * tcp_accept() - Accept and hold connections in PROCS processes
 * @port:	Port
 * @procs:	Number of acceptor processes
 * @secs:	Seconds to run at most
 *
 * Return: 0
 */
static int tcp_accept(int port, int procs, int secs)
{
	int64_t end = now_ms() + (int64_t)secs * 1000;
	int i;

	for (i = 0; i < procs; i++) {
		if (spawn() == 0)
			_exit(tcp_accept_one(port, end));
	}
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return 0;
}

/**
 * tcp_batch() - Start up to TCP_BATCH connects, wait for their outcome
 * @dst:	Peer
 * @n:		Connects to start
 *
 * Return: connections established (held open), -1 on socket() failure
 */
static int tcp_batch(const struct sockaddr_in *dst, int n)
{
	int fds[TCP_BATCH], i, ep = epoll_create1(0), pending = 0, ok = 0;
	int64_t end = now_ms() + TCP_BATCH_MS;
	struct epoll_event ev[TCP_BATCH];

	if (ep < 0)
		return -1;
	for (i = 0; i < n; i++) {
		struct epoll_event e = { .events = EPOLLOUT, .data.u32 = i };

		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fds[i] < 0) {
			n = i;
			break;
		}
		if (connect(fds[i], (const struct sockaddr *)dst,
			    sizeof(*dst)) && errno != EINPROGRESS) {
			close(fds[i]);
			fds[i] = -1;
			continue;
		}
		epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e);
		pending++;
	}
	while (pending && now_ms() < end && !flow_load_stop) {
		int k = epoll_wait(ep, ev, TCP_BATCH, 100), j;

		for (j = 0; j < k; j++) {
			int *fd = &fds[ev[j].data.u32], err = 0;
			socklen_t sl = sizeof(err);

			if (*fd < 0)
				continue;
			epoll_ctl(ep, EPOLL_CTL_DEL, *fd, NULL);
			pending--;
			getsockopt(*fd, SOL_SOCKET, SO_ERROR, &err, &sl);
			if (err) {
				close(*fd);
				*fd = -1;
			} else {
				ok++;
				*fd = -2 - *fd;	/* keep it, mark done */
			}
		}
	}
	for (i = 0; i < n; i++) {
		if (fds[i] >= 0)	/* still pending: give up */
			close(fds[i]);
	}
	close(ep);
	return n ? ok : -1;
}

/**
 * tcp_hold_slice() - One process's share: establish, report, hold
 * @dst:	Peer
 * @n:		Connections to open
 * @end:	Deadline, monotonic milliseconds
 * @out:	Pipe to write the count of established connections to
 *
 * Return: 0
 */
static int tcp_hold_slice(const struct sockaddr_in *dst, int n, int64_t end,
			  int out)
{
	int done = 0, ok = 0, r;
	char line[32];

	while (done < n && now_ms() < end && !flow_load_stop) {
		int k = n - done < TCP_BATCH ? n - done : TCP_BATCH;

		r = tcp_batch(dst, k);
		done += k;
		if (r <= 0)	/* a whole batch refused: the peer is full */
			break;
		ok += r;
	}
	snprintf(line, sizeof(line), "%d\n", ok);
	if (write(out, line, strlen(line)) < 0)
		return 1;
	close(out);
	hold_until(end);
	return 0;
}

/**
 * tcp_hold() - Open and hold N connections over processes
 * @addr:	Peer address
 * @port:	Peer port
 * @n:		Connections
 * @secs:	Seconds to hold at most
 *
 * Return: 0 on success, 1 on failure
 */
static int tcp_hold(const char *addr, int port, int n, int secs)
{
	int64_t end = now_ms() + (int64_t)secs * 1000;
	struct sockaddr_in dst;
	int p[2], i, ok = 0, k;
	char buf[64];
	FILE *f;

	if (peer_addr(addr, port, &dst) || pipe(p))
		return 1;
	for (i = 0; i < n; i += FLOW_LOAD_PER_PROC) {
		k = n - i < FLOW_LOAD_PER_PROC ? n - i : FLOW_LOAD_PER_PROC;
		if (spawn() == 0) {
			close(p[0]);
			_exit(tcp_hold_slice(&dst, k, end, p[1]));
		}
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	while (f && fgets(buf, sizeof(buf), f)) {
		if (sscanf(buf, "%d", &k) == 1)
			ok += k;
	}
	printf("established %d of %d\n", ok, n);
	fflush(stdout);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return 0;
}

/**
 * bounded() - Parse a count or a duration within its bounds
 * @s:		Text
 * @max:	Highest value allowed
 *
 * Return: the value, -1 if not a number in 1..max
 */
static int bounded(const char *s, int max)
{
	char *e;
	long v = strtol(s, &e, 10);

	return (*e || v < 1 || v > max) ? -1 : (int)v;
}

/**
 * main() - Run the mode named by the first argument
 * @argc:	Argument count
 * @argv:	Arguments, see the usage above
 *
 * Return: 0 on success, 1 on failure
 */
int main(int argc, char **argv)
{
	int secs;

	setup_process();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "udp-echo") &&
	    (secs = bounded(argv[3], FLOW_LOAD_SECONDS_MAX)) > 0)
		return udp_echo(atoi(argv[2]), secs);
	if (argc == 7 && !strcmp(argv[1], "udp-flows") &&
	    bounded(argv[5], FLOW_LOAD_N_MAX) > 0 &&
	    (secs = bounded(argv[6], FLOW_LOAD_SECONDS_MAX)) > 0)
		return udp_flows(argv[2], atoi(argv[3]), atoi(argv[4]),
				 atoi(argv[5]), secs);
	if (argc == 5 && !strcmp(argv[1], "tcp-accept") &&
	    bounded(argv[3], FLOW_LOAD_PROCS_MAX) > 0 &&
	    (secs = bounded(argv[4], FLOW_LOAD_SECONDS_MAX)) > 0)
		return tcp_accept(atoi(argv[2]), atoi(argv[3]), secs);
	if (argc == 6 && !strcmp(argv[1], "tcp-hold") &&
	    bounded(argv[4], FLOW_LOAD_N_MAX) > 0 &&
	    (secs = bounded(argv[5], FLOW_LOAD_SECONDS_MAX)) > 0)
		return tcp_hold(argv[2], atoi(argv[3]), atoi(argv[4]), secs);
	fprintf(stderr, "usage: see the comment at the top of flow_load.c\n");
	return 1;
}
