// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_rr - Test and benchmark helper: TCP request/response latency. The
 * server echoes every byte it gets; the client sends one byte at a time,
 * waits for it to come back, and prints the mean round trip.
 *
 * Usage: tcp_rr server PORT      (one connection, then exit)
 *        tcp_rr client HOST PORT COUNT
 * The client prints "rr_us N.N": mean microseconds per round trip.
 */

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

/**
 * rr_server() - Accept one connection on a dual-stack socket, echo it
 * @port:	Port to listen on
 *
 * Return: 0 on success
 */
static int rr_server(int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(port) };
	int s, c, one = 1, zero = 0;
	char buf[4096];
	ssize_t n;

	s = socket(AF_INET6, SOCK_STREAM, 0);
	if (s < 0)
		return 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1)) {
		perror("tcp_rr: bind/listen");
		return 1;
	}
	c = accept(s, NULL, NULL);
	if (c < 0)
		return 1;
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	while ((n = read(c, buf, sizeof(buf))) > 0) {
		if (write(c, buf, n) != n)
			return 1;
	}
	return 0;
}

/**
 * rr_client() - Time COUNT one-byte round trips
 * @host:	Server address
 * @port:	Server port
 * @count:	Round trips
 *
 * Return: 0 on success
 */
static int rr_client(const char *host, const char *port, long count)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	struct timespec t0, t1;
	int s, one = 1;
	char b = 'x';
	long i;

	if (getaddrinfo(host, port, &hints, &ai)) {
		fprintf(stderr, "tcp_rr: bad address %s\n", host);
		return 1;
	}
	s = socket(ai->ai_family, SOCK_STREAM, 0);
	if (s < 0 || connect(s, ai->ai_addr, ai->ai_addrlen)) {
		perror("tcp_rr: connect");
		return 1;
	}
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < count; i++) {
		if (write(s, &b, 1) != 1 || read(s, &b, 1) != 1) {
			perror("tcp_rr: round trip");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	printf("rr_us %.1f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 +
				(t1.tv_nsec - t0.tv_nsec)) / 1e3 / count);
	close(s);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "server"))
		return rr_server(atoi(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "client"))
		return rr_client(argv[2], argv[3], atol(argv[4]));
	fprintf(stderr, "Usage: %s server PORT | client HOST PORT COUNT\n",
		argv[0]);
	return 2;
}
