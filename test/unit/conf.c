// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for conf.c: what command lines leave in struct ctx. Each case
 * runs conf() in a child process (it may exit, and it keeps state in
 * getopt), checks the context there and reports through the exit status.
 * Host-derived values (addresses, routes) are covered by the integration
 * tests, which control the host side; these check the rest.
 */

#include <stdarg.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "unit.h"
#include "util.h"
#include "log.h"
#include "passt.h"
#include "conf.h"

static struct ctx_run ctx_run;
static struct ctx ctx = { .run = &ctx_run };

/* Exit status of a child that got past conf() and ran every check: one a
 * conf() that exits (0 included) can't be mistaken for
 */
#define CASE_CHECKED	42
/* conf_case() result when conf() itself exited with status 0 */
#define CONF_EXITED_0	100

/**
 * conf_case() - Run conf() on a command line in a child, then a check
 * @mode:	MODE_PASST or MODE_PASTA
 * @check:	Checks on the context, run in the child
 * @...:	Arguments, NULL-terminated
 *
 * Return: 0 if conf() returned and every check passed, CONF_EXITED_0 if
 *	   conf() exited with status 0 (so the checks never ran), otherwise
 *	   the child's exit status (1: conf() failed, or a check did), or -1
 */
static int conf_case(enum passt_mode mode, void (*check)(struct ctx *), ...)
{
	char *argv[64] = { mode == MODE_PASTA ? "pasta" : "passt" };
	int argc = 1, status;
	va_list ap;
	pid_t pid;

	va_start(ap, check);
	while (argc < (int)ARRAY_SIZE(argv) - 1 &&
	       (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		/* Keep one-line errors and warnings out of the test log */
		dup2(devnull, STDERR_FILENO);
		memset(&ctx, 0, sizeof(ctx));
		memset(&ctx_run, 0, sizeof(ctx_run));
		ctx.run = &ctx_run;
		ctx.mode = mode;
		ctx.argv0 = argv[0];
		conf(&ctx, argc, argv);
		if (check)
			check(&ctx);
		fflush(stdout);
		_exit(unit_case_failed ? 1 : CASE_CHECKED);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	if (WEXITSTATUS(status) == CASE_CHECKED)
		return 0;
	if (WEXITSTATUS(status) == 0)
		return CONF_EXITED_0;
	return WEXITSTATUS(status);
}

static void check_defaults_passt(struct ctx *c)
{
	/* the manual's default, 9a:55:9a:55:9a:55 */
	static const uint8_t mac[] = { 0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55 };

	CHECK(c->run->fd_tap == -1 && c->run->fd_tap_listen == -1);
	CHECK(c->fd_from_parent == -1 && c->run->pidfile_fd == -1);
	CHECK(c->pasta_netns_fd == -1 && c->pasta_userns_fd == -1);
	CHECK(!memcmp(c->our_tap_mac, mac, sizeof(mac)));
	CHECK(c->mtu == MTU_DEFAULT);
	CHECK(c->log_size == LOG_SIZE_DEFAULT);
	CHECK(c->run->tcp_fwd_in.mode == FWD_NONE &&
	      c->run->udp_fwd_in.mode == FWD_NONE);
	CHECK(!c->no_dhcp_dns && !c->no_dhcp_dns_search);
	CHECK(c->ipv4_enabled && c->ipv6_enabled);
	CHECK(!c->foreground && !c->one_off);
}

static void check_defaults_pasta(struct ctx *c)
{
	CHECK(c->run->tcp_fwd_in.mode == FWD_AUTO &&
	      c->run->udp_fwd_in.mode == FWD_AUTO);
	CHECK(c->run->tcp_fwd_out.mode == FWD_AUTO &&
	      c->run->udp_fwd_out.mode == FWD_AUTO);
	CHECK(c->no_dhcp_dns && c->no_dhcp_dns_search);
	CHECK(*c->pasta_ifname);
	CHECK(c->pasta_argv[0] && !c->pasta_argv[1]);	/* a shell */
}

/* Defaults of each mode */
static void conf_defaults(void)
{
	CHECK(!conf_case(MODE_PASST, check_defaults_passt, NULL));
	CHECK(!conf_case(MODE_PASTA, check_defaults_pasta, NULL));
}

static void check_udp_copy(struct ctx *c)
{
	CHECK(c->run->tcp_fwd_in.mode == FWD_SPEC &&
	      c->run->tcp_fwd_in.count == 2);
	CHECK(c->run->udp_fwd_in.mode == FWD_SPEC &&
	      c->run->udp_fwd_in.count == 2);
	CHECK(fwd_port_target(&c->run->tcp_fwd_in, 2222) == 22);
	CHECK(fwd_port_is_forwarded(&c->run->udp_fwd_in, 2222));
	CHECK(fwd_port_target(&c->run->udp_fwd_in, 2222) == 2222);
	CHECK(fwd_port_is_forwarded(&c->run->udp_fwd_in, 80));
	CHECK(!fwd_port_is_forwarded(&c->run->udp_fwd_in, 22));
}

static void check_udp_given(struct ctx *c)
{
	CHECK(fwd_port_is_forwarded(&c->run->tcp_fwd_in, 2222));
	CHECK(!fwd_port_is_forwarded(&c->run->udp_fwd_in, 2222));
	CHECK(fwd_port_is_forwarded(&c->run->udp_fwd_in, 53));
}

static void check_all_copy(struct ctx *c)
{
	CHECK(c->run->tcp_fwd_in.mode == FWD_ALL &&
	      c->run->udp_fwd_in.mode == FWD_ALL);
	CHECK(fwd_port_is_forwarded(&c->run->udp_fwd_in, 80));
}

static void check_pasta_ports(struct ctx *c)
{
	CHECK(c->run->tcp_fwd_in.mode == FWD_SPEC &&
	      c->run->udp_fwd_in.mode == FWD_SPEC);
	CHECK(fwd_port_is_forwarded(&c->run->udp_fwd_in, 8080));
	CHECK(c->run->tcp_fwd_out.mode == FWD_SPEC);
	CHECK(c->run->udp_fwd_out.mode == FWD_SPEC);
	CHECK(fwd_port_is_forwarded(&c->run->udp_fwd_out, 5353));
}

static void check_pasta_udp_none(struct ctx *c)
{
	CHECK(c->run->tcp_fwd_in.mode == FWD_SPEC &&
	      c->run->udp_fwd_in.mode == FWD_NONE);
	CHECK(c->run->tcp_fwd_out.mode == FWD_AUTO);
	CHECK(c->run->udp_fwd_out.mode == FWD_AUTO);
}

static void check_multi_t(struct ctx *c)
{
	CHECK(c->run->tcp_fwd_in.count == 2);
	CHECK(fwd_port_is_forwarded(&c->run->tcp_fwd_in, 22));
	CHECK(fwd_port_is_forwarded(&c->run->tcp_fwd_in, 443));
}

/* -t/-u/-T/-U, and UDP following TCP unless given */
static void conf_ports(void)
{
	CHECK(!conf_case(MODE_PASST, check_udp_copy, "-t", "2222:22,80",
			 NULL));
	CHECK(!conf_case(MODE_PASST, check_udp_given, "-t", "2222:22", "-u",
			 "53", NULL));
	CHECK(!conf_case(MODE_PASST, check_all_copy, "-t", "all", NULL));
	CHECK(!conf_case(MODE_PASTA, check_pasta_ports, "-t", "8080",
			 "-T", "5353", "--", "true", NULL));
	CHECK(!conf_case(MODE_PASTA, check_pasta_udp_none, "-t", "22",
			 "-u", "none", "--", "true", NULL));
	CHECK(!conf_case(MODE_PASST, check_multi_t, "-t", "22", "-t", "443",
			 NULL));
	CHECK(!conf_case(MODE_PASST, check_multi_t, "--tcp-ports=22",
			 "--tcp-ports", "443", NULL));
	CHECK(conf_case(MODE_PASST, NULL, "-t", "22:23", "-t", "22:24",
			NULL) == 1);
	CHECK(conf_case(MODE_PASST, NULL, "-T", "22", NULL) == 1);

	/* A mode (none, auto, all) doesn't mix with anything else */
	CHECK(conf_case(MODE_PASST, NULL, "-t", "8080-8080:80-80", "-t",
			"none", NULL) == 1);
	CHECK(conf_case(MODE_PASST, NULL, "-u", "none", "-u", "53",
			NULL) == 1);
	CHECK(conf_case(MODE_PASST, NULL, "-t", "all", "-t", "none",
			NULL) == 1);
	CHECK(conf_case(MODE_PASTA, NULL, "-T", "auto", "-T", "none", "--",
			"true", NULL) == 1);
	CHECK(conf_case(MODE_PASTA, NULL, "-U", "53", "--udp-ns", "auto",
			"--", "true", NULL) == 1);
	CHECK(conf_case(MODE_PASTA, NULL, "-t", "none", "-t", "none", "--",
			"true", NULL) == 1);
	/* ...while one per option is fine */
	CHECK(!conf_case(MODE_PASTA, NULL, "-t", "none", "-u", "auto", "-T",
			 "none", "-U", "53", "--", "true", NULL));
}

static void check_values(struct ctx *c)
{
	CHECK(c->mtu == 1500);
	CHECK(c->log_size == 8192);
	CHECK(c->stats_delay == 5);
	CHECK(c->foreground && c->debug && !c->quiet);
	CHECK(c->ip4.addr_given && c->ip4.addr.s_addr == htonl(0x0a000005));
	CHECK(c->ip4.no_copy_addrs && !c->ip6.no_copy_addrs);
	CHECK(c->ip4.prefix_len == 12);
	CHECK(c->ip4.gw_given && c->ip4.guest_gw.s_addr == htonl(0x0a000001));
	CHECK(c->ip4.no_copy_routes);
	CHECK(c->ip4.addr_out.s_addr == htonl(0xc0000263));
	CHECK(!strcmp(c->ip4.ifname_out, "lo"));
	CHECK(c->ip4.dns_match.s_addr == htonl(0x0a000003));
	CHECK(c->ip4.dns_host.s_addr == htonl(0x7f000035));
	CHECK(c->ip4.map_guest_addr.s_addr == htonl(0x0a000063));
	CHECK(c->ip4.map_host_loopback.s_addr == htonl(0x0a000002));
	CHECK(c->ip4.dns[0].s_addr == htonl(0x7f000001));
	CHECK(!c->ip4.dns[1].s_addr);
	CHECK(!strcmp(c->dns_search[0], "a.example"));
	CHECK(!strcmp(c->dns_search[1], "none"));
	CHECK(!*c->dns_search[2]);
	CHECK(!strcmp(c->hostname, "guest") && !strcmp(c->fqdn, "g.example"));
	CHECK(c->our_tap_mac[0] == 0x02 && c->our_tap_mac[5] == 0x05);
	CHECK(c->no_icmp && c->no_ndp && c->no_udp && c->freebind);
	CHECK(!c->ipv6_enabled && c->ipv4_enabled);
	CHECK(c->run->pidfile_fd >= 0 && !strcmp(c->pidfile, "/dev/null"));
	CHECK(!strcmp(c->pcap, "/tmp/capture.pcap"));
	CHECK(c->run->udp_fwd_in.mode == FWD_NONE);
}

/* Values of options end up where they belong */
static void conf_values(void)
{
	CHECK(!conf_case(MODE_PASST, check_values, "-m", "1500",
			 "--log-size", "8192", "--stats", "5", "-f", "-q", "-d",
			 "-a", "10.0.0.5", "-n", "255.240.0.0",
			 "-g", "10.0.0.1",
			 "-o", "192.0.2.99", "--outbound-if4", "lo",
			 "--dns-forward", "10.0.0.3",
			 "--dns-host", "127.0.0.53",
			 "--map-guest-addr", "10.0.0.99",
			 "--map-host-loopback", "10.0.0.2", "-D", "127.0.0.1",
			 "-S", "a.example none.", "-H", "guest",
			 "--fqdn", "g.example", "-M", "02:00:00:00:00:05",
			 "--no-icmp", "--no-udp", "--freebind", "-4",
			 "-P", "/dev/null", "-p", "/tmp/capture.pcap", NULL));
}

static void check_mtu_zero(struct ctx *c)
{
	CHECK(c->mtu == 0 && c->ipv6_enabled);
}

static void check_small_mtu(struct ctx *c)
{
	CHECK(c->mtu == 1279 && !c->ipv6_enabled && c->ipv4_enabled);
}

static void check_last_wins(struct ctx *c)
{
	CHECK(c->mtu == 9000);
	CHECK(c->ip4.addr.s_addr == htonl(0x0a000002));
	CHECK(c->quiet && !c->debug);
}

/* -m 0, small MTUs, and the last of repeated options */
static void conf_mtu_and_repeats(void)
{
	CHECK(!conf_case(MODE_PASST, check_mtu_zero, "-m", "0", NULL));
	CHECK(!conf_case(MODE_PASST, check_small_mtu, "-m", "1279", NULL));
	CHECK(conf_case(MODE_PASST, NULL, "-6", "-m", "1279", NULL) == 1);
	CHECK(conf_case(MODE_PASST, NULL, "-m", "67", NULL) == 1);
	CHECK(conf_case(MODE_PASST, NULL, "-m", "65521", NULL) == 1);
	CHECK(!conf_case(MODE_PASST, check_last_wins, "-m", "1500", "-m",
			 "9000", "-a", "10.0.0.1", "-a", "10.0.0.2", "-d", "-q",
			 NULL));
}

static void check_dns_none(struct ctx *c)
{
	CHECK(c->no_dns && !c->ip4.dns[0].s_addr);
	CHECK(IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[0]));
	CHECK(c->no_dns_search && !*c->dns_search[0]);
}

static void check_dns_list(struct ctx *c)
{
	CHECK(c->ip4.dns[0].s_addr == htonl(0xc6336401));
	CHECK(c->ip4.dns[1].s_addr == htonl(0xc6336402));
	CHECK(!c->ip4.dns[2].s_addr);
	CHECK(c->ip6.dns[0].s6_addr[15] == 0x35);
	CHECK(IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[1]));
}

