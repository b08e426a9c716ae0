// SPDX-License-Identifier: GPL-2.0-or-later
/* control.c - The --control socket: a UNIX stream socket (mode 0600,
 * opened before the sandbox closes) on which the user or an orchestrator
 * adds and removes port forwards at run time, lists the forwarding tables
 * and reads the machine-readable state (one JSON object), which --stats-json
 * also prints periodically.
 *
 * Protocol: a client sends request lines, each ending with a newline (a
 * last line without one counts too when the client shuts its side down):
 *
 *	add -t|-u|-T|-U SPEC	open the listeners of SPEC, then "ok"
 *	del -t|-u|-T|-U SPEC	remove exactly those forwards, then "ok"
 *	list			the tables, one "-t SPEC" line a rule, "ok"
 *	stats			one line holding one JSON object, no "ok"
 *
 * A request that fails is answered by one line starting with "error: ". A
 * change is applied whole or not at all: every new listener is opened
 * before the table changes for good, and any failure closes them again.
 * Removing a forward closes its listening sockets only: connections
 * accepted through them go on. Requests are bounded (CONTROL_LINE_MAX), a
 * few clients are served at once, and one that stalls is dropped after
 * CONTROL_IDLE_SEC seconds, or when a new client needs its slot. Nothing
 * ever blocks the event loop: sockets are non-blocking, and a client that
 * doesn't read its answers loses its connection.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "util.h"
#include "log.h"
#include "epoll_ctl.h"
#include "inany.h"
#include "json.h"
#include "ctx.h"
#include "frag.h"
#include "fwd.h"
#include "flow.h"
#include "sock_unix.h"
#include "tap.h"
#include "vhost_user.h"
#include "pasta.h"
#include "tcp.h"
#include "tcp_splice.h"
#include "udp.h"
#include "udp_splice.h"
#include "fwd_auto.h"
#include "control.h"

/* Clients served at once */
#define CONTROL_CLIENTS		4
/* Longest request line, newline included */
#define CONTROL_LINE_MAX	512
/* A client silent for this long loses its connection */
#define CONTROL_IDLE_SEC	10
/* Longest answer: four full tables listed */
#define CONTROL_REPLY_MAX	(FWD_TABLES * FWD_RULES_MAX * 80 + 64)

/**
 * struct control_client - One connection on the control socket
 * @fd:		Socket, -1 for a free slot
 * @len:	Bytes of a request line received so far
 * @last:	When we last heard from it, seconds
 * @buf:	Request line being received
 */
struct control_client {
	int fd;
	size_t len;
	time_t last;
	char buf[CONTROL_LINE_MAX];
};

static struct control_client control_clients[CONTROL_CLIENTS];
static char control_reply[CONTROL_REPLY_MAX];

/* Scratch tables: the request's rules, the table before and after it */
static struct fwd_ports ctl_spec, ctl_old, ctl_new;

static const char control_opt[FWD_TABLES] = {
	[FWD_TCP_IN] = 't', [FWD_UDP_IN] = 'u',
	[FWD_TCP_OUT] = 'T', [FWD_UDP_OUT] = 'U',
};

static const char *const control_table_name[FWD_TABLES] = {
	[FWD_TCP_IN] = "tcp_in", [FWD_UDP_IN] = "udp_in",
	[FWD_TCP_OUT] = "tcp_out", [FWD_UDP_OUT] = "udp_out",
};

/**
 * control_now() - Seconds of the monotonic clock
 *
 * Return: seconds
 */
static time_t control_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/**
 * control_init() - Listen on the --control socket, if one was asked for
 * @c:		Execution context
 *
 * Called before the sandbox closes: the file can't be created afterwards.
 * Exits on failure: the user asked for the socket.
 */
