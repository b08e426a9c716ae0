// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c - Logging to stderr (while in the foreground, or before detaching),
 * to the system logger (after detaching), or to a file of bounded size: when
 * the file would grow past its limit, the oldest lines at its beginning are
 * dropped to make room, so the newest messages are always kept.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "log.h"
#include "util.h"

int log_level = LOG_INFO;
bool log_trace;

static const char *log_ident = "passt";
static bool log_stderr = true;
static bool log_syslog;
static int log_fd = -1;
static size_t log_size;		/* limit of the log file, bytes */
static size_t log_written;	/* current size of the log file, bytes */
static struct timespec log_start;

/* Room made in one go when the file is full, so rotation stays rare */
#define LOG_ROTATE_FRACTION	8
#define LOG_COPY_CHUNK		4096

/**
 * log_init() - Set the identity used for syslog and file lines
 * @ident:	Program name as invoked (passt or pasta)
 */
void log_init(const char *ident)
{
	log_ident = ident;
	clock_gettime(CLOCK_MONOTONIC, &log_start);
}

/**
 * log_set_stderr() - Enable or disable printing to standard error
 * @on:		New setting
 */
void log_set_stderr(bool on)
{
	log_stderr = on;
}

/**
 * log_set_syslog() - Enable or disable the system logger
 * @on:		New setting
 */
void log_set_syslog(bool on)
{
	if (on && !log_syslog)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_syslog = on;
}

/**
 * log_to_stderr() - Tell if messages currently go to standard error
 *
 * Return: true if they do
 */
bool log_to_stderr(void)
{
	return log_stderr;
}

/**
 * log_file_open() - Open (truncate) a log file with a size limit
 * @path:	Path of the log file
 * @size:	Limit in bytes
 *
 * Return: 0 on success, -1 on failure with errno set
 */
int log_file_open(const char *path, size_t size)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	if (log_fd >= 0)
		close(log_fd);
	log_fd = fd;
	log_size = size;
	log_written = 0;
	return 0;
}

/**
 * log_file_close() - Close the log file, if any
 */
void log_file_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
}

/**
 * log_file_rotate() - Drop the oldest lines of the log file to make room
 * @need:	Bytes that must fit after rotation
 *
 * Moves the retained tail of the file to its start in fixed-size chunks, so
 * no buffer as large as the file is needed, then truncates it.
 *
 * Return: 0 on success, -1 on failure
 */
static int log_file_rotate(size_t need)
{
	size_t drop = MAX(log_size / LOG_ROTATE_FRACTION, need);
	char buf[LOG_COPY_CHUNK];
	off_t rd, wr = 0;
	ssize_t n;

	if (drop >= log_written) {
		log_written = 0;
		return ftruncate(log_fd, 0);
	}

	/* Advance to the start of the next full line: search from the byte
	 * before @drop, so that a line starting right at @drop is kept
	 */
	rd = drop - 1;
	for (;;) {
		char *nl;

		n = pread(log_fd, buf, sizeof(buf), rd);
		if (n <= 0)
			break;
		nl = memchr(buf, '\n', n);
		if (nl) {
			rd += nl - buf + 1;
			break;
		}
		rd += n;
	}

	while ((n = pread(log_fd, buf, sizeof(buf), rd)) > 0) {
		if (pwrite(log_fd, buf, n, wr) != n)
			return -1;
		rd += n;
		wr += n;
	}
	if (ftruncate(log_fd, wr))
		return -1;
	log_written = wr;
	return 0;
}

/**
 * log_file_write() - Append one line to the log file, within its limit
 * @line:	Line, including the trailing newline
 * @len:	Length of @line
 */
static void log_file_write(const char *line, size_t len)
{
	if (len > log_size)
		return;
	if (log_written + len > log_size && log_file_rotate(len))
		return;
	/* #syscalls pwrite64 pread64 ftruncate */
	if (pwrite(log_fd, line, len, log_written) == (ssize_t)len)
		log_written += len;
}

/**
 * vlogmsg() - Format and emit one message to every enabled destination
 * @pri:	syslog priority
 * @errnum:	errno value to append, 0 for none
 * @fmt:	Format string
 * @ap:		Arguments
 */
static void vlogmsg(int pri, int errnum, const char *fmt, va_list ap)
{
	char msg[LOG_LINE_MAX], line[LOG_LINE_MAX + 64];
	struct timespec now;
	int n;

	if (pri > log_level)
		return;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	if (errnum && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(errnum));

	clock_gettime(CLOCK_MONOTONIC, &now);

	if (log_fd >= 0) {
		long long ms = timespec_diff_ms(&now, &log_start);

		n = snprintf(line, sizeof(line), "%lld.%03lld: %s\n",
			     ms / 1000, ms % 1000, msg);
		log_file_write(line, MIN((size_t)n, sizeof(line) - 1));
	}

	if (log_syslog && log_fd < 0)
		syslog(pri, "%s", msg);

	if (log_stderr) {
		if (log_level >= LOG_DEBUG) {
			long long ms = timespec_diff_ms(&now, &log_start);

			n = snprintf(line, sizeof(line), "%lld.%04lld: %s\n",
				     ms / 1000, (ms % 1000) * 10, msg);
		} else {
			n = snprintf(line, sizeof(line), "%s\n", msg);
		}
		/* #syscalls write */
		(void)!write(STDERR_FILENO, line,
			     MIN((size_t)n, sizeof(line) - 1));
	}
}

/**
 * logmsg() - Log a message at a priority
 * @pri:	syslog priority
 * @fmt:	Format string
 */
void logmsg(int pri, const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	vlogmsg(pri, 0, fmt, ap);
	va_end(ap);
	errno = errnum;
}

/**
 * logmsg_perror() - Log a message followed by the description of errno
 * @pri:	syslog priority
 * @fmt:	Format string
 */
void logmsg_perror(int pri, const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	vlogmsg(pri, errnum, fmt, ap);
	va_end(ap);
	errno = errnum;
}

/**
 * die() - Log an error (always also to stderr while attached) and exit 1
 * @fmt:	Format string
 */
void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlogmsg(LOG_ERR, 0, fmt, ap);
	va_end(ap);
	exit(EXIT_FAILURE);
}

/**
 * die_perror() - Like die(), appending the description of errno
 * @fmt:	Format string
 */
void die_perror(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	vlogmsg(LOG_ERR, errnum, fmt, ap);
	va_end(ap);
	exit(EXIT_FAILURE);
}