static void check_dhcp_dns(struct ctx *c)
{
	CHECK(!c->no_dhcp_dns && !c->no_dhcp_dns_search);
}

static void check_no_dhcp_dns(struct ctx *c)
{
	CHECK(c->no_dhcp_dns && c->no_dhcp_dns_search);
}

/* -D, -S, and who gets DNS via DHCP/NDP/DHCPv6 by default */
static void conf_dns(void)
{
	CHECK(!conf_case(MODE_PASST, check_dns_none, "-D", "none", "-S",
			 "none", NULL));
	CHECK(!conf_case(MODE_PASST, check_dns_list, "-D", "198.51.100.1",
			 "-D", "2001:db8::35", "-D", "198.51.100.2", "-D",
			 "198.51.100.1", NULL));
	CHECK(!conf_case(MODE_PASTA, check_dhcp_dns, "--dhcp-dns",
			 "--dhcp-search", "--", "true", NULL));
	CHECK(!conf_case(MODE_PASST, check_no_dhcp_dns, "--no-dhcp-dns",
			 "--no-dhcp-search", NULL));
}

static void check_pid(struct ctx *c)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%i/ns/net", (int)getppid());
	CHECK(c->pasta_pid == getppid());
	CHECK(!strcmp(c->netns_path, path));
	snprintf(path, sizeof(path), "/proc/%i/ns/user", (int)getppid());
	CHECK(!strcmp(c->userns_path, path));
	CHECK(!c->pasta_argv[0]);
}