void control_init(const struct ctx *c)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_CONTROL_LISTEN };
	uint16_t eph_first, eph_last;
	unsigned int i;
	int fd;

	/* Exclusions in requests need it, and it's read from /proc */
	fwd_ephemeral_range(&eph_first, &eph_last);
	clock_gettime(CLOCK_MONOTONIC, &c->run->start);
	c->run->fd_control = -1;
	for (i = 0; i < CONTROL_CLIENTS; i++)
		control_clients[i].fd = -1;
	if (!*c->control_path)
		return;

	fd = sock_unix_open_private(c->control_path);
	if (fd < 0)
		die("--control: can't listen at %s: %s", c->control_path,
		    strerror(-fd));
	ref.fd = fd;
	if (epoll_add_ref(c->run->epollfd, fd, EPOLLIN, ref))
		die("--control: can't add the socket to epoll");
	c->run->fd_control = fd;
	info("Control socket: %s", c->control_path);
}

/**
 * control_client_close() - Drop a client
 * @cl:		Client
 */
static void control_client_close(struct control_client *cl)
{
	if (cl->fd < 0)
		return;
	close(cl->fd);
	cl->fd = -1;
	cl->len = 0;
}

/**
 * control_listen_handler() - Accept a client on the control socket
 * @c:		Execution context
 *
 * With every slot taken, the client we heard from least recently goes.
 */
void control_listen_handler(const struct ctx *c)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_CONTROL };
	struct control_client *cl = &control_clients[0];
	unsigned int i;
	int fd;

	/* #syscalls accept4 */
	fd = accept4(c->run->fd_control, NULL, NULL,
		     SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;

	for (i = 0; i < CONTROL_CLIENTS; i++) {
		if (control_clients[i].fd < 0) {
			cl = &control_clients[i];
			break;
		}
		if (control_clients[i].last < cl->last)
			cl = &control_clients[i];
	}
	control_client_close(cl);

	ref.fd = fd;
	ref.data = (uint32_t)(cl - control_clients);
	if (epoll_add_ref(c->run->epollfd, fd, EPOLLIN | EPOLLRDHUP, ref)) {
		close(fd);
		return;
	}
	cl->fd = fd;
	cl->len = 0;
	cl->last = control_now();
}

/**
 * control_timer() - Drop clients that stalled
 * @c:		Execution context
 */
void control_timer(const struct ctx *c)
{
	time_t now;
	unsigned int i;

	if (c->run->fd_control < 0)
		return;
	now = control_now();
	for (i = 0; i < CONTROL_CLIENTS; i++) {
		struct control_client *cl = &control_clients[i];

		if (cl->fd >= 0 && now - cl->last >= CONTROL_IDLE_SEC)
			control_client_close(cl);
	}
}

/**
 * control_table_mode() - Name of a table's mode
 * @fwd:	Table
 *
 * Return: "none", "spec", "all" or "auto"
 */
static const char *control_table_mode(const struct fwd_ports *fwd)
{
	switch (fwd->mode) {
	case FWD_SPEC:
		return "spec";
	case FWD_ALL:
		return "all";
	case FWD_AUTO:
		return "auto";
	default:
		return "none";
	}
}

/**
 * control_tables() - Number of tables the mode has: -T and -U are pasta's
 * @c:		Execution context
 *
 * Return: FWD_TABLES in pasta mode, the two inbound ones in passt mode
 */
static unsigned int control_tables(const struct ctx *c)
{
	return c->mode == MODE_PASTA ? FWD_TABLES : FWD_TCP_OUT;
}

/**
 * control_list() - Answer "list": every rule, in the grammar of the options
 * @c:		Execution context
 * @j:		Answer being written
 */
static void control_list(const struct ctx *c, struct json *j)
{
	unsigned int t, i;

	for (t = 0; t < control_tables(c); t++) {
		const struct fwd_ports *fwd = fwd_table(c, (enum fwd_table)t);

		if (fwd->mode == FWD_AUTO || fwd->mode == FWD_ALL) {
			json_printf(j, "-%c %s\n", control_opt[t],
				    control_table_mode(fwd));
			continue;
		}
		if (fwd->mode != FWD_SPEC)
			continue;
		for (i = 0; i < fwd->count; i++) {
			char rule[FWD_RULE_STRLEN];

			fwd_rule_fmt(&fwd->rules[i], rule, sizeof(rule));
			json_printf(j, "-%c %s\n", control_opt[t], rule);
		}
	}
	json_printf(j, "ok\n");
}

/**
 * control_addr_json() - An address member, null if unspecified
 * @j:		Writer
 * @name:	Member name
 * @a:		Address
 */
