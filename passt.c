// SPDX-License-Identifier: GPL-2.0-or-later
/* passt.c - Entry point for both modes: the name the binary is invoked with
 * selects passt (qemu guests) or pasta (network namespaces). Sets up the
 * context, then runs the single-threaded epoll loop, which dispatches on the
 * type packed into each event's reference and hands frames parsed by tap.c
 * to the protocol handlers.
 */

#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <netinet/if_ether.h>

#include "epoll_ctl.h"
#include "util.h"
#include "log.h"
#include "migrate.h"
#include "tcp_migrate.h"
#include "repair.h"
#include "passt.h"
#include "conf.h"
#include "conf_addr.h"
#include "packet.h"
#include "pcap.h"
#include "tap.h"
#include "vhost_user.h"
#include "arp.h"
#include "ndp.h"
#include "dhcp.h"
#include "dhcpv6.h"
#include "icmp.h"
#include "frag.h"
#include "tcp.h"
#include "tcp_delack.h"
#include "tcp_splice.h"
#include "udp_splice.h"
#include "udp.h"
#include "fwd_auto.h"
#include "pasta.h"
#include "isolation.h"
#include "control.h"
#include "json.h"

#define EPOLL_EVENTS		8
/* Longest sleep of the main loop: periodic work runs at least this often.
 * With automatic forwarding, the loop wakes when its next scan is due, at
 * most this long: at rest, that's the only wake-up
 */
#define TIMER_INTERVAL_MS	1000

static struct ctx_run main_run;
static struct ctx main_ctx = { .run = &main_run };

static volatile sig_atomic_t quit_signal;

/* --stats: events handled, per type, and when we last printed them */
static unsigned long stats_events[EPOLL_TYPE_MAX];
static unsigned long stats_total_printed;
static unsigned long stats_scans_printed;
static struct timespec stats_last;

static const char *const stats_type_name[EPOLL_TYPE_MAX] = {
	[EPOLL_TYPE_NONE]		= "other",
	[EPOLL_TYPE_TAP_PASTA]		= "tap",
	[EPOLL_TYPE_TAP_PASST]		= "tap",
	[EPOLL_TYPE_TAP_LISTEN]		= "tap-listen",
	[EPOLL_TYPE_NSQUIT_INOTIFY]	= "netns-watch",
	[EPOLL_TYPE_NSQUIT_TIMER]	= "netns-watch",
	[EPOLL_TYPE_TCP]		= "tcp",
	[EPOLL_TYPE_TCP_SPLICE]		= "tcp-splice",
	[EPOLL_TYPE_TCP_LISTEN]		= "tcp-listen",
	[EPOLL_TYPE_TCP_TIMER]		= "tcp-timer",
	[EPOLL_TYPE_UDP_LISTEN]		= "udp-listen",
	[EPOLL_TYPE_UDP]		= "udp",
	[EPOLL_TYPE_PING]		= "ping",
	[EPOLL_TYPE_VHOST_CMD]		= "vhost-cmd",
	[EPOLL_TYPE_VHOST_KICK]		= "vhost-kick",
	[EPOLL_TYPE_UDP_SPLICE_LISTEN]	= "udp-splice-listen",
	[EPOLL_TYPE_UDP_SPLICE]		= "udp-splice",
	[EPOLL_TYPE_VHOST_MIGRATE]	= "vhost-migrate",
	[EPOLL_TYPE_CONTROL_LISTEN]	= "control-listen",
	[EPOLL_TYPE_CONTROL]		= "control",
	[EPOLL_TYPE_REPAIR_LISTEN]	= "repair-listen",
	[EPOLL_TYPE_REPAIR]		= "repair",
};

/**
 * quit_handler() - SIGTERM/SIGINT handler: ask the main loop to exit
 * @signum:	Signal number
 */
static void quit_handler(int signum)
{
	quit_signal = signum;
}

/**
 * signals_init() - Ignore SIGPIPE, exit cleanly on SIGTERM and SIGINT
 */
