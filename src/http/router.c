/* router.c: the route table and path matching of router.h.
 *
 * Each pattern is split once into segments; matching splits the request path into
 * segments and compares them against every route (tens of routes, a few string compares
 * each: cheaper than any structure that would need building). Captures point into the
 * caller's path buffer, whose '/' separators are overwritten with NULs. */
#include "http/router.h"

#include <stdlib.h>
#include <string.h>

typedef struct route {
    http_method method;
    char *pattern;
    int nseg;
    /* a segment is either a literal or a capture (is_param) */
    char *seg[ROUTER_MAX_SEGMENTS];
    bool is_param[ROUTER_MAX_SEGMENTS];
} route;

struct router {
    int n;
    route routes[ROUTER_MAX_ROUTES];
};

static const char *const method_names[HTTP__METHODS] = {"GET",   "HEAD",   "POST",   "PUT",
                                                        "PATCH", "DELETE", "OPTIONS"};

http_method http_method_parse(const char *name)
{
    for (int i = 0; i < HTTP__METHODS; i++)
        if (strcmp(name, method_names[i]) == 0) return (http_method)i;
    return HTTP_OTHER;
}

const char *http_method_name(http_method m)
{
    return (m >= 0 && m < HTTP__METHODS) ? method_names[m] : "OTHER";
}

router *router_new(void)
{
    return calloc(1, sizeof(router));
}

void router_free(router *rt)
{
    if (!rt) return;
    for (int i = 0; i < rt->n; i++) {
        free(rt->routes[i].pattern);
        for (int s = 0; s < rt->routes[i].nseg; s++) free(rt->routes[i].seg[s]);
    }
    free(rt);
}

/* Splits "/a/b/c" into segments in place; returns the count or -1 (too many, or empty
 * path, or not starting with '/'). A trailing '/' yields a final empty segment. */
static int router_split(char *path, char **segs, int max)
{
    if (path[0] != '/') return -1;
    int n = 0;
    char *p = path + 1;
    for (;;) {
        if (n == max) return -1;
        segs[n++] = p;
        char *slash = strchr(p, '/');
        if (!slash) break;
        *slash = '\0';
        p = slash + 1;
    }
    return n;
}

int router_add(router *rt, http_method m, const char *pattern)
{
    if (rt->n >= ROUTER_MAX_ROUTES || m < 0 || m >= HTTP__METHODS) return -1;
    route *r = &rt->routes[rt->n];
    memset(r, 0, sizeof(*r));
    char *copy = strdup(pattern);
    if (!copy) return -1;
    char *segs[ROUTER_MAX_SEGMENTS];
    int nseg = router_split(copy, segs, ROUTER_MAX_SEGMENTS);
    int nparams = 0;
    bool ok = nseg > 0;
    for (int i = 0; ok && i < nseg; i++) {
        size_t len = strlen(segs[i]);
        bool param = len >= 3 && segs[i][0] == '{' && segs[i][len - 1] == '}';
        if (param && ++nparams > ROUTER_MAX_PARAMS) ok = false;
        if (!param && (strchr(segs[i], '{') || strchr(segs[i], '}'))) ok = false;
        r->is_param[i] = param;
        r->seg[i] = param ? strndup(segs[i] + 1, len - 2) : strdup(segs[i]);
        r->nseg = i + 1;
        if (!r->seg[i]) ok = false;
    }
    free(copy);
    r->pattern = strdup(pattern);
    if (!ok || !r->pattern) {
        free(r->pattern);
        for (int s = 0; s < r->nseg; s++) free(r->seg[s]);
        memset(r, 0, sizeof(*r));
        return -1;
    }
    r->method = m;
    return rt->n++;
}

const char *router_pattern(const router *rt, int idx)
{
    return (idx >= 0 && idx < rt->n) ? rt->routes[idx].pattern : "unmatched";
}

http_method router_method(const router *rt, int idx)
{
    return (idx >= 0 && idx < rt->n) ? rt->routes[idx].method : HTTP_OTHER;
}

int router_count(const router *rt)
{
    return rt->n;
}

/* Does the route's shape match the path segments? Fills params when it does. */
static bool router_route_matches(const route *r, char **segs, int nseg, route_match *out)
{
    if (r->nseg != nseg) return false;
    int np = 0;
    for (int i = 0; i < nseg; i++) {
        if (r->is_param[i]) {
            if (segs[i][0] == '\0') return false;
            out->params[np++] = segs[i];
        } else if (strcmp(r->seg[i], segs[i]) != 0) {
            return false;
        }
    }
    out->nparams = np;
    return true;
}

void router_match(const router *rt, http_method m, char *path, route_match *out)
{
    memset(out, 0, sizeof(*out));
    out->route = -1;
    out->status = 404;
    char *segs[ROUTER_MAX_SEGMENTS];
    int nseg = router_split(path, segs, ROUTER_MAX_SEGMENTS);
    if (nseg < 0) return;
    int get_route = -1;
    route_match tmp;
    for (int i = 0; i < rt->n; i++) {
        const route *r = &rt->routes[i];
        memset(&tmp, 0, sizeof(tmp));
        if (!router_route_matches(r, segs, nseg, &tmp)) continue;
        out->allow |= 1u << r->method;
        if (r->method == m) {
            unsigned allow = out->allow;
            *out = tmp;
            out->allow = allow;
            out->route = i;
            out->status = 0;
            return;
        }
        if (m == HTTP_HEAD && r->method == HTTP_GET && get_route < 0) {
            get_route = i;
            *out = (route_match){.allow = out->allow, .nparams = tmp.nparams};
            memcpy(out->params, tmp.params, sizeof(tmp.params));
        }
    }
    if (get_route >= 0) {
        out->route = get_route;
        out->status = 0;
        return;
    }
    if (out->allow) {
        if (out->allow & (1u << HTTP_GET)) out->allow |= 1u << HTTP_HEAD;
        out->status = 405;
    }
}

void router_allow_header(unsigned allow, char *out, size_t cap)
{
    size_t len = 0;
    if (cap == 0) return;
    out[0] = '\0';
    for (int i = 0; i < HTTP__METHODS; i++) {
        if (!(allow & (1u << i))) continue;
        const char *name = method_names[i];
        size_t need = strlen(name) + (len ? 2 : 0);
        if (len + need + 1 > cap) break;
        if (len) {
            memcpy(out + len, ", ", 2);
            len += 2;
        }
        memcpy(out + len, name, strlen(name));
        len += strlen(name);
        out[len] = '\0';
    }
}