static void control_addr_json(struct json *j, const char *name,
			      const union inany_addr *a)
{
	char buf[INANY_ADDRSTRLEN];

	json_printf(j, ",\"%s\":", name);
	if (inany_is_unspecified(a) ||
	    (!inany_v4(a) && IN6_IS_ADDR_V4MAPPED(&a->a6)))
		json_printf(j, "null");
	else
		json_str(j, inany_ntop(a, buf, sizeof(buf)));
}

/**
 * control_stats_section() - One member of the machine-readable state
 * @c:		Execution context
 * @j:		Writer: "name":{...} is appended
 * @sec:	Section, below CONTROL_STATS_SECTIONS
 * @rules:	List the rules of each table, not only their number
 */
static void control_stats_section(const struct ctx *c, struct json *j,
				  unsigned int sec, bool rules)
{
	const struct tap_counters *tc = tap_counters();
	bool connected = c->run->fd_tap >= 0 ||
			 (c->mode == MODE_PASST && c->vhost_user &&
			  vu_connected());
	static const uint8_t mac0[MAC_ADDR_LEN];
	char mac[sizeof("00:00:00:00:00:00")];
	union inany_addr a;
	unsigned int t, i;

	switch (sec) {
	case 0:
		json_printf(j, "\"guest\":{\"connected\":%s,\"mac\":",
			    connected ? "true" : "false");
		if (memcmp(c->run->guest_mac, mac0, sizeof(mac0)))
			json_str(j, mac_ntop(c->run->guest_mac, mac,
					     sizeof(mac)));
		else
			json_printf(j, "null");
		inany_from_v4(&a, c->run->addr4_seen);
		control_addr_json(j, "addr4", &a);
		a.a6 = c->run->addr6_seen;
		control_addr_json(j, "addr6", &a);
		a.a6 = c->run->addr6_ll_seen;
		control_addr_json(j, "addr6_ll", &a);
		json_printf(j, "}");
		return;
	case 1:
		json_printf(j, "\"tap\":{\"frames_in\":%lu,\"bytes_in\":%lu,"
			    "\"frames_out\":%lu,\"bytes_out\":%lu,"
			    "\"frames_out_dropped\":%lu,\"malformed\":%lu,"
			    "\"malformed_by_cause\":",
			    tc->frames_in, tc->bytes_in, tc->frames_out,
			    tc->bytes_out, tc->frames_out_dropped,
			    tc->dropped);
		tap_drop_causes_json(j);
		json_printf(j, "}");
		return;
	case 2:
		json_printf(j, "\"tcp\":{");
		tcp_stats_json(j);
		json_printf(j, "},\"tcp_splice\":{");
		tcp_splice_stats_json(j);
		json_printf(j, "}");
		return;
	case 3:
		json_printf(j, "\"udp\":{");
		udp_stats_json(j);
		json_printf(j, "},\"udp_splice\":{\"flows\":%u},"
			    "\"icmp\":{\"flows\":%u}",
			    flow_count_type(FLOW_UDP_SPLICE),
			    flow_count_type(FLOW_PING));
		json_printf(j, ",\"fragments\":{");
		frag_stats_json(j);
		json_printf(j, "}");
		return;
	default:
		break;
	}

	json_printf(j, "\"forwards\":{");
	for (t = 0; t < control_tables(c); t++) {
		const struct fwd_ports *fwd = fwd_table(c, (enum fwd_table)t);

		json_printf(j, "%s\"%s\":{\"mode\":\"%s\",\"listening\":%u,"
			    "\"rules\":", t ? "," : "", control_table_name[t],
			    control_table_mode(fwd),
			    fwd_sock_count_table((enum fwd_table)t));
		if (!rules) {
			json_printf(j, "%u}", fwd->mode == FWD_SPEC ?
					      fwd->count : 0);
			continue;
		}
		json_printf(j, "[");
		for (i = 0; fwd->mode == FWD_SPEC && i < fwd->count; i++) {
			char rule[FWD_RULE_STRLEN];

			fwd_rule_fmt(&fwd->rules[i], rule, sizeof(rule));
			json_printf(j, "%s", i ? "," : "");
			json_str(j, rule);
		}
		json_printf(j, "]}");
	}
	json_printf(j, "}");
	if (c->mode == MODE_PASTA) {
		json_printf(j, ",\"auto_scans\":{");
		fwd_auto_stats_json(j);
		json_printf(j, "}");
	}
}

