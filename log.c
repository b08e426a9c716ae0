// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c - Logging to stderr (while in the foreground, or before detaching),
 * to the system logger (after detaching), or to a file of bounded size: when
 * the file would grow past its limit, the oldest lines at its beginning are
 * dropped to make room, so the newest messages are always kept.
 *
 * The system logger is spoken to directly, not through the C library: a
 * datagram socket connected at start-up to the log socket, records formatted
 * into a fixed buffer, so logging at run time allocates nothing, opens no
 * file and creates no socket. If the log daemon goes away, records are
 * dropped and counted, and the socket is connected again (to the same path)
 * at most once per second.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "log.h"
#include "util.h"

int log_level = LOG_INFO;
bool log_trace;

static const char *log_ident = "passt";
static bool log_stderr = true;
static bool log_syslog;
static int log_sock = -1;		/* connected to the log socket, or -1 */
static bool log_sock_connected;
static char log_sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static long log_pid;			/* PID printed in syslog records */
static struct timespec log_sock_retry;	/* last connection attempt */
static unsigned long log_syslog_dropped;	/* records not delivered */
static unsigned long log_syslog_dropped_told;	/* ...already reported */
static int log_fd = -1;
static size_t log_size;		/* limit of the log file, bytes */
static size_t log_written;	/* current size of the log file, bytes */
static struct timespec log_start;

/* Room made in one go when the file is full, so rotation stays rare */
#define LOG_ROTATE_FRACTION	8
/* Newest bytes of the log file, kept in memory for rotation: the whole file
 * up to the default size limit, its newest part past that
 */
#define LOG_TAIL_BYTES		LOG_SIZE_DEFAULT
static char log_tail[LOG_TAIL_BYTES];
static size_t log_tail_end;	/* bytes ever appended since opening the file */

#ifdef PASST_SANITIZE
#include <sanitizer/common_interface_defs.h>

/**
 * log_sanitize_init() - Send sanitizer reports to a file opened now
 *
 * Instrumented builds only: with PASST_SANITIZE_LOG=PREFIX in the
 * environment, reports go to PREFIX.PID, opened at start-up so that they
 * survive daemonising (standard error becomes /dev/null) and the sandbox
 * (nothing can be opened later). The runtime's own log_path option opens
 * its file only when it reports, and is ignored by UBSan when combined with
 * AddressSanitizer.
 */
static void log_sanitize_init(void)
{
	const char *prefix = getenv("PASST_SANITIZE_LOG");
	char path[PATH_MAX];
	int fd;

	if (!prefix || !*prefix)
		return;
	snprintf(path, sizeof(path), "%s.%ld", prefix, (long)getpid());
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		__sanitizer_set_report_fd((void *)(long)fd);
}
#else
static void log_sanitize_init(void) { }
#endif

/**
 * log_init() - Set the identity used for syslog and file lines
 * @ident:	Program name as invoked (passt or pasta)
 */
