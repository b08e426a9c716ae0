// SPDX-License-Identifier: GPL-2.0-or-later
/* json.c - Writing JSON text into a fixed buffer, with the string escapes
 * JSON asks for, for the state reported by the control socket and by
 * --stats-json. No parser: we only ever write.
 */

#include <stdarg.h>
#include <stdio.h>

#include "json.h"

/**
 * json_init() - Start writing into a buffer
 * @j:		Writer
 * @buf:	Buffer
 * @size:	Size of @buf, at least one byte
 */
void json_init(struct json *j, char *buf, size_t size)
{
	j->buf = buf;
	j->size = size;
	j->len = 0;
	buf[0] = '\0';
}

/**
 * json_printf() - Append formatted text (the caller writes the syntax)
 * @j:		Writer
 * @fmt:	printf() format
 */
void json_printf(struct json *j, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (j->len >= j->size - 1) {
		j->len = j->size;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(j->buf + j->len, j->size - j->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	j->len += (size_t)n;
	if (j->len >= j->size)
		j->len = j->size;
}

/**
 * json_str() - Append a string value, quoted and escaped
 * @j:		Writer
 * @s:		String, any bytes: controls are escaped, others copied
 */
void json_str(struct json *j, const char *s)
{
	json_printf(j, "\"");
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			json_printf(j, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			json_printf(j, "\\u%04x", ch);
		else
			json_printf(j, "%c", ch);
	}
	json_printf(j, "\"");
}

/**
 * json_full() - Tell if the text was cut for want of room
 * @j:		Writer
 *
 * Return: true if something didn't fit
 */
bool json_full(const struct json *j)
{
	return j->len >= j->size - 1;
}