/**
 * control_stats_json() - The machine-readable state, or one part of it
 * @c:		Execution context
 * @j:		Writer: one JSON object is appended
 * @sec:	Section (guest, tap, TCP, UDP, forwards: see the manual) below
 *		CONTROL_STATS_SECTIONS, or CONTROL_STATS_SECTIONS for all
 *		of them, the rules of the tables listed
 *
 * Every object starts with the mode and the uptime: --stats-json prints
 * the sections as objects of their own, one a log line, the rules of the
 * tables counted, not listed.
 */
void control_stats_json(const struct ctx *c, struct json *j,
			unsigned int sec)
{
	struct timespec now;
	unsigned int s;

	clock_gettime(CLOCK_MONOTONIC, &now);
	json_printf(j, "{\"mode\":\"%s\",\"uptime_s\":%lld",
		    c->mode == MODE_PASTA ? "pasta" : "passt",
		    (long long)(now.tv_sec - c->run->start.tv_sec));
	for (s = 0; s < CONTROL_STATS_SECTIONS; s++) {
		if (sec != CONTROL_STATS_SECTIONS && s != sec)
			continue;
		json_printf(j, ",");
		control_stats_section(c, j, s,
				      sec == CONTROL_STATS_SECTIONS);
	}
	json_printf(j, "}");
}

/**
 * control_covered() - Tell if a table forwards a port with a rule's binding
 * @fwd:	Table
 * @b:		Rule giving the binding
 * @port:	Port
 *
 * Return: the rule of @fwd that does, NULL if none
 */
static struct fwd_rule *control_covered(struct fwd_ports *fwd,
					const struct fwd_rule *b,
					unsigned int port)
{
	unsigned int i;

	if (fwd->mode != FWD_SPEC)
		return NULL;
	for (i = 0; i < fwd->count; i++) {
		struct fwd_rule *r = &fwd->rules[i];

		if (r->first <= port && port <= r->last && fwd_same_bind(r, b))
			return r;
	}
	return NULL;
}

/**
 * struct control_open_arg - Listeners to open for a request
 * @c:		Execution context
 * @t:		Table
 * @why:	Reason of failure, set on failure
 * @port:	Port that failed, set on failure
 */
struct control_open_arg {
	const struct ctx *c;
	enum fwd_table t;
	const char *why;
	unsigned int port;
};

/**
 * control_open() - Open the listeners of the ports the request adds
 * @arg:	struct control_open_arg
 *
 * Runs in pasta's namespace for -T and -U (pasta_ns_call()). Ports in
 * ctl_spec that ctl_old lacked get their sockets, for the rule of the new
 * table (current already) that forwards them, and are recorded.
 *
 * Return: 0 on success, negative error code on the first failure
 */
static int control_open(void *arg)
{
	struct control_open_arg *a = arg;
	const struct ctx *c = a->c;
	struct fwd_ports *fwd = fwd_table(c, a->t);
	fwd_listen_one_fn fn = fwd_listen_fn(a->t);
	bool ns = a->t == FWD_TCP_OUT || a->t == FWD_UDP_OUT;
	unsigned int i, port;

	for (i = 0; i < ctl_spec.count; i++) {
		const struct fwd_rule *d = &ctl_spec.rules[i];

		for (port = d->first; port <= d->last; port++) {
			struct fwd_rule *r = control_covered(fwd, d, port);
			int fds[FWD_LISTEN_MAX], rc, k;

			if (control_covered(&ctl_old, d, port))
				continue;
			if (!r)
				return -EINVAL;	/* can't be: merged */

			a->port = port;
			if (a->t == FWD_TCP_OUT)
				rc = tcp_splice_listen(c, r, (in_port_t)port,
						       true, fds);
			else if (a->t == FWD_UDP_OUT)
				rc = udp_splice_listen(c, r, (in_port_t)port,
						       true, fds);
			else
				rc = fwd_listen_open(c, r, (in_port_t)port,
						     ns, fds, fn);
			if (rc < 0)
				return rc;
			rc = fwd_sock_track(a->t, r, (in_port_t)port, fds);
			if (rc < 0) {
				for (k = 0; k < FWD_LISTEN_MAX; k++) {
					if (fds[k] >= 0)
						close(fds[k]);
				}
				a->why = "too many listening sockets";
				return rc;
			}
		}
	}
	return 0;
}

