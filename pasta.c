// SPDX-License-Identifier: GPL-2.0-or-later
/* pasta.c - Target namespaces for pasta: create user, network, PID, UTS,
 * IPC and mount namespaces for a command we spawn, or join an existing one (PID, --netns, --userns);
 * create the tap device in it, bring up loopback and, with --config-net,
 * copy addresses and routes from the host. Work inside the namespace runs in
 * a short-lived clone sharing our memory and file table, so the main process
 * never leaves the host namespace. Afterwards, watch for the namespace to go
 * away (timer on procfs, inotify on bound files) and follow the spawned
 * command's exit status.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/if_tun.h>

#include "epoll_ctl.h"
#include "util.h"
#include "log.h"
#include "ctx.h"
#include "netlink.h"
#include "pasta.h"
#include "isolation.h"
#include "conf_addr.h"

/* Stack of the clone that runs code in the target namespace: netlink
 * helpers may keep message buffers on the stack, so be generous. It lives in
 * .bss and is only touched as deep as it's used.
 */
#define PASTA_NS_STACK_BYTES	(1024 * 1024)
/* How often we check whether a procfs namespace reference (PID) is gone */
#define PASTA_NSQUIT_CHECK_SEC	1
/* inotify events read at once: each is a header plus a name */
#define PASTA_INOTIFY_BUF_BYTES					\
	(4 * (sizeof(struct inotify_event) + NAME_MAX + 1))
/* Name of the tap device if neither -I nor a host interface gives one */
#define PASTA_IFNAME_DEFAULT	"tap0"
/* Exit status of the spawned command if it can't be executed (as shells) */
#define PASTA_EXEC_FAIL_STATUS	127
/* Exit status offset for a command terminated by a signal (as shells) */
#define PASTA_SIGNAL_STATUS	128
/* The command's resolv.conf, seen by the command at the host's path */
#define PASTA_RESOLV_CONF	"/etc/resolv.conf"
/* Size of the tmpfs the command's resolv.conf is written to */
#define PASTA_RESOLV_TMPFS_OPTS	"size=256k,mode=0755"

static char pasta_ns_stack[PASTA_NS_STACK_BYTES] __attribute__((aligned(16)));
static char pasta_helper_stack[PASTA_NS_STACK_BYTES]
	__attribute__((aligned(16)));

/* The namespace helper, once started: PID, request and completion pipes */
static volatile pid_t pasta_helper_pid;
/* Set while we stop the helper ourselves: its end is expected then */
static volatile sig_atomic_t pasta_helper_stopping;
static int pasta_helper_req[2] = { -1, -1 };
static int pasta_helper_done[2] = { -1, -1 };

/* PID of the command we spawned, 0 if we joined an existing namespace */
static volatile pid_t pasta_child_pid;
/* Exit status for pasta once the spawned command ended, -1 before */
static volatile sig_atomic_t pasta_child_status = -1;
/* Write end of the pipe the spawned command waits on before exec */
static int pasta_child_go = -1;

/* procfs reference watched by timer: directory and file name in it */
static int pasta_nsquit_dirfd = -1;
static char pasta_nsquit_base[NAME_MAX + 1];
static ino_t pasta_nsquit_ino;

/* Error from the namespace clone, reported by the parent with die() */
static char pasta_ns_err[PATH_MAX + LOG_LINE_MAX];

/**
 * struct pasta_ns_call_arg - Function to run in the target namespace
 * @c:		Execution context
 * @fn:		Function
 * @arg:	Its argument
 * @ret:	Its return value, or negative error code from joining
 */
struct pasta_ns_call_arg {
	const struct ctx *c;
	int (*fn)(void *arg);
	void *arg;
	int ret;
};

static void pasta_child_handler(int signum);
static int pasta_helper_call(struct pasta_ns_call_arg *a);

/* The request the helper works on: one at a time, we wait meanwhile */
static struct pasta_ns_call_arg pasta_helper_work;

/**
 * pasta_ns_enter() - Join the target namespace from the calling process
 * @c:		Execution context
 *
 * Meant for a short-lived child (see pasta_ns_call()): the main process
 * stays in the host namespace. The target user namespace, if any, gives us
 * the capabilities we need in the network namespace it owns; EINVAL from it
 * means we are in it already, so let the network namespace decide.
 *
 * Return: 0 on success, negative error code on failure
 */
int pasta_ns_enter(const struct ctx *c)
{
	if (c->pasta_userns_fd >= 0 &&
	    setns(c->pasta_userns_fd, CLONE_NEWUSER) && errno != EINVAL)
		return -errno;
	if (setns(c->pasta_netns_fd, CLONE_NEWNET))
		return -errno;
	return 0;
}

/**
 * pasta_ns_call_fn() - Body of the namespace clone: join, then run
 * @arg:	struct pasta_ns_call_arg
 *
 * Return: 0, the actual result is passed back in shared memory
 */
static int pasta_ns_call_fn(void *arg)
{
	struct pasta_ns_call_arg *a = arg;

	a->ret = pasta_ns_enter(a->c);
	if (a->ret) {
		snprintf(pasta_ns_err, sizeof(pasta_ns_err),
			 "Failed to join namespace %s: %s", a->c->netns_path,
			 strerror(-a->ret));
		return 0;
	}
	a->ret = a->fn(a->arg);
	return 0;
}

