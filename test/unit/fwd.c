// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for fwd.c: the port specification grammar of -t/-u/-T/-U,
 * checked against every example of the manual (passt and pasta lists) and
 * against malformed specifications, and the per-port map built from rules.
 */

#include <string.h>
#include "unit.h"
#include "util.h"
#include "fwd.h"

static struct fwd_ports fwd;

/**
 * struct want - Expected rule
 * @first:	First port
 * @last:	Last port
 * @to:		Target of @first
 * @flags:	FWD_RULE_* flags
 * @addr:	Bound address, NULL for none
 * @ifname:	Bound interface, NULL for none
 */
struct want {
	uint16_t first, last, to;
	uint8_t flags;
	const char *addr;
	const char *ifname;
};

/**
 * rules_match() - Compare a table's rules to the expected ones
 * @w:		Expected rules
 * @n:		Number of @w
 *
 * Return: true if equal, printing the first difference otherwise
 */
static bool rules_match(const struct want *w, unsigned int n)
{
	unsigned int i;

	if (fwd.count != n) {
		printf("  got %u rules, want %u\n", fwd.count, n);
		for (i = 0; i < fwd.count; i++)
			printf("    %u-%u:%u flags %u\n", fwd.rules[i].first,
			       fwd.rules[i].last, fwd.rules[i].to,
			       fwd.rules[i].flags);
		return false;
	}
	for (i = 0; i < n; i++) {
		const struct fwd_rule *r = &fwd.rules[i];
		union inany_addr a;

		if (r->first != w[i].first || r->last != w[i].last ||
		    r->to != w[i].to || r->flags != w[i].flags) {
			printf("  rule %u: got %u-%u:%u flags %u, "
			       "want %u-%u:%u flags %u\n", i, r->first, r->last,
			       r->to, r->flags, w[i].first, w[i].last,
			       w[i].to, w[i].flags);
			return false;
		}
		if (w[i].addr && (!inany_pton(w[i].addr, &a) ||
				  !inany_equals(&a, &r->addr))) {
			printf("  rule %u: wrong address\n", i);
			return false;
		}
		if (strcmp(r->ifname, w[i].ifname ? w[i].ifname : "")) {
			printf("  rule %u: interface '%s'\n", i, r->ifname);
			return false;
		}
	}
	return true;
}

/**
 * parse_one() - Parse a specification into a fresh table
 * @spec:	Specification
 * @pasta:	Parse as pasta (auto allowed) rather than passt (all allowed)
 *
 * Return: fwd_spec_parse() result
 */
static int parse_one(const char *spec, bool pasta)
{
	const char *why = NULL;
	int rc;

	memset(&fwd, 0, sizeof(fwd));
	rc = fwd_spec_parse(&fwd, spec, pasta, !pasta, &why);
	if (rc && !why)
		printf("  '%s': failed without a reason\n", spec);
	return rc;
}

#define EXPECT(spec, ...)						\
	do {								\
		static const struct want w[] = { __VA_ARGS__ };		\
		bool pasta;						\
									\
		for (pasta = false; ; pasta = true) {			\
			CHECK_MSG(!parse_one(spec, pasta),		\
				  "'%s' rejected", spec);		\
			CHECK_MSG(fwd.mode == FWD_SPEC,			\
				  "'%s': mode %i", spec, fwd.mode);	\
			CHECK_MSG(rules_match(w, ARRAY_SIZE(w)),	\
				  "'%s': wrong rules", spec);		\
			if (pasta)					\
				break;					\
		}							\
	} while (0)

#define A	FWD_RULE_ADDR
#define W	FWD_RULE_WEAK

/* Examples shared by the passt and pasta lists of the manual */
static void fwd_manual_examples(void)
{
	EXPECT("22", { 22, 22, 22, 0, NULL, NULL });
	EXPECT("22:23", { 22, 22, 23, 0, NULL, NULL });
	EXPECT("22,25", { 22, 22, 22, 0, NULL, NULL },
			{ 25, 25, 25, 0, NULL, NULL });
	EXPECT("22-80", { 22, 80, 22, 0, NULL, NULL });
	EXPECT("22-80:32-90", { 22, 80, 32, 0, NULL, NULL });
	EXPECT("192.0.2.1/22", { 22, 22, 22, A, "192.0.2.1", NULL });
	EXPECT("192.0.2.1%eth0/22", { 22, 22, 22, A, "192.0.2.1", "eth0" });
	EXPECT("%eth0/22", { 22, 22, 22, 0, NULL, "eth0" });
	EXPECT("2000-5000,~3000-3010", { 2000, 2999, 2000, 0, NULL, NULL },
				       { 3011, 5000, 3011, 0, NULL, NULL });
	EXPECT("192.0.2.1/20-30,~25", { 20, 24, 20, A, "192.0.2.1", NULL },
				      { 26, 30, 26, A, "192.0.2.1", NULL });
}

