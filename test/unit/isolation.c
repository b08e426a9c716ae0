// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/isolation.c - --runas resolution against small passwd and group
 * files, the default user when root, the sandbox steps (when run as root,
 * in a child process: user, capabilities, no_new_privs, empty root) and
 * detaching into the background.
 */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "unit.h"
#include "log.h"
#include "passt.h"
#include "isolation.h"

static char passwd_path[] = "/tmp/isolation-passwd-XXXXXX";
static char group_path[] = "/tmp/isolation-group-XXXXXX";
static char empty_path[] = "/tmp/isolation-empty-XXXXXX";

static const char passwd_text[] =
	"root:x:0:0:root:/root:/bin/bash\n"
	"# a comment: with:colons:1000:1000\n"
	"alice:x:1000:100:Alice:/home/alice:/bin/sh\n"
	"broken:x:notanumber:100::/:/bin/false\n"
	"nogid:x:1500\n"
	"nobody:x:65534:65533:nobody:/nonexistent:/usr/sbin/nologin\n"
	"last:x:2000:2001::/:/bin/sh";		/* no final newline */

static const char group_text[] =
	"root:x:0:\n"
	"staff:x:50:alice,bob\n"
	"users:x:100:\n";

/**
 * write_file() - Create a temporary file with given contents
 * @path:	mkstemp() template, replaced by the name
 * @text:	Contents
 */
