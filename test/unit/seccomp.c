// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/seccomp.c - The seccomp filters seccomp.sh generates, installed
 * for real by isolation_seccomp() in child processes: a call the mode's
 * filter lists goes through, anything else (getpid(), anonymous mmap(),
 * an ioctl() or fcntl() command not listed, an executable mapping) kills
 * the process with SIGSYS.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/sockios.h>

#include "unit.h"
#include "log.h"
#include "passt.h"
#include "isolation.h"

enum filter { STREAM, VU, PASTA };

/**
 * filtered_child() - In a child: install a filter, then make one call
 * @f:		Filter to install
 * @call:	Name of the call to make, see below
 *
 * Return: never returns: exits 0 if the call came back, whatever it
 *	   returned, or dies
 */
static void filtered_child(enum filter f, const char *call)
{
	struct ctx c = { .mode = f == PASTA ? MODE_PASTA : MODE_PASST,
			 .vhost_user = f == VU };
	int memfd = (int)syscall(SYS_memfd_create, "seccomp-test", 0);
	int sv[2] = { -1, -1 }, pipefd[2] = { -1, -1 }, n;

	if (memfd < 0 || ftruncate(memfd, 4096) ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || pipe(pipefd))
		_exit(2);

	isolation_seccomp(&c);

	if (!strcmp(call, "write")) {
		(void)!write(sv[0], "x", 1);
	} else if (!strcmp(call, "getpid")) {
		syscall(SYS_getpid);
	} else if (!strcmp(call, "openat")) {
		syscall(SYS_openat, AT_FDCWD, "/", O_RDONLY);
	} else if (!strcmp(call, "execve")) {
		char *argv[] = { "/bin/true", NULL };

		execve(argv[0], argv, argv + 1);
	} else if (!strcmp(call, "mmap-anon")) {
		mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	} else if (!strcmp(call, "mmap-shared")) {
		mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	} else if (!strcmp(call, "mmap-exec")) {
		mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, memfd, 0);
	} else if (!strcmp(call, "ioctl-siocoutq")) {
		ioctl(sv[0], SIOCOUTQ, &n);
	} else if (!strcmp(call, "ioctl-fionbio")) {
		n = 1;
		ioctl(sv[0], FIONBIO, &n);
	} else if (!strcmp(call, "fcntl-pipe-size")) {
		fcntl(pipefd[0], F_GETPIPE_SZ);
	} else if (!strcmp(call, "fcntl-dupfd")) {
		fcntl(pipefd[0], F_DUPFD, 0);
	} else if (!strcmp(call, "splice")) {
		splice(pipefd[0], NULL, sv[0], NULL, 1, SPLICE_F_NONBLOCK);
	}
	_exit(0);
}

/**
 * killed() - Run a call under a filter in a child: was it killed for it?
 * @f:		Filter
 * @call:	Call, as filtered_child() names them
 *
 * Return: 1 if killed by SIGSYS (or, in SECCOMP_DEBUG builds, exited as if
 *	   it had been), 0 if the call went through, -1 on anything else
 */
static int killed(enum filter f, const char *call)
{
	pid_t pid = fork();
	int st;

	if (!pid)
		filtered_child(f, call);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)
		return 1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGSYS)
		return 1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	return -1;
}

#ifndef PASST_SANITIZE
/**
 * test_allowed() - Calls each filter lists go through
 */
static void test_allowed(void)
{
	CHECK(killed(STREAM, "write") == 0);
	CHECK(killed(VU, "write") == 0);
	CHECK(killed(PASTA, "write") == 0);
	CHECK(killed(STREAM, "ioctl-siocoutq") == 0);
	CHECK(killed(PASTA, "ioctl-siocoutq") == 0);
	CHECK(killed(VU, "mmap-shared") == 0);
	CHECK(killed(PASTA, "fcntl-pipe-size") == 0);
	CHECK(killed(PASTA, "splice") == 0);
}

/**
 * test_forbidden() - Anything else kills, in every filter
 */
static void test_forbidden(void)
{
	static const enum filter all[] = { STREAM, VU, PASTA };
	unsigned int i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		CHECK_MSG(killed(all[i], "getpid") == 1, "filter %u", i);
		CHECK_MSG(killed(all[i], "openat") == 1, "filter %u", i);
		CHECK_MSG(killed(all[i], "execve") == 1, "filter %u", i);
		CHECK_MSG(killed(all[i], "mmap-anon") == 1, "filter %u", i);
		CHECK_MSG(killed(all[i], "mmap-exec") == 1, "filter %u", i);
		CHECK_MSG(killed(all[i], "ioctl-fionbio") == 1, "filter %u", i);
		CHECK_MSG(killed(all[i], "fcntl-dupfd") == 1, "filter %u", i);
	}
	/* Only vhost-user maps guest memory, only pasta splices */
	CHECK(killed(STREAM, "mmap-shared") == 1);
	CHECK(killed(PASTA, "mmap-shared") == 1);
	CHECK(killed(STREAM, "splice") == 1);
	CHECK(killed(VU, "splice") == 1);
	CHECK(killed(STREAM, "fcntl-pipe-size") == 1);
}

#else
/**
 * test_sanitizer_build_unfiltered() - Sanitizer builds install no filter
 * (their run-time needs calls we never make), as isolation_seccomp() says
 */
static void test_sanitizer_build_unfiltered(void)
{
	CHECK(killed(STREAM, "getpid") == 0);
	CHECK(killed(PASTA, "mmap-anon") == 0);
}
#endif

int main(void)
{
	log_set_stderr(false);

#ifdef PASST_SANITIZE
	RUN(test_sanitizer_build_unfiltered);
#else
	RUN(test_allowed);
	RUN(test_forbidden);
#endif

	UNIT_EXIT();
}