/**
 * pasta_ns_call() - Run a function inside the target network namespace
 * @c:		Execution context
 * @fn:		Function, returning 0 or a negative error code
 * @arg:	Argument for @fn
 *
 * The function runs in a clone sharing our memory and file descriptors (so
 * sockets and devices it opens, and variables it sets, are ours), but not
 * our namespaces: setns() there leaves the main process where it is. We
 * wait for it, so it can use our static data freely. Not reentrant: @fn
 * must not call pasta_ns_call() itself (there's one stack). Costs a clone
 * per call: open what you need in the namespace once, keep the descriptors.
 *
 * Return: return value of @fn, or negative error code
 */
int pasta_ns_call(const struct ctx *c, int (*fn)(void *arg), void *arg)
{
	struct pasta_ns_call_arg a = { .c = c, .fn = fn, .arg = arg };
	pid_t pid;

	if (pasta_helper_pid)
		return pasta_helper_call(&a);

	pid = clone(pasta_ns_call_fn, pasta_ns_stack + sizeof(pasta_ns_stack),
		    CLONE_VM | CLONE_FILES | SIGCHLD, &a);
	if (pid < 0)
		return -errno;
	/* ECHILD: already reaped (SIGCHLD ignored), it's done all the same */
	while (waitpid(pid, NULL, 0) < 0) {
		if (errno == ECHILD)
			break;
		if (errno != EINTR)
			return -errno;
	}
	return a.ret;
}

/**
 * pasta_helper_call() - Have the namespace helper run a function
 * @a:		Function, argument; return value set on completion
 *
 * Both sides block on a pipe in turn: the helper runs while we wait, so
 * the shared memory and descriptor table are only ever used by one of us.
 *
 * Return: return value of the function
 */
static int pasta_helper_call(struct pasta_ns_call_arg *a)
{
	char b = 'c';

	pasta_helper_work = *a;
	/* #syscalls:pasta read write */
	if (write(pasta_helper_req[1], &b, 1) != 1)
		return -EIO;
	while (read(pasta_helper_done[0], &b, 1) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	a->ret = pasta_helper_work.ret;
	return a->ret;
}

/**
 * pasta_helper_fn() - Body of the namespace helper
 * @arg:	Execution context
 *
 * Joins the namespace, sandboxes itself, says it's ready, then serves
 * requests, one at a time: a byte on the request pipe says that
 * pasta_helper_work holds one, a byte back that its result is there.
 *
 * Return: never returns
 */
static int pasta_helper_fn(void *arg)
{
	const struct ctx *c = arg;
	pid_t parent = getppid();
	int ret;

	ret = pasta_ns_enter(c);
	if (ret) {
		snprintf(pasta_ns_err, sizeof(pasta_ns_err),
			 "Namespace helper can't join %s: %s", c->netns_path,
			 strerror(-ret));
		if (write(pasta_helper_done[1], "e", 1) < 0)
			_exit(EXIT_FAILURE);
		_exit(EXIT_FAILURE);
	}

	/* Only now: joining a namespace owned by another user clears it.
	 * It works because we run as the same user as pasta.
	 */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(EXIT_FAILURE);

	isolation_ns_helper(c);

	if (write(pasta_helper_done[1], "r", 1) != 1)
		_exit(EXIT_FAILURE);
	for (;;) {
		struct pasta_ns_call_arg *a = &pasta_helper_work;
		char b;
		ssize_t n = read(pasta_helper_req[0], &b, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n != 1)
			_exit(EXIT_FAILURE);
		if (!a->fn)
			_exit(EXIT_SUCCESS);	/* pasta_ns_helper_stop() */
		a->ret = a->fn(a->arg);
		if (write(pasta_helper_done[1], "d", 1) != 1)
			_exit(EXIT_FAILURE);
	}
}

/**
 * pasta_ns_helper_start() - Start the helper working in the namespace
 * @c:		Execution context
 *
 * Once we detach from the namespaces we started in, we can't join the
 * target namespace any more: from here on, pasta_ns_call() goes to a
 * helper that joined it while we still could, sharing our memory and
 * descriptors, and sandboxed like us (isolation_ns_helper()).
 */
void pasta_ns_helper_start(struct ctx *c)
{
	struct sigaction sa = { .sa_handler = pasta_child_handler,
				.sa_flags = SA_RESTART | SA_NOCLDSTOP };
	sigset_t chld, old;
	char b = 0;
	pid_t pid;

	if (pipe2(pasta_helper_req, O_CLOEXEC) ||
	    pipe2(pasta_helper_done, O_CLOEXEC))
		die_perror("Can't create pipes for the namespace helper");

	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);

	/* If it dies, even right away, the handler must know it's the one */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	pid = clone(pasta_helper_fn,
		    pasta_helper_stack + sizeof(pasta_helper_stack),
		    CLONE_VM | CLONE_FILES | SIGCHLD, (void *)c);
	if (pid < 0)
		die_perror("Can't start the namespace helper");
	pasta_helper_pid = pid;
	sigprocmask(SIG_SETMASK, &old, NULL);

	while (read(pasta_helper_done[0], &b, 1) < 0 && errno == EINTR)
		;
	if (b != 'r') {
		pasta_helper_pid = 0;
		die("%s", *pasta_ns_err ? pasta_ns_err :
		    "Namespace helper failed to start");
	}

	/* Only the helper needed it, to join: the network namespace file
	 * stays, to tell when the namespace is gone
	 */
	if (c->pasta_userns_fd >= 0)
		close(c->pasta_userns_fd);
	c->pasta_userns_fd = -1;
}

