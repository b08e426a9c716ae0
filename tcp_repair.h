/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TCP connections in the migration stream: the record of one connection
 * (its 4-tuples, tcp.c's own sequence numbers and windows, and the host
 * socket's state read in repair mode: queue sequence numbers, options,
 * window and the data of both queues), and the socket work of reading it
 * on the source and recreating the socket from it on the target.
 */
#ifndef TCP_REPAIR_H
#define TCP_REPAIR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "flow.h"

/* Fixed part of a record, before the send and receive queue data */
#define TCP_MIG_FIXED		160
/* Bytes of one queue we move at most (a send buffer's worth) */
#define TCP_MIG_QUEUE_MAX	(16U << 20)

/* Largest MSS towards the guest tcp.c uses (its frames' payload room less
 * a margin), and largest window a scale of 14 expresses
 */
#define TCP_MIG_MSS_MAX		(65536 - 64)
#define TCP_MIG_WND_MAX		(65535U << 14)

/* Socket options in use (the bits of TCP_INFO's tcpi_options) */
#define TCP_MIG_OPT_TS		0x1
#define TCP_MIG_OPT_SACK	0x2
#define TCP_MIG_OPT_WS		0x4
/* Not a socket option: the connection stays on the source (no passt-repair
 * there, or its state couldn't be read), and the record only names it, so
 * that the target can say so and reset the guest's side
 */
#define TCP_MIG_OPT_STAYS	0x80

/**
 * struct tcp_mig - One connection as it moves
 * @side:		Guest side and host side 4-tuples
 * @flags:		tcp.c connection flags
 * @ws_guest:		Window scale of the guest
 * @mss:		Largest segment towards the guest
 * @isn:		Our initial sequence number towards the guest
 * @seq_to_guest:	tcp.c sequence numbers towards and from the guest
 * @seq_max:		...
 * @seq_una:		...
 * @seq_head:		...
 * @seq_from_guest:	...
 * @seq_ack_sent:	...
 * @wnd_guest:		Guest's receive window
 * @wnd_sent:		Last window announced to the guest
 * @snd_seq:		Socket: sequence number of the first send queue byte
 * @rcv_seq:		Socket: sequence number of the first receive queue byte
 * @sndq_len:		Socket: bytes in the send queue (not acknowledged)
 * @rcvq_len:		Socket: bytes in the receive queue (not read)
 * @sock_mss:		Socket: MSS (TCP_MAXSEG)
 * @snd_wscale:		Socket: peer's window scale
 * @rcv_wscale:		Socket: our window scale
 * @opts:		Socket: TCP_MIG_OPT_* in use
 * @ts:			Socket: TCP timestamp clock (TCP_TIMESTAMP)
 * @snd_wl1:		Socket: TCP_REPAIR_WINDOW fields
 * @snd_wnd:		...
 * @max_window:		...
 * @rcv_wnd:		...
 * @rcv_wup:		...
 * @sndq:		Send queue data (points into the stream)
 * @rcvq:		Receive queue data (points into the stream)
 */
struct tcp_mig {
	struct flowside side[2];
	uint16_t flags;
	uint8_t ws_guest;
	uint16_t mss;
	uint32_t isn, seq_to_guest, seq_max, seq_una, seq_head;
	uint32_t seq_from_guest, seq_ack_sent, wnd_guest, wnd_sent;
	uint32_t snd_seq, rcv_seq, sndq_len, rcvq_len;
	uint16_t sock_mss;
	uint8_t snd_wscale, rcv_wscale, opts;
	uint32_t ts;
	uint32_t snd_wl1, snd_wnd, max_window, rcv_wnd, rcv_wup;
	const uint8_t *sndq;
	const uint8_t *rcvq;
};

void tcp_mig_encode(const struct tcp_mig *m, uint8_t *p);
const char *tcp_mig_decode(const uint8_t *p, size_t len, struct tcp_mig *m,
			   size_t *used);
ssize_t tcp_repair_read(int s, struct tcp_mig *m, uint8_t *buf, size_t size);
int tcp_repair_write(int s, const struct tcp_mig *m, uint32_t promised);

#endif /* TCP_REPAIR_H */
