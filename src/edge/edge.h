/*
 * edge.h - purges by key at the caching proxies or CDNs in front of
 * gazette ([edge] purge; docs/edge.md).
 *
 * Data flow: the store's change events (cli.c's serve_on_change) hand
 * their keys to edge_purge_keys, which only copies them into a bounded
 * queue; one background thread takes what has gathered, coalesced, and
 * sends every configured URL an HTTP PURGE carrying the keys in
 * Surrogate-Key and xkey-purge, with libcurl and short timeouts. Pages
 * carry the same keys, escaped the same way (cache_key_token), in their
 * Surrogate-Key and Cache-Tag headers (http/server.c), and every page
 * also the key "all".
 *
 * Invariants: a caller never waits on the network (a full queue becomes
 * one purge of "all", never a lost key); a failed purge is counted in
 * /metrics and logged once per run of failures, and the next purge that
 * URL gets after a failure is "all" (what it missed is unknown). Only
 * this module includes curl.
 */
#ifndef GZ_EDGE_H
#define GZ_EDGE_H

#include <stddef.h>

#include "cache/cache.h"

/* The key every page carries at the edge: a purge of it drops them all. */
#define EDGE_KEY_ALL CACHE_EDGE_KEY_ALL

struct edge_purge;

/* Starts the purge thread for urls, comma-separated as [edge] purge
 * takes them (config.c checked them). Output: *out, or NULL when urls
 * names none (then every call below does nothing). Returns GZ_OK,
 * GZ_EINVAL (a URL longer than GZ_LIMIT_EDGE_URL_BYTES, or more than
 * GZ_LIMIT_EDGE_URLS), GZ_ENOMEM or GZ_EIO (curl or the thread could
 * not start). Call before other threads use curl. Caller frees with
 * edge_purge_free. */
int edge_purge_new(const char *urls, struct edge_purge **out);
/* Sends what is queued, stops the thread and frees p; NULL does
 * nothing. */
void edge_purge_free(struct edge_purge *p);
/* Queues keys[0..n) to be purged at every URL; returns at once, from any
 * thread. Keys already queued are not queued again; past
 * GZ_LIMIT_EDGE_QUEUE keys the queue becomes one purge of "all". */
void edge_purge_keys(struct edge_purge *p, const char *const *keys,
		     size_t n);
/* Queues a purge of every page (a theme reload emptied gazette's own
 * cache). */
void edge_purge_all(struct edge_purge *p);

#endif
