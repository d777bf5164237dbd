/* html.c: HTML escaping, URL encoding, times and template slots (see html.h). */
#include "util/html.h"

#include <string.h>

#include "util/timefmt.h"

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is not valid (overlong
 * forms, surrogates and code points over U+10FFFF are invalid). */
static size_t html_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned cp;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

void html_escapen(buf *b, const char *s, size_t n)
{
    if (!s) return;
    const unsigned char *p = (const unsigned char *)s;
    size_t run = 0; /* bytes at p[i - run .. i) still to copy as they are */
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        const char *rep = NULL;
        size_t step = 1;
        switch (c) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                rep = "\xef\xbf\xbd";
            } else if (c >= 0x80) {
                step = html_utf8_seq(p + i, n - i);
                if (step == 0) {
                    rep = "\xef\xbf\xbd";
                    step = 1;
                }
            }
            break;
        }
        if (rep) {
            buf_append(b, p + i - run, run);
            run = 0;
            buf_puts(b, rep);
        } else {
            run += step;
        }
        i += step;
    }
    buf_append(b, p + n - run, run);
}

void html_escape(buf *b, const char *s)
{
    if (s) html_escapen(b, s, strlen(s));
}

void html_urlencode(buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!s) return;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '.' || c == '_' || c == '~';
        if (plain) {
            buf_putc(b, (char)c);
        } else {
            buf_putc(b, '%');
            buf_putc(b, hex[c >> 4]);
            buf_putc(b, hex[c & 15]);
        }
    }
}

void html_time(buf *b, int64_t t)
{
    char iso[TIME_RFC3339_LEN + 1];
    if (t == 0 || !time_format(t, iso)) {
        buf_putc(b, '-');
        return;
    }
    /* "YYYY-MM-DDTHH:MM:SSZ" -> "YYYY-MM-DD HH:MM UTC" */
    buf_puts(b, "<time datetime=\"");
    buf_puts(b, iso);
    buf_puts(b, "\">");
    buf_append(b, iso, 10);
    buf_putc(b, ' ');
    buf_append(b, iso + 11, 5);
    buf_puts(b, " UTC</time>");
}

/* Length of a slot name at s[0..n) followed by "}}", or 0 when there is none. */
static size_t html_slot_name(const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && k <= 32 &&
           ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= '0' && s[k] <= '9') || s[k] == '_'))
        k++;
    if (k == 0 || k > 32 || k + 2 > n || s[k] != '}' || s[k + 1] != '}') return 0;
    return k;
}

bool html_tpl_next(const char *tpl, size_t len, size_t *pos, buf *out, const char **slot,
                   size_t *slot_len)
{
    size_t from = *pos;
    for (size_t i = from; i + 1 < len; i++) {
        if (tpl[i] != '{' || tpl[i + 1] != '{') continue;
        size_t k = html_slot_name(tpl + i + 2, len - i - 2);
        if (k == 0) continue;
        buf_append(out, tpl + from, i - from);
        *slot = tpl + i + 2;
        *slot_len = k;
        *pos = i + 2 + k + 2;
        return true;
    }
    if (from < len) buf_append(out, tpl + from, len - from);
    *pos = len;
    return false;
}

bool html_slot_is(const char *slot, size_t slot_len, const char *name)
{
    return strlen(name) == slot_len && memcmp(slot, name, slot_len) == 0;
}
