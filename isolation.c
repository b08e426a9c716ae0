// SPDX-License-Identifier: GPL-2.0-or-later
/* isolation.c - The sandbox: everything that touches privileges and the
 * process itself, in steps called from main().
 *
 * isolation_initial(), first thing: close every descriptor we inherited
 * but the one --fd names.
 *
 * isolation_prefork(), once every socket, file, namespace handle and
 * device the event loop will use is open: give up root for --runas or
 * "nobody", then detach from the launcher's namespaces into new user,
 * mount, IPC and UTS ones (and, for passt going to the background, a new
 * PID namespace, which the child of the daemonising fork enters). In the
 * new user namespace we hold capabilities over nothing the launcher owns.
 *
 * isolation_postfork(), in the process that runs the event loop: pivot
 * into an empty, read-only tmpfs (the log daemon's socket directory
 * excepted, read-only, for reconnecting), drop every capability, bounding
 * set included, forbid new privileges and make the process undumpable.
 * isolation_seccomp(), last, installs the filter seccomp.sh generated for
 * the mode from the #syscalls annotations in the sources.
 *
 * pasta keeps working inside its namespace at run time (sockets for the
 * loopback bypass, listeners for automatic forwarding): a helper sharing
 * our memory and descriptors enters the namespace before we detach and
 * sandboxes itself the same way (isolation_ns_helper()), keeping only
 * CAP_NET_BIND_SERVICE in the namespace's own user namespace, so that
 * ports below 1024 can be forwarded there. Resolving --runas reads
 * /etc/passwd and /etc/group directly: the binary is static, so the NSS
 * functions of the C library are avoided.
 */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "util.h"
#include "log.h"
#include "isolation.h"
#include "seccomp.h"

/* Longest /etc/passwd or /etc/group line considered: longer lines (huge
 * group member lists) are skipped, they can't name a user we'd match anyway
 * unless the name or ID fields themselves are absurd.
 */
#define ISOLATION_LINE_MAX	1024
#define ISOLATION_READ_CHUNK	4096
#define ISOLATION_MAP_MAX	4096

/* Where the empty root is mounted before pivot_root(): the first of these
 * that exists (in our own mount namespace, so nobody else sees it)
 */
static const char *const isolation_root_dirs[] = {
	"/tmp", "/var/tmp", "/run", "/dev", "/mnt",
};

/* The empty root: room for the directories of the log socket path only */
#define ISOLATION_ROOT_OPTS	"size=64k,nr_inodes=64,mode=0755"

/* close_range() up to the highest possible descriptor */
#define ISOLATION_FD_MAX	(~0U)

/* Fallback identity for "nobody" when /etc/passwd has no such user */
#define ISOLATION_NOBODY_ID	65534

static const char *isolation_passwd = "/etc/passwd";
static const char *isolation_group = "/etc/group";

/* Set when the target user is the built-in default, not from --runas: if
 * that user doesn't exist in our user namespace, staying put is fine.
 */
static bool isolation_user_is_default;

/**
 * isolation_set_db() - Use other files than /etc/passwd and /etc/group
 * @passwd:	Path of the passwd-format file
 * @group:	Path of the group-format file
 *
 * Only meant for tests.
 */
void isolation_set_db(const char *passwd, const char *group)
{
	isolation_passwd = passwd;
	isolation_group = group;
}

/**
 * isolation_parse_id() - Parse a whole string as a user or group ID
 * @s:		String
 * @id:	Parsed value
 *
 * Return: 0 on success, -1 if @s is not a valid decimal ID
 */
static int isolation_parse_id(const char *s, unsigned long *id)
{
	int err = 0;
	long v;

	/* (uid_t)-1 means "unchanged" to setuid() and friends: refuse it */
	v = parse_long(s, 0, (long)UINT32_MAX - 1, &err);
	if (err)
		return -1;
	*id = (unsigned long)v;
	return 0;
}

