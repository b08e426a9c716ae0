/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SipHash-2-4 (Aumasson, Bernstein, 2012): a keyed hash used for the flow
 * table's hash buckets and for TCP initial sequence numbers (RFC 6528), so
 * that neither can be predicted or steered by a guest or a remote peer.
 */
#ifndef SIPHASH_H
#define SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_BYTES	16

uint64_t siphash_2_4(const uint8_t key[SIPHASH_KEY_BYTES], const void *data,
		     size_t len);

#endif /* SIPHASH_H */
