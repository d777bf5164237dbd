/* assets.h: the files of web/ (page layout, CSS, JS), embedded in the binary at build
 * time by cmake/embed_web.cmake, each with a short content hash.
 *
 * The table is generated (build/generated/web_assets.c) and constant: pages read the
 * layout from it and /static/{name} serves from it, so the binary needs no files at run
 * time and an asset's URL (`/static/app.css?v=<hash>`) changes whenever its bytes do. */
#ifndef TOURNEYD_WEB_ASSETS_H
#define TOURNEYD_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
    const char *name; /* file name in web/, e.g. "app.css" */
    const char *data; /* NUL-terminated */
    size_t size;
    const char *hash; /* first 16 hex digits of the SHA-256 of data */
};

/* Generated: sorted by name, ended by an entry with a NULL name. */
extern const struct web_asset web_assets[];
extern const unsigned web_assets_count;

/* The asset called `name`, or NULL. */
const struct web_asset *web_asset_find(const char *name);
/* Content-Type for an asset served as a static file ("text/css; charset=utf-8", ...), or
 * NULL for files that are not served (templates). */
const char *web_asset_type(const char *name);

#endif
