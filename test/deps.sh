#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Test dependencies, as Debian packages. Run as root, installs the missing
# ones with apt-get; otherwise names what is missing and fails, so that a
# test run never silently skips for lack of a tool.
# Usage: test/deps.sh [--list]  (--list: print the package names and exit)

# Why each is needed:
#   udhcpc, isc-dhcp-client	DHCP clients against our DHCP server
#   ndisc6			rdisc6: router advertisements, NDP
#   socat			TCP/UDP peers and UNIX socket plumbing
#   iperf3			throughput tests and benchmarks
#   tcpdump			reading back pcap captures
#   iproute2, iputils-ping	namespace set-up, ping through ping sockets
#   procps			ps/pgrep for the process tests
#   util-linux			unshare and nsenter for the sandbox
#   uidmap			newuidmap/newgidmap: unshare --map-users, for
#				sandboxes with users other than root
#   busybox-static		the initramfs of the qemu guest
#   cpio, xz-utils, zstd	packing it, unpacking compressed kernel modules
#   qemu-system-x86		the qemu guest (socket, vhost-user back ends)
#   linux-image-amd64		guest kernel and its virtio modules
#   passt			the reference implementation, for benchmarks
#   sockperf			request/response latency benchmarks (make bench)
#   slirp4netns		second reference for the tap benchmarks
#   clang-tidy, cppcheck	make lint
#   groff-base, man-db	checking the manual pages render
DEPS=(
	udhcpc isc-dhcp-client ndisc6 socat iperf3 tcpdump
	iproute2 iputils-ping procps util-linux uidmap
	busybox-static cpio xz-utils zstd qemu-system-x86 linux-image-amd64
	passt clang-tidy cppcheck groff-base man-db sockperf slirp4netns
)

if [ "${1:-}" = "--list" ]; then
	printf '%s\n' "${DEPS[@]}"
	exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps: not a Debian system, can't check test dependencies:" \
	     "${DEPS[*]}" >&2
	exit 0
fi

missing=()
for p in "${DEPS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	     grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing test dependencies: ${missing[*]}" >&2
	echo "deps: install them as root: apt-get install ${missing[*]}" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q </dev/null >&2 || exit 1
apt-get install -q -y --no-install-recommends "${missing[@]}" \
	</dev/null >&2 || exit 1
