// SPDX-License-Identifier: GPL-2.0-or-later
/* conf - libFuzzer target: the command line. conf() runs on an argument
 * vector built from the input, in passt or pasta mode. It exits on bad
 * options, and after --help and --version: this target is linked with
 * --wrap=exit, so that those exits come back here with longjmp(), while
 * the program's own exit() stays as it is. Global state conf() touches
 * (log settings, files it opened) is reset after each run.
 *
 * Input: mode byte (bit 0: pasta), then arguments separated by NUL bytes.
 * Inputs holding a '/' are skipped: paths to files conf() creates (PID
 * file, log file) stay in the scratch directory the runner works in.
 */

#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "netlink.h"

#define FUZZ_ARGS_MAX		64
#define FUZZ_ARGS_BYTES		4096

/* Names the linker's --wrap gives: reserved, but not ours to choose */
/* NOLINTNEXTLINE(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
void __real_exit(int status) __attribute__((noreturn));
/* NOLINTNEXTLINE(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
void __wrap_exit(int status) __attribute__((noreturn));

static struct ctx_run fuzz_ctx_run;
static struct ctx fuzz_ctx = { .run = &fuzz_ctx_run };
static int fuzz_epollfd = -1;
static jmp_buf fuzz_jmp;
static volatile bool fuzz_in_conf;
static int fuzz_fd_baseline = -1;

/**
 * __wrap_exit() - exit(), unless called from within conf(): then return
 * @status:	Exit status
 */
void __wrap_exit(int status) /* NOLINT(bugprone-reserved-identifier) */
{
	if (fuzz_in_conf) {
		fuzz_in_conf = false;
		longjmp(fuzz_jmp, 1);
	}
	__real_exit(status);
}

/**
 * LLVMFuzzerInitialize() - Check the sandbox
 * @argc:	Unused
 * @argv:	Unused
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_sandbox_check();
	fuzz_epollfd = epoll_create1(EPOLL_CLOEXEC);
	/* conf() reopens it: have it open already, for the leak check */
	if (fuzz_epollfd < 0 || nl_sock_init(false) < 0)
		exit(1);
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - Run conf() on one command line
 * @data:	Mode byte, then NUL-separated arguments
 * @size:	Length of @data
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char args[FUZZ_ARGS_BYTES + 1];
	static char *argv[FUZZ_ARGS_MAX + 2];
	struct ctx *c = &fuzz_ctx;
	int argc = 1;
	size_t i;

	/* After libFuzzer's own set-up, which opens descriptors too */
	if (fuzz_fd_baseline < 0)
		fuzz_fd_baseline = fuzz_fd_count();
	if (!size || size - 1 > FUZZ_ARGS_BYTES || memchr(data, '/', size))
		return 0;

	memset(c, 0, sizeof(*c));
	memset(&fuzz_ctx_run, 0, sizeof(fuzz_ctx_run));
	c->run = &fuzz_ctx_run;
	c->mode = (data[0] & 1) ? MODE_PASTA : MODE_PASST;
	c->argv0 = c->mode == MODE_PASTA ? "pasta" : "passt";
	c->run->epollfd = fuzz_epollfd;
	argv[0] = (char *)c->argv0;

	memcpy(args, data + 1, size - 1);
	args[size - 1] = '\0';
	if (size > 1) {
		argv[argc++] = args;
		for (i = 0; i < size - 1 && argc <= FUZZ_ARGS_MAX; i++) {
			if (!args[i])
				argv[argc++] = args + i + 1;
		}
	}
	argv[argc] = NULL;

	log_init(c->argv0);
	fuzz_quiet();
	if (!setjmp(fuzz_jmp)) {
		fuzz_in_conf = true;
		conf(c, argc, argv);
	}
	fuzz_in_conf = false;

	/* What conf() may leave behind, for the next run */
	if (c->run->pidfile_fd >= 0)
		close(c->run->pidfile_fd);
	log_file_close();
	log_level = LOG_INFO;
	log_trace = false;
	log_set_stderr(true);

	if (fuzz_fd_count() > fuzz_fd_baseline + FUZZ_FD_SLACK)
		abort();	/* a descriptor leaked */
	return 0;
}
