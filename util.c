// SPDX-License-Identifier: GPL-2.0-or-later
/* util.c - Small helpers used by every layer: number and MAC address
 * parsing for the command line, whole writes, small file reads, socket
 * sends and receives, and random bytes.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/random.h>

#include "util.h"

/**
 * sock_send() - send(2) through sendmsg(2), one system call fewer to allow
 * @s:		Socket
 * @buf:	Data
 * @len:	Length of @buf
 * @flags:	Flags for sendmsg()
 *
 * Return: what sendmsg() returns
 */
ssize_t sock_send(int s, const void *buf, size_t len, int flags)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	/* #syscalls sendmsg */
	return sendmsg(s, &mh, flags);
}

/**
 * sock_recv() - recv(2) through recvmsg(2), one system call fewer to allow
 * @s:		Socket
 * @buf:	Buffer, may be NULL with MSG_TRUNC (TCP: discard @len bytes)
 * @len:	Length of @buf
 * @flags:	Flags for recvmsg()
 *
 * Return: what recvmsg() returns
 */
ssize_t sock_recv(int s, void *buf, size_t len, int flags)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	/* #syscalls recvmsg */
	return recvmsg(s, &mh, flags);
}

/**
 * write_all() - Write a whole buffer, retrying on short writes
 * @fd:		File descriptor
 * @buf:	Data
 * @len:	Length of @buf
 *
 * Return: 0 on success, -1 on error with errno set
 */
int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/**
 * read_file_str() - Read a small file into a NUL-terminated buffer
 * @path:	File path
 * @buf:	Buffer
 * @size:	Size of @buf, including room for the terminator
 *
 * Return: bytes read, or -1 on error with errno set
 */
int read_file_str(const char *path, char *buf, size_t size)
{
	size_t total = 0;
	int fd;

	if (!size)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (total < size - 1) {
		ssize_t n = read(fd, buf + total, size - 1 - total);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		if (!n)
			break;
		total += n;
	}
	buf[total] = '\0';
	close(fd);
	return (int)total;
}

/**
 * write_pidfile() - Write a PID to an already open file
 * @fd:		Open file, closed on return
 * @pid:	PID to write
 *
 * Return: 0 on success, -1 on error
 */
int write_pidfile(int fd, pid_t pid)
{
	char buf[32];
	int n, ret;

	n = snprintf(buf, sizeof(buf), "%i\n", (int)pid);
	ret = write_all(fd, buf, n);
	close(fd);
	return ret;
}

/**
 * parse_long() - Parse a whole string as a decimal integer in a range
 * @s:		String
 * @min:	Smallest accepted value
 * @max:	Largest accepted value
 * @err:	Set to non-zero on failure (not touched on success)
 *
 * Return: parsed value, or 0 with *@err set
 */
long parse_long(const char *s, long min, long max, int *err)
{
	char *end;
	long v;

	if (!s || !*s || *s == ' ' || *s == '+') {
		*err = 1;
		return 0;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max) {
		*err = 1;
		return 0;
	}
	return v;
}

/**
 * parse_mac() - Parse a MAC address written as six colon-separated bytes
 * @s:		String, e.g. 9a:55:9a:55:9a:55
 * @mac:	Parsed address
 *
 * Return: 0 on success, -1 if @s is not a MAC address
 */
int parse_mac(const char *s, uint8_t mac[MAC_ADDR_LEN])
{
	unsigned int b[MAC_ADDR_LEN];
	char tail;
	int i;

	if (strlen(s) != MAC_STRLEN - 1)
		return -1;
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
		   &b[3], &b[4], &b[5], &tail) != MAC_ADDR_LEN)
		return -1;
	for (i = 0; i < MAC_ADDR_LEN; i++)
		mac[i] = b[i];
	return 0;
}

/**
 * mac_ntop() - Print a MAC address
 * @mac:	Address
 * @buf:	Output buffer
 * @size:	Size of @buf, at least MAC_STRLEN
 *
 * Return: @buf
 */
const char *mac_ntop(const uint8_t mac[MAC_ADDR_LEN], char *buf, size_t size)
{
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

/**
 * raw_random() - Fill a buffer with random bytes from the kernel
 * @buf:	Buffer
 * @len:	Length of @buf
 *
 * Aborts the program if no randomness can be had: keys derived from it
 * protect sequence numbers and hash tables.
 */
void raw_random(void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom((char *)buf + done, len - done, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			abort();
		}
		done += n;
	}
}
