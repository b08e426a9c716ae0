// SPDX-License-Identifier: GPL-2.0-or-later
/* migrate.c - Live migration state for the vhost-user back end: the
 * stream the source builds once the front end has stopped the device, and
 * that the target checks and applies, and its transfer through the pipe
 * the front end hands over (SET_DEVICE_STATE_FD), written or read from the
 * event loop so that neither side waits for the other.
 *
 * Stream (all numbers little-endian):
 *   header	"PASSTMIG", u32 version, u32 bytes of sections that follow,
 *		u32 CRC-32 (IEEE) of those bytes
 *   sections	u16 type, u16 flags, u32 payload length, payload
 * A target skips sections of types it doesn't know unless they carry
 * MIGRATE_SEC_REQUIRED, and refuses a stream with another magic or version,
 * a bad checksum, a truncated section or a malformed payload, with one log
 * line, before applying anything.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include "log.h"
#include "migrate.h"
#include "util.h"

/* Payload of MIGRATE_SEC_GUEST: MAC, 2 bytes padding, IPv4, IPv6, IPv6 LL */
#define MIGRATE_GUEST_LEN	(MAC_ADDR_LEN + 2 + 4 + 16 + 16)

/**
 * enum migrate_state - Where a transfer through the front end's pipe is
 * @MIG_IDLE:		No transfer
 * @MIG_SAVING:		Writing the stream to the pipe
 * @MIG_LOADING:	Reading the stream from the pipe
 * @MIG_DONE:		Transfer complete (and applied, when loading)
 * @MIG_FAILED:		Transfer failed or stream refused (logged)
 */
enum migrate_state {
	MIG_IDLE,
	MIG_SAVING,
	MIG_LOADING,
	MIG_DONE,
	MIG_FAILED,
};

/**
 * struct migrate_xfer - The transfer in progress
 * @state:	enum migrate_state
 * @fd:		Pipe from or to the front end, -1 if none
 * @pos:	Bytes written or read so far
 * @len:	Stream length, when saving
 * @saving:	A save took TCP connections, not checked yet
 * @saved:	The last save was checked, complete
 */
static struct migrate_xfer {
	enum migrate_state state;
	int fd;
	size_t pos;
	size_t len;
	bool saving;
	bool saved;
} mig = { .fd = -1 };

static uint8_t mig_buf[MIGRATE_BUF_MAX];

/* A save completed: the guest's connections live elsewhere now */
static bool mig_moved;

/**
 * migrate_lingering() - Do we keep sockets of connections that moved?
 * @c:		Execution context
 *
 * Return: true after a completed migration as source, without
 *	   --migrate-no-linger: exiting would close those sockets
 */
bool migrate_lingering(const struct ctx *c)
{
	return mig_moved && !c->migrate_no_linger;
}

/* Work on the TCP connections' section (tcp_migrate.c), set by main() */
static const struct migrate_conn_ops *mig_tcp;

/**
 * migrate_set_tcp() - Set who saves and loads the TCP section
 * @ops:	Save, done and load functions
 */
void migrate_set_tcp(const struct migrate_conn_ops *ops)
{
	mig_tcp = ops;
}

/**
 * migrate_device_ready() - The guest's queues run: frames reach it again
 * @c:		Execution context
 *
 * A target owes the guest what couldn't be sent while they were stopped.
 */
void migrate_device_ready(const struct ctx *c)
{
	if (mig_tcp && mig_tcp->ready)
		mig_tcp->ready(c);
}

/**
 * migrate_timer() - Periodic work: what a target still owes the guest
 * @c:		Execution context
 */
void migrate_timer(const struct ctx *c)
{
	if (c->vhost_user)
		migrate_device_ready(c);
}

/**
 * migrate_tcp_done() - Tell the TCP side how a save it took part in ended
 * @c:		Execution context
 * @ok:		The front end checked the saved state: migration completed
 */
static void migrate_tcp_done(const struct ctx *c, bool ok)
{
	if (mig.saving && mig_tcp)
		mig_tcp->done(c, ok);
	mig.saving = false;
}

/**
 * migrate_crc32() - CRC-32 (IEEE 802.3, reflected) of a buffer
 * @buf:	Data
 * @len:	Length of @buf
 *
 * Return: checksum
 */
