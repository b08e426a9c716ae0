/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The execution context, at the bottom of the program's layers: struct ctx
 * holds every setting from the command line and the host, written by
 * conf() and the set-up steps in main() and read-only afterwards; struct
 * ctx_run, which it points to, holds the little run-time state modules
 * share (descriptors of the guest link, what the guest was seen using).
 * Protocol handlers keep their own state private to their files.
 */
#ifndef CTX_H
#define CTX_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <net/if.h>
#include <resolv.h>

#include "fwd_rule.h"
#include "util.h"

#ifndef ETH_MAX_MTU
#define ETH_MAX_MTU		65535
#endif
/* Largest 802.3 MTU minus the Ethernet header, rounded down to 4 bytes */
#define MTU_DEFAULT		65520
#define MTU_MIN_IPV4		68
#define MTU_MIN_IPV6		1280

/* Nameservers given to the guest, per IP version */
#define DNS_MAX			MAXNS
/* Entries of the DNS search list */
#define DNS_SEARCH_MAX		MAXDNSRCH
#define DNS_NAME_MAX		253
#define HOSTNAME_MAX		64
#define FQDN_MAX		253
#define SOCK_PATH_MAX		sizeof(((struct sockaddr_un *)0)->sun_path)
#define PASTA_ARGS_MAX		256

enum passt_mode {
	MODE_PASST,
	MODE_PASTA,
};

/**
 * struct ip4_ctx - IPv4 configuration
 * @addr:		Address assigned to the guest
 * @prefix_len:		Prefix length of @addr
 * @guest_gw:		Default gateway given to the guest
 * @map_host_loopback:	Guest-side address that maps to host loopback
 * @map_guest_addr:	Guest-side address that maps to the host's @addr
 * @dns:		Nameservers given to the guest (zero-terminated)
 * @dns_match:		--dns-forward: guest-side address mapped to @dns_host
 * @dns_host:		--dns-host: host nameserver for @dns_match traffic
 * @dns_host_lo:	Host resolver on loopback that DNS queries to
 *			@map_host_loopback reach (0: none, see conf_dns_setup())
 * @addr_out:		-o: source address for outbound sockets (0: any)
 * @ifname_out:		--outbound-if4: interface bound by outbound sockets
 * @no_copy_routes:	--config-net copies only the default route
 * @no_copy_addrs:	--config-net sets only @addr
 * @addr_given:		-a given for IPv4
 * @gw_given:		-g given for IPv4
 * @local_mode:		No usable host interface: conf() assigned link-local
 *			@addr (unless -a), @prefix_len and @guest_gw (unless -g)
 */
struct ip4_ctx {
	struct in_addr addr;
	int prefix_len;
	struct in_addr guest_gw;
	struct in_addr map_host_loopback;
	struct in_addr map_guest_addr;
	struct in_addr dns[DNS_MAX + 1];
	struct in_addr dns_match;
	struct in_addr dns_host;
	struct in_addr dns_host_lo;
	struct in_addr addr_out;
	char ifname_out[IFNAMSIZ];
	bool no_copy_routes;
	bool no_copy_addrs;
	bool addr_given;
	bool gw_given;
	bool local_mode;
};

/**
 * struct ip6_ctx - IPv6 configuration
 * @addr:		Global address assigned to the guest
 * @prefix_len:		Prefix length of @addr
 * @our_tap_ll:		Our link-local address on the guest link, source of
 *			NDP and DHCPv6 messages (set by conf() with IPv6)
 * @guest_gw:		Default gateway (router) given to the guest
 * @map_host_loopback:	Guest-side address that maps to host loopback
 * @map_guest_addr:	Guest-side address that maps to the host's @addr
 * @dns:		Nameservers given to the guest (unspecified-terminated)
 * @dns_match:		--dns-forward: guest-side address mapped to @dns_host
 * @dns_host:		--dns-host: host nameserver for @dns_match traffic
 * @dns_host_lo:	Host resolver on loopback that DNS queries to
 *			@map_host_loopback reach (:: for none)
 * @addr_out:		-o: source address for outbound sockets (:: for any)
 * @ifname_out:		--outbound-if6: interface bound by outbound sockets
 * @no_copy_routes:	--config-net copies only the default route
 * @no_copy_addrs:	--config-net sets only @addr
 * @addr_given:		-a given for IPv6
 * @gw_given:		-g given for IPv6
 * @local_mode:		No usable host interface: conf() assigned a
 *			link-local @guest_gw (unless -g)
 */