void log_init(const char *ident)
{
	log_ident = ident;
	clock_gettime(CLOCK_MONOTONIC, &log_start);
	log_sanitize_init();
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
 * log_syslog_connect() - Connect the syslog socket to the log socket path
 *
 * Return: true if connected
 */
static bool log_syslog_connect(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	memcpy(addr.sun_path, log_sock_path, sizeof(addr.sun_path));
	log_sock_connected = !connect(log_sock, (struct sockaddr *)&addr,
				      sizeof(addr));
	clock_gettime(CLOCK_MONOTONIC, &log_sock_retry);
	return log_sock_connected;
}

/**
 * log_set_syslog() - Enable or disable the system logger
 * @on:		New setting
 *
 * Enabling resolves symbolic links in the path of the log socket once (the
 * sandbox makes the resolved path reachable), opens a datagram socket and
 * connects it. This must run before the sandbox closes. If the socket can't
 * be created, the system logger stays off.
 */
void log_set_syslog(bool on)
{
	char path[PATH_MAX];

	if (!on) {
		if (log_sock >= 0)
			close(log_sock);
		log_sock = -1;
		log_sock_connected = log_syslog = false;
		return;
	}
	if (log_syslog)
		return;

	if (!realpath(LOG_SYSLOG_SOCKET, path) ||
	    strlen(path) >= sizeof(log_sock_path))
		strcpy(path, LOG_SYSLOG_SOCKET);
	memcpy(log_sock_path, path, strlen(path) + 1);

	log_sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (log_sock < 0)
		return;
	if (!log_pid)
		log_pid = getpid();
	log_syslog_connect();
	log_syslog = true;
}

/**
 * log_syslog_path() - Path of the log socket, symbolic links resolved
 *
 * Return: the path, or NULL if syslog logging is off
 */
const char *log_syslog_path(void)
{
	return log_syslog ? log_sock_path : NULL;
}

/**
 * log_set_pid() - Set the process ID printed in syslog records
 * @pid:	Process ID (as seen from the log daemon's PID namespace)
 */
void log_set_pid(long pid)
{
	log_pid = pid;
}

/**
 * log_stats() - Report records lost on the way to the system logger, if any
 */
void log_stats(void)
{
	if (log_syslog)
		info("Log: %lu records not delivered to the system logger",
		     log_syslog_dropped);
}

/**
 * log_syslog_write() - Send one formatted record on the syslog socket
 * @rec:	Record
 * @len:	Its length
 *
 * Return: what sendmsg() returns (not send(): one call fewer to allow)
 */
static ssize_t log_syslog_write(const char *rec, size_t len)
{
	struct iovec iov = { .iov_base = (void *)rec, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	/* #syscalls sendmsg connect */
	return sendmsg(log_sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/**
 * log_syslog_send() - Format and send one record to the system logger
 * @pri:	syslog priority (level only: the facility is LOG_DAEMON)
 * @msg:	Message text
 * @now:	Current time, for the reconnection rate limit
 *
 * A record that can't be sent is dropped and counted. If the log daemon went
 * away, connect again to the same path, at most once per second; once that
 * works, say how many records were lost.
 */
static void log_syslog_send(int pri, const char *msg,
			    const struct timespec *now)
{
	char rec[LOG_LINE_MAX + 128];
	int n;

	if (!log_sock_connected) {
		if (timespec_diff_ms(now, &log_sock_retry) < MS_PER_SEC ||
		    !log_syslog_connect()) {
			log_syslog_dropped++;
			return;
		}
	}

	if (log_syslog_dropped != log_syslog_dropped_told) {
		n = snprintf(rec, sizeof(rec),
			     "<%d>%s[%ld]: %lu log records lost",
			     LOG_DAEMON | LOG_WARNING, log_ident, log_pid,
			     log_syslog_dropped - log_syslog_dropped_told);
		if (log_syslog_write(rec, MIN((size_t)n, sizeof(rec) - 1)) >= 0)
			log_syslog_dropped_told = log_syslog_dropped;
	}

	n = snprintf(rec, sizeof(rec), "<%d>%s[%ld]: %s",
		     LOG_DAEMON | (pri & LOG_PRIMASK), log_ident, log_pid, msg);
	if (n < 0)
		return;
	if (log_syslog_write(rec, MIN((size_t)n, sizeof(rec) - 1)) >= 0)
		return;

	log_syslog_dropped++;
	if (errno == ECONNREFUSED || errno == ENOTCONN || errno == EPIPE ||
	    errno == ECONNRESET || errno == ENOENT || errno == EDESTADDRREQ)
		log_sock_connected = false;
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
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_APPEND | O_CLOEXEC,
		      0600);

	if (fd < 0)
		return -1;
	if (log_fd >= 0)
		close(log_fd);
	log_fd = fd;
	log_size = size;
	log_written = log_tail_end = 0;
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
 * log_tail_add() - Remember bytes appended to the log file
 * @data:	Bytes
 * @len:	Count, at most LOG_TAIL_BYTES
 */
static void log_tail_add(const char *data, size_t len)
{
	size_t at = log_tail_end % LOG_TAIL_BYTES;
	size_t first = MIN(len, LOG_TAIL_BYTES - at);

	memcpy(log_tail + at, data, first);
	memcpy(log_tail, data + first, len - first);
	log_tail_end += len;
}

/**
 * log_tail_write() - Write remembered bytes back to the log file
 * @from:	Offset, as a count of bytes ever appended, to write from
 *
 * Return: 0 on success, -1 on failure
 */
static int log_tail_write(size_t from)
{
	while (from < log_tail_end) {
		size_t at = from % LOG_TAIL_BYTES;
		size_t len = MIN(log_tail_end - from, LOG_TAIL_BYTES - at);
		ssize_t n = write(log_fd, log_tail + at, len);

		if (n <= 0)
			return -1;
		from += n;
	}
	return 0;
}

/**
 * log_file_rotate() - Drop the oldest lines of the log file to make room
 * @need:	Bytes that must fit after rotation
 *
 * The file is emptied and its retained, newest part written again from
 * memory: reading it back would take two more system calls in every
 * seccomp filter. Whole lines only: the first kept line is the first one
 * starting at or after the cut.
 *
 * Return: 0 on success, -1 on failure
 */
static int log_file_rotate(size_t need)
{
	size_t drop = MAX(log_size / LOG_ROTATE_FRACTION, need);
	size_t keep = drop >= log_written ? 0 : log_written - drop;
	size_t from;

	keep = MIN(keep, MIN((size_t)LOG_TAIL_BYTES, log_tail_end));
	from = log_tail_end - keep;
	while (from < log_tail_end && from &&
	       log_tail[(from - 1) % LOG_TAIL_BYTES] != '\n')
		from++;

	/* #syscalls ftruncate write */
	if (ftruncate(log_fd, 0))
		return -1;
	log_written = 0;
	if (log_tail_write(from))
		return -1;
	log_written = log_tail_end - from;
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
	/* The file is opened with O_APPEND: this lands at its end */
	if (write(log_fd, line, len) == (ssize_t)len) {
		log_written += len;
		log_tail_add(line, len);
	}
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
		log_syslog_send(pri, msg, &now);

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
 * log_now_ms() - Monotonic clock for rate limits
 *
 * Return: milliseconds since an arbitrary point
 */
long long log_now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * MS_PER_SEC + now.tv_nsec / 1000000;
}

/**
 * log_ratelimit_check() - Decide whether a rate-limited message is printed
 * @rl:		State of the call site
 * @burst:	Messages allowed per interval
 * @interval_ms:	Length of the interval
 * @now_ms:	Current time, monotonic milliseconds
 * @suppressed:	Set to the number of messages suppressed since the last one
 *		printed, to be reported before this one (0 if none)
 *
 * An interval starts with the first message after the previous one ended.
 *
 * Return: true if the message is to be printed
 */
bool log_ratelimit_check(struct log_ratelimit *rl, unsigned burst,
			 long long interval_ms, long long now_ms,
			 unsigned long *suppressed)
{
	*suppressed = 0;

	if (!rl->started || now_ms - rl->start_ms >= interval_ms ||
	    now_ms < rl->start_ms) {
		rl->started = true;
		rl->start_ms = now_ms;
		rl->count = 0;
	}

	if (rl->count >= burst) {
		rl->suppressed++;
		return false;
	}

	rl->count++;
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
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
