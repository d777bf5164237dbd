/* validate.h: field rules shared by handlers (pure functions, no I/O). */
#ifndef TOURNEYD_VALIDATE_H
#define TOURNEYD_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

/* [a-z0-9_-]{3,32} */
bool validate_username(const char *s);
/* At least 8 characters (UTF-8 code points), at most 1024 bytes; invalid UTF-8 is false. */
bool validate_password(const char *s);
/* Valid UTF-8, no control characters (U+0000..U+001F, U+007F), 1..max code points
 * after trimming nothing (callers decide on trimming). The count must lie in
 * [min_chars, max_chars]. Note: tab and newline are control characters here, so
 * multi-line text (a description) needs utf8_length plus its own rule. */
bool validate_text(const char *s, size_t min_chars, size_t max_chars);
/* A plausible address: one '@', non-empty local part and domain with a '.', no spaces,
 * <= 254 bytes. Also: the domain neither starts nor ends with '.', no control
 * characters, valid UTF-8. */
bool validate_email(const char *s);
/* Three uppercase ASCII letters (ISO 4217 shape). */
bool validate_currency(const char *s);
/* [a-z0-9-]{2,64} game slug */
bool validate_game_slug(const char *s);
/* Number of code points in valid UTF-8 s, or (size_t)-1 when s is not valid UTF-8
 * (RFC 3629: overlong forms, surrogates and code points above U+10FFFF are invalid). A
 * NUL byte inside s[0..n) counts as one code point. */
size_t utf8_length(const char *s, size_t n);

#endif
