/*
 * config.h - a site's gazette.conf (INI, read with libinih).
 *
 * A site is a directory holding gazette.conf, gazette.db and optional
 * theme/ and media/. `gazette init` writes the file with a fresh random
 * secret; every command reads it. Every key is documented in README.md
 * and in the file init writes.
 */
#ifndef GZ_CONFIG_H
#define GZ_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "comments/comments.h"

#define CONFIG_FILE "gazette.conf"
#define CONFIG_DB "gazette.db"

/* [server] metrics: who may read /metrics. */
enum config_metrics {
	CONFIG_METRICS_LOCAL = 0, /* peers on loopback, not through a proxy */
	CONFIG_METRICS_ON,        /* anyone */
	CONFIG_METRICS_OFF,       /* nobody: 404 */
};

struct config {
	char *title;     /* [site] title */
	char *base_url;  /* [site] base_url, no trailing '/' */
	char *timezone;  /* [site] timezone, IANA name */
	char *language;  /* [site] language, BCP 47 */
	unsigned per_page; /* [site] per_page: articles on a listing page */
	char *listen;    /* [server] listen, ADDR:PORT */
	unsigned threads; /* [server] threads; 0 = four per core */
	bool trust_proxy; /* [server] trust_proxy: X-Forwarded-For names the
			     reader (only behind a proxy that sets it) */
	unsigned cache_mb; /* [server] cache_mb: page cache size, MiB */
	enum config_metrics metrics; /* [server] metrics */
	char *access_log; /* [log] access: "-" (stderr), "off" or a path
			     (relative: to the site directory) */
	bool sync_full;  /* [store] synchronous: full (true) or normal */
	char *store_url; /* [store] url: a postgresql:// URL, or "": the
			    site's gazette.db */
	/* [media] dir: where photos' variant files are kept (media.h);
	 * relative: to the site directory, which the command line resolves
	 * (cli_config_open), so that a running site reads an absolute
	 * path. Default "media". */
	char *media_dir;
	bool media_avif; /* [media] avif: make and serve AVIF too */
	unsigned comments_per_page; /* [comments] per_page: threads a page */
	char *secret;    /* [security] secret, 64 hex digits */
	/* [admin] hash_cost: 0 interactive, 1 moderate, 2 minimum (an enum
	 * admin_hash_cost; minimum only for tests). */
	unsigned admin_hash_cost;
	bool admin_require_totp; /* [admin] require_totp: admins must enrol */
	/* [comments]: the word lists below are owned by the config. */
	struct comments_policy comments;
	char *hold_words;
	char *block_words;
	/* [edge]: a caching proxy or CDN in front (docs/edge.md). */
	unsigned edge_s_maxage; /* s_maxage: seconds an edge keeps a page;
				   0: pages say no-cache, as without an edge */
	unsigned edge_swr;      /* stale_while_revalidate, seconds */
	/* purge: comma-separated http:// or https:// URLs each sent a
	 * PURGE by key when the store's events fire; "" none. */
	char *edge_purge;
	/* esi: the edge speaks ESI, so the article page leaves its
	 * per-reader challenge to an <esi:include> and may be cached there
	 * whole (docs/cache.md). */
	bool edge_esi;
	/* Not a setting: true while serving (set it after config_init,
	 * before config_load, for a reload), when config_set checks
	 * [site] timezone but does not make it the process's zone: TZ is
	 * set once, before threads start (util/date.h). */
	bool zone_locked;
};

/* Fills c, owned by the caller, with the defaults (allocated: free with
 * config_fini). Returns GZ_OK or GZ_ENOMEM. */
int config_init(struct config *c);
/* Frees c's strings. */
void config_fini(struct config *c);
/* Reads path over the values already in c (call config_init first).
 * Unknown sections or keys and invalid values are errors. Returns GZ_OK,
 * GZ_EIO (unreadable; err says why) or GZ_EPARSE ("path:line: message" in
 * err). */
int config_load(struct config *c, const char *path, char *err, size_t errlen);
/* The same for the NUL-terminated text of a file, named name in errors
 * (config_load reads the file, then calls this; fuzz/fuzz_config.c feeds
 * it directly). Also GZ_ETOOBIG past GZ_LIMIT_CONFIG_BYTES. */
int config_parse(struct config *c, const char *text, const char *name,
		 char *err, size_t errlen);
/* Sets key (as in the file: "title", "timezone", ...) to value after
 * validating it. Returns GZ_OK, GZ_EINVAL (err says why) or GZ_ENOMEM. */
int config_set(struct config *c, const char *section, const char *key,
	       const char *value, char *err, size_t errlen);
/* Writes c to path, which must not exist (no site is ever overwritten).
 * Returns GZ_OK, GZ_EEXIST or GZ_EIO. */
int config_write_new(const struct config *c, const char *path);
/* For a reload (SIGHUP): the settings a running server took at start and
 * cannot change ([server] listen, threads, cache_mb, trust_proxy; [site]
 * timezone; [store] synchronous; [security] secret; [comments] but
 * per_page; [edge]) are set back in next to running's values. Output: the names
 * of those that differed, comma-separated, in names[nameslen] ("" when
 * none). Returns GZ_OK or GZ_ENOMEM. */
int config_keep_restart(struct config *next, const struct config *running,
			char *names, size_t nameslen);
/* As config_keep_restart, for a reload after an admin changed the
 * site's settings (the "settings" change event): the same settings are
 * kept but [comments], whose intake state the site then makes again, so
 * that the next comment follows the new policy. */
int config_keep_restart_settings(struct config *next,
				 const struct config *running, char *names,
				 size_t nameslen);

/* ---- settings over gazette.conf (the admin's settings page) ------------- */

/* A setting as the store keeps it: "section.key" and a value as
 * config_set takes it. */
struct config_pair {
	const char *key;
	const char *value;
};

/* The settings an admin may change over gazette.conf, NULL-terminated:
 * "site.title", "site.timezone", "comments.moderation",
 * "comments.require_email", "comments.close_after_days",
 * "comments.hold_words", "comments.block_words". */
extern const char *const config_setting_keys[];
/* True when key is one of config_setting_keys. */
bool config_setting_known(const char *key);
/* Checks value for setting key as config_set would, without changing
 * anything (the time zone included: it is only looked up). Returns
 * GZ_OK, GZ_EINVAL (err: one sentence, an unknown key or what is wrong
 * with the value) or GZ_ENOMEM. */
int config_setting_check(const char *key, const char *value, char *err,
			 size_t errlen);
/* Setting key's value in c as text, as config_set takes it ("pre",
 * "yes", "14", the title): c's own string, or written into buf[buflen]
 * for a number or a name; "" for a key that is not a setting. Valid
 * while c and buf are. */
const char *config_setting_value(const struct config *c, const char *key,
				 char *buf, size_t buflen);
/* Applies the stored settings items[0..n) over c (gazette.conf's
 * values): each through config_set. A key that is not a known setting,
 * or a value config_set refuses, is logged (log_error, naming key and
 * why) and skipped: never fatal. "site.timezone" sets the process's
 * zone, so it is applied only when zone is true (at start, before any
 * thread serves); otherwise it is left to the next start. Output:
 * *skipped (when not NULL), the settings not applied for an error.
 * Returns GZ_OK or GZ_ENOMEM. */
int config_overlay(struct config *c, const struct config_pair *items,
		   size_t n, bool zone, size_t *skipped);

/* Fills c->secret with 32 fresh random bytes in hex. */
int config_secret_generate(struct config *c);

#endif