/**
 * isolation_match_line() - Match one passwd/group line by name or ID
 * @line:	Line, without newline, modified (split into fields)
 * @name:	Name to match in the first field, or NULL to match @id
 * @id:		ID to match in the third field, if @name is NULL
 * @id_out:	Third field of the matching line (UID or GID)
 * @gid_out:	Fourth field (primary GID) if present and numeric, or -1
 *
 * Return: 0 if the line matches, -1 otherwise
 */
static int isolation_match_line(char *line, const char *name,
				unsigned long id, unsigned long *id_out,
				long *gid_out)
{
	char *field[4] = { NULL };
	unsigned long v, g;
	char *p = line;
	int i;

	for (i = 0; i < 4 && p; i++) {
		field[i] = p;
		p = strchr(p, ':');
		if (p)
			*p++ = '\0';
	}
	if (!field[2] || isolation_parse_id(field[2], &v))
		return -1;
	if (name ? strcmp(field[0], name) : v != id)
		return -1;

	*id_out = v;
	*gid_out = -1;
	if (field[3] && !isolation_parse_id(field[3], &g))
		*gid_out = (long)g;
	return 0;
}

/**
 * isolation_db_find() - Look an entry up in a passwd or group format file
 * @path:	File to read
 * @name:	Name to look for, or NULL to look for @id
 * @id:		ID to look for if @name is NULL
 * @id_out:	ID (third field) of the entry found
 * @gid_out:	Fourth field of the entry found (passwd: primary GID), or -1
 *
 * Reads the file in fixed-size chunks, so no memory is allocated whatever
 * its size.
 *
 * Return: 0 if found, -1 if not found or the file can't be read
 */
static int isolation_db_find(const char *path, const char *name,
			     unsigned long id, unsigned long *id_out,
			     long *gid_out)
{
	char chunk[ISOLATION_READ_CHUNK], line[ISOLATION_LINE_MAX];
	size_t len = 0;
	bool skip = false;
	int fd, ret = -1;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;

	while ((n = read(fd, chunk, sizeof(chunk))) > 0 && ret) {
		ssize_t i;

		for (i = 0; i < n && ret; i++) {
			if (chunk[i] != '\n') {
				if (len < sizeof(line) - 1)
					line[len++] = chunk[i];
				else
					skip = true;
				continue;
			}
			line[len] = '\0';
			if (!skip && line[0] != '#')
				ret = isolation_match_line(line, name, id,
							   id_out, gid_out);
			len = 0;
			skip = false;
		}
	}
	if (ret && len && !skip) {	/* last line without newline */
		line[len] = '\0';
		ret = isolation_match_line(line, name, id, id_out, gid_out);
	}

	close(fd);
	return ret;
}

/**
 * isolation_is_number() - Tell if a string is made of decimal digits only
 * @s:		String
 *
 * Return: true if @s is non-empty and all digits
 */
static bool isolation_is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
	}
	return true;
}

/**
 * isolation_runas_parse() - Resolve a --runas specification
 * @spec:	UID, UID:GID, LOGIN or LOGIN:GROUP
 * @uid:	Resolved user ID
 * @gid:	Resolved group ID
 *
 * A numeric UID alone takes the primary group of that user if /etc/passwd
 * has one, else the same number. A login name must exist in /etc/passwd, a
 * group name in /etc/group. Nothing is printed: the caller reports errors.
 *
 * Return: 0 on success, -1 if @spec is malformed or names no user or group
 */
int isolation_runas_parse(const char *spec, uid_t *uid, gid_t *gid)
{
	char user[ISOLATION_LINE_MAX], *group;
	unsigned long u, g;
	size_t len;
	long pw_gid;

	if (!spec)
		return -1;
	len = strlen(spec);
	if (!len || len >= sizeof(user))
		return -1;
	memcpy(user, spec, len + 1);

	group = strchr(user, ':');
	if (group) {
		*group++ = '\0';
		if (!*group)
			return -1;
	}

	if (isolation_is_number(user)) {
		if (isolation_parse_id(user, &u))
			return -1;
		if (isolation_db_find(isolation_passwd, NULL, u, &u, &pw_gid))
			pw_gid = -1;
		if (pw_gid < 0)
			pw_gid = (long)u;
	} else {
		if (!*user ||
		    isolation_db_find(isolation_passwd, user, 0, &u, &pw_gid) ||
		    pw_gid < 0)
			return -1;
	}

	if (!group) {
		g = (unsigned long)pw_gid;
	} else if (isolation_is_number(group)) {
		if (isolation_parse_id(group, &g))
			return -1;
	} else {
		long unused;

		if (isolation_db_find(isolation_group, group, 0, &g, &unused))
			return -1;
	}

	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 0;
}