static void check_pid_netns_only(struct ctx *c)
{
	CHECK(c->pasta_pid == getppid() && !*c->userns_path);
}

static void check_netns_path(struct ctx *c)
{
	CHECK(!strcmp(c->netns_path, "/proc/self/ns/net"));
	CHECK(!strcmp(c->netns_dir, "/proc/self/ns"));
	CHECK(!strcmp(c->netns_base, "net"));
	CHECK(c->netns_only && !c->pasta_pid && !c->pasta_argv[0]);
}

static void check_command(struct ctx *c)
{
	CHECK(!strcmp(c->pasta_argv[0], "sh"));
	CHECK(!strcmp(c->pasta_argv[1], "-c"));
	CHECK(!strcmp(c->pasta_argv[2], "exit 3"));
	CHECK(!c->pasta_argv[3]);
	CHECK(c->config_net && !strcmp(c->pasta_ifname, "ns0"));
}

static void check_numeric_command(struct ctx *c)
{
	CHECK(!c->pasta_pid && !strcmp(c->pasta_argv[0], "123"));
}

/* pasta: PID, --netns and commands */
static void conf_pasta_target(void)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%i", (int)getpid());
	CHECK(!conf_case(MODE_PASTA, check_pid, pid, NULL));
	CHECK(!conf_case(MODE_PASTA, check_pid_netns_only, "--netns-only",
			 pid, NULL));
	CHECK(!conf_case(MODE_PASTA, check_netns_path, "--netns",
			 "/proc/self/ns/net", NULL));
	CHECK(!conf_case(MODE_PASTA, check_command, "--config-net", "-I",
			 "ns0", "sh", "-c", "exit 3", NULL));
	CHECK(!conf_case(MODE_PASTA, check_numeric_command, "--", "123",
			 NULL));
	CHECK(conf_case(MODE_PASTA, NULL, "--netns", "/proc/self/ns/net",
			pid, NULL) == 1);
}

