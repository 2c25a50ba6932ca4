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
 * per_page) are set back in next to running's values. Output: the names
 * of those that differed, comma-separated, in names[nameslen] ("" when
 * none). Returns GZ_OK or GZ_ENOMEM. */
int config_keep_restart(struct config *next, const struct config *running,
			char *names, size_t nameslen);
/* Fills c->secret with 32 fresh random bytes in hex. */
int config_secret_generate(struct config *c);

#endif