static void write_file(char *path, const char *text)
{
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

/**
 * runas_ok() - Parse a specification that must resolve to given IDs
 * @spec:	--runas argument
 * @uid:	Expected UID
 * @gid:	Expected GID
 *
 * Return: true if it parsed to @uid and @gid
 */
static bool runas_ok(const char *spec, uid_t uid, gid_t gid)
{
	uid_t u = 12345;
	gid_t g = 12345;

	if (isolation_runas_parse(spec, &u, &g)) {
		printf("  %s: rejected\n", spec);
		return false;
	}
	if (u != uid || g != gid) {
		printf("  %s: got %u:%u\n", spec, (unsigned)u, (unsigned)g);
		return false;
	}
	return true;
}

/**
 * runas_bad() - Parse a specification that must be rejected
 * @spec:	--runas argument
 *
 * Return: true if rejected, without touching the outputs
 */
static bool runas_bad(const char *spec)
{
	uid_t u = 12345;
	gid_t g = 12345;

	return isolation_runas_parse(spec, &u, &g) == -1 &&
	       u == 12345 && g == 12345;
}

/**
 * test_runas_numeric() - UID and UID:GID
 */
static void test_runas_numeric(void)
{
	CHECK(runas_ok("1000", 1000, 100));	/* primary group of alice */
	CHECK(runas_ok("4242", 4242, 4242));	/* unknown: same number */
	CHECK(runas_ok("1500", 1500, 1500));	/* line without GID */
	CHECK(runas_ok("1000:2000", 1000, 2000));
	CHECK(runas_ok("0:0", 0, 0));
	CHECK(runas_ok("2000", 2000, 2001));	/* last line, no newline */
	CHECK(runas_ok("4294967294", 4294967294U, 4294967294U));
}

/**
 * test_runas_names() - LOGIN and LOGIN:GROUP, and mixed forms
 */
static void test_runas_names(void)
{
	CHECK(runas_ok("alice", 1000, 100));
	CHECK(runas_ok("alice:staff", 1000, 50));
	CHECK(runas_ok("alice:77", 1000, 77));
	CHECK(runas_ok("4242:staff", 4242, 50));
	CHECK(runas_ok("nobody", 65534, 65533));
	CHECK(runas_ok("last", 2000, 2001));
	CHECK(runas_ok("root:users", 0, 100));
}

/**
 * test_runas_invalid() - Malformed input and unknown names are rejected
 */
static void test_runas_invalid(void)
{
	CHECK(runas_bad(""));
	CHECK(runas_bad(":"));
	CHECK(runas_bad("alice:"));
	CHECK(runas_bad(":100"));
	CHECK(runas_bad("mallory"));
	CHECK(runas_bad("alice:wheel"));
	CHECK(runas_bad("nogid"));		/* no primary group known */
	CHECK(runas_bad("broken"));
	CHECK(runas_bad("12x"));
	CHECK(runas_bad("-1"));
	CHECK(runas_bad("4294967295"));		/* (uid_t)-1 */
	CHECK(runas_bad("99999999999999999999"));
	CHECK(runas_bad("1000:-5"));
	CHECK(runas_bad("#"));
	CHECK(runas_bad("a comment"));
}

/**
 * test_runas_missing_files() - Names fail, numbers still work
 */
static void test_runas_missing_files(void)
{
	isolation_set_db("/nonexistent/passwd", "/nonexistent/group");
	CHECK(runas_bad("alice"));
	CHECK(runas_bad("1000:staff"));
	CHECK(runas_ok("1000", 1000, 1000));
	CHECK(runas_ok("1000:7", 1000, 7));
	isolation_set_db(passwd_path, group_path);
}

/**
 * test_default_user() - Root becomes nobody, from passwd or 65534
 */
static void test_default_user(void)
{
	struct ctx c = { 0 };

	isolation_default_user(&c);
	if (geteuid()) {
		CHECK(c.uid == geteuid() && c.gid == getegid());
		return;
	}
	CHECK(c.uid == 65534 && c.gid == 65533);

	isolation_set_db(empty_path, empty_path);
	memset(&c, 0, sizeof(c));
	isolation_default_user(&c);
	CHECK(c.uid == 65534 && c.gid == 65534);
	isolation_set_db(passwd_path, group_path);
}

/**
 * status_field() - Read a hexadecimal or decimal field of a status file
 * @fd:		/proc/PID/status, opened before the sandbox closed
 * @name:	Field name, with the colon ("CapEff:")
 *
 * Return: its value, or ~0 if absent
 */
static unsigned long long status_field(int fd, const char *name)
{
	unsigned long long v = ~0ULL;
	char buf[4096], *p;
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return v;
	buf[n] = '\0';
	p = strstr(buf, name);
	if (!p)
		return v;
	p += strlen(name);
	if (!strncmp(name, "Cap", 3))
		sscanf(p, "%llx", &v);
	else
		sscanf(p, "%llu", &v);
	return v;
}

/**
 * root_is_empty() - Tell if the root directory holds nothing at all
 *
 * Return: true if it can't be listed, or lists only "." and ".."
 */
static bool root_is_empty(void)
{
	char buf[1024];
	int fd = open("/", O_RDONLY | O_DIRECTORY);
	long n;

	if (fd < 0)
		return false;
	n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
	close(fd);
	/* Two entries, "." and "..": 24 bytes each on 64-bit */
	return n > 0 && n <= 48;
}

/**
 * drop_child() - In a child: sandbox as main() would, as 65534:65534
 * @mode:	MODE_PASST or MODE_PASTA
 *
 * Return: 0 if identity, capabilities, no_new_privs and root are as the
 *	   sandbox promises, else the number of the failed check
 */
static int drop_child(enum passt_mode mode)
{
	struct ctx c = { .mode = mode, .uid = 65534, .gid = 65534,
			 .foreground = true };
	int status = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	gid_t groups[8];

	isolation_drop_user(&c);
	isolation_prefork(&c);
	isolation_postfork(&c);
	if (getuid() != 65534 || geteuid() != 65534 ||
	    getgid() != 65534 || getegid() != 65534)
		return 1;
	if (getgroups(8, groups) != 0)
		return 2;
	if (status_field(status, "CapEff:") != 0 ||
	    status_field(status, "CapBnd:") != 0 ||
	    status_field(status, "CapPrm:") != 0)
		return 3;
	if (status_field(status, "NoNewPrivs:") != 1)
		return 4;
	if (!root_is_empty())
		return 5;
	return 0;
}

/**
 * child_status() - Run a function in a child process, get its exit status
 * @fn:		Function
 * @mode:	Argument for @fn
 *
 * Return: exit status, or -1 if the child didn't exit normally
 */
static int child_status(int (*fn)(enum passt_mode), enum passt_mode mode)
{
	pid_t pid = fork();
	int st;

	if (!pid)
		_exit(fn(mode));
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/**
 * nobody_mapped() - Tell if UID and GID 65534 exist in our user namespace
 *
 * Return: true if both are mapped
 */
static bool nobody_mapped(void)
{
	const char *maps[] = { "/proc/self/uid_map", "/proc/self/gid_map" };
	unsigned long in, out, count;
	bool found[2] = { false, false };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		FILE *f = fopen(maps[i], "r");

		if (!f)
			return false;
		while (fscanf(f, "%lu %lu %lu", &in, &out, &count) == 3) {
			if (65534 >= in && 65534 - in < count)
				found[i] = true;
		}
		fclose(f);
	}
	return found[0] && found[1];
}

/**
 * test_drop_user() - As root, the user and groups change (passt and pasta)
 */
static void test_drop_user(void)
{
	CHECK(child_status(drop_child, MODE_PASST) == 0);
	CHECK(child_status(drop_child, MODE_PASTA) == 0);
}

/**
 * noop_child() - In a child: drop with our own IDs, nothing must change
 * @mode:	Unused
 *
 * Return: 0 if we are still who we were
 */
static int noop_child(enum passt_mode mode)
{
	struct ctx c = { .mode = mode, .foreground = true };
	uid_t uid = geteuid();

	c.uid = geteuid();
	c.gid = getegid();
	isolation_drop_user(&c);
	isolation_prefork(&c);
	return geteuid() == uid ? 0 : 1;
}

/**
 * default_child() - In a child: apply the default user, as main() would
 * @mode:	MODE_PASST or MODE_PASTA
 *
 * Return: 0 if we became nobody where nobody exists in this user namespace,
 *	   or stayed who we were where it doesn't (or we're not root)
 */
static int default_child(enum passt_mode mode)
{
	struct ctx c = { .mode = mode };
	uid_t before = geteuid();

	bool nobody = nobody_mapped();	/* before we change namespace */

	c.foreground = true;
	isolation_default_user(&c);
	isolation_drop_user(&c);
	isolation_prefork(&c);
	if (before == 0 && nobody)
		return geteuid() == 65534 && getegid() == 65533 ? 0 : 1;
	return geteuid() == before ? 0 : 1;
}

/**
 * test_default_drop() - Root becomes nobody if it can, and never fails
 * for lack of a nobody mapping (root in a user namespace mapping only root)
 */
static void test_default_drop(void)
{
	CHECK(child_status(default_child, MODE_PASST) == 0);
	CHECK(child_status(default_child, MODE_PASTA) == 0);
}

/**
 * test_drop_user_noop() - Our own identity: no change, no failure
 */
static void test_drop_user_noop(void)
{
	CHECK(child_status(noop_child, MODE_PASST) == 0);
}

/**
 * test_daemonise() - Parent exits 0 after writing the PID of the child,
 * which is a session leader in /, with standard streams on /dev/null
 */
static void test_daemonise(void)
{
	char pidfile[] = "/tmp/isolation-pid-XXXXXX", buf[64] = { 0 };
	int report[2], st, fd, n;
	pid_t pid, daemon_pid = 0;

	CHECK(!pipe(report));
	fd = mkstemp(pidfile);
	CHECK(fd >= 0);

	pid = fork();
	if (!pid) {
		struct ctx_run run = { .pidfile_fd = fd };
		struct ctx c = { .run = &run, .foreground = false };
		char cwd[8], null_path[64], line[64];
		ssize_t len;

		close(report[0]);
		/* As main() does: the child has log_path empty, uses syslog */
		isolation_daemonise(&c);

		len = readlink("/proc/self/fd/1", null_path,
			       sizeof(null_path) - 1);
		null_path[len > 0 ? len : 0] = '\0';
		n = snprintf(line, sizeof(line), "%d %d %d %d\n",
			     (int)getpid(), getsid(0) == getpid(),
			     getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/"),
			     !strcmp(null_path, "/dev/null"));
		(void)!write(report[1], line, n);
		_exit(0);
	}
	close(report[1]);
	close(fd);

	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	fd = open(pidfile, O_RDONLY);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	CHECK(n > 0 && sscanf(buf, "%d", &daemon_pid) == 1);
	CHECK(daemon_pid > 0 && daemon_pid != pid);

	memset(buf, 0, sizeof(buf));
	n = read(report[0], buf, sizeof(buf) - 1);
	close(report[0]);
	{
		int rpid = 0, sid = 0, cwd = 0, null = 0;

		CHECK(sscanf(buf, "%d %d %d %d", &rpid, &sid, &cwd,
			     &null) == 4);
		CHECK_MSG(rpid == daemon_pid, "PID file %d, daemon %d",
			  daemon_pid, rpid);
		CHECK(sid == 1);
		CHECK(cwd == 1);
		CHECK(null == 1);
	}
	unlink(pidfile);
}

int main(void)
{
	log_set_stderr(false);

	write_file(passwd_path, passwd_text);
	write_file(group_path, group_text);
	write_file(empty_path, "");
	isolation_set_db(passwd_path, group_path);

	RUN(test_runas_numeric);
	RUN(test_runas_names);
	RUN(test_runas_invalid);
	RUN(test_runas_missing_files);
	RUN(test_default_user);
	if (geteuid() != 0)
		printf("SKIP: test_drop_user: needs root\n");
	else if (!nobody_mapped())
		printf("SKIP: test_drop_user: 65534 not mapped here\n");
	else
		RUN(test_drop_user);
	RUN(test_drop_user_noop);
	RUN(test_default_drop);
	RUN(test_daemonise);

	unlink(passwd_path);
	unlink(group_path);
	unlink(empty_path);
	UNIT_EXIT();
}
