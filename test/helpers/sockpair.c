// SPDX-License-Identifier: GPL-2.0-or-later
/* sockpair - Test helper: run two commands joined by a UNIX stream socket
 * pair, each seeing its end as file descriptor 3 (for passt -F 3). The
 * first command replaces this process (so $! is its PID); the second runs
 * as its child, and its PID is written to PIDFILE.
 *
 * Usage: sockpair PIDFILE CMD1 [ARG]... -- CMD2 [ARG]...
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#define PAIR_FD		3

/**
 * run() - Put a socket end at PAIR_FD, close the other, exec a command
 * @mine:	Socket end for this command
 * @other:	The other end
 * @argv:	Command, NULL-terminated
 */
static void run(int mine, int other, char **argv)
{
	close(other);
	if (mine != PAIR_FD) {
		dup2(mine, PAIR_FD);
		close(mine);
	}
	execvp(argv[0], argv);
	perror(argv[0]);
	_exit(127);
}

/**
 * main() - Start both commands
 * @argc:	Argument count
 * @argv:	PIDFILE CMD1... -- CMD2...
 *
 * Return: 1 on errors (on success, CMD1's own exit status)
 */
int main(int argc, char **argv)
{
	int sv[2], i, sep = 0;
	FILE *f;
	pid_t pid;

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			sep = i;
			break;
		}
	}
	if (argc < 5 || sep < 3 || sep == argc - 1) {
		fprintf(stderr, "Usage: %s PIDFILE CMD1... -- CMD2...\n",
			argv[0]);
		return 1;
	}
	argv[sep] = NULL;

	/* run() closes the other end first: dup2() can't clobber it */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 1;

	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid)
		run(sv[1], sv[0], &argv[sep + 1]);

	f = fopen(argv[1], "w");
	if (f) {
		fprintf(f, "%i\n", (int)pid);
		fclose(f);
	}
	run(sv[0], sv[1], &argv[2]);
	return 1;
}
