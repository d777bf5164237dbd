/* opts.c: flag parsing (see opts.h). */
#include "util/opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void opts_help(FILE *f, const char *usage, const opt *opts, int nopts)
{
    fprintf(f, "usage: %s\n", usage);
    if (nopts) fprintf(f, "\noptions:\n");
    for (int i = 0; i < nopts; i++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", opts[i].name, opts[i].arg ? " " : "",
                 opts[i].arg ? opts[i].arg : "");
        fprintf(f, "  %-24s %s", left, opts[i].help);
        if (opts[i].env) fprintf(f, " [env %s]", opts[i].env);
        fprintf(f, "\n");
    }
    fprintf(f, "  %-24s %s\n", "--help", "show this help");
}

static int opts_set(const opt *o, const char *v, const char *from)
{
    char *end;
    switch (o->type) {
    case OPT_STR:
        *(const char **)o->value = v;
        return 0;
    case OPT_FLAG:
        if (!v || strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0) {
            *(bool *)o->value = true;
            return 0;
        }
        if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0 || strcmp(v, "no") == 0 || !v[0]) {
            *(bool *)o->value = false;
            return 0;
        }
        break;
    case OPT_UINT: {
        errno = 0;
        unsigned long x = strtoul(v, &end, 10);
        if (!errno && v[0] && !*end && v[0] != '-' && x >= o->min && x <= o->max) {
            *(unsigned *)o->value = (unsigned)x;
            return 0;
        }
        fprintf(stderr, "%s: %s must be an integer from %u to %u (got '%s')\n", from, o->name,
                o->min, o->max, v);
        return -1;
    }
    case OPT_DOUBLE: {
        errno = 0;
        double x = strtod(v, &end);
        if (!errno && v[0] && !*end && x > 0) {
            *(double *)o->value = x;
            return 0;
        }
        break;
    }
    }
    fprintf(stderr, "%s: bad value '%s' for %s\n", from, v ? v : "", o->name);
    return -1;
}

int opts_parse(const char *usage, opt *opts, int nopts, int argc, char **argv, char **positional,
               int max_pos, int *npos)
{
    *npos = 0;
    for (int i = 0; i < nopts; i++) {
        const char *e = opts[i].env ? getenv(opts[i].env) : NULL;
        if (e && opts_set(&opts[i], e, opts[i].env) != 0) return -1;
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            opts_help(stdout, usage, opts, nopts);
            return 1;
        }
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            if (*npos == max_pos) {
                fprintf(stderr, "unexpected argument '%s'\n", a);
                opts_help(stderr, usage, opts, nopts);
                return -1;
            }
            positional[(*npos)++] = argv[i];
            continue;
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t nl = eq ? (size_t)(eq - name) : strlen(name);
        const opt *o = NULL;
        for (int k = 0; k < nopts; k++)
            if (strlen(opts[k].name) == nl && strncmp(opts[k].name, name, nl) == 0) o = &opts[k];
        if (!o) {
            fprintf(stderr, "unknown option '%s'\n", a);
            opts_help(stderr, usage, opts, nopts);
            return -1;
        }
        const char *v = eq ? eq + 1 : NULL;
        if (!v && o->type != OPT_FLAG) {
            if (i + 1 >= argc) {
                fprintf(stderr, "option --%s needs a value\n", o->name);
                return -1;
            }
            v = argv[++i];
        }
        if (opts_set(o, v, "command line") != 0) return -1;
    }
    return 0;
}