uint32_t migrate_crc32(const uint8_t *buf, size_t len)
{
	static uint32_t table[256];
	uint32_t crc = 0xffffffff;
	size_t i;

	if (!table[1]) {
		for (i = 0; i < 256; i++) {
			uint32_t v = i;
			int b;

			for (b = 0; b < 8; b++)
				v = (v >> 1) ^ ((v & 1) ? 0xedb88320 : 0);
			table[i] = v;
		}
	}

	for (i = 0; i < len; i++)
		crc = (crc >> 8) ^ table[(crc ^ buf[i]) & 0xff];
	return ~crc;
}

/**
 * put_le() - Store a little-endian number
 * @p:		Destination
 * @v:		Value
 * @n:		Bytes, 2 or 4
 */
static void put_le(uint8_t *p, uint32_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = v >> (8 * i);
}

/**
 * get_le() - Load a little-endian number
 * @p:		Source
 * @n:		Bytes, 2 or 4
 *
 * Return: value
 */
static uint32_t get_le(const uint8_t *p, size_t n)
{
	uint32_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

/**
 * migrate_section() - Append a section header, checking for room
 * @buf:	Stream buffer
 * @size:	Size of @buf
 * @pos:	Current length, advanced past the header
 * @type:	Section type
 * @flags:	Section flags
 * @len:	Payload length that will follow
 *
 * Return: pointer to the payload, NULL if it doesn't fit
 */
static uint8_t *migrate_section(uint8_t *buf, size_t size, size_t *pos,
				uint16_t type, uint16_t flags, size_t len)
{
	uint8_t *p = buf + *pos;

	if (size - *pos < MIGRATE_SEC_HDR_LEN + len || len > UINT32_MAX)
		return NULL;
	put_le(p, type, 2);
	put_le(p + 2, flags, 2);
	put_le(p + 4, len, 4);
	*pos += MIGRATE_SEC_HDR_LEN + len;
	return p + MIGRATE_SEC_HDR_LEN;
}

/**
 * migrate_build() - Build the state stream
 * @c:		Execution context
 * @buf:	Destination
 * @size:	Size of @buf, at least MIGRATE_HDR_LEN
 *
 * Return: stream length, 0 if it doesn't fit (logged)
 */
size_t migrate_build(const struct ctx *c, uint8_t *buf, size_t size)
{
	const struct ctx_run *r = c->run;
	size_t pos = MIGRATE_HDR_LEN;
	uint8_t *p;

	p = migrate_section(buf, size, &pos, MIGRATE_SEC_GUEST, 0,
			    MIGRATE_GUEST_LEN);
	if (!p)
		goto full;
	memcpy(p, r->guest_mac, MAC_ADDR_LEN);
	p[6] = p[7] = 0;
	memcpy(p + 8, &r->addr4_seen, 4);
	memcpy(p + 12, &r->addr6_seen, 16);
	memcpy(p + 28, &r->addr6_ll_seen, 16);

	/* TCP connections: payload length known once written */
	if (mig_tcp) {
		ssize_t n;

		if (size - pos < MIGRATE_SEC_HDR_LEN)
			goto full;
		mig.saving = true;
		n = mig_tcp->save(c, buf + pos + MIGRATE_SEC_HDR_LEN,
				  size - pos - MIGRATE_SEC_HDR_LEN);
		if (n < 0)
			goto full;
		migrate_section(buf, size, &pos, MIGRATE_SEC_TCP, 0, (size_t)n);
	}

	memcpy(buf, MIGRATE_MAGIC, MIGRATE_MAGIC_LEN);
	put_le(buf + 8, MIGRATE_VERSION, 4);
	put_le(buf + 12, pos - MIGRATE_HDR_LEN, 4);
	put_le(buf + 16, migrate_crc32(buf + MIGRATE_HDR_LEN,
				       pos - MIGRATE_HDR_LEN), 4);
	return pos;
full:
	err("migration: state doesn't fit in %zu bytes", size);
	return 0;
}

/**
 * migrate_guest() - Check, and apply, a MIGRATE_SEC_GUEST payload
 * @c:		Execution context
 * @p:		Payload
 * @len:	Payload length
 * @apply:	Apply it, checked already
 *
 * Return: NULL if valid, else what is wrong
 */
static const char *migrate_guest(const struct ctx *c, const uint8_t *p,
				 size_t len, bool apply)
{
	struct ctx_run *r = c->run;

	if (len < MIGRATE_GUEST_LEN)
		return "short guest section";
	if (!apply)
		return NULL;
	memcpy(r->guest_mac, p, MAC_ADDR_LEN);
	memcpy(&r->addr4_seen, p + 8, 4);
	memcpy(&r->addr6_seen, p + 12, 16);
	memcpy(&r->addr6_ll_seen, p + 28, 16);
	return NULL;
}

/**
 * migrate_parse() - Check a state stream, or apply a checked one
 * @c:		Execution context
 * @buf:	Stream
 * @len:	Length of @buf
 * @apply:	false: check everything, log once what is wrong; true: apply
 *		(call only after a successful check)
 *
 * Return: 0 on success, -1 if the stream is refused (logged)
 */
int migrate_parse(const struct ctx *c, const uint8_t *buf, size_t len,
		  bool apply)
{
	const char *why = NULL;
	size_t pos, end;
	uint32_t v;

	if (len < MIGRATE_HDR_LEN) {
		why = "truncated header";
		goto bad;
	}
	if (memcmp(buf, MIGRATE_MAGIC, MIGRATE_MAGIC_LEN)) {
		why = "not a passt state stream (bad magic)";
		goto bad;
	}
	v = get_le(buf + 8, 4);
	if (v != MIGRATE_VERSION) {
		err("migration: state stream refused: version %u, "
		    "this passt reads version %u", v, MIGRATE_VERSION);
		return -1;
	}
	end = MIGRATE_HDR_LEN + (size_t)get_le(buf + 12, 4);
	if (end != len) {
		why = end > len ? "truncated" : "trailing bytes";
		goto bad;
	}
	if (get_le(buf + 16, 4) != migrate_crc32(buf + MIGRATE_HDR_LEN,
						 len - MIGRATE_HDR_LEN)) {
		why = "checksum mismatch";
		goto bad;
	}

	for (pos = MIGRATE_HDR_LEN; pos < end; ) {
		const uint8_t *p = buf + pos;
		uint16_t type, flags;
		size_t plen;

		if (end - pos < MIGRATE_SEC_HDR_LEN) {
			why = "truncated section header";
			goto bad;
		}
		type = get_le(p, 2);
		flags = get_le(p + 2, 2);
		plen = get_le(p + 4, 4);
		if (end - pos - MIGRATE_SEC_HDR_LEN < plen) {
			why = "truncated section";
			goto bad;
		}
		p += MIGRATE_SEC_HDR_LEN;

		switch (type) {
		case MIGRATE_SEC_GUEST:
			why = migrate_guest(c, p, plen, apply);
			break;
		case MIGRATE_SEC_TCP:
			why = mig_tcp ? mig_tcp->load(c, p, plen, apply) :
					NULL;
			break;
		default:
			if (flags & MIGRATE_SEC_REQUIRED) {
				err("migration: state stream refused: "
				    "required section type %u unknown", type);
				return -1;
			}
			debug("migration: skipping section type %u", type);
		}
		if (why)
			goto bad;
		pos += MIGRATE_SEC_HDR_LEN + plen;
	}
	return 0;
bad:
	err("migration: state stream refused: %s", why);
	return -1;
}

/**
 * migrate_close() - Close the pipe of the transfer and stop watching it
 * @c:		Execution context
 */
static void migrate_close(const struct ctx *c)
{
	if (mig.fd < 0)
		return;
	epoll_ctl(c->run->epollfd, EPOLL_CTL_DEL, mig.fd, NULL);
	close(mig.fd);
	mig.fd = -1;
}

/**
 * migrate_finish_load() - The whole stream is in: check it, apply it
 * @c:		Execution context
 */
static void migrate_finish_load(const struct ctx *c)
{
	char mac[MAC_STRLEN], a4[INET_ADDRSTRLEN];

	migrate_close(c);
	if (migrate_parse(c, mig_buf, mig.pos, false)) {
		mig.state = MIG_FAILED;
		return;
	}
	migrate_parse(c, mig_buf, mig.pos, true);
	info("migration: state loaded (%zu bytes): guest MAC %s, address %s",
	     mig.pos, mac_ntop(c->run->guest_mac, mac, sizeof(mac)),
	     inet_ntop(AF_INET, &c->run->addr4_seen, a4, sizeof(a4)));
	mig.state = MIG_DONE;
}

/**
 * migrate_io() - Move as much of the stream through the pipe as it takes
 * @c:		Execution context
 */
static void migrate_io(const struct ctx *c)
{
	ssize_t n;

	while (mig.state == MIG_SAVING) {
		/* #syscalls:vu write */
		n = write(mig.fd, mig_buf + mig.pos, mig.len - mig.pos);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			err_perror("migration: can't write state");
			migrate_close(c);
			mig.state = MIG_FAILED;
			return;
		}
		mig.pos += n;
		if (mig.pos == mig.len) {
			/* Closing our end is the end of the stream */
			migrate_close(c);
			info("migration: state saved (%zu bytes)", mig.len);
			mig.state = MIG_DONE;
		}
	}

	while (mig.state == MIG_LOADING) {
		if (mig.pos == sizeof(mig_buf)) {
			err("migration: state stream refused: "
			    "longer than %zu bytes", sizeof(mig_buf));
			migrate_close(c);
			mig.state = MIG_FAILED;
			return;
		}
		/* #syscalls:vu read */
		n = read(mig.fd, mig_buf + mig.pos, sizeof(mig_buf) - mig.pos);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			err_perror("migration: can't read state");
			migrate_close(c);
			mig.state = MIG_FAILED;
			return;
		}
		if (!n)
			migrate_finish_load(c);
		else
			mig.pos += n;
	}
}