/**
 * pasta_ns_helper_stop() - Make the namespace helper exit, wait for it
 *
 * It shares our descriptors: our listening sockets only close once both of
 * us are gone.
 */
void pasta_ns_helper_stop(void)
{
	siginfo_t si;
	char b = 's';

	if (!pasta_helper_pid)
		return;

	pasta_helper_stopping = 1;
	pasta_helper_work.fn = NULL;
	if (write(pasta_helper_req[1], &b, 1) != 1)
		return;
	while (waitid(P_PID, pasta_helper_pid, &si, WEXITED) < 0 &&
	       errno == EINTR)
		;
	pasta_helper_pid = 0;
}

/**
 * pasta_child_handler() - SIGCHLD: note the spawned command's exit status
 * @signum:	Signal number, unused
 *
 * The main loop sees it (pasta_child_exit_status()) and exits with it, after
 * logging its counters. Other children (namespace clones) are reaped by
 * whoever started them.
 */
static void pasta_child_handler(int signum)
{
	int saved_errno = errno;
	siginfo_t si;

	(void)signum;

	memset(&si, 0, sizeof(si));
	/* #syscalls:pasta waitid */
	if (pasta_helper_pid && !pasta_helper_stopping &&
	    !waitid(P_PID, pasta_helper_pid, &si, WEXITED | WNOHANG) &&
	    si.si_pid == pasta_helper_pid) {
		static const char msg[] = "pasta: namespace helper died\n";

		/* Nothing works in the namespace any more: get out */
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
			_exit(EXIT_FAILURE);
		_exit(EXIT_FAILURE);
	}

	memset(&si, 0, sizeof(si));
	if (pasta_child_pid &&
	    !waitid(P_PID, pasta_child_pid, &si, WEXITED | WNOHANG) &&
	    si.si_pid == pasta_child_pid) {
		if (si.si_code == CLD_EXITED)
			pasta_child_status = si.si_status;
		else
			pasta_child_status = PASTA_SIGNAL_STATUS + si.si_status;
	}

	errno = saved_errno;
}

/**
 * pasta_child_exit_status() - Exit status of the command pasta spawned
 *
 * Return: what pasta exits with now that the command ended, -1 while it
 *	   runs (or if there's none)
 */
int pasta_child_exit_status(void)
{
	return pasta_child_status;
}

/**
 * pasta_write_map() - Write one line to a /proc file (map, sysctl)
 * @path:	File path
 * @line:	Contents
 *
 * Return: 0 on success, -1 on failure with errno set
 */
static int pasta_write_map(const char *path, const char *line)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -1;
	ret = write_all(fd, line, strlen(line));
	close(fd);
	return ret;
}

/**
 * pasta_resolv_mount() - Give the command a resolv.conf naming what it reaches
 * @c:		Execution context
 *
 * Runs in the command's new mount namespace, before the command starts.
 * If the host's resolver is on loopback, the command would look for it on
 * its own loopback: it gets a file naming the address we answer for instead
 * (see conf_resolv_cmd()), bound over /etc/resolv.conf. The file lives on a
 * tmpfs mounted for the purpose over an existing directory, then detached:
 * nothing is written to the host's file systems, and the mount namespace
 * being owned by a new user namespace, no mount propagates back.
 */
static void pasta_resolv_mount(const struct ctx *c)
{
	static const char *const dirs[] = { "/tmp", "/proc" };
	static char text[CONF_RESOLV_CMD_MAX_BYTES];
	char path[PATH_MAX];
	const char *dir = NULL;
	unsigned int i;
	ssize_t len;
	int fd;

	len = conf_resolv_cmd(c, text, sizeof(text));
	if (!len)
		return;
	if (len < 0) {
		warn("%s too long to rewrite for the command", PASTA_RESOLV_CONF);
		return;
	}

	for (i = 0; i < ARRAY_SIZE(dirs) && !dir; i++) {
		if (!mount("tmpfs", dirs[i], "tmpfs",
			   MS_NOSUID | MS_NODEV | MS_NOEXEC,
			   PASTA_RESOLV_TMPFS_OPTS))
			dir = dirs[i];
	}
	if (!dir) {
		warn_perror("Can't give the command its own %s",
			    PASTA_RESOLV_CONF);
		return;
	}

	snprintf(path, sizeof(path), "%s/resolv.conf", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write_all(fd, text, len) ||
	    mount(path, PASTA_RESOLV_CONF, NULL, MS_BIND, NULL))
		warn_perror("Can't give the command its own %s",
			    PASTA_RESOLV_CONF);
	else
		debug("The host's resolver is on loopback: the command's %s "
		      "names the address it's reached at", PASTA_RESOLV_CONF);
	if (fd >= 0)
		close(fd);

	if (umount2(dir, MNT_DETACH))
		debug_perror("Can't detach the temporary mount on %s", dir);
}