/* "~20000-20010": every non-ephemeral port but the excluded, weak */
static void fwd_manual_exclusion_only(void)
{
	uint16_t ef, el;
	bool pasta;

	fwd_ephemeral_range(&ef, &el);
	CHECK(ef > 20010 && el >= ef);

	for (pasta = false; ; pasta = true) {
		struct want w[] = {
			{ 1, 19999, 1, W, NULL, NULL },
			{ 20011, ef - 1, 20011, W, NULL, NULL },
			{ el + 1, 65535, el + 1, W, NULL, NULL },
		};

		CHECK(!parse_one("~20000-20010", pasta));
		CHECK(fwd.mode == FWD_SPEC);
		CHECK(rules_match(w, el == 65535 ? 2 : 3));
		CHECK(!fwd_port_is_forwarded(&fwd, 20005));
		CHECK(!fwd_port_is_forwarded(&fwd, ef));
		CHECK(fwd_port_is_forwarded(&fwd, 19999));
		CHECK(!fwd_port_is_forwarded(&fwd, 0));
		if (pasta)
			break;
	}
}

/* "none", "all" (passt only), "auto" (pasta only) */
static void fwd_keywords(void)
{
	uint16_t ef, el;
	struct want all[] = {
		{ 1, 0, 1, W, NULL, NULL },
		{ 0, 65535, 0, W, NULL, NULL },
	};

	fwd_ephemeral_range(&ef, &el);
	all[0].last = ef - 1;
	all[1].first = all[1].to = el + 1;

	CHECK(!parse_one("none", false) && fwd.mode == FWD_NONE);
	CHECK(!fwd.count);
	CHECK(!parse_one("none", true) && fwd.mode == FWD_NONE);

	CHECK(!parse_one("all", false) && fwd.mode == FWD_ALL);
	CHECK(rules_match(all, el == 65535 ? 1 : 2));
	CHECK(parse_one("all", true) == -FWD_SPEC_MODE);

	CHECK(!parse_one("auto", true) && fwd.mode == FWD_AUTO);
	CHECK(!fwd.count);
	CHECK(parse_one("auto", false) == -FWD_SPEC_MODE);
}

/* IPv6 binding addresses, with or without brackets */
static void fwd_ipv6_bind(void)
{
	EXPECT("::1/22", { 22, 22, 22, A, "::1", NULL });
	EXPECT("[::1]/22", { 22, 22, 22, A, "::1", NULL });
	EXPECT("[2001:db8::1]%eth0/80-81:8080-8081",
	       { 80, 81, 8080, A, "2001:db8::1", "eth0" });
	EXPECT("fe80::1%veth0/22", { 22, 22, 22, A, "fe80::1", "veth0" });
	EXPECT("0.0.0.0/22", { 22, 22, 22, A, "0.0.0.0", NULL });
}

/* Several options add up; "none"/"all"/"auto" replace */
static void fwd_accumulate(void)
{
	static const struct want two[] = {
		{ 22, 22, 22, 0, NULL, NULL }, { 80, 80, 8080, 0, NULL, NULL },
	};
	static const struct want bound[] = {
		{ 22, 22, 22, A, "192.0.2.1", NULL },
		{ 22, 22, 23, 0, NULL, NULL },
	};
	const char *why;

	memset(&fwd, 0, sizeof(fwd));
	CHECK(!fwd_spec_parse(&fwd, "22", false, true, &why));
	CHECK(!fwd_spec_parse(&fwd, "80:8080", false, true, &why));
	CHECK(rules_match(two, 2));
	/* The same port again, same target: no change */
	CHECK(!fwd_spec_parse(&fwd, "22", false, true, &why));
	CHECK(rules_match(two, 2));
	/* Another target for a forwarded port: rejected, table unchanged */
	CHECK(fwd_spec_parse(&fwd, "22:23", false, true, &why) ==
	      -FWD_SPEC_BAD_RANGE);
	CHECK(rules_match(two, 2));
	CHECK(fwd_port_target(&fwd, 80) == 8080);
	CHECK(!fwd_spec_parse(&fwd, "none", false, true, &why));
	CHECK(fwd.mode == FWD_NONE && !fwd.count);
	CHECK(!fwd_port_is_forwarded(&fwd, 22));

	/* Address-bound and plain rules for one port coexist */
	memset(&fwd, 0, sizeof(fwd));
	CHECK(!fwd_spec_parse(&fwd, "192.0.2.1/22", false, true, &why));
	CHECK(!fwd_spec_parse(&fwd, "22:23", false, true, &why));
	CHECK(rules_match(bound, 2));

	/* "auto" then a list: the list replaces "auto" */
	memset(&fwd, 0, sizeof(fwd));
	CHECK(!fwd_spec_parse(&fwd, "auto", true, false, &why));
	CHECK(!fwd_spec_parse(&fwd, "22", true, false, &why));
	CHECK(fwd.mode == FWD_SPEC && fwd.count == 1);
}

