// SPDX-License-Identifier: GPL-2.0-or-later
/* isolation.c - Process set-up that touches privileges and the process
 * itself, done once from main() after the privileged set-up and before the
 * event loop: resolving --runas from /etc/passwd and /etc/group (the binary
 * is static, so the NSS functions of the C library are avoided), giving up
 * root for an unprivileged user, and detaching into the background.
 */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "util.h"
#include "log.h"
#include "isolation.h"

/* Longest /etc/passwd or /etc/group line considered: longer lines (huge
 * group member lists) are skipped, they can't name a user we'd match anyway
 * unless the name or ID fields themselves are absurd.
 */
#define ISOLATION_LINE_MAX	1024
#define ISOLATION_READ_CHUNK	4096
#define ISOLATION_MAP_MAX	4096

/* Capabilities pasta keeps when changing user: entering its namespace
 * (setns), configuring the tap and binding low ports as configured.
 */
#define ISOLATION_PASTA_CAPS	(CAP_TO_MASK(CAP_SYS_ADMIN) |	\
				 CAP_TO_MASK(CAP_NET_ADMIN) |	\
				 CAP_TO_MASK(CAP_NET_BIND_SERVICE))

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
 * isolation_keep_caps() - Reduce our capabilities to a set, effective too
 * @keep:	Mask of capabilities (below 32) to keep, if we have them
 *
 * After setuid() with PR_SET_KEEPCAPS, the permitted set survives but the
 * effective set is empty: raise the kept ones again, drop all others.
 */
static void isolation_keep_caps(uint32_t keep)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int i;

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		die_perror("Can't read capabilities");

	data[0].permitted &= keep;
	data[0].effective = data[0].permitted;
	data[0].inheritable = 0;
	for (i = 1; i < _LINUX_CAPABILITY_U32S_3; i++)
		data[i].permitted = data[i].effective = data[i].inheritable = 0;

	if (syscall(SYS_capset, &hdr, data))
		die_perror("Can't set capabilities");
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
 * current identity: it has no privileges outside that namespace anyway. An
 * explicit --runas that can't be applied is fatal.
 */
void isolation_drop_user(const struct ctx *c)
{
	if (c->uid == geteuid() && c->gid == getegid())
		return;
	if (geteuid() != 0 && !isolation_has_cap(CAP_SETUID))
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

	/* pasta keeps working on its namespace after this point (sockets
	 * for the loopback bypass, tap and address changes): carry over the
	 * few capabilities that needs, and nothing else.
	 */
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
		isolation_keep_caps(ISOLATION_PASTA_CAPS);
	}

	debug("Running as UID %u, GID %u",
	      (unsigned int)c->uid, (unsigned int)c->gid);
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
		if (c->pidfile_fd >= 0 && write_pidfile(c->pidfile_fd, pid))
			err_perror("Failed to write PID file %s", c->pidfile);
		_exit(EXIT_SUCCESS);
	}

	if (c->pidfile_fd >= 0)
		close(c->pidfile_fd);

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

	/* -d: "don't log to the system logger", as documented; -l has its
	 * own file
	 */
	log_set_stderr(false);
	if (!*c->log_path && !c->debug)
		log_set_syslog(true);
}