static void signals_init(void)
{
	struct sigaction sa = { .sa_handler = quit_handler };

	sigemptyset(&sa.sa_mask);
	/* #syscalls rt_sigreturn exit_group */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/**
 * guest_frame() - Hand one parsed frame from the guest to its handler
 * @c:		Execution context
 * @frame:	Frame
 * @fi:		What tap_parse() found in it
 * @now:	Current timestamp
 */
static void guest_frame(const struct ctx *c, struct iovec *frame,
			const struct frame_info *fi, const struct timespec *now)
{
	switch (fi->ethertype) {
	case ETH_P_ARP:
		arp(c, frame, fi);
		break;
	case ETH_P_IP:
		if (fi->l4proto == IPPROTO_TCP) {
			tcp_tap_handler(c, frame, fi, now);
			break;
		}
		if (fi->l4proto == IPPROTO_UDP && dhcp(c, frame, fi))
			break;
		if (fi->l4proto == IPPROTO_UDP) {
			udp_tap_handler(c, frame, fi, now);
			break;
		}
		if (fi->l4proto == IPPROTO_ICMP)
			icmp_tap_handler(c, frame, fi, now);
		break;
	case ETH_P_IPV6:
		if (fi->l4proto == IPPROTO_TCP) {
			tcp_tap_handler(c, frame, fi, now);
			break;
		}
		if (fi->l4proto == IPPROTO_ICMPV6) {
			if (ndp(c, frame, fi))
				break;
			icmp_tap_handler(c, frame, fi, now);
			break;
		}
		if (fi->l4proto == IPPROTO_UDP && dhcpv6(c, frame, fi))
			break;
		if (fi->l4proto == IPPROTO_UDP)
			udp_tap_handler(c, frame, fi, now);
		break;
	default:
		break;
	}
}

/**
 * guest_fragment() - Reassemble a fragment, hand a complete datagram on
 * @c:		Execution context
 * @frame:	Fragment
 * @fi:		What tap_parse() found in it
 * @now:	Current timestamp
 *
 * The datagram lives in the reassembly table until frag_release(): UDP
 * writes queued from it are flushed before that.
 */
static void guest_fragment(const struct ctx *c, const struct iovec *frame,
			   const struct frame_info *fi,
			   const struct timespec *now)
{
	struct frame_info wfi;
	struct iovec whole;

	if (frag_input(c, frame, fi, now, &whole) <= 0)
		return;
	if (!tap_parse(c, &whole, &wfi)) {
		guest_frame(c, &whole, &wfi, now);
		udp_tap_flush(c);
	}
	frag_release();
}

/**
 * guest_frames() - Hand a batch of frames from the guest to the handlers
 *		   (the fuzz targets in test/fuzz/ call it too)
 * @c:		Execution context
 * @p:		Frames read by the back end
 * @now:	Current timestamp
 */
void guest_frames(const struct ctx *c, const struct pool *p,
		  const struct timespec *now)
{
	size_t i, bytes = 0;

	for (i = 0; i < p->count; i++)
		bytes += p->pkt[i].iov_len;
	tap_count_in(p->count, bytes);

	for (i = 0; i < p->count; i++) {
		struct iovec frame = p->pkt[i];
		struct frame_info fi;
		int ret = tap_parse(c, &frame, &fi);

		if (ret > 0)
			guest_fragment(c, &frame, &fi, now);
		else if (!ret)
			guest_frame(c, &frame, &fi, now);
	}

	/* Coalesced socket writes, ACKs and replies for the whole batch */
	tcp_tap_flush(c, now);
	udp_tap_flush(c);
}

/**
 * guest_gone() - The guest disconnected: drop what belonged to it
 * @c:		Execution context
 *
 * The next guest may have another MAC address and other addresses: until
 * it speaks, frames go to the broadcast address and the configured
 * addresses. Its connections and flows would only confuse it: close them
 * (TCP peers on the host see a reset).
 */
void guest_gone(const struct ctx *c)
{
	c->run->guest_gone = false;
	memset(c->run->guest_mac, 0, sizeof(c->run->guest_mac));
	memset(&c->run->addr4_seen, 0, sizeof(c->run->addr4_seen));
	memset(&c->run->addr6_seen, 0, sizeof(c->run->addr6_seen));
	memset(&c->run->addr6_ll_seen, 0, sizeof(c->run->addr6_ll_seen));
	tcp_guest_gone(c);
	udp_guest_gone(c);
	icmp_guest_gone(c);
	frag_guest_gone();
}

/**
 * stats_print_json() - --stats-json: the state as JSON objects, one a line
 * @c:		Execution context
 *
 * The members of the control socket's "stats" object, one object each
 * (with the mode and uptime), so that each fits a log line; rules are
 * counted in place of listed.
 */
static void stats_print_json(const struct ctx *c)
{
	char buf[LOG_LINE_MAX];
	unsigned int s;
	struct json j;

	for (s = 0; s < CONTROL_STATS_SECTIONS; s++) {
		json_init(&j, buf, sizeof(buf));
		control_stats_json(c, &j, s);
		if (json_full(&j))
			warn("--stats-json: part %u doesn't fit a log line",
			     s);
		else
			info("%s", buf);
	}
}

/**
 * stats_print() - --stats: print event counters, if due and if any changed
 * @c:		Execution context
 * @now:	Current timestamp
 */
static void stats_print(const struct ctx *c, const struct timespec *now)
{
	unsigned long total = 0, scans = fwd_auto_scans();
	char line[LOG_LINE_MAX];
	size_t len;
	unsigned t;

	if (!c->stats_delay ||
	    timespec_diff_ms(now, &stats_last) < c->stats_delay * MS_PER_SEC)
		return;
	for (t = 0; t < EPOLL_TYPE_MAX; t++)
		total += stats_events[t];
	if (scans != stats_scans_printed) {
		stats_scans_printed = scans;
		stats_last = *now;
		fwd_auto_stats();
	}
	if (total == stats_total_printed)
		return;
	stats_total_printed = total;
	stats_last = *now;
	if (c->stats_json) {
		stats_print_json(c);
		return;
	}

	len = (size_t)snprintf(line, sizeof(line), "Events: %lu total", total);
	for (t = 0; t < EPOLL_TYPE_MAX && len < sizeof(line); t++) {
		if (stats_events[t])
			len += (size_t)snprintf(line + len, sizeof(line) - len,
						", %s %lu", stats_type_name[t],
						stats_events[t]);
	}
	info("%s", line);
}

/**
 * timers() - Periodic work, run at most once per loop iteration
 * @c:		Execution context
 * @now:	Current timestamp
 */
static void timers(const struct ctx *c, const struct timespec *now)
{
	ndp_timer(c, now);
	icmp_timer(c, now);
	frag_timer(c, now);
	udp_timer(c, now);
	tcp_splice_timer(c, now);
	udp_splice_timer(c, now);
	fwd_auto_timer(c, now);
	control_timer(c);
	migrate_timer(c);
	stats_print(c, now);
}

/**
 * background() - Detach into the background unless -f, write the PID file
 * @c:		Execution context
 */
static void background(const struct ctx *c)
{
	if (!c->foreground)
		isolation_daemonise(c);
	else if (c->run->pidfile_fd >= 0)
		write_pidfile(c->run->pidfile_fd, getpid());
	c->run->pidfile_fd = -1;
}

/**
 * early_init() - Process set-up before anything else: name, mode, logging
 * @c:		Execution context, mode and program name set here
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * The name we're invoked with selects the mode. The open file limit is
 * raised before anything is opened, and the epoll instance exists before
 * conf() and the back ends register descriptors with it.
 */
static void early_init(struct ctx *c, int argc, char **argv)
{
	char *name = basename(argv[0]);

	c->argv0 = name;
	c->mode = strstr(name, "pasta") ? MODE_PASTA : MODE_PASST;
	log_init(c->mode == MODE_PASTA ? "pasta" : "passt");
	conf_nofile_raise();
	isolation_initial(c, argc, argv);
	signals_init();

	c->run->epollfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->run->epollfd < 0)
		die_perror("Failed to create epoll instance");
}