/**
 * isolation_default_user() - Pick the user to run as when none was given
 * @c:		Execution context, @uid and @gid set
 *
 * Called by conf() when --runas is absent. Started as root (also root in a
 * user namespace), we'll become "nobody"; otherwise we stay who we are.
 */
void isolation_default_user(struct ctx *c)
{
	unsigned long u;
	long g;

	if (geteuid() != 0) {
		c->uid = geteuid();
		c->gid = getegid();
		return;
	}

	isolation_user_is_default = true;
	if (!isolation_db_find(isolation_passwd, "nobody", 0, &u, &g) &&
	    g >= 0) {
		c->uid = (uid_t)u;
		c->gid = (gid_t)g;
		return;
	}
	c->uid = ISOLATION_NOBODY_ID;
	c->gid = ISOLATION_NOBODY_ID;
}

/**
 * isolation_has_cap() - Tell if a capability is in our effective set
 * @cap:	Capability number
 *
 * Return: true if it is
 */
static bool isolation_has_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return false;
	return !!(data[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap));
}

/**
 * isolation_raise_caps() - Make the permitted capabilities effective again
 *
 * After setuid() with PR_SET_KEEPCAPS, the permitted set survives but the
 * effective set is empty.
 */
static void isolation_raise_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int i;

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		die_perror("Can't read capabilities");
	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		data[i].effective = data[i].permitted;
	if (syscall(SYS_capset, &hdr, data))
		die_perror("Can't raise capabilities");
}

/**
 * isolation_id_mapped() - Tell if an ID exists in our user namespace
 * @path:	/proc/self/uid_map or /proc/self/gid_map
 * @id:		ID to look for, as seen from inside the namespace
 *
 * Return: true if @id falls in one of the mapped ranges, or if the map
 *	   can't be read (then let the system call decide)
 */
static bool isolation_id_mapped(const char *path, unsigned long id)
{
	char buf[ISOLATION_MAP_MAX], *p, *end;

	if (read_file_str(path, buf, sizeof(buf)) < 0)
		return true;

	for (p = buf; *p; p = end) {
		unsigned long inside, outside, count;

		errno = 0;
		inside = strtoul(p, &end, 10);
		outside = strtoul(end, &end, 10);
		count = strtoul(end, &end, 10);
		(void)outside;
		if (errno || end == p)
			break;
		if (id >= inside && id - inside < count)
			return true;
		while (*end == '\n' || *end == ' ')
			end++;
	}
	return false;
}

/**
 * isolation_setgroups_allowed() - Tell if setgroups() may work at all
 *
 * In a user namespace whose /proc/PID/setgroups says "deny" (as left by
 * unprivileged creators), setgroups() always fails, and there are no
 * supplementary groups we could shed anyway.
 *
 * Return: false if setgroups() is denied here
 */
static bool isolation_setgroups_allowed(void)
{
	char buf[16];

	if (read_file_str("/proc/self/setgroups", buf, sizeof(buf)) < 0)
		return true;
	return strncmp(buf, "deny", strlen("deny")) != 0;
}

/**
 * isolation_drop_user() - Become the configured unprivileged user
 * @c:		Execution context
 *
 * Without root or CAP_SETUID there is nothing to give up, and nothing we
 * could change to: do nothing. If the default user ("nobody") has no
 * mapping in our user namespace (a namespace mapping root alone), keep the
 * current identity: it has no privileges outside that namespace anyway,
 * and isolation_prefork() takes them away. An explicit --runas that can't
 * be applied is fatal.
 *
 * pasta keeps its capabilities across the change, until isolation_prefork()
 * drops them: its namespace helper, started in between, needs them to join
 * the namespace, and must run as the same user as we do, or the kernel
 * wouldn't let our death take it along (PR_SET_PDEATHSIG).
 */
