// SPDX-License-Identifier: GPL-2.0-or-later
/* siphash.c - SipHash-2-4, as specified in "SipHash: a fast short-input
 * PRF" (Aumasson, Bernstein, 2012): two compression rounds per 8-byte word,
 * four finalisation rounds, 128-bit key, 64-bit output. Inputs here are
 * short (addresses and ports), so a plain byte-wise implementation is fast
 * enough and has no alignment requirements.
 */

#include <string.h>

#include "siphash.h"

#define ROTL64(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))

/**
 * sip_round() - One SipRound on the internal state
 * @v:		State words v0..v3
 */
static inline void sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = ROTL64(v[1], 13);
	v[1] ^= v[0];
	v[0] = ROTL64(v[0], 32);
	v[2] += v[3];
	v[3] = ROTL64(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = ROTL64(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = ROTL64(v[1], 17);
	v[1] ^= v[2];
	v[2] = ROTL64(v[2], 32);
}

/**
 * le64() - Read a little-endian 64-bit word from unaligned bytes
 * @p:		Bytes
 *
 * Return: word value
 */
static inline uint64_t le64(const uint8_t *p)
{
	uint64_t w = 0;
	int i;

	for (i = 7; i >= 0; i--)
		w = (w << 8) | p[i];
	return w;
}

/**
 * siphash_2_4() - Keyed 64-bit hash of a buffer
 * @key:	128-bit key, read as two little-endian words
 * @data:	Input
 * @len:	Length of @data in bytes
 *
 * Return: SipHash-2-4 of @data under @key
 */
uint64_t siphash_2_4(const uint8_t key[SIPHASH_KEY_BYTES], const void *data,
		     size_t len)
{
	uint64_t k0 = le64(key), k1 = le64(key + 8), m, b;
	const uint8_t *p = data;
	uint64_t v[4];
	size_t left;
	int i;

	/* "somepseudorandomlygeneratedbytes" */
	v[0] = k0 ^ 0x736f6d6570736575ULL;
	v[1] = k1 ^ 0x646f72616e646f6dULL;
	v[2] = k0 ^ 0x6c7967656e657261ULL;
	v[3] = k1 ^ 0x7465646279746573ULL;

	for (left = len; left >= 8; left -= 8, p += 8) {
		m = le64(p);
		v[3] ^= m;
		sip_round(v);
		sip_round(v);
		v[0] ^= m;
	}

	/* Last block: remaining bytes, length modulo 256 in the top byte */
	b = (uint64_t)(len & 0xff) << 56;
	for (i = (int)left - 1; i >= 0; i--)
		b |= (uint64_t)p[i] << (8 * i);

	v[3] ^= b;
	sip_round(v);
	sip_round(v);
	v[0] ^= b;

	v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		sip_round(v);

	return v[0] ^ v[1] ^ v[2] ^ v[3];
}
