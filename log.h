/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging: levels, destinations (stderr, syslog, size-limited file) and the
 * die() helper for fatal start-up errors.
 */
#ifndef LOG_H
#define LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

#define LOG_SIZE_DEFAULT	(1024 * 1024)
#define LOG_SIZE_MIN		4096
#define LOG_LINE_MAX		512
#define LOG_SYSLOG_SOCKET	"/dev/log"

extern int log_level;		/* highest syslog priority printed */
extern bool log_trace;		/* per-packet messages enabled */

void logmsg(int pri, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void logmsg_perror(int pri, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void die_perror(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#define err(...)		logmsg(LOG_ERR, __VA_ARGS__)
#define warn(...)		logmsg(LOG_WARNING, __VA_ARGS__)
#define info(...)		logmsg(LOG_INFO, __VA_ARGS__)
#define debug(...)		logmsg(LOG_DEBUG, __VA_ARGS__)
#define err_perror(...)		logmsg_perror(LOG_ERR, __VA_ARGS__)
#define warn_perror(...)	logmsg_perror(LOG_WARNING, __VA_ARGS__)
#define debug_perror(...)	logmsg_perror(LOG_DEBUG, __VA_ARGS__)

#define trace(...)							\
	do {								\
		if (log_trace)						\
			logmsg(LOG_DEBUG, __VA_ARGS__);			\
	} while (0)

/* Rate-limited debug message for dropped guest frames */
#define drop_debug(...)		trace(__VA_ARGS__)

/**
 * struct log_ratelimit - State of one rate-limited call site
 * @start_ms:	Start of the current interval, monotonic milliseconds
 * @count:	Messages printed in the current interval
 * @suppressed:	Messages suppressed since the last one printed
 * @started:	An interval was started
 */
struct log_ratelimit {
	long long start_ms;
	unsigned count;
	unsigned long suppressed;
	bool started;
};

/* Messages a guest can trigger at will: at most this many per call site... */
#define LOG_RATELIMIT_BURST	5
/* ...per this many seconds */
#define LOG_RATELIMIT_INTERVAL	10

bool log_ratelimit_check(struct log_ratelimit *rl, unsigned burst,
			 long long interval_ms, long long now_ms,
			 unsigned long *suppressed);
long long log_now_ms(void);

/**
 * logmsg_ratelimit() - Log at most @burst messages per @interval_s seconds
 * from this call site, then say how many were suppressed when the next one
 * gets through. State is static, per call site: no allocation. @fn is
 * logmsg or logmsg_perror.
 */
#define logmsg_ratelimit(fn, pri, burst, interval_s, ...)		\
	do {								\
		static struct log_ratelimit rl_;			\
		unsigned long sup_;					\
									\
		if ((pri) > log_level ||				\
		    !log_ratelimit_check(&rl_, (burst),			\
					 (interval_s) * 1000LL,		\
					 log_now_ms(), &sup_))		\
			break;						\
		if (sup_)						\
			logmsg((pri), "(%lu similar messages suppressed)", \
			       sup_);					\
		fn((pri), __VA_ARGS__);					\
	} while (0)

#define err_ratelimit(...)						\
	logmsg_ratelimit(logmsg, LOG_ERR, LOG_RATELIMIT_BURST,		\
			 LOG_RATELIMIT_INTERVAL, __VA_ARGS__)
#define warn_ratelimit(...)						\
	logmsg_ratelimit(logmsg, LOG_WARNING, LOG_RATELIMIT_BURST,	\
			 LOG_RATELIMIT_INTERVAL, __VA_ARGS__)
#define info_ratelimit(...)						\
	logmsg_ratelimit(logmsg, LOG_INFO, LOG_RATELIMIT_BURST,		\
			 LOG_RATELIMIT_INTERVAL, __VA_ARGS__)
#define err_perror_ratelimit(...)					\
	logmsg_ratelimit(logmsg_perror, LOG_ERR, LOG_RATELIMIT_BURST,	\
			 LOG_RATELIMIT_INTERVAL, __VA_ARGS__)

void log_init(const char *ident);
void log_set_stderr(bool on);
void log_set_syslog(bool on);
const char *log_syslog_path(void);
void log_set_pid(long pid);
void log_stats(void);
int log_file_open(const char *path, size_t size);
void log_file_close(void);

#endif /* LOG_H */