/**
 * migrate_start() - Start a transfer through a pipe from the front end
 * @c:		Execution context
 * @dir:	MIGRATE_SAVE or MIGRATE_LOAD
 * @fd:		Pipe end, ours from now on (closed on failure too)
 *
 * Return: 0 if the transfer started, -1 on failure (logged)
 */
int migrate_start(const struct ctx *c, enum migrate_dir dir, int fd)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_VHOST_MIGRATE, .fd = fd };
	enum migrate_state next = dir == MIGRATE_SAVE ? MIG_SAVING : MIG_LOADING;
	uint32_t events = dir == MIGRATE_SAVE ? EPOLLOUT : EPOLLIN;

	migrate_abort(c);
	mig.pos = mig.len = 0;
	mig.state = MIG_FAILED;

	if (dir == MIGRATE_SAVE) {
		mig.len = migrate_build(c, mig_buf, sizeof(mig_buf));
		if (!mig.len) {
			migrate_tcp_done(c, false);
			close(fd);
			return -1;
		}
	}

	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) ||
	    epoll_add_ref(c->run->epollfd, fd,
			  events, ref)) {
		err("migration: can't watch the state pipe");
		migrate_tcp_done(c, false);
		close(fd);
		return -1;
	}
	mig.fd = fd;
	mig.state = next;
	migrate_io(c);
	return 0;
}

