// SPDX-License-Identifier: GPL-2.0-or-later
/* sock_unix.c - The UNIX socket file the hypervisor connects to in passt
 * mode (qemu's stream netdev, or vhost-user): the path, given with -s or
 * the first free one of /tmp/passt_1.socket to /tmp/passt_64.socket; the
 * check that no other process serves it already (a listing in
 * /proc/net/unix, then a connection attempt), taking over a stale file;
 * binding and listening; and removing the file at exit, from a small
 * process started before the sandbox closes. Set-up only: what happens to
 * connections on the socket is the back end's business (tap.c).
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "util.h"
#include "log.h"
#include "sock_unix.h"

/* Backlog of the listening socket: one guest at a time anyway */
#define SOCK_UNIX_BACKLOG	1
/* Chunk of /proc/net/unix read at a time */
#define SOCK_UNIX_PROC_BUF_BYTES	4096

/**
 * sock_unix_listed() - Is a socket bound at a path in our namespace?
 * @path:	Socket path, as bound
 *
 * Looking it up in /proc/net/unix spares a listener (say, another passt
 * with -1, waiting for its guest) the connection of a probe. A socket that
 * is bound but not listening yet counts too: another passt between its
 * bind() and listen() would otherwise refuse our probe, and look stale.
 *
 * Return: true if /proc/net/unix lists a socket bound to @path
 */
