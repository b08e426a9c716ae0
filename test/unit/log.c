// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/log.c - The size-limited log file: after many more lines than
 * fit, the file stays within its limit, holds only complete lines, in
 * order, ends with the newest one and has lost the oldest ones. The
 * per-call-site rate limiter for messages a guest can trigger, on a fake
 * clock: bursts, suppression counts, interval boundaries.
 */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "unit.h"
#include "log.h"

#define LIMIT		4096
#define LINES		2000
#define FILE_MAX	(LIMIT * 2)

static char path[] = "/tmp/log-unit-XXXXXX";
static char buf[FILE_MAX + 1];

/**
 * file_size() - Current size of the log file
 *
 * Return: size in bytes, or -1
 */
static long file_size(void)
{
	struct stat st;

	if (stat(path, &st))
		return -1;
	return (long)st.st_size;
}

/**
 * load() - Read the log file into buf, NUL-terminated
 *
 * Return: bytes read
 */
static size_t load(void)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = read(fd, buf, FILE_MAX);

	close(fd);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	return (size_t)n;
}

/**
 * check_lines() - Every line is "SEC.MSEC: line N payload", N consecutive
 * @len:	Bytes in buf
 * @first:	Set to the first line number
 * @last:	Set to the last line number
 *
 * Return: number of malformed or out-of-order lines
 */
static int check_lines(size_t len, int *first, int *last)
{
	int bad = 0, prev = -1;
	char *p = buf;

	*first = *last = -1;
	if (!len || buf[len - 1] != '\n')
		return 1;

	while (*p) {
		char *nl = strchr(p, '\n'), tail[64];
		unsigned long sec, msec;
		int n, used = 0;

		*nl = '\0';
		if (sscanf(p, "%lu.%3lu: line %d %63s%n", &sec, &msec, &n,
			   tail, &used) != 4 || (size_t)used != strlen(p) ||
		    strcmp(tail, "abcdefghijklmnopqrstuvwxyz") ||
		    (prev >= 0 && n != prev + 1)) {
			printf("  bad line: '%s'\n", p);
			bad++;
		}
		if (*first < 0)
			*first = n;
		prev = *last = n;
		p = nl + 1;
	}
	return bad;
}

/**
 * test_rotation() - Many lines through a 4 KiB file
 */
static void test_rotation(void)
{
	int i, first, last, over = 0;
	size_t len;

	for (i = 0; i < LINES; i++) {
		info("line %d abcdefghijklmnopqrstuvwxyz", i);
		if (file_size() > LIMIT)
			over++;
	}
	CHECK_MSG(!over, "file over the limit after %d lines", over);

	len = load();
	CHECK(len <= LIMIT);
	/* Rotation frees an eighth at a time: most of the room is in use */
	CHECK_MSG(len > LIMIT / 2, "only %zu bytes kept", len);
	CHECK(check_lines(len, &first, &last) == 0);
	CHECK_MSG(last == LINES - 1, "last line %d", last);
	CHECK_MSG(first > 0, "first line %d still there", first);
}

/**
 * test_levels() - Debug lines stay out at the default level
 */
static void test_levels(void)
{
	size_t len;

	debug("should not appear");
	len = load();
	CHECK(!strstr(buf, "should not appear"));
	CHECK(len > 0);
}

/**
 * test_long_message() - A message longer than a line is cut, not the file
 */
static void test_long_message(void)
{
	char big[LOG_LINE_MAX * 2];
	size_t len;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	info("%s", big);
	info("line 0 abcdefghijklmnopqrstuvwxyz");

	len = load();
	CHECK(len <= LIMIT);
	CHECK(len && buf[len - 1] == '\n');
	CHECK(strstr(buf, "xxxx\n"));
	CHECK(strstr(buf, "line 0 abcdefghijklmnopqrstuvwxyz\n"));
}

/**
 * test_reopen_truncates() - Opening again starts an empty file
 */
static void test_reopen_truncates(void)
{
	CHECK(log_file_open(path, LIMIT) == 0);
	CHECK(file_size() == 0);
	info("line 7 abcdefghijklmnopqrstuvwxyz");
	CHECK(file_size() > 0 && file_size() < 64);
}

/**
 * test_rotation_cut_at_line_start() - Lines of 32 bytes in a 4096-byte file:
 * rotation frees 512 bytes, which is exactly 16 whole lines, and no more
 */
static void test_rotation_cut_at_line_start(void)
{
	char pad[64];
	int i, prefix, first, last;
	size_t len;

	CHECK(log_file_open(path, LIMIT) == 0);
	info("x");
	prefix = (int)file_size() - 2;	/* "TIMESTAMP: " before "x\n" */
	CHECK(prefix > 0 && prefix < 20);
	if (prefix <= 0 || prefix >= 20)
		return;

	/* "line NNNNN " is 11 bytes, the newline one: pad to 32 in all */
	memset(pad, 'a', sizeof(pad));
	pad[32 - prefix - 11 - 1] = '\0';

	CHECK(log_file_open(path, LIMIT) == 0);
	for (i = 0; i < LIMIT / 32 + 1; i++)
		info("line %05d %s", i, pad);

	len = load();
	CHECK_MSG(len == (LIMIT - LIMIT / 8) + 32, "%zu bytes", len);
	first = atoi(strstr(buf, "line ") + 5);
	last = atoi(strrchr(buf, '\n') - 32 + prefix + 6);
	CHECK_MSG(first == LIMIT / 8 / 32, "first line %d", first);
	CHECK_MSG(last == LIMIT / 32, "last line %d", last);
}