/**
 * control_close_from() - Close the sockets recorded from an index on
 * @first:	First record to close
 */
static void control_close_from(unsigned int first)
{
	while (fwd_sock_count() > first) {
		unsigned int i = fwd_sock_count() - 1;

		close(fwd_sock_at(i)->fd);
		fwd_sock_forget(i);
	}
}

/**
 * control_udp_reindex() - Point -u sockets at their rules again
 * @c:		Execution context
 *
 * The reference of a -u socket carries the index of its rule (udp.c uses
 * the rule's binding for reply sockets): indices change with the table.
 */
static void control_udp_reindex(const struct ctx *c)
{
	struct fwd_ports *fwd = &c->run->udp_fwd_in;
	unsigned int i;

	for (i = 0; i < fwd_sock_count(); i++) {
		const struct fwd_sock *fs = fwd_sock_at(i);
		union epoll_ref ref = { .type = EPOLL_TYPE_UDP_LISTEN };
		struct fwd_rule b = { .addr = fs->addr, .flags = fs->flags };
		struct epoll_event ev = { .events = EPOLLIN };
		const struct fwd_rule *r;
		uint32_t idx = FWD_RULES_MAX;

		if (fs->table != FWD_UDP_IN)
			continue;
		memcpy(b.ifname, fs->ifname, sizeof(b.ifname));
		r = control_covered(fwd, &b, fs->port);
		if (r)
			idx = (uint32_t)(r - fwd->rules);
		ref.fd = fs->fd;
		ref.data = fs->port | (idx << UDP_LISTEN_PORT_BITS);
		ev.data.u64 = ref.u64;
		/* #syscalls epoll_ctl */
		epoll_ctl(c->run->epollfd, EPOLL_CTL_MOD, fs->fd, &ev);
	}
}

/**
 * control_parse_spec() - Parse a request's specification into ctl_spec
 * @c:		Execution context
 * @t:		Table
 * @spec:	Specification
 * @why:	Reason of failure, set on failure
 *
 * Return: 0 on success, -1 on failure
 */
static int control_parse_spec(const struct ctx *c, enum fwd_table t,
			      const char *spec, const char **why)
{
	const struct fwd_ports *fwd = fwd_table(c, t);
	bool tcp = t == FWD_TCP_IN || t == FWD_TCP_OUT;
	unsigned int i;

	if (t >= control_tables(c)) {
		*why = "-T and -U are for pasta only";
		return -1;
	}
	if ((tcp && c->no_tcp) || (!tcp && c->no_udp)) {
		*why = tcp ? "TCP is disabled" : "UDP is disabled";
		return -1;
	}
	if ((t == FWD_TCP_IN || t == FWD_UDP_IN) && !fwd_listen_fn(t)) {
		*why = "forwarding not set up for this protocol";
		return -1;
	}
	if (fwd->mode == FWD_AUTO || fwd->mode == FWD_ALL) {
		*why = fwd->mode == FWD_AUTO ? "table in automatic mode"
					     : "table forwards all ports";
		return -1;
	}
	if (!strcmp(spec, "none") || !strcmp(spec, "all") ||
	    !strcmp(spec, "auto")) {
		*why = "only port specifications here";
		return -1;
	}

	memset(&ctl_spec, 0, sizeof(ctl_spec));
	if (fwd_spec_parse(&ctl_spec, spec, false, false, why))
		return -1;
	for (i = 0; i < ctl_spec.count; i++) {
		if (ctl_spec.rules[i].flags & FWD_RULE_WEAK) {
			*why = "exclusions alone would forward every port";
			return -1;
		}
	}
	return 0;
}

