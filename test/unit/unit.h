/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Minimal unit test framework: each RUN() of a test function prints one
 * "PASS: name" or "FAIL: name" line, which test/run.sh counts.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <stdlib.h>

static int unit_case_failed;
static int unit_total_failed;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			unit_case_failed++;				\
			printf("  %s:%d: check failed: %s\n",		\
			       __FILE__, __LINE__, #cond);		\
		}							\
	} while (0)

#define CHECK_MSG(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			unit_case_failed++;				\
			printf("  %s:%d: ", __FILE__, __LINE__);	\
			printf(__VA_ARGS__);				\
			printf("\n");					\
		}							\
	} while (0)

#define RUN(fn)								\
	do {								\
		unit_case_failed = 0;					\
		fn();							\
		printf("%s: %s\n", unit_case_failed ? "FAIL" : "PASS",	\
		       #fn);						\
		if (unit_case_failed)					\
			unit_total_failed++;				\
		fflush(stdout);						\
	} while (0)

#define UNIT_EXIT()	return unit_total_failed ? EXIT_FAILURE : EXIT_SUCCESS

#endif /* UNIT_H */