/**
 * configure() - Command line and host defaults, capture file, summary
 * @c:		Execution context
 * @argc:	Argument count
 * @argv:	Arguments
 */
static void configure(struct ctx *c, int argc, char **argv)
{
	conf(c, argc, argv);
	pcap_init(c->pcap);
	if (!c->quiet)
		conf_print(c);
}

/**
 * backends_init() - The namespace (pasta), guest link and protocol sockets
 * @c:		Execution context
 */
static void backends_init(struct ctx *c)
{
	if (c->mode == MODE_PASTA)
		pasta_setup(c);
	icmp_init(c);
	frag_init();
	if (tap_backend_init(c))
		die("Failed to set up the guest-side interface");
	if (repair_init(c))
		die("Failed to set up the passt-repair socket");
	if (tcp_init(c))
		die("Failed to set up TCP");
	migrate_set_tcp(&tcp_migrate_ops);
	if (udp_init(c))
		die("Failed to set up UDP");
	if (tcp_splice_init(c))
		die("Failed to set up the loopback bypass");
	if (udp_splice_init(c))
		die("Failed to set up the UDP loopback bypass");
	if (fwd_auto_init(c))
		die("Failed to set up automatic port forwarding");
	control_init(c);
}

/**
 * sandbox() - Detach, then close the sandbox around the event loop
 * @c:		Execution context
 *
 * Everything is open at this point. pasta goes to the background first:
 * its namespace helper must be a child of the process that stays. passt
 * forks after detaching, to be the first process of a new PID namespace.
 */
