/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writing JSON text into a fixed buffer: the machine-readable state the
 * control socket and --stats-json give out. Appending never overruns the
 * buffer; a caller tells from json_full() that the text was cut.
 */
#ifndef JSON_H
#define JSON_H

#include <stdbool.h>
#include <stddef.h>

/**
 * struct json - Text being written
 * @buf:	Buffer, always NUL-terminated
 * @size:	Size of @buf
 * @len:	Length of the text, more than @size - 1 if it was cut
 */
struct json {
	char *buf;
	size_t size;
	size_t len;
};

void json_init(struct json *j, char *buf, size_t size);
void json_printf(struct json *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void json_str(struct json *j, const char *s);
bool json_full(const struct json *j);

#endif /* JSON_H */
