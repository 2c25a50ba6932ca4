/*
 * cli.c - what the subcommands share: finding a site, opening its config
 * and database with messages a person can act on, and serving it.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cache/cache.h"
#include "cli/cli.h"
#include "config/config.h"
#include "edge/edge.h"
#include "http/http.h"
#include "metrics/metrics.h"
#include "site/site.h"
#include "store/store.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/log.h"

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("gazette: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool
cli_stderr_is_tty(void)
{
	return isatty(STDERR_FILENO) == 1;
}

const char *
cli_site_dir(const char *opt)
{
	const char *env;

	if (opt && *opt)
		return opt;
	if ((env = getenv("GAZETTE_SITE")) != NULL && *env)
		return env;
	return "./site";
}

char *
cli_path(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	char *p = malloc(dl + nl + 2);

	if (!p)
		return NULL;
	memcpy(p, dir, dl);
	p[dl] = '/';
	memcpy(p + dl + 1, name, nl + 1);
	return p;
}

int
cli_config_media_dir(const char *dir, struct config *cfg)
{
	char *abs;

	if (cfg->media_dir[0] == '/')
		return GZ_OK;
	if (!(abs = cli_path(dir, cfg->media_dir)))
		return GZ_ENOMEM;
	free(cfg->media_dir);
	cfg->media_dir = abs;
	return GZ_OK;
}

int
cli_config_open(const char *dir, struct config *cfg)
{
	char err[768];
	char *path = NULL;
	struct stat st;
	int rc = CLI_FAIL;

	if (config_init(cfg) != GZ_OK) {
		cli_error("out of memory");
		return CLI_FAIL;
	}
	if (!(path = cli_path(dir, CONFIG_FILE)))
		goto out;
	if (stat(path, &st) != 0 && errno == ENOENT) {
		cli_error("no site at %s (%s not found); create one with: "
			  "gazette init --site %s", dir, path, dir);
		goto out;
	}
	if (config_load(cfg, path, err, sizeof(err)) != GZ_OK) {
		cli_error("%s", err);
		goto out;
	}
	if (cli_config_media_dir(dir, cfg) != GZ_OK) {
		cli_error("out of memory");
		goto out;
	}
	rc = CLI_OK;
out:
	free(path);
	if (rc != CLI_OK)
		config_fini(cfg);
	return rc;
}

int
cli_store_url(const char *dir, char **url)
{
	char *conf = cli_path(dir, CONFIG_FILE);
	struct config cfg;
	char why[1024];

	*url = NULL;
	if (!conf) {
		cli_error("out of memory");
		return CLI_FAIL;
	}
	/* A site without its config yet (init writes it first) is a file. */
	if (access(conf, F_OK) != 0) {
		free(conf);
		return CLI_OK;
	}
	if (config_init(&cfg) != GZ_OK) {
		cli_error("out of memory");
		free(conf);
		return CLI_FAIL;
	}
	/* Read for the url only: the process's zone is not ours to set
	 * here (cli_config_open does, before any thread). */
	cfg.zone_locked = true;
	if (config_load(&cfg, conf, why, sizeof(why)) != GZ_OK) {
		cli_error("%s", why);
		config_fini(&cfg);
		free(conf);
		return CLI_FAIL;
	}
	free(conf);
	if (*cfg.store_url && !(*url = strdup(cfg.store_url))) {
		config_fini(&cfg);
		cli_error("out of memory");
		return CLI_FAIL;
	}
	config_fini(&cfg);
	return CLI_OK;
}

/* Opens dir's database, made when missing only with STORE_OPEN_CREATE:
 * cfg's [store] url when it names one, else dir's gazette.db. */