/**
 * pasta_cmd() - The command, PID 1 of its namespace: wait for go, exec
 * @c:		Execution context
 * @go:		Pipe end to wait on before exec
 * @fg:		Whether pasta is the terminal's foreground process group
 *
 * A fresh /proc shows the namespace's processes only. The command gets a
 * session of its own, so that nothing it signals (kill 0, job control)
 * reaches the caller's process group. On a terminal we're the foreground
 * job of, a new session would leave it without a controlling terminal, and
 * a shell without job control: it gets a process group of its own instead,
 * made the terminal's foreground group. Either way, outside processes can't
 * be named from the new PID namespace.
 */
static void __attribute__((noreturn)) pasta_cmd(const struct ctx *c, int go,
						bool fg)
{
	char *const *argv = c->pasta_argv;
	char *sh_argv[] = { NULL, NULL };
	sigset_t none, ttou;
	char b;

	/* If the intermediate process goes, the namespace goes too */
	prctl(PR_SET_PDEATHSIG, SIGKILL);

	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL))
		debug_perror("Can't mount /proc for the new PID namespace");

	/* Only start once the tap device exists and is configured */
	if (read(go, &b, 1) != 1)
		_exit(EXIT_FAILURE);
	close(go);

	if (fg) {
		sigemptyset(&ttou);
		sigaddset(&ttou, SIGTTOU);
		sigprocmask(SIG_BLOCK, &ttou, NULL);
		if (setpgid(0, 0) || tcsetpgrp(STDIN_FILENO, getpgrp()))
			debug_perror("Can't move the command to the foreground");
	} else if (setsid() < 0) {
		debug_perror("Can't give the command a session of its own");
	}

	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGTTOU, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (!argv[0]) {
		const char *sh = getenv("SHELL");

		sh_argv[0] = (char *)(sh && *sh ? sh : "/bin/sh");
		argv = sh_argv;
	}

	execvp(argv[0], argv);
	err_perror("Failed to start %s", argv[0]);
	_exit(PASTA_EXEC_FAIL_STATUS);
}

/**
 * pasta_relay_exit() - Exit, giving the terminal back to the caller
 * @fg:		Whether the command took the terminal's foreground
 * @status:	Exit status
 *
 * The caller may not be a shell with job control, which would take the
 * terminal back by itself: its next read would fail, or stop it.
 */
static void __attribute__((noreturn)) pasta_relay_exit(bool fg, int status)
{
	if (fg) {
		sigset_t ttou;

		sigemptyset(&ttou);
		sigaddset(&ttou, SIGTTOU);
		sigprocmask(SIG_BLOCK, &ttou, NULL);
		if (tcsetpgrp(STDIN_FILENO, getpgrp()))
			debug_perror("Can't give the terminal back");
	}
	_exit(status);
}

/**
 * pasta_relay() - Intermediate process: relay signals, then exit status
 * @cmd:	PID of the command
 * @fg:		Whether the command took the terminal's foreground
 *
 * Terminating signals go on to the command. As PID 1 of its namespace, it
 * only gets those it handles, SIGKILL excepted. Once it exits, so do we,
 * with its exit status (128 + signal number if it was killed, as shells
 * report it), which pasta then exits with.
 */
static void __attribute__((noreturn)) pasta_relay(pid_t cmd, bool fg)
{
	static const int relayed[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM,
				       SIGUSR1, SIGUSR2 };
	sigset_t set;
	unsigned int i;
	int status;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (i = 0; i < ARRAY_SIZE(relayed); i++)
		sigaddset(&set, relayed[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* Ignored signals are discarded, not queued: take them all */
	for (i = 0; i < ARRAY_SIZE(relayed); i++)
		signal(relayed[i], SIG_DFL);
	signal(SIGCHLD, SIG_DFL);

	for (;;) {
		pid_t pid = waitpid(cmd, &status, WNOHANG);
		int sig;

		if (pid == cmd && WIFEXITED(status))
			pasta_relay_exit(fg, WEXITSTATUS(status));
		if (pid == cmd && WIFSIGNALED(status))
			pasta_relay_exit(fg, PASTA_SIGNAL_STATUS +
					 WTERMSIG(status));
		if (pid < 0 && errno != EINTR)
			pasta_relay_exit(fg, EXIT_FAILURE);

		sig = sigwaitinfo(&set, NULL);
		if (sig > 0 && sig != SIGCHLD)
			kill(cmd, sig);
	}
}

/**
 * pasta_child() - Spawned process: new namespaces, then start the command
 * @c:		Execution context
 * @ppid:	PID of pasta
 * @ready:	Pipe end to report namespaces ready on
 * @go:		Pipe end the command waits on before exec
 *
 * New user, network, PID, UTS, IPC and mount namespaces. A new PID namespace
 * applies to children only: the command runs in a child, as PID 1 there,
 * and we stay to relay signals and its exit status. pasta looks at our
 * /proc entry for the user and network namespaces, the command's ones.
 */
static void __attribute__((noreturn)) pasta_child(const struct ctx *c,
						  pid_t ppid, int ready,
						  int go)
{
	char line[sizeof("0 4294967295 1\n")];
	uid_t uid = geteuid();
	gid_t gid = getegid();
	pid_t cmd;
	bool fg;

	/* If pasta goes, the namespace and what runs in it go too */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != ppid)
		_exit(EXIT_FAILURE);

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWPID |
		    CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS)) {
		err_perror("Failed to create namespaces for the command");
		_exit(EXIT_FAILURE);
	}

	/* Unprivileged, we may map only ourselves, and setgroups() must be
	 * denied before the GID map is written (user_namespaces(7)).
	 */
	if (pasta_write_map("/proc/self/setgroups", "deny") && errno != ENOENT)
		err_perror("Failed to deny setgroups in the new namespace");
	snprintf(line, sizeof(line), "0 %u 1\n", (unsigned int)uid);
	if (pasta_write_map("/proc/self/uid_map", line)) {
		err_perror("Failed to write UID map");
		_exit(EXIT_FAILURE);
	}
	snprintf(line, sizeof(line), "0 %u 1\n", (unsigned int)gid);
	if (pasta_write_map("/proc/self/gid_map", line)) {
		err_perror("Failed to write GID map");
		_exit(EXIT_FAILURE);
	}

	pasta_resolv_mount(c);

	/* Echo ("ping") sockets for every group of the namespace: only the
	 * groups mapped in it can be named, that's root alone
	 */
	if (pasta_write_map("/proc/sys/net/ipv4/ping_group_range", "0 0\n"))
		debug_perror("Can't enable ping sockets in the namespace");

	fg = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();

	cmd = fork();
	if (cmd < 0) {
		err_perror("Failed to start the command");
		_exit(EXIT_FAILURE);
	}
	if (!cmd) {
		close(ready);
		pasta_cmd(c, go, fg);
	}
	close(go);

	if (write(ready, "r", 1) != 1)
		_exit(EXIT_FAILURE);

	/* We only wait and relay from here on: keep nothing of pasta's */
	close_range(STDERR_FILENO + 1, ~0U, 0);
	pasta_relay(cmd, fg);
}