/**
 * control_add() - Add forwards: listen first, change the table if all went
 * @c:		Execution context
 * @t:		Table
 * @spec:	Specification
 * @j:		Answer being written
 */
static void control_add(const struct ctx *c, enum fwd_table t,
			const char *spec, struct json *j)
{
	struct control_open_arg a = { .c = c, .t = t };
	struct fwd_ports *fwd = fwd_table(c, t);
	unsigned int first = fwd_sock_count(), i, port;
	const char *why = NULL;
	bool any = false;
	int rc;

	if (control_parse_spec(c, t, spec, &why))
		goto fail;

	memcpy(&ctl_new, fwd, sizeof(ctl_new));
	if (fwd_spec_parse(&ctl_new, spec, false, false, &why))
		goto fail;
	memcpy(&ctl_old, fwd, sizeof(ctl_old));

	for (i = 0; i < ctl_spec.count && !any; i++) {
		const struct fwd_rule *d = &ctl_spec.rules[i];

		for (port = d->first; port <= d->last && !any; port++)
			any = !control_covered(&ctl_old, d, port);
	}
	if (!any) {
		why = "already forwarded";
		goto fail;
	}

	/* The sockets are opened for the rules of the new table */
	memcpy(fwd, &ctl_new, sizeof(*fwd));
	if (t == FWD_TCP_OUT || t == FWD_UDP_OUT)
		rc = pasta_ns_call(c, control_open, &a);
	else
		rc = control_open(&a);
	if (rc < 0) {
		char msg[128];

		control_close_from(first);
		memcpy(fwd, &ctl_old, sizeof(*fwd));
		if (t == FWD_UDP_IN)
			control_udp_reindex(c);
		snprintf(msg, sizeof(msg), "port %u: %s", a.port,
			 a.why ? a.why : strerror(-rc));
		json_printf(j, "error: %s\n", msg);
		return;
	}
	if (t == FWD_UDP_IN)
		control_udp_reindex(c);
	if (t == FWD_UDP_IN || t == FWD_UDP_OUT)
		fwd_auto_udp_recheck();
	info("Control: added -%c %s", control_opt[t], spec);
	json_printf(j, "ok\n");
	return;

fail:
	json_printf(j, "error: %s\n", why);
}

/**
 * control_del() - Remove forwards, closing their listening sockets
 * @c:		Execution context
 * @t:		Table
 * @spec:	Specification: every port of it must be forwarded as given
 * @j:		Answer being written
 */
static void control_del(const struct ctx *c, enum fwd_table t,
			const char *spec, struct json *j)
{
	struct fwd_ports *fwd = fwd_table(c, t);
	const char *why = NULL;
	unsigned int i;

	if (control_parse_spec(c, t, spec, &why))
		goto fail;
	memcpy(&ctl_new, fwd, sizeof(ctl_new));
	if (fwd_spec_remove(&ctl_new, &ctl_spec, &why))
		goto fail;
	memcpy(fwd, &ctl_new, sizeof(*fwd));

	for (i = fwd_sock_count(); i-- > 0; ) {
		const struct fwd_sock *fs = fwd_sock_at(i);
		struct fwd_rule b = { .addr = fs->addr, .flags = fs->flags };

		if (fs->table != t)
			continue;
		memcpy(b.ifname, fs->ifname, sizeof(b.ifname));
		if (!control_covered(&ctl_spec, &b, fs->port))
			continue;
		if (t == FWD_UDP_OUT)
			udp_splice_unlisten(fs->fd);
		else
			close(fs->fd);
		fwd_sock_forget(i);
	}
	if (t == FWD_UDP_IN)
		control_udp_reindex(c);
	if (t == FWD_UDP_IN || t == FWD_UDP_OUT)
		fwd_auto_udp_recheck();
	info("Control: removed -%c %s", control_opt[t], spec);
	json_printf(j, "ok\n");
	return;

fail:
	json_printf(j, "error: %s\n", why);
}

/**
 * control_request() - Answer one request line
 * @c:		Execution context
 * @line:	Request, NUL-terminated, without the newline
 * @j:		Answer being written
 */