/**
 * migrate_handler() - The state pipe is ready for us
 * @c:		Execution context
 * @ref:	epoll reference of the pipe
 * @events:	epoll events
 */
void migrate_handler(const struct ctx *c, union epoll_ref ref,
		     uint32_t events)
{
	(void)events;
	if (ref.fd != mig.fd)
		return;
	migrate_io(c);
	if (mig.state == MIG_SAVING && (events & (EPOLLERR | EPOLLHUP))) {
		err("migration: front end closed the state pipe early");
		migrate_close(c);
		mig.state = MIG_FAILED;
	}
}

/**
 * migrate_check() - Result of the transfer (CHECK_DEVICE_STATE)
 * @c:		Execution context
 *
 * The front end asks once it has written and closed the pipe, or read it to
 * the end: a load still going on gets what remains in the pipe now.
 *
 * Return: 0 if the transfer completed (and the state was applied), -1 if
 *	   not
 */
int migrate_check(const struct ctx *c)
{
	migrate_io(c);
	if (mig.state == MIG_LOADING) {
		err("migration: state stream refused: truncated "
		    "(the front end didn't close the pipe)");
		migrate_close(c);
		mig.state = MIG_FAILED;
	}
	if (mig.state == MIG_SAVING) {
		err("migration: front end checked before reading all state");
		migrate_close(c);
		mig.state = MIG_FAILED;
	}
	migrate_tcp_done(c, mig.state == MIG_DONE);
	mig.saved = mig.state == MIG_DONE && mig.len;
	return mig.state == MIG_DONE ? 0 : -1;
}

/**
 * migrate_checked() - After the answer to CHECK_DEVICE_STATE: with
 *		       --migrate-exit, a completed save ends us
 * @c:		Execution context
 */
void migrate_checked(const struct ctx *c)
{
	if (mig.saved)
		mig_moved = true;
	if (mig.saved && c->migrate_exit) {
		info("migration: completed, exiting (--migrate-exit)");
		exit(EXIT_SUCCESS);
	}
}

/**
 * migrate_abort() - Drop a transfer in progress (front end gone, or new)
 * @c:		Execution context
 */
void migrate_abort(const struct ctx *c)
{
	migrate_tcp_done(c, false);
	mig.saved = false;
	migrate_close(c);
	mig.state = MIG_IDLE;
}
