/* etag.h: entity tags of response bodies and If-None-Match matching.
 *
 * Shared by the HTTP layer (bodies built per request) and the response cache (bodies
 * tagged once when stored), so both spell and compare tags the same way. */
#ifndef TOURNEYD_ETAG_H
#define TOURNEYD_ETAG_H

#include <stdbool.h>
#include <stddef.h>

#define ETAG_MAX 28 /* "\"%016llx-gz\"" and the NUL */

/* Writes the strong tag of body (a quoted 64-bit hash) into out; `suffix` (may be NULL)
 * names a variant, e.g. "gz" for the gzip encoding of the same body. */
void etag_of(const char *body, size_t len, const char *suffix, char out[ETAG_MAX]);
/* The tag of the `suffix` variant of the body tagged `tag` (e.g. "gz"). */
void etag_variant(const char *tag, const char *suffix, char out[ETAG_MAX]);
/* Does an If-None-Match value (a list of tags, weak or strong, or "*") name tag? */
bool etag_matches(const char *if_none_match, const char *tag);

#endif