/**
 * pasta_open_ns() - Open a namespace file, die on failure
 * @path:	Path
 * @what:	Kind of namespace, for the error message
 *
 * Return: file descriptor
 */
static int pasta_open_ns(const char *path, const char *what)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die_perror("Failed to open %s namespace %s", what, path);
	return fd;
}

/**
 * pasta_spawn() - Start the command in new namespaces (see pasta_child())
 * @c:		Execution context
 *
 * The command is held before exec until pasta_start_child(). pasta stays in
 * the foreground and ignores the terminal's SIGINT and SIGQUIT: they reach
 * the command too (directly, or relayed by our child), and we follow it out
 * with its exit status, which our child passes on.
 */
static void pasta_spawn(struct ctx *c)
{
	struct sigaction sa = { .sa_handler = pasta_child_handler,
				.sa_flags = SA_RESTART | SA_NOCLDSTOP };
	char path[PATH_MAX];
	int ready[2], go[2];
	pid_t pid, ppid = getpid();
	sigset_t chld, old;
	char b;

	if (pipe2(ready, O_CLOEXEC) || pipe2(go, O_CLOEXEC))
		die_perror("Failed to create pipes for the command");

	/* Hold SIGCHLD until the handler knows the PID to look for */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);

	pid = fork();
	if (pid < 0)
		die_perror("Failed to start the command");
	if (!pid) {
		close(ready[0]);
		close(go[1]);
		pasta_child(c, ppid, ready[1], go[0]);
	}

	pasta_child_pid = pid;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);

	close(ready[1]);
	close(go[0]);
	if (read(ready[0], &b, 1) != 1) {
		/* The child said why; its exit status is ours */
		struct timespec tick = { 0, 10 * 1000 * 1000 };

		/* SIGCHLD may come before we sleep: don't wait for it */
		while (pasta_child_exit_status() < 0)
			nanosleep(&tick, NULL);
		_exit(pasta_child_exit_status());
	}
	close(ready[0]);
	pasta_child_go = go[1];

	snprintf(path, sizeof(path), "/proc/%i/ns/user", (int)pid);
	c->pasta_userns_fd = pasta_open_ns(path, "user");
	snprintf(c->netns_path, sizeof(c->netns_path), "/proc/%i/ns/net",
		 (int)pid);
	c->pasta_netns_fd = pasta_open_ns(c->netns_path, "network");

	c->foreground = true;
}

/**
 * pasta_same_ns() - Tell if two namespace files refer to the same namespace
 * @fd:		Open namespace file
 * @path:	Path of the other one
 *
 * Return: true if they match
 */