void isolation_drop_user(const struct ctx *c)
{
	if (c->uid == geteuid() && c->gid == getegid())
		return;
	if (geteuid() != 0)
		return;

	if (!isolation_id_mapped("/proc/self/uid_map", c->uid) ||
	    !isolation_id_mapped("/proc/self/gid_map", c->gid)) {
		if (isolation_user_is_default) {
			debug("UID %u or GID %u not mapped in this user "
			      "namespace, not changing user",
			      (unsigned int)c->uid, (unsigned int)c->gid);
			return;
		}
		die("Can't run as %u:%u: not mapped in this user namespace",
		    (unsigned int)c->uid, (unsigned int)c->gid);
	}

	if (c->mode == MODE_PASTA && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		die_perror("Can't keep capabilities across UID change");
	if (isolation_setgroups_allowed() && setgroups(0, NULL))
		die_perror("Can't drop supplementary groups");
	if (setgid(c->gid))
		die_perror("Can't set GID to %u", (unsigned int)c->gid);
	if (setuid(c->uid))
		die_perror("Can't set UID to %u", (unsigned int)c->uid);
	if (c->mode == MODE_PASTA) {
		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
		isolation_raise_caps();
	}

	debug("Running as UID %u, GID %u",
	      (unsigned int)c->uid, (unsigned int)c->gid);
}

/**
 * isolation_fd_arg() - Find the descriptor --fd (-F) passes, before conf()
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * A light scan, so that inherited descriptors can go before anything else
 * opens one: "--fd N", "--fd=N", "-F N", "-FN" and "-xF N" clusters.
 *
 * Return: descriptor number, or -1 if none is given
 */
static int isolation_fd_arg(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL, *f;
		int err = 0;
		long fd;

		if (!a || !strcmp(a, "--"))
			break;
		if (!strcmp(a, "--fd"))
			v = i + 1 < argc ? argv[i + 1] : NULL;
		else if (!strncmp(a, "--fd=", strlen("--fd=")))
			v = a + strlen("--fd=");
		else if (a[0] == '-' && a[1] != '-' && (f = strchr(a, 'F')))
			v = f[1] ? f + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
		if (!v)
			continue;

		fd = parse_long(v, 0, INT_MAX, &err);
		if (!err)
			return (int)fd;
	}
	return -1;
}

/**
 * isolation_initial() - First step: close what we inherited
 * @c:		Execution context, mode set
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Everything but standard input, output and error, and the qemu socket
 * passt is given with --fd: a launcher's descriptors are no business of
 * ours, and would stay reachable from the sandbox otherwise. Log, PID and
 * capture files are opened by us, later.
 */
void isolation_initial(const struct ctx *c, int argc, char **argv)
{
	int keep = c->mode == MODE_PASST ? isolation_fd_arg(argc, argv) : -1;

	if (keep <= STDERR_FILENO) {
		close_range(STDERR_FILENO + 1, ISOLATION_FD_MAX, 0);
		return;
	}
	if (keep > STDERR_FILENO + 1)
		close_range(STDERR_FILENO + 1, (unsigned int)keep - 1, 0);
	close_range((unsigned int)keep + 1, ISOLATION_FD_MAX, 0);
}

/**
 * isolation_userns() - Move into a new user namespace of our own
 *
 * Our own user and group stay what they were (mapped to themselves), so
 * the kernel sees the same identity for ping sockets and file ownership;
 * what changes is that capabilities we get here concern only namespaces
 * created from now on, never the launcher's.
 *
 * Return: 0 on success, -1 if user namespaces are unavailable
 */