static void sandbox(struct ctx *c)
{
	isolation_drop_user(c);
	if (c->mode == MODE_PASTA) {
		background(c);
		pasta_ns_helper_start(c);
		isolation_prefork(c);
	} else {
		isolation_prefork(c);
		background(c);
	}
	isolation_postfork(c);
	if (c->mode == MODE_PASTA)
		pasta_start_child(c);
	isolation_seccomp(c);
}

/**
 * event_dispatch() - Hand one epoll event to its handler
 * @c:		Execution context
 * @e:		Event, its reference telling the handler
 * @now:	Current timestamp
 */
static void event_dispatch(const struct ctx *c, const struct epoll_event *e,
			   const struct timespec *now)
{
	union epoll_ref ref = { .u64 = e->data.u64 };
	uint32_t ev = e->events;
	const struct pool *p = NULL;

	stats_events[ref.type < EPOLL_TYPE_MAX ? ref.type : 0]++;

	switch (ref.type) {
	case EPOLL_TYPE_TAP_PASTA:
		p = tap_handler_pasta(c, ev);
		break;
	case EPOLL_TYPE_TAP_PASST:
		/* One read may hold more than a pool */
		p = tap_handler_passt(c, ev);
		while (p->count) {
			guest_frames(c, p, now);
			p = tap_handler_passt(c, 0);
		}
		break;
	case EPOLL_TYPE_TAP_LISTEN:
		tap_listen_handler(c, ev);
		break;
	case EPOLL_TYPE_VHOST_CMD:
		vu_cmd_handler(c, ref, ev);
		break;
	case EPOLL_TYPE_VHOST_KICK:
		p = vu_kick_handler(c, ref, ev);
		while (p->count) {
			guest_frames(c, p, now);
			p = vu_kick_handler(c, ref, 0);
		}
		break;
	case EPOLL_TYPE_VHOST_MIGRATE:
		migrate_handler(c, ref, ev);
		break;
	case EPOLL_TYPE_REPAIR_LISTEN:
		repair_listen_handler(c, ref);
		break;
	case EPOLL_TYPE_REPAIR:
		repair_handler(c, ref);
		break;
	case EPOLL_TYPE_NSQUIT_INOTIFY:
	case EPOLL_TYPE_NSQUIT_TIMER:
		pasta_netns_quit_handler(c, ref);
		break;
	case EPOLL_TYPE_TCP:
		tcp_sock_handler(c, ref, ev, now);
		break;
	case EPOLL_TYPE_TCP_SPLICE:
		tcp_splice_sock_handler(c, ref, ev);
		break;
	case EPOLL_TYPE_UDP_SPLICE_LISTEN:
		udp_splice_listen_handler(c, ref, ev, now);
		break;
	case EPOLL_TYPE_UDP_SPLICE:
		udp_splice_sock_handler(c, ref, ev, now);
		break;
	case EPOLL_TYPE_UDP:
		udp_sock_handler(c, ref, ev, now);
		break;
	case EPOLL_TYPE_UDP_LISTEN:
		udp_listen_handler(c, ref, ev, now);
		break;
	case EPOLL_TYPE_TCP_LISTEN:
		tcp_listen_handler(c, ref, now);
		break;
	case EPOLL_TYPE_TCP_TIMER:
		tcp_timer_handler(c, now);
		break;
	case EPOLL_TYPE_PING:
		icmp_sock_handler(c, ref);
		break;
	case EPOLL_TYPE_CONTROL_LISTEN:
		control_listen_handler(c);
		break;
	case EPOLL_TYPE_CONTROL:
		control_handler(c, ref, ev);
		break;
	default:
		debug("Unexpected epoll event type %u", ref.type);
		break;
	}

	if (p && p->count)
		guest_frames(c, p, now);
	if (c->run->guest_gone)
		guest_gone(c);
}