static bool pasta_same_ns(int fd, const char *path)
{
	struct stat a, b;

	if (fstat(fd, &a) || stat(path, &b))
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/**
 * pasta_join() - Open the namespaces of a PID, or given by --netns/--userns
 * @c:		Execution context
 */
static void pasta_join(struct ctx *c)
{
	char path[PATH_MAX];

	if (c->pasta_pid && !*c->netns_path)
		snprintf(c->netns_path, sizeof(c->netns_path),
			 "/proc/%i/ns/net", (int)c->pasta_pid);
	c->pasta_netns_fd = pasta_open_ns(c->netns_path, "network");

	if (*c->userns_path) {
		snprintf(path, sizeof(path), "%s", c->userns_path);
	} else if (c->pasta_pid && !c->netns_only) {
		snprintf(path, sizeof(path), "/proc/%i/ns/user",
			 (int)c->pasta_pid);
	} else {
		return;
	}

	c->pasta_userns_fd = pasta_open_ns(path, "user");

	/* setns() to our own user namespace fails: no need to join it */
	if (pasta_same_ns(c->pasta_userns_fd, "/proc/self/ns/user")) {
		close(c->pasta_userns_fd);
		c->pasta_userns_fd = -1;
	}
}

/**
 * pasta_nl_err() - Record a netlink failure for the parent to report
 * @ret:	Return value of the netlink helper
 * @what:	What failed
 * @ifname:	Interface it failed on
 *
 * Return: @ret, negative
 */
static int pasta_nl_err(int ret, const char *what, const char *ifname)
{
	snprintf(pasta_ns_err, sizeof(pasta_ns_err), "Failed to %s on %s: %s",
		 what, ifname, ret < 0 && ret > -4096 ? strerror(-ret) :
		 "netlink error");
	return ret < 0 ? ret : -EIO;
}

/**
 * pasta_config_ip4() - Addresses and routes for IPv4 in the namespace
 * @c:		Execution context
 *
 * Return: 0 on success, negative error code on failure
 */
static int pasta_config_ip4(const struct ctx *c)
{
	bool copy_addrs = c->ifi4 && !c->ip4.no_copy_addrs &&
			  !c->ip4.addr_given;
	bool copy_routes = c->ifi4 && !c->ip4.no_copy_routes &&
			   !c->ip4.gw_given;
	const char *ifname = c->pasta_ifname;
	unsigned int ifi = c->pasta_ifi;
	struct in_addr addr = c->ip4.addr, gw = c->ip4.guest_gw;
	int plen = c->ip4.prefix_len;
	int ret;

	/* Local mode: conf() set link-local addresses; -n 0 means a host
	 * route, or the local-mode prefix
	 */
	if (plen <= 0 || plen > 32)
		plen = c->ip4.local_mode ? 16 : 32;

	if (copy_addrs)
		ret = nl_addr_dup(nl_sock, c->ifi4, nl_sock_ns, ifi, AF_INET);
	else
		ret = nl_addr_set(nl_sock_ns, ifi, AF_INET, &addr, plen);
	if (ret < 0)
		return pasta_nl_err(ret, "set IPv4 address", ifname);

	if (copy_routes)
		ret = nl_route_dup(nl_sock, c->ifi4, nl_sock_ns, ifi, AF_INET);
	else if (gw.s_addr)
		ret = nl_route_set_def(nl_sock_ns, ifi, AF_INET, &gw);
	if (ret < 0)
		return pasta_nl_err(ret, "set IPv4 routes", ifname);

	return 0;
}

/**
 * pasta_config_ip6() - Addresses and routes for IPv6 in the namespace
 * @c:		Execution context
 *
 * Return: 0 on success, negative error code on failure
 */
static int pasta_config_ip6(const struct ctx *c)
{
	bool copy_addrs = c->ifi6 && !c->ip6.no_copy_addrs &&
			  !c->ip6.addr_given;
	bool copy_routes = c->ifi6 && !c->ip6.no_copy_routes &&
			   !c->ip6.gw_given;
	const char *ifname = c->pasta_ifname;
	unsigned int ifi = c->pasta_ifi;
	struct in6_addr gw = c->ip6.guest_gw;
	int plen = c->ip6.prefix_len;
	int ret = 0;

	if (plen <= 0 || plen > 128)
		plen = 64;

	/* Local mode: no address, the kernel's link-local one will do, and
	 * conf() set a link-local gateway
	 */
	if (copy_addrs)
		ret = nl_addr_dup(nl_sock, c->ifi6, nl_sock_ns, ifi, AF_INET6);
	else if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr))
		ret = nl_addr_set(nl_sock_ns, ifi, AF_INET6, &c->ip6.addr,
				  plen);
	if (ret < 0)
		return pasta_nl_err(ret, "set IPv6 address", ifname);

	if (copy_routes)
		ret = nl_route_dup(nl_sock, c->ifi6, nl_sock_ns, ifi, AF_INET6);
	else if (!IN6_IS_ADDR_UNSPECIFIED(&gw))
		ret = nl_route_set_def(nl_sock_ns, ifi, AF_INET6, &gw);
	if (ret < 0)
		return pasta_nl_err(ret, "set IPv6 routes", ifname);

	return 0;
}

/**
 * pasta_config_net() - --config-net: MTU, link up, addresses, routes
 * @c:		Execution context
 *
 * Return: 0 on success, negative error code on failure
 */
static int pasta_config_net(const struct ctx *c)
{
	int mtu = c->mtu ? c->mtu : MTU_DEFAULT;
	int ret;

	ret = nl_link_set_mtu(nl_sock_ns, c->pasta_ifi, mtu);
	if (ret < 0)
		return pasta_nl_err(ret, "set MTU", c->pasta_ifname);

	ret = nl_link_set_up(nl_sock_ns, c->pasta_ifi);
	if (ret < 0)
		return pasta_nl_err(ret, "bring up", c->pasta_ifname);

	if (c->ipv4_enabled && (ret = pasta_config_ip4(c)) < 0)
		return ret;
	if (c->ipv6_enabled && (ret = pasta_config_ip6(c)) < 0)
		return ret;

	return 0;
}