static bool sock_unix_listed(const char *path)
{
	static char buf[SOCK_UNIX_PROC_BUF_BYTES];
	size_t have = 0, plen = strlen(path);
	bool found = false;
	ssize_t n;
	int fd;

	fd = open("/proc/net/unix", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;

	while (!found && (n = read(fd, buf + have, sizeof(buf) - have)) > 0) {
		char *line = buf, *end = buf + have + n, *nl;

		while ((nl = memchr(line, '\n', end - line))) {
			char *p;

			*nl = 0;
			/* "Num: RefCount Protocol Flags Type St Inode Path" */
			p = strchr(line, ':');
			if (p && (size_t)(nl - line) > plen &&
			    !strcmp(nl - plen, path) && nl[-plen - 1] == ' ') {
				found = true;
				break;
			}
			line = nl + 1;
		}

		/* Keep a partial line; drop one longer than the buffer */
		have = end - line;
		if (have == sizeof(buf))
			have = 0;
		memmove(buf, line, have);
	}

	close(fd);
	return found;
}

/**
 * sock_unix_probe() - Is somebody accepting connections at a socket path?
 * @path:	Socket path
 *
 * Return: 1 if something is listening (or might be), 0 if the path doesn't
 *	   exist or refuses connections (a stale socket file)
 */
static int sock_unix_probe(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd, ret;

	if (sock_unix_listed(path))
		return 1;

	/* Connecting also finds listeners in other network namespaces */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1;
	memcpy(a.sun_path, path, strlen(path) + 1);
	ret = connect(fd, (struct sockaddr *)&a, sizeof(a));
	if (ret && (errno == ENOENT || errno == ECONNREFUSED))
		ret = 0;
	else
		ret = 1;
	close(fd);
	return ret;
}

/**
 * sock_unix_bind() - Bind and listen at a socket path, reusing stale files
 * @path:	Socket path
 *
 * Return: listening socket, -EADDRINUSE if something accepts connections
 *	   there, other negative error code on failure
 */
static int sock_unix_bind(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd, ret;

	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	memcpy(a.sun_path, path, strlen(path) + 1);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;

	if (bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		struct stat st;

		ret = -errno;
		if (ret != -EADDRINUSE || sock_unix_probe(path))
			goto fail;
		if (lstat(path, &st) || !S_ISSOCK(st.st_mode))
			goto fail;	/* not ours to remove */
		/* Stale file left by a process that's gone: take it over */
		if (unlink(path) ||
		    bind(fd, (struct sockaddr *)&a, sizeof(a))) {
			ret = -errno;
			goto fail;
		}
	}

	if (listen(fd, SOCK_UNIX_BACKLOG)) {
		ret = -errno;
		unlink(path);
		goto fail;
	}
	return fd;

fail:
	close(fd);
	return ret;
}

/**
 * sock_unix_cleanup_at_exit() - Arrange for the socket file to go at exit
 * @path:	Socket path we bound
 *
 * Once sandboxed, we can't reach the file any more: a small process
 * started now, outside the sandbox, waits for the end of a pipe whose
 * other end only we hold, then removes the file if it is still the socket
 * we bound. It holds nothing else, and does nothing else.
 */
static void sock_unix_cleanup_at_exit(const char *path)
{
	struct stat bound;
	int pipefd[2];
	char b;
	pid_t pid;

	if (lstat(path, &bound) || pipe2(pipefd, O_CLOEXEC)) {
		warn_perror("Can't arrange removal of %s at exit", path);
		return;
	}

	pid = fork();
	if (pid < 0) {
		warn_perror("Can't arrange removal of %s at exit", path);
		close(pipefd[0]);
		close(pipefd[1]);
		return;
	}
	if (pid) {
		close(pipefd[0]);
		return;		/* pipefd[1] stays open until we exit */
	}

	/* The remover: only the read end, nothing of the launcher's */
	if (dup2(pipefd[0], STDIN_FILENO) < 0)
		_exit(EXIT_FAILURE);
	close_range(STDIN_FILENO + 1, ~0U, 0);
	prctl(PR_SET_NAME, "passt-sockrm", 0, 0, 0);
	setsid();

	for (;;) {
		ssize_t n = read(STDIN_FILENO, &b, 1);

		if (!n || (n < 0 && errno != EINTR))
			break;
	}

	{
		struct stat now;

		if (!lstat(path, &now) && now.st_dev == bound.st_dev &&
		    now.st_ino == bound.st_ino)
			unlink(path);
	}
	_exit(EXIT_SUCCESS);
}

/**
 * sock_unix_open() - Bind and listen at the socket path, or find a free one
 * @path:	Path given with -s, or empty: filled with the first free
 *		default path
 * @size:	Size of @path
 *
 * Exits on failure: there is no guest to serve without the socket. The
 * file is removed at exit (see sock_unix_cleanup_at_exit()).
 *
 * Return: listening socket
 */
int sock_unix_open(char *path, size_t size)
{
	int fd = -ENOENT, i;

	if (*path) {
		fd = sock_unix_bind(path);
		if (fd == -EADDRINUSE)
			die("Socket path %s already in use", path);
		if (fd < 0)
			die("Failed to bind UNIX socket at %s: %s",
			    path, strerror(-fd));
	} else {
		for (i = 1; i <= SOCK_UNIX_PROBE_MAX; i++) {
			snprintf(path, size, SOCK_UNIX_PROBE_FMT, i);
			fd = sock_unix_bind(path);
			if (fd >= 0)
				break;
		}
		if (fd < 0) {
			*path = 0;
			die("No free socket path from " SOCK_UNIX_PROBE_FMT
			    " to " SOCK_UNIX_PROBE_FMT, 1, SOCK_UNIX_PROBE_MAX);
		}
	}

	sock_unix_cleanup_at_exit(path);
	return fd;
}

/**
 * sock_unix_open_private() - Listen at a path only our user may connect to
 * @path:	Socket path
 *
 * The file is created with mode 0600 (a umask for the bind() only), a
 * stale file at the path is taken over like sock_unix_open() does, and the
 * file is removed at exit.
 *
 * Return: listening socket, negative error code on failure
 */
int sock_unix_open_private(const char *path)
{
	mode_t old = umask(S_IRWXG | S_IRWXO | S_IXUSR);
	int fd = sock_unix_bind(path);

	umask(old);
	if (fd < 0)
		return fd;
	sock_unix_cleanup_at_exit(path);
	return fd;
}
