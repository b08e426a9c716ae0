/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IP fragments both ways: reassembly of IPv4 fragments and IPv6 Fragment
 * header datagrams from the guest in a static, bounded table, and
 * fragmentation of frames to the guest larger than its MTU.
 */
#ifndef FRAG_H
#define FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/uio.h>

#include "ctx.h"
#include "packet.h"

/* Datagrams being reassembled at once */
#define FRAG_SLOTS		32
/* Of those, how many one source, destination and protocol may hold: a new
 * datagram past that evicts its own oldest, not someone else's
 */
#define FRAG_FLOW_SLOTS		8
/* Largest reassembled IP payload: the 16-bit length of IPv6 (IPv4 keeps
 * room for its 20-byte header within the same 16 bits)
 */
#define FRAG_PAYLOAD_MAX	65535
/* Fragments one datagram may come in: 65535 bytes in 552-byte pieces, the
 * payload of a 576-byte IPv4 packet, with room to spare
 */
#define FRAG_PIECES_MAX		128
/* Seconds a datagram may take to complete (as Linux, ipfrag_time) */
#define FRAG_TIMEOUT_SEC	30
/* Environment variable overriding FRAG_TIMEOUT_SEC, for tests */
#define FRAG_TIMEOUT_ENV	"PASST_FRAG_TIMEOUT_SEC"
#define FRAG_TIMEOUT_MAX_SEC	3600

struct json;

void frag_init(void);
int frag_input(const struct ctx *c, const struct iovec *frame,
	       const struct frame_info *fi, const struct timespec *now,
	       struct iovec *whole);
void frag_release(void);
void frag_timer(const struct ctx *c, const struct timespec *now);
void frag_guest_gone(void);
unsigned int frag_in_flight(void);
void frag_stats_json(struct json *j);

/* The guest link's batch send: tap_send_frames() */
typedef size_t (*frag_send_fn)(const struct ctx *c, const struct iovec *iov,
			       size_t bufs_per_frame, size_t nframes);
int frag_to_guest(const struct ctx *c, const struct iovec *iov, size_t cnt,
		  frag_send_fn send);

#endif /* FRAG_H */