struct ip6_ctx {
	struct in6_addr addr;
	int prefix_len;
	struct in6_addr our_tap_ll;
	struct in6_addr guest_gw;
	struct in6_addr map_host_loopback;
	struct in6_addr map_guest_addr;
	struct in6_addr dns[DNS_MAX + 1];
	struct in6_addr dns_match;
	struct in6_addr dns_host;
	struct in6_addr dns_host_lo;
	struct in6_addr addr_out;
	char ifname_out[IFNAMSIZ];
	bool no_copy_routes;
	bool no_copy_addrs;
	bool addr_given;
	bool gw_given;
	bool local_mode;
};

/**
 * struct ctx_run - Run-time state that more than one module reads
 * @epollfd:		epoll instance of the main loop
 * @fd_tap:		Guest-side fd: tap device or connected qemu socket,
 *			-1 while no guest is attached
 * @fd_tap_listen:	Listening UNIX socket (passt), -1 if none
 * @pidfile_fd:		Open PID file, written after initialisation
 * @fd_control:		Listening --control socket, -1 if none
 * @start:		When the event loop started, for the uptime
 * @guest_gone:		The guest disconnected: its flows are to be closed
 * @guest_mac:		Last MAC address seen from the guest
 * @addr4_seen:		Last IPv4 source address observed from the guest
 * @addr6_seen:		Last global IPv6 source address observed
 * @addr6_ll_seen:	Last link-local IPv6 source address observed
 * @tcp_fwd_in:		-t: host to guest TCP forwarding
 * @udp_fwd_in:		-u: host to guest UDP forwarding
 * @tcp_fwd_out:	-T: namespace to host TCP forwarding (pasta)
 * @udp_fwd_out:	-U: namespace to host UDP forwarding (pasta)
 *
 * The forwarding tables are filled by conf() and change at run time through
 * the control socket (--control).
 */
struct ctx_run {
	int epollfd;
	int fd_tap;
	int fd_tap_listen;
	int pidfile_fd;
	int fd_control;
	struct timespec start;
	bool guest_gone;
	uint8_t guest_mac[MAC_ADDR_LEN];
	struct in_addr addr4_seen;
	struct in6_addr addr6_seen;
	struct in6_addr addr6_ll_seen;
	struct fwd_ports tcp_fwd_in;
	struct fwd_ports udp_fwd_in;
	struct fwd_ports tcp_fwd_out;
	struct fwd_ports udp_fwd_out;
};