static int isolation_userns(void)
{
	char line[sizeof("4294967295 4294967295 1\n")];
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int fd;

	/* Changing user, or pasta's helper joining a namespace (it shares
	 * our memory), made us undumpable: /proc/self is then root's, and we
	 * couldn't write our ID maps there. isolation_postfork() undoes this.
	 */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);

	if (unshare(CLONE_NEWUSER))
		return -1;

	/* Unprivileged, setgroups() must be denied before writing the GID
	 * map (user_namespaces(7)); we have no use for it anyway.
	 */
	fd = open("/proc/self/setgroups", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "deny", strlen("deny")) < 0)
			debug("Can't deny setgroups in the new user namespace");
		close(fd);
	}

	snprintf(line, sizeof(line), "%u %u 1\n", (unsigned int)uid,
		 (unsigned int)uid);
	fd = open("/proc/self/uid_map", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write_all(fd, line, strlen(line)))
		die_perror("Can't write the UID map of the sandbox");
	close(fd);

	snprintf(line, sizeof(line), "%u %u 1\n", (unsigned int)gid,
		 (unsigned int)gid);
	fd = open("/proc/self/gid_map", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write_all(fd, line, strlen(line)))
		die_perror("Can't write the GID map of the sandbox");
	close(fd);

	return 0;
}

/**
 * isolation_prefork() - Second step: leave root and the launcher's
 *			 namespaces
 * @c:		Execution context
 *
 * Called once everything is open, and isolation_drop_user() changed user
 * (pasta: once its namespace helper started). A new PID namespace is only
 * entered by
 * children: the daemonising fork makes passt its first process, and with
 * -f (no fork) passt keeps the launcher's, as the manual says.
 */
void isolation_prefork(const struct ctx *c)
{
	int flags = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS;

	if (isolation_userns()) {
		/* Without user namespaces (a container forbidding them),
		 * only privileges we hold already can detach the rest
		 */
		if (!isolation_has_cap(CAP_SYS_ADMIN))
			die_perror("Can't create a user namespace for the "
				   "sandbox");
		warn_perror("Can't create a user namespace, sandboxing in "
			    "the current one");
	}

	if (c->mode == MODE_PASST && !c->foreground)
		flags |= CLONE_NEWPID;
	if (unshare(flags))
		die_perror("Can't detach from the launcher's namespaces");
}

/**
 * isolation_mkdirs() - Create the directories of a path below "."
 * @path:	Absolute path
 *
 * Return: 0 on success, -1 on failure
 */
static int isolation_mkdirs(const char *path)
{
	char buf[PATH_MAX], *p;

	if (snprintf(buf, sizeof(buf), ".%s", path) >= (int)sizeof(buf))
		return -1;
	for (p = buf + 2; ; p++) {
		char c = *p;

		if (c != '/' && c)
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		if (!c)
			return 0;
		*p = '/';
	}
}

/**
 * isolation_keep_dir() - Make one directory reachable from the new root
 * @dir:	Absolute path of the directory, read-only and with no devices,
 *		set-user-ID or executables there
 *
 * For the log daemon's socket directory: if the daemon restarts, the
 * socket is created anew there and we can connect again.
 */