/**
 * event_loop() - Wait for and dispatch events, run timers, until told to
 *		  quit (signal) or, in pasta mode, the spawned command ends
 * @c:		Execution context, read-only from here on
 */
static void event_loop(const struct ctx *c)
{
	struct epoll_event events[EPOLL_EVENTS];
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	while (!quit_signal && pasta_child_exit_status() < 0) {
		long timeout = fwd_auto_timeout_ms(&now);
		int n, i;

		if (timeout < 0 || timeout > TIMER_INTERVAL_MS)
			timeout = TIMER_INTERVAL_MS;
		if (tcp_delack_timeout_ms(&now) >= 0)
			timeout = MIN(timeout, tcp_delack_timeout_ms(&now));
		/* #syscalls epoll_wait|epoll_pwait */
		n = epoll_wait(c->run->epollfd, events, EPOLL_EVENTS,
			       (int)timeout);
		if (n < 0 && errno != EINTR)
			die_perror("epoll_wait");
		/* clock_gettime() through the vDSO: not a system call */
		clock_gettime(CLOCK_MONOTONIC, &now);

		for (i = 0; i < n; i++)
			event_dispatch(c, &events[i], &now);
		/* Held ACKs that no answer carried, if due */
		if (!tcp_delack_timeout_ms(&now))
			tcp_tap_flush(c, &now);

		timers(c, &now);
	}
}

/**
 * finish() - Counters, the namespace helper, and our exit status
 * @c:		Execution context
 *
 * Return: exit status: the spawned command's (pasta), 0 after a signal
 */
static int finish(const struct ctx *c)
{
	/* A spawned command shares our standard error, and scripts read
	 * what it prints there: counters only if asked for
	 */
	if (c->stats || c->debug ||
	    !(c->mode == MODE_PASTA && c->pasta_argv[0])) {
		tcp_stats();
		tcp_splice_stats();
		udp_stats();
		fwd_auto_stats();
	}
	if (c->stats_json)
		stats_print_json(c);
	log_stats();

	/* Our sockets close once the helper sharing them is gone too: wait
	 * for it, so that a pasta started right after us can bind them
	 */
	if (c->mode == MODE_PASTA)
		pasta_ns_helper_stop();

	if (!quit_signal) {
		debug("The command ended, exiting with status %i",
		      pasta_child_exit_status());
		return pasta_child_exit_status();
	}
	info("Exiting on signal %i", (int)quit_signal);
	return EXIT_SUCCESS;
}

/**
 * main() - Set up, then run the event loop until told to quit
 * @argc:	Argument count
 * @argv:	Options, plus target PID or command in pasta mode
 *
 * Return: exit status (pasta: the spawned command's exit status)
 */
int main(int argc, char **argv)
{
	struct ctx *c = &main_ctx;

	early_init(c, argc, argv);
	configure(c, argc, argv);
	backends_init(c);
	sandbox(c);

	/* Set up: the context is read-only from here on */
	event_loop(c);
	return finish(c);
}
