/* opts.h: table-driven command-line flags with environment-variable fallbacks.
 *
 * Each subcommand declares its flags in a table; every flag may also come from an
 * environment variable (TOURNEYD_<NAME>), and a flag on the command line wins. Unknown
 * flags and bad values are errors with a message; --help prints the table. */
#ifndef TOURNEYD_OPTS_H
#define TOURNEYD_OPTS_H

#include <stdbool.h>
#include <stdio.h>

typedef enum { OPT_STR, OPT_UINT, OPT_DOUBLE, OPT_FLAG } opt_type;

typedef struct opt {
    const char *name; /* "db" for --db */
    const char *env;  /* "TOURNEYD_DB" or NULL */
    opt_type type;
    void *value;     /* const char **, unsigned *, double *, bool * */
    const char *arg; /* placeholder for help, e.g. "PATH" */
    const char *help;
    unsigned min, max; /* for OPT_UINT */
} opt;

/* Parses argv[0..argc) against opts (environment first, then flags). Non-flag arguments
 * are collected into positional[0..*npos) (at most max_pos). Returns 0, 1 when --help
 * was printed, or -1 after printing an error to stderr. */
int opts_parse(const char *usage, opt *opts, int nopts, int argc, char **argv, char **positional,
               int max_pos, int *npos);
void opts_help(FILE *f, const char *usage, const opt *opts, int nopts);

#endif