static void isolation_keep_dir(const char *dir)
{
	char at[PATH_MAX];

	if (snprintf(at, sizeof(at), ".%s", dir) >= (int)sizeof(at) ||
	    isolation_mkdirs(dir) ||
	    mount(dir, at, NULL, MS_BIND | MS_REC, NULL)) {
		debug_perror("Can't keep %s reachable in the sandbox", dir);
		return;
	}
	if (mount(NULL, at, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY |
		  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) {
		debug_perror("Can't make %s read-only, not keeping it", dir);
		umount2(at, MNT_DETACH);
	}
}

/**
 * isolation_pivot() - Change the root to an empty, read-only tmpfs
 * @keep:	Directory to keep reachable (read-only), or NULL
 *
 * In our own mount namespace: a tmpfs goes over an existing directory, we
 * pivot_root() into it stacking the old root on top of it, then detach the
 * old root. Nothing on the filesystem can be reached afterwards, and
 * nothing can be created on the new one.
 */
static void isolation_pivot(const char *keep)
{
	const char *at = NULL;
	size_t i;

	/* Private, not unbindable: isolation_keep_dir() bind-mounts one */
	if (mount("", "/", "", MS_PRIVATE | MS_REC, NULL))
		die_perror("Can't make our mounts private");

	for (i = 0; i < ARRAY_SIZE(isolation_root_dirs); i++) {
		if (!mount("", isolation_root_dirs[i], "tmpfs",
			   MS_NOSUID | MS_NODEV | MS_NOEXEC,
			   ISOLATION_ROOT_OPTS)) {
			at = isolation_root_dirs[i];
			break;
		}
	}
	if (!at)
		die_perror("Can't mount an empty root for the sandbox");
	if (chdir(at))
		die_perror("Can't enter the empty root");

	if (keep)
		isolation_keep_dir(keep);

	if (mount("", ".", "", MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV |
		  MS_NOEXEC, NULL))
		die_perror("Can't make the empty root read-only");
	if (syscall(SYS_pivot_root, ".", "."))
		die_perror("pivot_root() to the empty root failed");
	if (umount2(".", MNT_DETACH))
		die_perror("Can't detach the old root");
	if (chdir("/"))
		die_perror("chdir / in the empty root");
}

/**
 * isolation_drop_caps() - Drop capabilities, bounding and ambient sets too
 * @keep:	Mask of capabilities to keep (below 32), if we have them
 */
static void isolation_drop_caps(uint32_t keep)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int cap;

	/* Past the last capability the kernel knows, this fails: stop */
	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
		if (cap < 32 && (keep & CAP_TO_MASK(cap)))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL)
			die_perror("Can't drop capability %i from the "
				   "bounding set", cap);
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		die_perror("Can't read capabilities");
	data[0].permitted &= keep;
	data[0].effective = data[0].permitted;
	data[0].inheritable = 0;
	data[1].permitted = data[1].effective = data[1].inheritable = 0;
	if (syscall(SYS_capset, &hdr, data))
		die_perror("Can't drop capabilities");
}

/**
 * isolation_postfork() - Third step: empty root, no capabilities
 * @c:		Execution context
 *
 * In the process that runs the event loop, after daemonising. pasta does
 * this before its command starts: the command must never see us dumpable.
 */
