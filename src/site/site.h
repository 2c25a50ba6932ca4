/*
 * site.h - the reader-facing pages: one handler per page kind.
 *
 * Data flow: http/ routes a request here; a handler asks store/ for the
 * articles it needs, builds a view model (render_val tree in the
 * request's pool) and has render/ turn it into HTML through the theme.
 * Handlers never speak SQL and never write HTML themselves, except the
 * small trusted fragments documented where they are built (the dateline).
 */
#ifndef GZ_SITE_H
#define GZ_SITE_H

#include <stddef.h>

struct config;
struct http_req;
struct http_resp;
struct http_router;
struct store;

/* The server's context: everything a handler reads. Its config and theme
 * change only through site_reload; the rest is fixed while serving. */
struct site;

/* Loads the theme (the default one, overridden by theme_dir when it is not
 * NULL and exists) and makes the site's context. cfg (not owned) and st
 * must outlive the site. Returns GZ_OK, or GZ_EPARSE / GZ_EIO with "file:line:col:
 * message" in err. Caller frees with site_free. */
int site_new(const struct config *cfg, struct store *st,
	     const char *theme_dir, struct site **out, char *err,
	     size_t errlen);
/* Shutdown, first step: the site takes no new slow work (an upload is
 * answered 503, "the server is stopping") and answers the work waiting
 * the same way, while the server still runs to send the answers; work
 * under way finishes, and the server waits for its requests as for any.
 * Call before http_server_stop; site_free after it. NULL is a no-op. */
void site_stop(struct site *site);
/* Frees the site, after the server that serves it has stopped. */
void site_free(struct site *site);
/* Replaces the config and theme every later request reads with cfg and
 * the theme loaded from theme_dir (as site_new; NULL: the default). Takes
 * ownership of cfg, heap-allocated and filled by config_load, whether it
 * succeeds or not. Requests already running finish with the old ones,
 * which are freed when the last of them is done. Call from one thread at
 * a time. Returns GZ_OK, or GZ_EPARSE / GZ_EIO / GZ_ENOMEM with
 * "file:line:col: message" in err and the old config and theme still
 * served. The caller then empties the page cache. */
int site_reload(struct site *site, struct config *cfg, const char *theme_dir,
		char *err, size_t errlen);

/* Adds every reader-facing route to r. Returns GZ_OK or GZ_ENOMEM. */
int site_routes_add(struct site *site, struct http_router *r);

/* The error page for status (an http_error_fn; ctx is the site). */
void site_error_page(void *ctx, struct http_req *req, int status,
		     struct http_resp *resp);

#endif