/**
 * pasta_ra_ignore() - Keep the namespace's kernel from acting on our RAs
 * @c:		Execution context
 *
 * With --config-net, the namespace gets the addresses and routes we copied,
 * and nothing else: a SLAAC address from our Router Advertisements would
 * become the preferred source, and their default route a second one. A
 * client that asks (DHCPv6, NDP) is still answered. Called before the link
 * is up, in the namespace: /proc/sys/net is the one of the caller's
 * network namespace. Without IPv6 in the kernel there's nothing to do.
 */
static void pasta_ra_ignore(const struct ctx *c)
{
	static const char *const knobs[] = { "accept_ra", "autoconf" };
	char path[PATH_MAX];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s",
			 c->pasta_ifname, knobs[i]);
		if (pasta_write_map(path, "0\n") && errno != ENOENT)
			warn_perror("Can't write %s in the namespace", path);
	}
}

/**
 * pasta_ns_setup() - In the namespace: loopback up, tap device, --config-net
 * @arg:	Execution context
 *
 * Return: 0 on success, negative error code with pasta_ns_err set
 */
static int pasta_ns_setup(void *arg)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	struct ctx *c = arg;
	unsigned int lo;
	int fd, ret;

	ret = nl_sock_init(true);
	if (ret < 0 || nl_sock_ns < 0) {
		snprintf(pasta_ns_err, sizeof(pasta_ns_err),
			 "Failed to open netlink socket in the namespace");
		return -EIO;
	}

	/* Needed to bind loopback addresses in the namespace (NOTES) */
	lo = if_nametoindex("lo");
	if (!lo || nl_link_set_up(nl_sock_ns, lo) < 0)
		warn("Couldn't bring up loopback interface in the namespace");

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(pasta_ns_err, sizeof(pasta_ns_err),
			 "Failed to open /dev/net/tun: %s", strerror(-ret));
		return ret;
	}

	if (!*c->pasta_ifname)
		snprintf(c->pasta_ifname, IFNAMSIZ, PASTA_IFNAME_DEFAULT);
	memcpy(ifr.ifr_name, c->pasta_ifname, IFNAMSIZ);
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		ret = -errno;
		snprintf(pasta_ns_err, sizeof(pasta_ns_err),
			 "Failed to create tap device %s: %s",
			 c->pasta_ifname, strerror(-ret));
		close(fd);
		return ret;
	}
	c->tap_vnet_hdr = true;

	c->pasta_ifi = if_nametoindex(c->pasta_ifname);
	if (!c->pasta_ifi) {
		ret = -errno;
		snprintf(pasta_ns_err, sizeof(pasta_ns_err),
			 "Tap device %s not found after creation: %s",
			 c->pasta_ifname, strerror(-ret));
		close(fd);
		return ret;
	}
	c->run->fd_tap = fd;

	if (c->ns_mac_set &&
	    (ret = nl_link_set_mac(nl_sock_ns, c->pasta_ifi, c->ns_mac)) < 0)
		return pasta_nl_err(ret, "set MAC address", c->pasta_ifname);

	if (c->config_net) {
		pasta_ra_ignore(c);
		return pasta_config_net(c);
	}

	return 0;
}

/**
 * pasta_nsquit_timer_init() - Check a procfs reference periodically
 * @c:		Execution context
 *
 * inotify doesn't report removals from procfs. Keep a descriptor of the
 * directory holding the reference: once the process is gone, lookups in it
 * fail, even if its PID is reused.
 */
static void pasta_nsquit_timer_init(const struct ctx *c)
{
	struct itimerspec it = { .it_interval.tv_sec = PASTA_NSQUIT_CHECK_SEC,
				 .it_value.tv_sec = PASTA_NSQUIT_CHECK_SEC };
	union epoll_ref ref = { .type = EPOLL_TYPE_NSQUIT_TIMER };
	char dir[PATH_MAX], *slash;
	struct stat st;
	int fd;

	snprintf(dir, sizeof(dir), "%s", c->netns_path);
	slash = strrchr(dir, '/');
	if (!slash || !slash[1])
		die("Can't watch namespace path %s", c->netns_path);
	snprintf(pasta_nsquit_base, sizeof(pasta_nsquit_base), "%s",
		 slash + 1);
	*slash = 0;

	pasta_nsquit_dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pasta_nsquit_dirfd < 0)
		die_perror("Failed to open %s", dir);
	if (fstat(c->pasta_netns_fd, &st))
		die_perror("Failed to stat namespace %s", c->netns_path);
	pasta_nsquit_ino = st.st_ino;

	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0)
		die_perror("Failed to create namespace watch timer");
	/* #syscalls:pasta newfstatat|fstatat64 */
	if (timerfd_settime(fd, 0, &it, NULL))
		die_perror("Failed to set namespace watch timer");

	ref.fd = fd;
	if (epoll_add_ref(c->run->epollfd, fd, EPOLLIN, ref))
		die("Failed to add namespace watch timer to epoll");
}

/**
 * pasta_nsquit_inotify_init() - Watch for a bound namespace file's removal
 * @c:		Execution context
 *
 * Return: 0 on success, -1 if inotify can't watch it (the caller falls
 *	   back to the timer)
 */