/* Explicit ports win over the weak ones of an exclusion-only spec */
static void fwd_weak_overlap(void)
{
	uint16_t ef, el;
	const char *why;
	int order;

	fwd_ephemeral_range(&ef, &el);
	for (order = 0; order < 2; order++) {
		unsigned int i, explicit = 0, weak = 0;

		memset(&fwd, 0, sizeof(fwd));
		CHECK(!fwd_spec_parse(&fwd, order ? "~3000-3010" : "100:200",
				      false, true, &why));
		CHECK(!fwd_spec_parse(&fwd, order ? "100:200" : "~3000-3010",
				      false, true, &why));
		for (i = 0; i < fwd.count; i++) {
			const struct fwd_rule *r = &fwd.rules[i];
			unsigned int j;

			if (r->flags & W) {
				weak++;
				CHECK(r->to == r->first);
				CHECK(r->first > 100 || r->last < 100);
			} else {
				explicit++;
			}
			for (j = i + 1; j < fwd.count; j++)
				CHECK(fwd.rules[j].first > r->last ||
				      fwd.rules[j].last < r->first);
		}
		CHECK(explicit == 1);
		CHECK(weak == (el == 65535 ? 3U : 4U));
		CHECK(fwd_port_target(&fwd, 100) == 200);
		CHECK(fwd_port_target(&fwd, 99) == 99);
		CHECK(!fwd_port_is_forwarded(&fwd, 3005));
	}
}

/* Target ranges keep their offset across exclusions */
static void fwd_exclusion_keeps_offset(void)
{
	EXPECT("1000-1010:2000-2010,~1005",
	       { 1000, 1004, 2000, 0, NULL, NULL },
	       { 1006, 1010, 2006, 0, NULL, NULL });
	EXPECT("65535:1", { 65535, 65535, 1, 0, NULL, NULL });
	EXPECT("1-65535", { 1, 65535, 1, 0, NULL, NULL });
	EXPECT("22,80,~80-90,443", { 22, 22, 22, 0, NULL, NULL },
				   { 443, 443, 443, 0, NULL, NULL });

	CHECK(!parse_one("22-80:32-90", false));
	CHECK(fwd_port_is_forwarded(&fwd, 22));
	CHECK(fwd_port_is_forwarded(&fwd, 80));
	CHECK(!fwd_port_is_forwarded(&fwd, 21));
	CHECK(!fwd_port_is_forwarded(&fwd, 81));
	CHECK(fwd_port_target(&fwd, 22) == 32);
	CHECK(fwd_port_target(&fwd, 80) == 90);
}

/**
 * struct bad - Malformed specification and the error it gives
 * @spec:	Specification
 * @err:	Expected enum fwd_spec_err
 */