/**
 * struct ctx - Execution context
 * @mode:		MODE_PASST or MODE_PASTA, from argv[0]
 * @argv0:		Program name as invoked (basename)
 * @run:		Run-time state, writable through a const context
 * @sock_path:		UNIX socket path (passt), or vhost-user socket
 * @fd_from_parent:	-F: pre-opened connected socket, -1 if none
 * @one_off:		-1: exit when the first guest disconnects
 * @udp_timeout_sec:	Idle time after which UDP flows end, seconds
 * @vhost_user:		--vhost-user back end
 * @print_capabilities:	--print-capabilities given
 * @repair_path:	--repair-path, empty if none
 * @migrate_exit:	--migrate-exit (deprecated)
 * @migrate_no_linger:	--migrate-no-linger (deprecated)
 * @pcap:		-p: capture file path, empty for none
 * @pidfile:		-P: PID file path, empty for none
 * @log_path:		-l: log file path, empty for none
 * @log_size:		--log-size limit in bytes
 * @foreground:		-f: don't daemonise
 * @quiet:		-q: no informational messages
 * @debug:		-d: debug messages
 * @trace:		--trace: per-packet messages
 * @stats:		--stats given: counters printed at exit too
 * @stats_delay:	--stats: seconds between statistics, 0 for none
 * @stats_json:		--stats-json: statistics as JSON objects
 * @control_path:	--control: control socket path, empty for none
 * @uid:		User to run as (--runas, or default when root)
 * @gid:		Group to run as
 * @our_tap_mac:	-M: MAC address we use towards the guest
 * @ns_mac:		--ns-mac-addr for the namespace tap, if @ns_mac_set
 * @ns_mac_set:		--ns-mac-addr given
 * @mtu:		-m: MTU advertised to the guest (0: not advertised)
 * @hostname:		-H: DHCP option 12
 * @fqdn:		--fqdn: DHCP option 81 / DHCPv6 option 39
 * @ifi4:		Host interface addresses/routes for IPv4 come from
 *			(0: none, local mode or disabled)
 * @ifi6:		Same, for IPv6
 * @ifname_given:	-i: host interface name given
 * @ip4:		IPv4 configuration
 * @ip6:		IPv6 configuration
 * @ipv4_enabled:	IPv4 operation on (not -6, host has IPv4 or -a)
 * @ipv6_enabled:	IPv6 operation on (not -4, host has IPv6 or -a)
 * @dns_search:		DNS search list for the guest, empty-terminated
 * @no_dns:		-D none
 * @no_dns_search:	-S none
 * @no_dhcp_dns:	Don't give DNS servers via DHCP/NDP/DHCPv6
 * @no_dhcp_dns_search:	Don't give the search list via DHCP/NDP/DHCPv6
 * @no_tcp:		--no-tcp
 * @no_udp:		--no-udp
 * @no_icmp:		--no-icmp
 * @no_dhcp:		--no-dhcp (or implied)
 * @no_ndp:		--no-ndp (or implied by --no-icmp)
 * @no_dhcpv6:		--no-dhcpv6
 * @no_ra:		--no-ra
 * @no_map_gw:		--no-map-gw (or implied)
 * @freebind:		--freebind
 * @pasta_ifname:	-I: tap interface name in the namespace
 * @pasta_ifi:		Index of the tap interface in the namespace
 * @pasta_netns_fd:	Target network namespace, -1 before joining
 * @pasta_userns_fd:	Target user namespace, -1 if none
 * @netns_path:		--netns, or /proc/PID/ns/net for a PID
 * @userns_path:	--userns
 * @netns_dir:		Directory watched for the netns reference to go
 * @netns_base:		File name of the reference in @netns_dir
 * @pasta_pid:		PID given on the command line, 0 if none
 * @pasta_argv:		Command to spawn in a new namespace (NULL-ended)
 * @netns_only:		--netns-only
 * @no_netns_quit:	--no-netns-quit
 * @config_net:		--config-net
 * @no_splice:		--no-splice
 * @host_lo_to_ns_lo:	--host-lo-to-ns-lo
 * @tap_vnet_hdr:	pasta's tap device carries a virtio-net header before
 *			each frame (IFF_VNET_HDR), set where it was created
 */
struct ctx {
	enum passt_mode mode;
	const char *argv0;
	struct ctx_run *run;

	char sock_path[SOCK_PATH_MAX];
	int fd_from_parent;
	bool one_off;
	bool vhost_user;
	bool print_capabilities;
	char repair_path[SOCK_PATH_MAX];
	bool migrate_exit;
	bool migrate_no_linger;

	char pcap[PATH_MAX];
	char pidfile[PATH_MAX];
	char log_path[PATH_MAX];
	size_t log_size;
	bool foreground;
	bool quiet;
	bool debug;
	bool trace;
	bool stats;
	int stats_delay;
	bool stats_json;
	char control_path[SOCK_PATH_MAX];
	uid_t uid;
	gid_t gid;

	uint8_t our_tap_mac[MAC_ADDR_LEN];
	uint8_t ns_mac[MAC_ADDR_LEN];
	bool ns_mac_set;
	int mtu;
	char hostname[HOSTNAME_MAX + 1];
	char fqdn[FQDN_MAX + 1];

	unsigned int ifi4;
	unsigned int ifi6;
	bool ifname_given;
	struct ip4_ctx ip4;
	struct ip6_ctx ip6;
	bool ipv4_enabled;
	bool ipv6_enabled;

	char dns_search[DNS_SEARCH_MAX + 1][DNS_NAME_MAX + 1];
	bool no_dns;
	bool no_dns_search;
	bool no_dhcp_dns;
	bool no_dhcp_dns_search;

	bool no_tcp;
	bool no_udp;
	time_t udp_timeout_sec;
	bool no_icmp;
	bool no_dhcp;
	bool no_ndp;
	bool no_dhcpv6;
	bool no_ra;
	bool no_map_gw;
	bool freebind;

	char pasta_ifname[IFNAMSIZ];
	unsigned int pasta_ifi;
	int pasta_netns_fd;
	int pasta_userns_fd;
	char netns_path[PATH_MAX];
	char userns_path[PATH_MAX];
	char netns_dir[PATH_MAX];
	char netns_base[NAME_MAX + 1];
	pid_t pasta_pid;
	char *pasta_argv[PASTA_ARGS_MAX + 1];
	bool netns_only;
	bool no_netns_quit;
	bool config_net;
	bool no_splice;
	bool host_lo_to_ns_lo;
	bool tap_vnet_hdr;
};

#endif /* CTX_H */
