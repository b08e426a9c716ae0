// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_crr - Benchmark helper: TCP connect/request/response rate. For every
 * transaction the client connects, sends one byte, waits for one byte back
 * and closes; the server accepts, echoes one byte and closes. Measures the
 * set-up and tear-down cost of connections (e.g. pasta's splice path).
 *
 * Usage: tcp_crr server PORT          (dual-stack, until killed)
 *        tcp_crr client HOST PORT COUNT [SECONDS]
 * The client prints "crr_per_s N": transactions per second, over COUNT
 * transactions or, if SECONDS is given, as many as fit in SECONDS.
 */

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>

/**
 * crr_server() - Accept connections, echo one byte on each, close
 * @port:	Port to listen on
 *
 * Return: 1 on set-up failure, doesn't return otherwise
 */
static int crr_server(int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(port) };
	int s, one = 1, zero = 0;

	s = socket(AF_INET6, SOCK_STREAM, 0);
	if (s < 0)
		return 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1024)) {
		perror("tcp_crr: bind");
		return 1;
	}
	for (;;) {
		int c = accept(s, NULL, NULL);
		char b;

		if (c < 0)
			continue;
		if (read(c, &b, 1) == 1 && write(c, &b, 1) != 1)
			perror("tcp_crr: write");
		close(c);
	}
}

/**
 * crr_client() - Run transactions, print the rate
 * @host:	Server address
 * @port:	Server port
 * @count:	Number of transactions
 * @secs_max:	Stop after this many seconds, if positive
 *
 * Return: 0 on success, 1 on failure
 */
static int crr_client(const char *host, const char *port, long count,
		      double secs_max)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	struct timespec t0, t1;
	double secs;
	long i;

	if (getaddrinfo(host, port, &hints, &ai)) {
		fprintf(stderr, "tcp_crr: bad address %s\n", host);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < count; i++) {
		int s = socket(ai->ai_family, SOCK_STREAM, 0);
		char b = 'x';

		if (s < 0 || connect(s, ai->ai_addr, ai->ai_addrlen) ||
		    write(s, &b, 1) != 1 || read(s, &b, 1) != 1) {
			perror("tcp_crr: transaction");
			return 1;
		}
		close(s);
		if (secs_max > 0 && !(i % 64)) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			secs = (double)(t1.tv_sec - t0.tv_sec) +
			       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
			if (secs >= secs_max) {
				i++;
				break;
			}
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("crr_per_s %.0f\n", (double)i / secs);
	freeaddrinfo(ai);
	return 0;
}

/**
 * main() - Server or client, by the first argument
 * @argc:	Argument count
 * @argv:	Arguments, see the usage above
 *
 * Return: 0 on success, 1 on failure
 */
int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "server"))
		return crr_server(atoi(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "client"))
		return crr_client(argv[2], argv[3], atol(argv[4]), 0);
	if (argc == 6 && !strcmp(argv[1], "client"))
		return crr_client(argv[2], argv[3], atol(argv[4]),
				  atof(argv[5]));
	fprintf(stderr,
		"Usage: %s server PORT | client HOST PORT COUNT [SECONDS]\n",
		argv[0]);
	return 1;
}
