// SPDX-License-Identifier: GPL-2.0-or-later
/* The receive window passt offers the guest on a TCP connection: what the
 * host socket's send buffer can take without refusing a write, measured
 * sparingly (SO_MEMINFO and SIOCOUTQ), remembered as a right edge, and
 * held at that edge while guest data has a hole, so that a sender without
 * selective acknowledgements fills the hole before sending past it.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>

#include "util.h"
#include "tcp_conn.h"
#include "tcp_seg.h"
#include "tcp_wnd.h"

/* Largest window our scale can express */
#define TCP_WND_MAX_SCALED	((uint32_t)TCP_MAXWIN << TCP_WS_OURS)
/* Send buffer share kept back from the window for kernel overhead, and the
 * share below which the window counts as small (as divisors of the buffer)
 */
#define TCP_SNDBUF_MARGIN_DIV	16
#define TCP_WND_LOW_DIV		4
/* Share of the send buffer memory left that the window offers */
#define TCP_WND_ROOM_DIV	2

/**
 * tcp_wnd_clamp() - Largest window the connection's window field expresses
 * @conn:	Connection
 * @wnd:	Window, bytes, not negative
 *
 * Return: @wnd, clamped
 */
static uint32_t tcp_wnd_clamp(const struct tcp_conn *conn, long wnd)
{
	if (conn->flags & TCP_F_WS)
		return (uint32_t)MIN(wnd, (long)TCP_WND_MAX_SCALED);
	return (uint32_t)MIN(wnd, (long)TCP_MAXWIN);
}

/**
 * tcp_wnd_remember() - Note a measured window as a right edge to keep to
 * @conn:	Connection
 * @wnd:	Window measured now, bytes
 */
static void tcp_wnd_remember(struct tcp_conn *conn, uint32_t wnd)
{
	conn->wnd_edge = conn->seq_from_guest + wnd;
	conn->wnd_measured = wnd;
	conn->flags |= TCP_F_WND_CACHED;
}

/**
 * tcp_wnd_calc() - Window to advertise: free space in the socket send buffer
 * @conn:	Connection
 * @low:	Set if the window is small compared to the buffer: the guest
 *		needs an update once the socket drains
 *
 * The kernel charges buffer overhead to the send buffer too: keep a margin,
 * so that what the guest sends within the window is accepted. It refuses
 * writes once the memory queued, payload and per-buffer overhead, reaches
 * the buffer size, and for small segments that overhead is several times
 * their payload: offer no more than half of the memory left, however few
 * bytes are queued. Data refused within the window makes a hole that the
 * guest's sender, without selective acknowledgements, fills one segment at
 * a time, on timeouts growing exponentially, as every segment behind the
 * hole is dropped too: the transfer looks stalled.
 *
 * Measuring takes two system calls (SO_MEMINFO, SIOCOUTQ), so a measured
 * window is remembered as its right edge: what we wrote since only moves
 * the left edge, and the space the kernel freed meanwhile can wait until
 * the window left shrank by an eighth, or until the socket asks for more
 * (EPOLLOUT). Before the connection is established nothing was written:
 * the queue needs no measuring, and the window of our SYN-ACK is the edge
 * its first data keeps to (the guest's sequence is known by then; not when
 * we send the SYN).
 *
 * Return: window in bytes, before scaling
 */
uint32_t tcp_wnd_calc(struct tcp_conn *conn, bool *low)
{
	uint32_t mi[SK_MEMINFO_VARS] = { 0 };
	socklen_t sl = sizeof(mi);
	long sndbuf, room, wnd;
	int outq = 0;
	uint32_t w;

	*low = false;
	if (conn->sock < 0 || (conn->flags & TCP_F_GUEST_FIN))
		return conn->wnd_sent;

	if (conn->flags & TCP_F_WND_CACHED) {
		uint32_t avail = conn->wnd_edge - conn->seq_from_guest;

		if ((int32_t)avail > 0 &&
		    (uint64_t)avail * 8 >= (uint64_t)conn->wnd_measured * 7)
			return avail;
	}

	if (getsockopt(conn->sock, SOL_SOCKET, SO_MEMINFO, mi, &sl) ||
	    ((conn->flags & TCP_F_ESTABLISHED) &&
	     ioctl(conn->sock, SIOCOUTQ, &outq)))
		return 0;

	sndbuf = mi[SK_MEMINFO_SNDBUF];
	wnd = sndbuf - sndbuf / TCP_SNDBUF_MARGIN_DIV - outq;
	room = (sndbuf - (long)mi[SK_MEMINFO_WMEM_QUEUED]) / TCP_WND_ROOM_DIV;
	wnd = MIN(wnd, room);
	if (wnd < 0)
		wnd = 0;
	*low = wnd < sndbuf / TCP_WND_LOW_DIV;
	w = tcp_wnd_clamp(conn, wnd);
	if (!(conn->flags & TCP_F_SYN_SENT))
		tcp_wnd_remember(conn, w);
	return w;
}

/**
 * tcp_wnd_hole() - Keep the window's right edge while guest data has a hole
 * @conn:	Connection
 * @wnd:	Window the socket could take, bytes
 *
 * Once the hole is filled, or the guest reached the edge, the hold ends.
 *
 * Return: @wnd, or less if it would reach past the edge held
 */
uint32_t tcp_wnd_hole(struct tcp_conn *conn, uint32_t wnd)
{
	uint32_t left;

	if ((conn->flags & TCP_F_HOLE) &&
	    (SEQ_GE(conn->seq_from_guest, conn->hole_end) ||
	     SEQ_GE(conn->seq_from_guest, conn->hole_edge)))
		conn->flags &= ~TCP_F_HOLE;
	if (!(conn->flags & TCP_F_HOLE))
		return wnd;

	left = conn->hole_edge - conn->seq_from_guest;
	return MIN(wnd, (int32_t)left > 0 ? left : 0);
}
