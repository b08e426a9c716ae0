/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TCP connection state shared by tcp.c and the files that work on its
 * connections (tcp_delack.c, and tcp_migrate.c from outside the data
 * path): the flow table entry of a connection (type FLOW_TCP), its flags,
 * the work left for the end of a batch of guest frames, sequence number
 * comparisons, and the few tcp.c functions the others call.
 */
#ifndef TCP_CONN_H
#define TCP_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "ctx.h"
#include "flow.h"

/* Smallest retransmission timeout, milliseconds */
#define TCP_RTO_MIN_MS		200

/* Connection flags */
#define TCP_F_V6		(1U << 0)	/* IPv6 on the guest side */
#define TCP_F_SYN_SENT		(1U << 1)	/* SYN sent, no answer */
#define TCP_F_CONNECTING	(1U << 2)	/* connect() in progress */
#define TCP_F_SYNACK_SENT	(1U << 3)	/* SYN-ACK sent, no ACK */
#define TCP_F_ESTABLISHED	(1U << 4)
#define TCP_F_HOST_EOF		(1U << 5)	/* socket got FIN */
#define TCP_F_EOF_READ		(1U << 6)	/* all data peeked */
#define TCP_F_FIN_SENT		(1U << 7)	/* FIN to guest sent */
#define TCP_F_FIN_ACKED		(1U << 8)
#define TCP_F_GUEST_FIN		(1U << 9)	/* guest FIN: SHUT_WR */
#define TCP_F_WS		(1U << 10)	/* window scaling on */
#define TCP_F_PEEK_RESET	(1U << 11)	/* set SO_PEEK_OFF */
#define TCP_F_WND_BLOCKED	(1U << 12)	/* guest data refused */
#define TCP_F_RECOVERY		(1U << 13)	/* retransmitting */
#define TCP_F_WND_LOW		(1U << 14)	/* small window sent */
#define TCP_F_PERSIST		(1U << 15)	/* probing a zero window */
#define TCP_F_WND_CACHED	(1U << 16)	/* @wnd_edge is valid */
#define TCP_F_DRAINED		(1U << 17)	/* last peek took all data */
#define TCP_F_PSH		(1U << 18)	/* last guest data had PSH */
#define TCP_F_HOLE		(1U << 19)	/* guest data dropped, out of order */
#define TCP_F_FROZEN		(1U << 20)	/* socket in repair mode: moving */

/* An ACK may wait for data (tcp_delack.c) with PSH, none of the others */
#define TCP_DELACK_FLAGS	(TCP_F_PSH | TCP_F_GUEST_FIN | TCP_F_WND_LOW | \
				 TCP_F_WND_BLOCKED)

/* Work left for the end of a batch of guest frames */
#define TCP_B_TOUCHED		(1U << 0)
#define TCP_B_ACK		(1U << 1)	/* send an ACK */
#define TCP_B_DATA		(1U << 2)	/* try sending data */
#define TCP_B_RETRANS		(1U << 3)	/* go back to last ACK */
/* Out-of-order segments seen in the batch (up to 15): one duplicate ACK
 * each (RFC 5681, 4.2), no more, as senders without SACK count them as
 * segments that left the network, and take extra ones for reordering
 */
#define TCP_B_OOO_SHIFT		4
#define TCP_B_OOO_MASK		(15U << TCP_B_OOO_SHIFT)

#define SEQ_LT(a, b)		((int32_t)((a) - (b)) < 0)
#define SEQ_LE(a, b)		((int32_t)((a) - (b)) <= 0)
#define SEQ_GT(a, b)		((int32_t)((a) - (b)) > 0)
#define SEQ_GE(a, b)		((int32_t)((a) - (b)) >= 0)

/**
 * struct tcp_conn - A TCP connection: flow table entry of type FLOW_TCP
 * @f:			Common flow part: guest and host side 4-tuples
 * @sock:		Host socket, -1 if none
 * @flags:		TCP_F_* flags
 * @batch:		TCP_B_* work pending for the end of the frame batch
 * @ws_guest:		Window scale the guest applies to its windows
 * @retries:		Retransmissions since the last progress
 * @dup_acks:		Duplicate ACKs in a row
 * @mss:		Largest segment payload we send to the guest
 * @discards_held:	Acknowledgements whose data is still in @sock
 * @events:		epoll events registered for @sock, 0 if not yet
 * @rto_ms:		Current retransmission timeout
 * @isn:		Our initial sequence number
 * @seq_to_guest:	Next sequence number we send
 * @seq_max:		One past the highest sequence number sent
 * @seq_una:		Oldest sequence number the guest hasn't acknowledged
 * @seq_head:		Sequence number of the first byte still in @sock
 * @seq_recover:	@seq_max at the last retransmission
 * @seq_from_guest:	Next sequence number expected from the guest
 * @seq_ack_sent:	Last acknowledgement sent to the guest
 * @wnd_guest:		Guest's receive window, bytes
 * @wnd_sent:		Last window advertised to the guest, bytes
 * @wnd_edge:		Right edge (sequence) of the window last measured
 * @wnd_measured:	That window, bytes
 * @hole_edge:		With TCP_F_HOLE: right edge the window keeps to
 * @hole_end:		With TCP_F_HOLE: end of the furthest segment dropped
 * @deadline:		Timer deadline (milliseconds, monotonic), 0 if none
 */
struct tcp_conn {
	struct flow_common f;
	int sock;
	uint32_t flags;
	uint8_t batch;
	uint8_t ws_guest;
	uint8_t retries;
	uint8_t dup_acks;
	uint16_t mss;
	uint8_t discards_held;
	uint32_t events;
	uint32_t rto_ms;
	uint32_t isn;
	uint32_t seq_to_guest;
	uint32_t seq_max;
	uint32_t seq_una;
	uint32_t seq_head;
	uint32_t seq_recover;
	uint32_t seq_from_guest;
	uint32_t seq_ack_sent;
	uint32_t wnd_guest;
	uint32_t wnd_sent;
	uint32_t wnd_edge;
	uint32_t wnd_measured;
	uint32_t hole_edge;
	uint32_t hole_end;
	uint64_t deadline;
};

_Static_assert(sizeof(struct tcp_conn) <= sizeof(union flow),
	       "TCP connection state must fit a flow table entry");

struct tcp_conn *tcp_conn_at(union flow *flow);
struct tcp_conn *tcp_conn_init(union flow *flow, int s);
void tcp_conn_close(struct tcp_conn *conn, bool rst);
void tcp_conn_resume(const struct ctx *c, struct tcp_conn *conn);
void tcp_rst_to_guest(const struct ctx *c, const struct flowside *side,
		      uint32_t seq, uint32_t ack);
void tcp_conn_deadline(struct tcp_conn *conn, uint32_t ms);
void tcp_epoll_set(const struct ctx *c, struct tcp_conn *conn, bool rearm);
void tcp_update_now(const struct timespec *now);
const struct tcp_conn *tcp_wr_flush(const struct ctx *c);

#endif /* TCP_CONN_H */
