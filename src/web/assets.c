/* assets.c: lookups in the embedded web/ table (see assets.h). A dozen files at most, so
 * a binary search over the sorted table is all the structure needed. */
#include "web/assets.h"

#include <string.h>

const struct web_asset *web_asset_find(const char *name)
{
    if (!name) return NULL;
    unsigned lo = 0, hi = web_assets_count;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        int c = strcmp(name, web_assets[mid].name);
        if (c == 0) return &web_assets[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static int web_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && strcmp(s + n - k, suffix) == 0;
}

const char *web_asset_type(const char *name)
{
    if (!name) return NULL;
    if (web_ends_with(name, ".css")) return "text/css; charset=utf-8";
    if (web_ends_with(name, ".js")) return "text/javascript; charset=utf-8";
    if (web_ends_with(name, ".svg")) return "image/svg+xml";
    return NULL;
}