static const struct bad {
	const char *spec;
	int err;
} bad_specs[] = {
	{ "70000",			FWD_SPEC_BAD_PORT },
	{ "65536",			FWD_SPEC_BAD_PORT },
	{ "0",				FWD_SPEC_BAD_PORT },
	{ "000022",			FWD_SPEC_BAD_PORT },
	{ "99999999999999999999999",	FWD_SPEC_BAD_PORT },
	{ "5-3",			FWD_SPEC_BAD_RANGE },
	{ "22:",			FWD_SPEC_BAD_TARGET },
	{ "22-80:32-33",		FWD_SPEC_BAD_TARGET },
	{ "22-80:32",			FWD_SPEC_BAD_TARGET },
	{ "22-80:70000",		FWD_SPEC_BAD_PORT },
	{ "22:0",			FWD_SPEC_BAD_PORT },
	{ "22:x",			FWD_SPEC_BAD_TARGET },
	{ "300.1.1.1/22",		FWD_SPEC_BAD_ADDR },
	{ "abc/22",			FWD_SPEC_BAD_ADDR },
	{ "/22",			FWD_SPEC_BAD_ADDR },
	{ "224.0.0.1/22",		FWD_SPEC_BAD_ADDR },
	{ "ff02::1/22",			FWD_SPEC_BAD_ADDR },
	{ "[192.0.2.1]/22",		FWD_SPEC_BAD_ADDR },
	{ "[::1/22",			FWD_SPEC_BAD_ADDR },
	{ "192.0.2.1/22,192.0.2.2/23",	FWD_SPEC_BAD_ADDR },
	{ "192.0.2.1/",			FWD_SPEC_EMPTY },
	{ "",				FWD_SPEC_EMPTY },
	{ ",,",				FWD_SPEC_SYNTAX },
	{ ",22",			FWD_SPEC_SYNTAX },
	{ "22,",			FWD_SPEC_SYNTAX },
	{ "~",				FWD_SPEC_SYNTAX },
	{ "~22:23",			FWD_SPEC_SYNTAX },
	{ "22-",			FWD_SPEC_SYNTAX },
	{ "-22",			FWD_SPEC_SYNTAX },
	{ "+22",			FWD_SPEC_SYNTAX },
	{ " 22",			FWD_SPEC_SYNTAX },
	{ "22 ",			FWD_SPEC_SYNTAX },
	{ "1:2:3",			FWD_SPEC_SYNTAX },
	{ "garbage",			FWD_SPEC_SYNTAX },
	{ "22;23",			FWD_SPEC_SYNTAX },
	{ "%/22",			FWD_SPEC_BAD_IFNAME },
	{ "%abcdefghijklmnop/22",	FWD_SPEC_BAD_IFNAME },
	{ "192.0.2.1%eth 0/22",		FWD_SPEC_BAD_IFNAME },
	{ "22,~22",			FWD_SPEC_BAD_RANGE },
	{ "22:23,22:24",		FWD_SPEC_BAD_RANGE },
	{ "20-30:40-50,25:26",		FWD_SPEC_BAD_RANGE },
	{ "auto ",			FWD_SPEC_SYNTAX },
	{ "NONE",			FWD_SPEC_SYNTAX },
};

/* Malformed specifications are rejected with a reason, table untouched */
static void fwd_malformed(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_specs); i++) {
		const char *why = NULL;
		int rc;

		memset(&fwd, 0, sizeof(fwd));
		fwd.mode = FWD_SPEC;
		fwd.count = 1;
		fwd.rules[0].first = fwd.rules[0].last = fwd.rules[0].to = 7;

		rc = fwd_spec_parse(&fwd, bad_specs[i].spec, false, true, &why);
		CHECK_MSG(rc == -bad_specs[i].err,
			  "'%s': got %i, want %i (%s)", bad_specs[i].spec, rc,
			  -bad_specs[i].err, why ? why : "no reason");
		CHECK_MSG(why && *why, "'%s': no reason", bad_specs[i].spec);
		CHECK_MSG(fwd.count == 1 && fwd.rules[0].first == 7,
			  "'%s': table changed", bad_specs[i].spec);
	}
}

/* More ranges than a table holds: rejected, not truncated */
static void fwd_too_many(void)
{
	static char spec[FWD_RULES_MAX * 8];
	const char *why;
	size_t len = 0;
	unsigned int i;

	for (i = 0; i <= FWD_RULES_MAX; i++)
		len += snprintf(spec + len, sizeof(spec) - len, "%s%u",
				i ? "," : "", 1000 + i * 2);
	memset(&fwd, 0, sizeof(fwd));
	CHECK(fwd_spec_parse(&fwd, spec, false, true, &why) ==
	      -FWD_SPEC_TOO_MANY);
	CHECK(!fwd.count);

	/* Exactly as many as fit */
	spec[len - 5] = '\0';
	CHECK(!fwd_spec_parse(&fwd, spec, false, true, &why));
	CHECK(fwd.count == FWD_RULES_MAX);
}

/* The ephemeral range is read from the kernel and sane */
static void fwd_ephemeral(void)
{
	uint16_t first = 0, last = 0;

	fwd_ephemeral_range(&first, &last);
	CHECK(first > 0 && first <= last);
}

int main(void)
{
	RUN(fwd_manual_examples);
	RUN(fwd_manual_exclusion_only);
	RUN(fwd_keywords);
	RUN(fwd_ipv6_bind);
	RUN(fwd_accumulate);
	RUN(fwd_weak_overlap);
	RUN(fwd_exclusion_keeps_offset);
	RUN(fwd_malformed);
	RUN(fwd_too_many);
	RUN(fwd_ephemeral);
	UNIT_EXIT();
}