static int
cli_store_open_flags(const char *dir, const struct config *cfg,
		     unsigned flags, struct store **st)
{
	char *path;
	char why[1024];
	int rc;

	path = *cfg->store_url ? strdup(cfg->store_url) : cli_path(dir, CONFIG_DB);
	if (!path) {
		cli_error("out of memory");
		return CLI_FAIL;
	}
	rc = store_open_checked(path, flags, st, why, sizeof(why));
	if (rc == GZ_ENOTFOUND)
		cli_error("no site at %s (no %s): run `gazette init --site %s`",
			  dir, CONFIG_DB, dir);
	else if (rc != GZ_OK)
		cli_error("%s", why);
	/* It may hold a password. */
	sodium_memzero(path, strlen(path));
	free(path);
	return rc == GZ_OK ? CLI_OK : CLI_FAIL;
}

int
cli_store_open(const char *dir, const struct config *cfg, struct store **st)
{
	return cli_store_open_flags(dir, cfg, STORE_OPEN_LOCK_PROBE, st);
}

int
cli_store_create(const char *dir, const struct config *cfg,
		 struct store **st)
{
	int rc, err;

	rc = cli_store_open_flags(dir, cfg,
				  STORE_OPEN_CREATE | STORE_OPEN_LOCK_PROBE, st);
	if (rc != CLI_OK)
		return rc;
	/* A new site's pages to edit: about, contact, corrections, privacy. */
	if ((err = store_tx_begin(*st)) == GZ_OK) {
		if ((err = store_pages_seed(*st)) == GZ_OK)
			err = store_tx_commit(*st);
		else
			store_tx_rollback(*st);
	}
	if (err != GZ_OK) {
		cli_error("cannot write the site's first pages (%s)",
			  gz_strerror(err));
		store_close(*st);
		*st = NULL;
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* What the store's change listener and the serve loop share. */
struct serve_state {
	struct cache *cache;
	struct edge_purge *purge; /* [edge] purge, or NULL: none */
	pthread_t loop;          /* the serve loop's thread */
	atomic_bool settings;    /* "settings" fired: reload in the loop */
};

/* The signal that wakes the serve loop for a settings reload. */
#define SERVE_SIG_SETTINGS SIGUSR1

/* The store's change events drop the pages they name from the cache; a
 * change of the admin's settings is handed to the serve loop, woken at
 * once, which loads the config again (site_reload reads the theme from
 * disk: not for the committing thread, which may be a request's). */
static void
serve_on_change(void *ctx, const char *const *keys, size_t nkeys)
{
	struct serve_state *ss = ctx;
	const char *edge[GZ_LIMIT_PAGE_KEYS];
	size_t i, nedge = 0;

	for (i = 0; i < nkeys; i++) {
		if (strcmp(keys[i], "settings") == 0) {
			atomic_store(&ss->settings, true);
			pthread_kill(ss->loop, SERVE_SIG_SETTINGS);
			continue;
		}
		cache_invalidate(ss->cache, keys[i]);
		/* The edge drops the same pages, on the purge thread, in as
		 * few calls as may be, so that one event's keys go out in one
		 * PURGE ("settings" is not sent: its reload purges all; nor is
		 * "article-form:", which only private pages carry, so that a
		 * flood of comments held for moderation sends no purge). */
		if (strncmp(keys[i], "article-form:", 13) == 0)
			continue;
		edge[nedge++] = keys[i];
		if (nedge == sizeof(edge) / sizeof(edge[0])) {
			edge_purge_keys(ss->purge, edge, nedge);
			nedge = 0;
		}
	}
	edge_purge_keys(ss->purge, edge, nedge);
}

/* Before a page is looked up: changes another process committed (the
 * command line's moderation, an import) reach the cache first. */
static void
serve_sync(void *ctx)
{
	store_changes_sync(ctx);
}

/* The site's theme/ folder, or NULL when it has none (the default theme
 * serves) or out of memory (*oom set). Caller frees. */
static char *
serve_theme_dir(const char *dir, bool *oom)
{
	struct stat sb;
	char *theme_dir = cli_path(dir, "theme");

	*oom = theme_dir == NULL;
	if (theme_dir && stat(theme_dir, &sb) != 0 && errno == ENOENT) {
		free(theme_dir);
		theme_dir = NULL;
	}
	return theme_dir;
}

/* SIGHUP (settings false), or a change of the admin's settings (true):
 * reads gazette.conf and the theme again, applies the stored settings
 * on top, and serves them from the next request on, with an empty page
 * cache. Settings that need a restart keep their running values (said
 * on stderr; after a settings change [comments] goes through, since the
 * site makes its intake again); a config or theme that does not load is
 * reported (file:line) and the old ones go on serving, and a stored
 * setting that does not apply is logged and skipped. Runs on the serving
 * thread, outside any signal handler. */
static void
serve_reload(const char *dir, const struct config *running, struct site *site,
	     struct cache *cache, struct edge_purge *purge, struct store *st,
	     bool settings)
{
	char err[768], names[256];
	struct config *next = NULL;
	char *path = NULL, *theme_dir = NULL;
	bool oom;
	int rc;

	if (settings)
		fprintf(stderr, "gazette: settings changed, reloading %s\n",
			dir);
	else
		fprintf(stderr, "gazette: SIGHUP received, reloading %s\n",
			dir);
	if (!(next = malloc(sizeof(*next))) || config_init(next) != GZ_OK) {
		free(next);
		next = NULL;
		goto oom;
	}
	/* The process's zone was set at start, before threads. */
	next->zone_locked = true;
	if (!(path = cli_path(dir, CONFIG_FILE)))
		goto oom;
	if (config_load(next, path, err, sizeof(err)) != GZ_OK) {
		cli_error("reload failed, still serving the old configuration "
			  "and theme: %s", err);
		goto out;
	}
	if (cli_config_media_dir(dir, next) != GZ_OK)
		goto oom;
	if ((rc = cli_settings_overlay(st, next, false)) == GZ_ENOMEM)
		goto oom;
	if (rc != GZ_OK) {
		cli_error("reload failed, still serving the old configuration "
			  "and theme: cannot read the settings (%s)",
			  gz_strerror(rc));
		goto out;
	}
	if ((settings ? config_keep_restart_settings(next, running, names,
						     sizeof(names))
		      : config_keep_restart(next, running, names,
					    sizeof(names))) != GZ_OK)
		goto oom;
	if (names[0])
		cli_error("reload: %s changed in %s: needs a restart; keeping "
			  "the running values", names, path);
	theme_dir = serve_theme_dir(dir, &oom);
	if (oom)
		goto oom;
	/* site_reload takes next, whether it loads or not. */
	if (site_reload(site, next, theme_dir, err, sizeof(err)) != GZ_OK) {
		next = NULL;
		cli_error("reload failed, still serving the old configuration "
			  "and theme: %s", err);
		goto out;
	}
	next = NULL;
	/* After the swap: a page rendered with the old theme was begun
	 * before this clear, so cache_put will not keep it. */
	cache_clear(cache);
	edge_purge_all(purge);
	fprintf(stderr, "gazette: reloaded %s%s and the theme\n", path,
		settings ? ", the settings" : "");
	goto out;
oom:
	cli_error("reload failed (out of memory), still serving the old "
		  "configuration and theme");
out:
	fflush(stderr);
	if (next) {
		config_fini(next);
		free(next);
	}
	free(path);
	free(theme_dir);
}

/* Every GZ_LIMIT_SESSION_PURGE_SECONDS, forgets the newsroom's sessions
 * that expired or went idle (and with them the address each kept), and
 * the shared limits' expired rows: a
 * sign-in that never finished its second step leaves a row too. A
 * failure is logged by the store and tried again next time. */
static void
serve_sessions_purge(struct store *st, int64_t now, int64_t *last)
{
	if (now - *last < GZ_LIMIT_SESSION_PURGE_SECONDS)
		return;
	*last = now;
	if (store_tx_begin(st) != GZ_OK)
		return;
	/* The shared limits' hits and spent sign-in tokens past their
	 * time too (limit.c): on PostgreSQL nothing else would forget them
	 * while no comment is written. */
	if (store_session_purge(st, now,
				now - GZ_LIMIT_SESSION_IDLE_SECONDS) == GZ_OK &&
	    store_limit_purge(st, now) == GZ_OK)
		(void)store_tx_commit(st);
	else
		store_tx_rollback(st);
}

/* The day number of t in the site's zone (TZ): changes at local
 * midnight. */
static long
serve_day(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm))
		return 0;
	return (long)(tm.tm_year + 1900) * 400 + tm.tm_yday + 1;
}

