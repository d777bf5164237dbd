/* html.h: writing HTML safely into a buf: escaped text and attribute values, URL query
 * components, times, and the slots of a page template.
 *
 * Every byte of user-provided text that reaches a page goes through html_escape, so a
 * tournament named "<script>" is shown as text. The escaping is the same in text and in
 * double- or single-quoted attribute values (& < > " ' all become character references),
 * and the output is always valid UTF-8 without the control characters HTML forbids:
 * each invalid UTF-8 byte and each C0 control other than tab, line feed and carriage
 * return becomes U+FFFD, like the JSON writer does. Pure: no I/O, unit-tested. */
#ifndef TOURNEYD_HTML_H
#define TOURNEYD_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Appends s escaped (text or attribute value); a NULL s appends nothing. */
void html_escape(buf *b, const char *s);
void html_escapen(buf *b, const char *s, size_t n);
/* Appends s percent-encoded for a URL query component: every byte but A-Z a-z 0-9 - . _ ~
 * becomes %HH, so the result is also safe inside an HTML attribute. */
void html_urlencode(buf *b, const char *s);
/* Appends <time datetime="2026-11-22T16:30:00Z">2026-11-22 16:30 UTC</time>, or "-" for
 * a time that is unset (0) or outside the years 0..9999. */
void html_time(buf *b, int64_t unix_seconds);

/* Walks a template: appends the literal text from *pos up to the next slot "{{name}}"
 * (name: 1..32 of a-z, 0-9, _) and returns true with the slot's name in *slot (not
 * NUL-terminated) and *slot_len; *pos moves past the slot. At the end of the template it
 * appends the rest and returns false. Text such as "{{" not forming a slot is literal. */
bool html_tpl_next(const char *tpl, size_t len, size_t *pos, buf *out, const char **slot,
                   size_t *slot_len);
/* True when the slot returned by html_tpl_next is `name`. */
bool html_slot_is(const char *slot, size_t slot_len, const char *name);

#endif