static void check_vhost_user(struct ctx *c)
{
	CHECK(c->vhost_user);
	CHECK(!strcmp(c->sock_path, "/tmp/vu.sock"));
	CHECK(!strcmp(c->repair_path, "/tmp/vu.sock.repair"));
}

static void check_repair_path(struct ctx *c)
{
	CHECK(c->vhost_user && !strcmp(c->repair_path, "/tmp/r"));
}

static void check_repair_none(struct ctx *c)
{
	CHECK(c->vhost_user && !*c->repair_path);
}

static int sv[2];

static void check_migrate(struct ctx *c)
{
	CHECK(c->migrate_exit && c->migrate_no_linger);
}

static void check_fd(struct ctx *c)
{
	CHECK(c->fd_from_parent == sv[0] && c->one_off);
}

/* passt-only options */
static void conf_passt_only(void)
{
	char fd[16];

	CHECK(!conf_case(MODE_PASST, check_vhost_user, "--vhost-user",
			 "--socket", "/tmp/vu.sock", NULL));
	/* What happens to the source after a migration */
	CHECK(!conf_case(MODE_PASST, check_migrate, "--vhost-user", "--socket",
			 "/tmp/vu.sock", "--migrate-exit", "--migrate-no-linger",
			 NULL));
	CHECK(conf_case(MODE_PASTA, NULL, "--migrate-exit", NULL) == 1);
	CHECK(!conf_case(MODE_PASST, check_repair_path, "--vhost-user",
			 "--socket", "/tmp/vu.sock", "--repair-path", "/tmp/r",
			 NULL));
	CHECK(!conf_case(MODE_PASST, check_repair_none, "--vhost-user",
			 "-s", "/tmp/vu.sock", "--repair-path", "none", NULL));

	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	snprintf(fd, sizeof(fd), "%i", sv[0]);
	CHECK(!conf_case(MODE_PASST, check_fd, "-F", fd, NULL));
	close(sv[0]);
	close(sv[1]);
	CHECK(conf_case(MODE_PASST, NULL, "-F", fd, NULL) == 1);

	/* exit(0) after printing */
	CHECK(conf_case(MODE_PASST, NULL, "--print-capabilities", NULL) ==
	      CONF_EXITED_0);
}