static int pasta_nsquit_inotify_init(struct ctx *c)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_NSQUIT_INOTIFY };
	char *slash;
	int fd;

	if (!*c->netns_dir || !*c->netns_base) {
		snprintf(c->netns_dir, sizeof(c->netns_dir), "%s",
			 c->netns_path);
		slash = strrchr(c->netns_dir, '/');
		if (!slash || !slash[1])
			die("Can't watch namespace path %s", c->netns_path);
		snprintf(c->netns_base, sizeof(c->netns_base), "%s",
			 slash + 1);
		if (slash == c->netns_dir)
			slash[1] = 0;
		else
			*slash = 0;
	}

	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0) {
		warn_perror("Can't create inotify instance");
		return -1;
	}
	if (inotify_add_watch(fd, c->netns_dir, IN_DELETE | IN_MOVED_FROM |
			      IN_DELETE_SELF | IN_MOVE_SELF) < 0) {
		warn_perror("Can't watch %s with inotify", c->netns_dir);
		close(fd);
		return -1;
	}

	ref.fd = fd;
	if (epoll_add_ref(c->run->epollfd, fd, EPOLLIN, ref)) {
		close(fd);
		return -1;
	}
	return 0;
}

/**
 * pasta_nsquit_inotify_gone() - Read inotify events: is our file gone?
 * @c:		Execution context
 * @fd:		inotify instance
 *
 * Return: true if the namespace file was removed (or moved away)
 */
static bool pasta_nsquit_inotify_gone(const struct ctx *c, int fd)
{
	union {
		char buf[PASTA_INOTIFY_BUF_BYTES];
		struct inotify_event align;
	} u;
	const struct inotify_event *ev;
	ssize_t n, off, evlen;

	n = read(fd, u.buf, sizeof(u.buf));
	for (off = 0; n > 0 && off + (ssize_t)sizeof(*ev) <= n; off += evlen) {
		ev = (const struct inotify_event *)(u.buf + off);
		evlen = sizeof(*ev) + ev->len;
		if (off + evlen > n)
			break;
		/* The directory itself went away, and the file with it */
		if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF))
			return true;
		/* The name is NUL-padded to ev->len */
		if (ev->len && !strncmp(ev->name, c->netns_base, ev->len))
			return true;
	}
	return false;
}

/**
 * pasta_nsquit_timer_gone() - Is the procfs namespace reference gone?
 * @fd:		Timer
 *
 * Return: true if the process (or its namespace) went away
 */
static bool pasta_nsquit_timer_gone(int fd)
{
	uint64_t expired;
	struct stat st;

	if (read(fd, &expired, sizeof(expired)) < 0 && errno == EAGAIN)
		return false;

	if (!fstatat(pasta_nsquit_dirfd, pasta_nsquit_base, &st, 0))
		return st.st_ino != pasta_nsquit_ino;

	/* Other errors: can't tell (permissions changed?), keep going */
	return errno == ENOENT || errno == ESRCH;
}

/**
 * pasta_netns_quit_handler() - Exit once the target namespace is gone
 * @c:		Execution context
 * @ref:	epoll reference: inotify instance or timer
 */
void pasta_netns_quit_handler(const struct ctx *c, union epoll_ref ref)
{
	bool gone = false;

	if (ref.type == EPOLL_TYPE_NSQUIT_INOTIFY)
		gone = pasta_nsquit_inotify_gone(c, ref.fd);
	else if (ref.type == EPOLL_TYPE_NSQUIT_TIMER)
		gone = pasta_nsquit_timer_gone(ref.fd);

	if (gone) {
		info("Namespace %s is gone, exiting", c->netns_path);
		exit(EXIT_SUCCESS);
	}
}

/**
 * pasta_setup() - Create or join the target namespace and its tap device
 * @c:		Execution context, after conf()
 *
 * Sets @c->run->fd_tap, @c->pasta_ifi, @c->pasta_netns_fd and
 * @c->pasta_userns_fd. A spawned command waits for pasta_start_child().
 */
void pasta_setup(struct ctx *c)
{
	int ret;

	c->pasta_netns_fd = c->pasta_userns_fd = -1;

	if (!c->pasta_pid && !*c->netns_path)
		pasta_spawn(c);
	else
		pasta_join(c);

	/* Addresses and routes are copied from the host's netlink socket */
	if (c->config_net && nl_sock < 0)
		nl_sock_init(false);

	ret = pasta_ns_call(c, pasta_ns_setup, (void *)c);
	if (ret < 0) {
		if (*pasta_ns_err)
			die("%s", pasta_ns_err);
		die("Failed to set up namespace %s: %s", c->netns_path,
		    strerror(-ret));
	}

	debug("Tap device %s (index %u) in namespace %s", c->pasta_ifname,
	     c->pasta_ifi, c->netns_path);

	if (pasta_child_pid || c->no_netns_quit)
		return;
	/* inotify sees no removals from procfs, and may not be available:
	 * the timer works everywhere, inotify just answers faster
	 */
	if (strncmp(c->netns_path, "/proc/", strlen("/proc/")) &&
	    !pasta_nsquit_inotify_init(c))
		return;
	pasta_nsquit_timer_init(c);
}

/**
 * pasta_start_child() - Let the spawned command run, if we spawned one
 * @c:		Execution context
 */
void pasta_start_child(const struct ctx *c)
{
	(void)c;

	if (pasta_child_go < 0)
		return;
	if (write(pasta_child_go, "g", 1) != 1)
		err_perror("Failed to start the command");
	close(pasta_child_go);
	pasta_child_go = -1;
}