void isolation_postfork(const struct ctx *c)
{
	const char *log_sock = log_syslog_path();
	char log_dir[PATH_MAX];
	struct stat st;

	(void)c;

	/* The log daemon's socket directory stays reachable, read-only, to
	 * connect again if the daemon restarts: if there is a daemon at all
	 */
	if (log_sock && !stat(log_sock, &st) && S_ISSOCK(st.st_mode) &&
	    snprintf(log_dir, sizeof(log_dir), "%s", log_sock) <
	    (int)sizeof(log_dir))
		isolation_pivot(dirname(log_dir));
	else
		isolation_pivot(NULL);
	isolation_drop_caps(0);

	/* Nobody but holders of CAP_SYS_PTRACE in the launcher's user
	 * namespace may read our memory or descriptors: not the command
	 * pasta spawns, root in its own namespace
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		die_perror("Can't make the process undumpable");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		die_perror("Can't set no_new_privs");
}

#ifdef SECCOMP_DEBUG
/**
 * isolation_sigsys() - SIGSYS handler of debugging builds: name the call
 * @signum:	Signal number, unused
 * @si:		Signal information, holding the system call number
 * @uc:		Context, unused
 */
static void isolation_sigsys(int signum, siginfo_t *si, void *uc)
{
	char msg[sizeof("seccomp: blocked system call 4294967295\n")];
	int n;

	(void)signum;
	(void)uc;
	n = snprintf(msg, sizeof(msg), "seccomp: blocked system call %i\n",
		     si->si_syscall);
	if (write(STDERR_FILENO, msg, (size_t)n) < 0)
		_exit(128 + SIGSYS);
	_exit(128 + SIGSYS);
}
#endif

/**
 * isolation_seccomp() - Last step: install the filter for our mode
 * @c:		Execution context
 *
 * The filters are generated by seccomp.sh from the #syscalls annotations:
 * anything else kills the process. Sanitizer builds run without one: their
 * run-time needs calls we never make.
 */
void isolation_seccomp(const struct ctx *c)
{
#ifdef PASST_SANITIZE
	(void)c;
	warn("Sanitizer build: running without a seccomp filter");
#else
	struct sock_fprog prog;

	if (c->mode == MODE_PASTA) {
		prog.filter = (struct sock_filter *)seccomp_filter_pasta;
		prog.len = ARRAY_SIZE(seccomp_filter_pasta);
	} else if (c->vhost_user) {
		prog.filter = (struct sock_filter *)seccomp_filter_vu;
		prog.len = ARRAY_SIZE(seccomp_filter_vu);
	} else {
		prog.filter = (struct sock_filter *)seccomp_filter_stream;
		prog.len = ARRAY_SIZE(seccomp_filter_stream);
	}

#ifdef SECCOMP_DEBUG
	{
		struct sigaction sa = { .sa_sigaction = isolation_sigsys,
					.sa_flags = SA_SIGINFO };

		sigemptyset(&sa.sa_mask);
		sigaction(SIGSYS, &sa, NULL);
	}
#endif

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		die_perror("Can't install the seccomp filter");
	debug("seccomp filter installed: %u instructions",
	      (unsigned int)prog.len);
#endif
}

/**
 * isolation_ns_helper() - Sandbox pasta's helper inside the namespace
 * @c:		Execution context
 *
 * The helper has joined the target network namespace (and its user
 * namespace, if any, where it holds every capability): from here on it
 * only opens sockets there. Same sandbox as ours, except that it keeps
 * CAP_NET_BIND_SERVICE, which matters in the namespace's own user
 * namespace alone, so that ports below 1024 can be forwarded there.
 */
void isolation_ns_helper(const struct ctx *c)
{
	if (unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS))
		die_perror("Can't detach the namespace helper");
	isolation_pivot(NULL);
	isolation_drop_caps(CAP_TO_MASK(CAP_NET_BIND_SERVICE));
	isolation_seccomp(c);
}

/**
 * isolation_daemonise() - Detach into the background
 * @c:		Execution context
 *
 * The parent writes the PID of the child to the PID file, if any, and
 * exits: whoever started us then knows the PID of the running process as
 * soon as we return. The child leaves the session and the terminal, and
 * logs to the system logger from now on unless a log file is in use.
 */
void isolation_daemonise(const struct ctx *c)
{
	pid_t pid;
	int fd;

	/* Whatever stdio holds must come out once, from the parent */
	fflush(NULL);

	pid = fork();
	if (pid < 0)
		die_perror("Failed to fork into the background");

	if (pid > 0) {
		if (c->run->pidfile_fd >= 0 && write_pidfile(c->run->pidfile_fd, pid))
			err_perror("Failed to write PID file %s", c->pidfile);
		_exit(EXIT_SUCCESS);
	}

	if (c->run->pidfile_fd >= 0)
		close(c->run->pidfile_fd);

	if (setsid() < 0)
		die_perror("setsid");
	if (chdir("/"))
		die_perror("chdir /");

	/* No O_CLOEXEC: the copies on 0, 1, 2 must stay open across exec,
	 * and open() may return one of them itself if it was closed.
	 */
	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		die_perror("Failed to open /dev/null");
	if (dup2(fd, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0 ||
	    dup2(fd, STDERR_FILENO) < 0)
		die_perror("Failed to redirect standard streams");
	if (fd > STDERR_FILENO)
		close(fd);

	/* In a new PID namespace we're process 1 there: records name us by
	 * our PID in the namespace of the procfs we still see, the logger's
	 */
	{
		char self[sizeof("4294967295")];
		ssize_t n = readlink("/proc/self", self, sizeof(self) - 1);

		if (n > 0) {
			self[n] = '\0';
			log_set_pid(strtol(self, NULL, 10));
		}
	}

	/* -d: "don't log to the system logger", as documented; -l has its
	 * own file
	 */
	log_set_stderr(false);
	if (!*c->log_path && !c->debug)
		log_set_syslog(true);
}