static bool a6_is(const struct in6_addr *a, const char *s)
{
	struct in6_addr b;

	return inet_pton(AF_INET6, s, &b) == 1 && IN6_ARE_ADDR_EQUAL(a, &b);
}

static void check_local_mode(struct ctx *c)
{
	/* Local mode is the host's choice: the addresses go with it */
	CHECK(c->ip4.local_mode == !c->ifi4);
	CHECK(c->ip6.local_mode == !c->ifi6);
	if (c->ip4.local_mode) {
		CHECK(c->ip4.addr.s_addr == htonl(0xa9fe0201));
		CHECK(c->ip4.prefix_len == 16);
		CHECK(c->ip4.guest_gw.s_addr == htonl(0xa9fe0202));
	}
	if (c->ip6.local_mode)
		CHECK(a6_is(&c->ip6.guest_gw, "fe80::1"));
	CHECK(IN6_IS_ADDR_LINKLOCAL(&c->ip6.our_tap_ll));
}

static void check_ll_gw(struct ctx *c)
{
	CHECK(a6_is(&c->ip6.guest_gw, "fe80::99"));
	CHECK(a6_is(&c->ip6.our_tap_ll, "fe80::99"));
}

/* Local mode, and our link-local address: a link-local gateway's first */
static void conf_local_mode(void)
{
	CHECK(!conf_case(MODE_PASST, check_local_mode, NULL));
	CHECK(!conf_case(MODE_PASST, check_ll_gw, "-g", "fe80::99", NULL));
}

int main(void)
{
	RUN(conf_defaults);
	RUN(conf_ports);
	RUN(conf_values);
	RUN(conf_mtu_and_repeats);
	RUN(conf_dns);
	RUN(conf_pasta_target);
	RUN(conf_passt_only);
	RUN(conf_local_mode);
	UNIT_EXIT();
}
