/* pages.h: the server-rendered web pages (API.md "Web pages"): the hub of published
 * tournaments, a tournament's page with its bracket drawn, a game's leaderboard, and
 * the static files they use (embedded from web/).
 *
 * Pages are public and anonymous: they never look at credentials, so drafts are a 404
 * page for everyone and a page's bytes depend only on the data (and the clock for the
 * registration state), which is what lets the tournament page come from the response
 * cache. Handlers read through the store (a constant number of queries per page) and
 * write HTML straight into the response buffer, escaping every user-provided string. */
#ifndef TOURNEYD_PAGES_H
#define TOURNEYD_PAGES_H

#include "http/request.h"

/* GET / : published tournaments, newest start first, filters ?game= and ?status=, keyset
 * pages (?cursor= from the list's own cursor, ?limit= 1..100, default 20). */
void pages_hub(req *r);
/* GET /t/{slug} : details, state, participants, bracket, standings; live updates by
 * /static/live.js. */
void pages_tournament(req *r);
/* GET /games/{slug}/leaderboard : the game's leaderboard snapshot, paged. */
void pages_leaderboard(req *r);
/* The headers every page carries (nosniff, Content-Security-Policy); also added by the
 * response cache's layer to pages it serves from the cache. */
void pages_headers(req *r);
/* GET /static/{name} : an embedded CSS or JS file; with ?v=<its hash> cached for a year. */
void pages_static(req *r);

#endif
