// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for sock_unix.c: binding the socket file at a given path,
 * taking over a stale file, refusing a path something listens at or a file
 * that isn't a socket, and removing the file once the process is gone.
 * Every sock_unix_open() runs in a child process: it exits on failure, and
 * leaves a remover process behind that acts when the child is gone. The
 * default paths in /tmp are left to test/integration/passt_socket_probe.sh,
 * in its own /tmp: other processes on this machine may use them.
 */

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "unit.h"
#include "sock_unix.h"

/* How long the remover may take to notice that its process is gone */
#define REMOVE_WAIT_MS	5000

static char dir[] = "/tmp/sock_unix_unit.XXXXXX";
static char path[sizeof(((struct sockaddr_un *)0)->sun_path)];

/**
 * struct opener - A child process holding the socket sock_unix_open() gave
 * @pid:	Child process
 * @go:		Write end of a pipe: closing it lets the child exit
 * @bound:	1 if the child got a listening socket, 0 if it exited first
 */
struct opener {
	pid_t pid;
	int go;
	int bound;
};

/**
 * opener_start() - Call sock_unix_open(path) in a child process
 * @o:		Filled with the child, and whether it bound the socket
 */
static void opener_start(struct opener *o)
{
	int up[2], go[2];
	char b = 0;

	if (pipe(up) || pipe(go)) {
		perror("pipe");
		exit(EXIT_FAILURE);
	}
	fflush(stdout);
	fflush(stderr);
	o->pid = fork();
	if (o->pid < 0) {
		perror("fork");
		exit(EXIT_FAILURE);
	}
	if (!o->pid) {
		close(up[0]);
		close(go[1]);
		if (sock_unix_open(path, sizeof(path)) < 0)
			_exit(2);
		if (write(up[1], &b, 1) != 1)
			_exit(3);
		while (read(go[0], &b, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}

	close(up[1]);
	close(go[0]);
	o->go = go[1];
	o->bound = read(up[0], &b, 1) == 1;
	close(up[0]);
}

/**
 * opener_stop() - Let the child exit, and reap it
 * @o:		Child from opener_start()
 *
 * Return: exit status of the child, -1 if it didn't exit normally
 */
static int opener_stop(struct opener *o)
{
	int status;

	close(o->go);
	if (waitpid(o->pid, &status, 0) != o->pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/**
 * listening() - Does something accept connections at the path?
 *
 * Return: true if a connection to the path succeeds
 */
static bool listening(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	bool ret;
	int fd;

	memcpy(a.sun_path, path, sizeof(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	ret = !connect(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return ret;
}

/**
 * gone_in_time() - Wait for the path to disappear, with a deadline
 *
 * Return: true if it was removed before REMOVE_WAIT_MS
 */
static bool gone_in_time(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	struct stat st;
	int i;

	for (i = 0; i < REMOVE_WAIT_MS / 10; i++) {
		if (lstat(path, &st) && errno == ENOENT)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

/**
 * set_path() - Point the path at a name in the test directory
 * @name:	File name
 */
static void set_path(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
}

/* A free path is bound, listened at, and removed once we're gone */
static void test_bind_listen_remove(void)
{
	struct opener o;
	struct stat st;

	set_path("fresh.socket");
	opener_start(&o);
	CHECK(o.bound);
	CHECK(!lstat(path, &st) && S_ISSOCK(st.st_mode));
	CHECK(listening());
	CHECK(opener_stop(&o) == 0);
	CHECK_MSG(gone_in_time(), "%s not removed at exit", path);
}

/* A socket file nobody listens at any more is taken over */
static void test_stale_taken_over(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct opener o;
	int fd;

	set_path("stale.socket");
	memcpy(a.sun_path, path, sizeof(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)));
	close(fd);
	CHECK(!listening());

	opener_start(&o);
	CHECK(o.bound);
	CHECK(listening());
	CHECK(opener_stop(&o) == 0);
	CHECK(gone_in_time());
}

/* A path another process listens at is left alone: exit with an error */
static void test_in_use_refused(void)
{
	struct opener first, second;

	set_path("used.socket");
	opener_start(&first);
	CHECK(first.bound);

	opener_start(&second);
	CHECK(!second.bound);
	CHECK(opener_stop(&second) == EXIT_FAILURE);
	CHECK_MSG(listening(), "first listener lost its socket");

	CHECK(opener_stop(&first) == 0);
	CHECK(gone_in_time());
}

/* A file that isn't a socket is never removed */
static void test_regular_file_kept(void)
{
	struct opener o;
	struct stat st;
	int fd;

	set_path("regular");
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);

	opener_start(&o);
	CHECK(!o.bound);
	CHECK(opener_stop(&o) == EXIT_FAILURE);
	CHECK(!lstat(path, &st) && S_ISREG(st.st_mode));
	unlink(path);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}

	RUN(test_bind_listen_remove);
	RUN(test_stale_taken_over);
	RUN(test_in_use_refused);
	RUN(test_regular_file_kept);

	rmdir(dir);
	UNIT_EXIT();
}