static void control_request(const struct ctx *c, char *line,
			    struct json *j)
{
	char *verb, *opt, *spec, *extra, *save = NULL;
	unsigned int t;

	verb = strtok_r(line, " \t\r", &save);
	opt = verb ? strtok_r(NULL, " \t\r", &save) : NULL;
	spec = opt ? strtok_r(NULL, " \t\r", &save) : NULL;
	extra = spec ? strtok_r(NULL, " \t\r", &save) : NULL;

	if (!verb) {
		json_printf(j, "error: empty request\n");
		return;
	}
	if (!strcmp(verb, "list") && !opt) {
		control_list(c, j);
		return;
	}
	if (!strcmp(verb, "stats") && !opt) {
		control_stats_json(c, j, CONTROL_STATS_SECTIONS);
		json_printf(j, "\n");
		return;
	}
	if (strcmp(verb, "add") && strcmp(verb, "del")) {
		json_printf(j, "error: unknown request (add, del, list, "
			       "stats)\n");
		return;
	}
	if (!opt || !spec || extra || opt[0] != '-' || !opt[1] || opt[2]) {
		json_printf(j, "error: usage: %s -t|-u|-T|-U SPEC\n", verb);
		return;
	}
	for (t = 0; t < FWD_TABLES; t++) {
		if (opt[1] == control_opt[t])
			break;
	}
	if (t == FWD_TABLES) {
		json_printf(j, "error: usage: %s -t|-u|-T|-U SPEC\n", verb);
		return;
	}

	if (!strcmp(verb, "add"))
		control_add(c, (enum fwd_table)t, spec, j);
	else
		control_del(c, (enum fwd_table)t, spec, j);
}

/**
 * control_answer() - Handle a complete request line and send the answer
 * @c:		Execution context
 * @cl:		Client
 * @line:	Request, NUL-terminated
 *
 * Return: 0 on success, -1 if the client must go (answer not taken whole)
 */
static int control_answer(const struct ctx *c, struct control_client *cl,
			  char *line)
{
	struct json j;
	size_t len;

	json_init(&j, control_reply, sizeof(control_reply));
	control_request(c, line, &j);
	if (json_full(&j)) {
		json_init(&j, control_reply, sizeof(control_reply));
		json_printf(&j, "error: answer too long\n");
	}
	len = strlen(control_reply);

	/* #syscalls sendmsg */
	if (sock_send(cl->fd, control_reply, len,
		      MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)len)
		return -1;
	return 0;
}

/**
 * control_handler() - Requests from a client of the control socket
 * @c:		Execution context
 * @ref:	epoll reference: slot of the client
 * @events:	epoll events
 */
void control_handler(const struct ctx *c, union epoll_ref ref,
		     uint32_t events)
{
	struct control_client *cl;
	bool eof = false;
	ssize_t n;
	char *nl;

	if (ref.data >= CONTROL_CLIENTS ||
	    control_clients[ref.data].fd != ref.fd)
		return;
	cl = &control_clients[ref.data];

	if (events & EPOLLIN) {
		/* #syscalls recvmsg */
		n = sock_recv(cl->fd, cl->buf + cl->len,
			      sizeof(cl->buf) - 1 - cl->len, MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			goto close;
		if (!n)
			eof = true;
		if (n > 0) {
			cl->len += (size_t)n;
			cl->last = control_now();
		}
	} else if (events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP)) {
		eof = true;
	}

	while ((nl = memchr(cl->buf, '\n', cl->len))) {
		size_t used = (size_t)(nl - cl->buf) + 1;

		*nl = '\0';
		if (control_answer(c, cl, cl->buf))
			goto close;
		memmove(cl->buf, cl->buf + used, cl->len - used);
		cl->len -= used;
	}

	if (cl->len >= sizeof(cl->buf) - 1) {
		static const char too_long[] = "error: request too long\n";

		sock_send(cl->fd, too_long, sizeof(too_long) - 1,
			  MSG_DONTWAIT | MSG_NOSIGNAL);
		goto close;
	}
	if (eof) {
		if (cl->len) {
			cl->buf[cl->len] = '\0';
			control_answer(c, cl, cl->buf);
		}
		goto close;
	}
	return;

close:
	control_client_close(cl);
}