int
cli_serve_site(const char *dir, struct config *cfg, struct store *st,
	       const char *listen)
{
	struct http_server_opts opts = {0};
	struct http_server *server = NULL;
	struct http_router *router = NULL;
	struct site *site = NULL;
	struct cache *cache = NULL;
	struct serve_state ss = {0};
	char err[768], *theme_dir = NULL, edge_cc[128];
	struct timespec tick = {1, 0};
	char *access_path = NULL;
	sigset_t set;
	bool oom;
	int sig, err_rc, rc = CLI_FAIL;
	long day = 0, today;
	int64_t purged_at = 0;

	/* Block the stop and reload signals before any thread starts, so
	 * that every thread inherits the mask and only sigtimedwait below
	 * receives them: no signal handler runs, so nothing has to be
	 * async-signal-safe. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP); /* reload; reopen the access log */
	sigaddset(&set, SERVE_SIG_SETTINGS); /* the settings changed */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* The admin's settings over gazette.conf's values, the zone too:
	 * no thread serves yet. */
	if ((err_rc = cli_settings_overlay(st, cfg, true)) != GZ_OK) {
		cli_error("%s: cannot read the settings (%s)", dir,
			  gz_strerror(err_rc));
		goto out;
	}
	/* A site's theme/ is optional: without one the default serves. */
	theme_dir = serve_theme_dir(dir, &oom);
	if (oom) {
		cli_error("out of memory");
		goto out;
	}
	if (site_new(cfg, st, theme_dir, &site, err, sizeof(err)) != GZ_OK) {
		cli_error("theme: %s", err);
		goto out;
	}
	if (!(router = http_router_new()) ||
	    site_routes_add(site, router) != GZ_OK ||
	    cache_new((size_t)cfg->cache_mb * 1024 * 1024, &cache) != GZ_OK) {
		cli_error("out of memory");
		goto out;
	}
	if (store_sync_set(st, cfg->sync_full ? STORE_SYNC_FULL
					      : STORE_SYNC_NORMAL) != GZ_OK) {
		cli_error("%s: cannot set the database's synchronous level", dir);
		goto out;
	}
	/* Articles stored before their HTML was kept, or by another
	 * renderer version, are rendered now rather than per view. */
	if (cli_html_refresh(st, stderr) != GZ_OK)
		goto out;
	/* The access log: a relative path is in the site directory. */
	if (strcmp(cfg->access_log, "-") != 0 &&
	    strcmp(cfg->access_log, "off") != 0 && cfg->access_log[0] != '/') {
		if (!(access_path = cli_path(dir, cfg->access_log))) {
			cli_error("out of memory");
			goto out;
		}
	}
	if (log_access_open(access_path ? access_path : cfg->access_log, err,
			    sizeof(err)) != GZ_OK) {
		cli_error("%s", err);
		goto out;
	}
	metrics_init();
	/* Before the listener: no change event may miss the edge. */
	if ((err_rc = edge_purge_new(cfg->edge_purge, &ss.purge)) != GZ_OK) {
		cli_error("[edge] purge: cannot start purging (%s)",
			  gz_strerror(err_rc));
		goto out;
	}
	ss.cache = cache;
	ss.loop = pthread_self();
	atomic_init(&ss.settings, false);
	store_events_listen(st, serve_on_change, &ss);
	/* The first call marks now: articles due from here on fire events. */
	store_due_publish(st, (int64_t)time(NULL));
	opts.listen = listen ? listen : cfg->listen;
	opts.cache = cache;
	opts.sync = serve_sync;
	opts.sync_ctx = st;
	opts.threads = cfg->threads;
	opts.per_ip_limit = cfg->trust_proxy ? 0 : GZ_LIMIT_CONNECTIONS_PER_IP;
	opts.trust_proxy = cfg->trust_proxy;
	/* Pages gazette's cache keeps, an edge may keep too (docs/edge.md):
	 * browsers revalidate by ETag, the edge keeps s_maxage. */
	if (cfg->edge_s_maxage) {
		if (cfg->edge_swr)
			snprintf(edge_cc, sizeof(edge_cc),
				 "public, max-age=0, s-maxage=%u, "
				 "stale-while-revalidate=%u",
				 cfg->edge_s_maxage, cfg->edge_swr);
		else
			snprintf(edge_cc, sizeof(edge_cc),
				 "public, max-age=0, s-maxage=%u",
				 cfg->edge_s_maxage);
		opts.edge_cache_control = edge_cc;
	}
	opts.router = router;
	opts.error_page = site_error_page;
	opts.error_ctx = site;
	if (http_server_start(&opts, &server, err, sizeof(err)) != GZ_OK) {
		cli_error("%s", err);
		goto out;
	}
	{
		/* Tests and scripts read this line to find the port. */
		const char *colon = strrchr(opts.listen, ':');
		fprintf(stderr, "gazette: serving %s; listening on http://%.*s:%u/\n",
			dir, (int)(colon - opts.listen), opts.listen,
			http_server_port(server));
		fflush(stderr);
	}
	/* Once a second, scheduled articles that have come due are made
	 * visible and their pages dropped from the cache, and the access
	 * log's lines are written out. */
	for (;;) {
		sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGHUP) {
			log_access_reopen();
			atomic_store(&ss.settings, false);
			serve_reload(dir, cfg, site, cache, ss.purge, st, false);
			continue;
		}
		/* Before the reload, so that a change committed during it
		 * makes another. */
		if (atomic_exchange(&ss.settings, false))
			serve_reload(dir, cfg, site, cache, ss.purge, st, true);
		if (sig == SERVE_SIG_SETTINGS)
			continue;
		if (sig > 0 || (errno != EAGAIN && errno != EINTR))
			break;
		store_due_publish(st, (int64_t)time(NULL));
		store_changes_sync(st);
		log_access_flush();
		serve_sessions_purge(st, (int64_t)time(NULL), &purged_at);
		/* The front page shows today's date: a new day in the site's
		 * zone makes it again, though no story changed. */
		if ((today = serve_day((int64_t)time(NULL))) != day) {
			if (day) {
				const char *front = "front";

				cache_invalidate(cache, "front");
				edge_purge_keys(ss.purge, &front, 1);
			}
			day = today;
		}
	}
	if (sig > 0)
		fprintf(stderr, "gazette: %s received, stopping\n",
			sig == SIGINT ? "SIGINT" : "SIGTERM");
	rc = CLI_OK;
out:
	/* Uploads waiting are answered while the server still runs; it then
	 * waits for the requests under way, the upload being processed
	 * among them, before anything they use is freed. */
	site_stop(site);
	http_server_stop(server);
	log_access_close(); /* after the last request's line */
	free(access_path);
	store_events_listen(st, NULL, NULL);
	edge_purge_free(ss.purge); /* sends what is queued, joins */
	cache_free(cache);
	http_router_free(router);
	site_free(site);
	free(theme_dir);
	return rc;
}
