// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for siphash.c: test vectors from the SipHash paper (appendix A)
 * and the authors' reference vectors, key 00 01 .. 0f, message 00 01 .. n-1.
 */

#include "unit.h"
#include "siphash.h"

static uint8_t key[SIPHASH_KEY_BYTES];
static uint8_t msg[64];

static void setup(void)
{
	unsigned i;

	for (i = 0; i < sizeof(key); i++)
		key[i] = i;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = i;
}

/* Appendix A of the paper: 15-byte message */
static void siphash_paper_vector(void)
{
	CHECK(siphash_2_4(key, msg, 15) == 0xa129ca6149be45e5ULL);
}

/* Reference vectors for lengths 0, 1, 7, 8 (block boundaries) */
static void siphash_reference_vectors(void)
{
	CHECK(siphash_2_4(key, msg, 0) == 0x726fdb47dd0e0e31ULL);
	CHECK(siphash_2_4(key, msg, 1) == 0x74f839c593dc67fdULL);
	CHECK(siphash_2_4(key, msg, 7) == 0xab0200f58b01d137ULL);
	CHECK(siphash_2_4(key, msg, 8) == 0x93f5f5799a932462ULL);
}

/* A different key must give a different hash */
static void siphash_key_matters(void)
{
	uint8_t k2[SIPHASH_KEY_BYTES] = { 0 };

	CHECK(siphash_2_4(k2, msg, 15) != siphash_2_4(key, msg, 15));
}

int main(void)
{
	setup();
	RUN(siphash_paper_vector);
	RUN(siphash_reference_vectors);
	RUN(siphash_key_matters);
	UNIT_EXIT();
}