static void test_ratelimit_burst(void)
{
	struct log_ratelimit rl = { 0 };
	unsigned long sup;
	int i, printed = 0;

	/* 20 at the same instant: the first 5 go through, nothing reported */
	for (i = 0; i < 20; i++) {
		if (log_ratelimit_check(&rl, 5, 10000, 1000, &sup)) {
			printed++;
			CHECK(sup == 0);
		}
	}
	CHECK_MSG(printed == 5, "printed %d", printed);

	/* Just before the interval ends: still suppressed */
	CHECK(!log_ratelimit_check(&rl, 5, 10000, 10999, &sup));

	/* Interval over: through, with the 16 suppressed ones reported once */
	CHECK(log_ratelimit_check(&rl, 5, 10000, 11000, &sup));
	CHECK_MSG(sup == 16, "suppressed %lu", sup);
	CHECK(log_ratelimit_check(&rl, 5, 10000, 11001, &sup));
	CHECK(sup == 0);
}

static void test_ratelimit_new_interval(void)
{
	struct log_ratelimit rl = { 0 };
	unsigned long sup;
	int i, printed = 0;

	/* A slow trickle never hits the limit */
	for (i = 0; i < 100; i++)
		printed += log_ratelimit_check(&rl, 2, 1000, i * 600LL, &sup);
	CHECK_MSG(printed == 100, "printed %d", printed);

	/* An interval starts with the first message after the last one
	 * ended, not on a fixed grid: a burst right after a quiet time gets
	 * the whole allowance
	 */
	rl = (struct log_ratelimit){ 0 };
	CHECK(log_ratelimit_check(&rl, 2, 1000, 0, &sup));
	CHECK(log_ratelimit_check(&rl, 2, 1000, 5000, &sup));
	CHECK(log_ratelimit_check(&rl, 2, 1000, 5999, &sup));
	CHECK(!log_ratelimit_check(&rl, 2, 1000, 5999, &sup));
	CHECK(log_ratelimit_check(&rl, 2, 1000, 6000, &sup) && sup == 1);

	/* A clock going backwards starts over instead of blocking forever */
	CHECK(log_ratelimit_check(&rl, 2, 1000, 6000, &sup));
	CHECK(!log_ratelimit_check(&rl, 2, 1000, 6000, &sup));
	CHECK(log_ratelimit_check(&rl, 2, 1000, 10, &sup) && sup == 1);
}

static void test_ratelimit_sites(void)
{
	struct log_ratelimit a = { 0 }, b = { 0 };
	unsigned long sup;
	int i, pa = 0, pb = 0;

	for (i = 0; i < 10; i++) {
		pa += log_ratelimit_check(&a, 3, 1000, 0, &sup);
		pb += log_ratelimit_check(&b, 4, 1000, 0, &sup);
	}
	CHECK_MSG(pa == 3 && pb == 4, "site a %d, site b %d", pa, pb);
}

/**
 * ratelimited() - One rate-limited call site, for test_ratelimit_macro()
 * @i:		Number in the message
 */
static void ratelimited(int i)
{
	info_ratelimit("limited %d", i);
}

static void test_ratelimit_macro(void)
{
	int i, first = -1, n = 0;
	char *p;

	CHECK(!log_file_open(path, LIMIT));
	/* Far less time than the interval passes in this loop */
	for (i = 0; i < 100; i++)
		ratelimited(i);
	/* Below the log level: doesn't use up the allowance */
	log_level = LOG_WARNING;
	for (i = 0; i < 100; i++)
		ratelimited(i);
	log_level = LOG_INFO;

	load();
	for (p = buf; (p = strstr(p, "limited ")); p++) {
		if (first < 0)
			first = atoi(p + strlen("limited "));
		n++;
	}
	CHECK_MSG(n == LOG_RATELIMIT_BURST, "%d lines", n);
	CHECK(first == 0);
	CHECK(!strstr(buf, "suppressed"));
}

int main(void)
{
	int fd = mkstemp(path);

	close(fd);
	log_set_stderr(false);
	if (log_file_open(path, LIMIT)) {
		printf("FAIL: log_file_open\n");
		return EXIT_FAILURE;
	}

	RUN(test_rotation);
	RUN(test_levels);
	RUN(test_long_message);
	RUN(test_reopen_truncates);
	RUN(test_rotation_cut_at_line_start);
	RUN(test_ratelimit_burst);
	RUN(test_ratelimit_new_interval);
	RUN(test_ratelimit_sites);
	RUN(test_ratelimit_macro);

	log_file_close();
	unlink(path);
	UNIT_EXIT();
}
