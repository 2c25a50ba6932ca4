/*
 * config.c - reading, validating and writing gazette.conf (see config.h).
 *
 * Every value is validated when it is read, so a command that has loaded
 * the config can trust it: the time zone exists, the listen address
 * parses, the secret has its full length.
 */
#include "config/config.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/utf8.h"

static int
config_str_set(char **slot, const char *value)
{
	char *p = strdup(value);

	if (!p)
		return GZ_ENOMEM;
	free(*slot);
	*slot = p;
	return GZ_OK;
}

int
config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->per_page = 20;
	c->cache_mb = 64;
	c->sync_full = true;
	c->comments_per_page = 50;
	c->threads = 0;
	/* A minute at the edge absorbs a spike (one request per page per
	 * edge node a minute) and, if no purge reaches it, shows a
	 * correction at most a minute late; stale pages for 30 s more while
	 * one request revalidates. */
	c->edge_s_maxage = 60;
	c->edge_swr = 30;
	comments_policy_default(&c->comments);
	if (config_str_set(&c->title, "The Riverton Gazette") ||
	    config_str_set(&c->base_url, "http://127.0.0.1:8080") ||
	    config_str_set(&c->timezone, "UTC") ||
	    config_str_set(&c->language, "en") ||
	    config_str_set(&c->listen, "127.0.0.1:8080") ||
	    config_str_set(&c->access_log, "-") ||
	    config_str_set(&c->media_dir, "media") ||
	    config_str_set(&c->store_url, "") ||
	    config_str_set(&c->secret, "") ||
	    config_str_set(&c->hold_words, "") ||
	    config_str_set(&c->block_words, "") ||
	    config_str_set(&c->edge_purge, "")) {
		config_fini(c);
		return GZ_ENOMEM;
	}
	/* The policy's word lists point into the config's own strings. */
	c->comments.hold_words = c->hold_words;
	c->comments.block_words = c->block_words;
	return GZ_OK;
}

void
config_fini(struct config *c)
{
	free(c->title);
	free(c->base_url);
	free(c->timezone);
	free(c->language);
	free(c->listen);
	free(c->access_log);
	free(c->media_dir);
	/* A URL may carry the database's password. */
	if (c->store_url)
		sodium_memzero(c->store_url, strlen(c->store_url));
	free(c->store_url);
	free(c->hold_words);
	free(c->block_words);
	free(c->edge_purge);
	if (c->secret)
		sodium_memzero(c->secret, strlen(c->secret));
	free(c->secret);
	memset(c, 0, sizeof(*c));
}

/* Parses a decimal in [lo, hi]. */
static int
config_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	unsigned long v = 0;

	if (!*s)
		return GZ_EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return GZ_EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > hi)
			return GZ_EINVAL;
	}
	if (v < lo)
		return GZ_EINVAL;
	*out = (unsigned)v;
	return GZ_OK;
}

/* Writes a message into err[errlen]. One too long is cut and ends in
 * "..." so that nobody takes a cut path or value for the whole: the
 * message is for a person, and its start names the file and the key. */
static void __attribute__((format(printf, 3, 0)))
config_vmsg(char *err, size_t errlen, const char *fmt, va_list ap)
{
	int n;

	if (!err || errlen == 0)
		return;
	n = vsnprintf(err, errlen, fmt, ap);
	if (n < 0)
		err[0] = '\0';
	else if ((size_t)n >= errlen && errlen > 4)
		memcpy(err + errlen - 4, "...", 4);
}

static void __attribute__((format(printf, 3, 4)))
config_msg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_vmsg(err, errlen, fmt, ap);
	va_end(ap);
}

/* config_msg, returning GZ_EINVAL. */
static int __attribute__((format(printf, 3, 4)))
config_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_vmsg(err, errlen, fmt, ap);
	va_end(ap);
	return GZ_EINVAL;
}

/* Accepts "ADDR:PORT" with an IPv4 address or "[v6]" and a port 0-65535. */
static int
config_listen_valid(const char *s)
{
	const char *colon = strrchr(s, ':');
	unsigned port;

	if (!colon || colon == s || strlen(s) > 64)
		return 0;
	return config_uint(colon + 1, 0, 65535, &port) == GZ_OK;
}

/* A yes/no value. */
static int
config_bool(const char *s, bool *out)
{
	if (!strcasecmp(s, "yes") || !strcasecmp(s, "true") || !strcmp(s, "1"))
		*out = true;
	else if (!strcasecmp(s, "no") || !strcasecmp(s, "false") || !strcmp(s, "0"))
		*out = false;
	else
		return GZ_EINVAL;
	return GZ_OK;
}

static int
config_set_comments(struct config *c, const char *key, const char *value,
		    char *err, size_t errlen)
{
	static const struct {
		const char *key;
		size_t off;
		unsigned lo, hi;
	} nums[] = {
		{"close_after_days", offsetof(struct comments_policy, close_after_days), 0, 36500},
		{"max_length", offsetof(struct comments_policy, max_chars), 1, 50000},
		{"max_links", offsetof(struct comments_policy, max_links), 0, 100},
		{"min_fill_seconds", offsetof(struct comments_policy, min_fill_seconds), 0, 600},
		{"rate_limit_count", offsetof(struct comments_policy, rate_count), 1, 64},
		{"rate_limit_seconds", offsetof(struct comments_policy, rate_seconds), 1, 86400},
		{"token_seconds", offsetof(struct comments_policy, token_seconds), 60, 604800},
		/* Each reply level is three levels of template nesting:
		 * deeper than 8 would pass GZ_LIMIT_TEMPLATE_DEPTH. */
		{"max_depth", offsetof(struct comments_policy, max_depth), 1, 8},
	};
	struct comments_policy *p = &c->comments;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if (strcmp(key, nums[i].key) != 0)
			continue;
		if (config_uint(value, nums[i].lo, nums[i].hi,
				(unsigned *)(void *)((char *)p + nums[i].off))) {
			return config_errf(err, errlen,
				"%s: expected a number from %u to %u, not \"%s\"",
				key, nums[i].lo, nums[i].hi, value);
		}
		return GZ_OK;
	}
	if (strcmp(key, "per_page") == 0) {
		if (config_uint(value, 1, 500, &c->comments_per_page))
			return config_errf(err, errlen,
				"per_page: expected a number from 1 to 500, not \"%s\"", value);
		return GZ_OK;
	}
	if (strcmp(key, "moderation") == 0) {
		if (strcmp(value, "pre") == 0)
			p->moderation = COMMENTS_PRE;
		else if (strcmp(value, "first-time") == 0)
			p->moderation = COMMENTS_FIRST_TIME;
		else if (strcmp(value, "post") == 0)
			p->moderation = COMMENTS_POST;
		else
			return config_errf(err, errlen,
				"moderation: expected pre, first-time or post, not \"%s\"", value);
		return GZ_OK;
	}
	if (strcmp(key, "require_email") == 0) {
		if (config_bool(value, &p->require_email))
			return config_errf(err, errlen,
				"require_email: expected yes or no, not \"%s\"", value);
		return GZ_OK;
	}
	if (strcmp(key, "hold_words") == 0 || strcmp(key, "block_words") == 0) {
		char **slot = key[0] == 'h' ? &c->hold_words : &c->block_words;

		if ((rc = config_str_set(slot, value)) != GZ_OK)
			return rc;
		p->hold_words = c->hold_words;
		p->block_words = c->block_words;
		return GZ_OK;
	}
	return config_errf(err, errlen, "%s: unknown key", key);
}

/* [edge] purge: comma-separated URLs, each http:// or https://, no
 * spaces or controls inside, at most GZ_LIMIT_EDGE_URLS of at most
 * GZ_LIMIT_EDGE_URL_BYTES; empty items (spaces, a trailing comma) are
 * skipped, as hold_words' are. */
static int
config_set_edge_purge(struct config *c, const char *value, char *err,
		      size_t errlen)
{
	const char *p = value, *end, *a, *b;
	size_t n = 0, i;
	bool http, https;

	for (;;) {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		for (a = p; a < end && (*a == ' ' || *a == '\t'); a++)
			;
		for (b = end; b > a && (b[-1] == ' ' || b[-1] == '\t'); b--)
			;
		if (b > a) {
			if (++n > GZ_LIMIT_EDGE_URLS)
				return config_errf(err, errlen,
					"purge: at most %u URLs", GZ_LIMIT_EDGE_URLS);
			http = (size_t)(b - a) > 7 &&
			       strncmp(a, "http://", 7) == 0;
			https = (size_t)(b - a) > 8 &&
				strncmp(a, "https://", 8) == 0;
			if ((size_t)(b - a) > GZ_LIMIT_EDGE_URL_BYTES ||
			    (!http && !https))
				return config_errf(err, errlen,
					"purge: expected comma-separated URLs such as http://127.0.0.1:6081/, not \"%.*s\"",
					(int)(b - a), a);
			for (i = 0; i < (size_t)(b - a); i++)
				if ((unsigned char)a[i] <= ' ' || a[i] == 0x7f)
					return config_errf(err, errlen,
						"purge: a URL may not hold spaces or control characters");
		}
		if (!*end)
			break;
		p = end + 1;
	}
	return config_str_set(&c->edge_purge, value);
}

int
config_set(struct config *c, const char *section, const char *key,
	   const char *value, char *err, size_t errlen)
{
	size_t len = strlen(value);

	if (!utf8_valid(value, len, NULL))
		return config_errf(err, errlen, "%s: not valid UTF-8", key);
	if (strcmp(section, "site") == 0) {
		if (strcmp(key, "title") == 0) {
			if (len == 0 || len > 200)
				return config_errf(err, errlen,
					"%s: expected a title of 1 to 200 bytes", key);
			return config_str_set(&c->title, value);
		}
		if (strcmp(key, "base_url") == 0) {
			if (strncmp(value, "http://", 7) != 0 &&
			    strncmp(value, "https://", 8) != 0)
				return config_errf(err, errlen,
					"base_url: expected a URL starting with http:// or https://, not \"%s\"", value);
			if (config_str_set(&c->base_url, value))
				return GZ_ENOMEM;
			/* Stored without its trailing slashes: paths add one. */
			len = strlen(c->base_url);
			while (len > 8 && c->base_url[len - 1] == '/')
				c->base_url[--len] = '\0';
			return GZ_OK;
		}
		if (strcmp(key, "timezone") == 0) {
			if ((c->zone_locked ? date_timezone_check(value)
					    : date_timezone_set(value)) != GZ_OK)
				return config_errf(err, errlen,
					"timezone: \"%s\" is not an IANA time zone such as Europe/London or Asia/Tehran", value);
			return config_str_set(&c->timezone, value);
		}
		if (strcmp(key, "language") == 0) {
			if (len < 2 || len > 35 || strspn(value,
			    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != len)
				return config_errf(err, errlen,
					"language: expected a language tag such as en or fa, not \"%s\"", value);
			return config_str_set(&c->language, value);
		}
		if (strcmp(key, "per_page") == 0) {
			if (config_uint(value, 1, 100, &c->per_page))
				return config_errf(err, errlen,
					"per_page: expected a number from 1 to 100, not \"%s\"", value);
			return GZ_OK;
		}
	} else if (strcmp(section, "server") == 0) {
		if (strcmp(key, "listen") == 0) {
			if (!config_listen_valid(value))
				return config_errf(err, errlen,
					"listen: expected ADDRESS:PORT such as 127.0.0.1:8080, not \"%s\"", value);
			return config_str_set(&c->listen, value);
		}
		if (strcmp(key, "trust_proxy") == 0) {
			if (config_bool(value, &c->trust_proxy))
				return config_errf(err, errlen,
					"trust_proxy: expected yes or no, not \"%s\"", value);
			return GZ_OK;
		}
		if (strcmp(key, "cache_mb") == 0) {
			if (config_uint(value, 1, 65536, &c->cache_mb))
				return config_errf(err, errlen,
					"cache_mb: expected a number of MiB from 1 to 65536, not \"%s\"", value);
			return GZ_OK;
		}
		if (strcmp(key, "metrics") == 0) {
			if (strcmp(value, "local") == 0)
				c->metrics = CONFIG_METRICS_LOCAL;
			else if (strcmp(value, "on") == 0)
				c->metrics = CONFIG_METRICS_ON;
			else if (strcmp(value, "off") == 0)
				c->metrics = CONFIG_METRICS_OFF;
			else
				return config_errf(err, errlen,
					"metrics: expected local, on or off, not \"%s\"", value);
			return GZ_OK;
		}
		if (strcmp(key, "threads") == 0) {
			if (config_uint(value, 0, 256, &c->threads))
				return config_errf(err, errlen,
					"threads: expected a number from 0 (four per core) to 256, not \"%s\"", value);
			return GZ_OK;
		}
	} else if (strcmp(section, "security") == 0) {
		if (strcmp(key, "secret") == 0) {
			if (len != 64 || strspn(value, "0123456789abcdef") != 64)
				return config_errf(err, errlen, "%s: expected 64 lowercase hex digits (gazette init writes one)", key);
			return config_str_set(&c->secret, value);
		}
	} else if (strcmp(section, "admin") == 0) {
		if (strcmp(key, "hash_cost") == 0) {
			if (strcmp(value, "interactive") == 0)
				c->admin_hash_cost = 0;
			else if (strcmp(value, "moderate") == 0)
				c->admin_hash_cost = 1;
			else if (strcmp(value, "minimum") == 0)
				c->admin_hash_cost = 2;
			else
				return config_errf(err, errlen,
					"hash_cost: expected interactive, moderate or minimum, not \"%s\"", value);
			return GZ_OK;
		}
		if (strcmp(key, "require_totp") == 0) {
			if (config_bool(value, &c->admin_require_totp))
				return config_errf(err, errlen,
					"require_totp: expected yes or no, not \"%s\"", value);
			return GZ_OK;
		}
	} else if (strcmp(section, "store") == 0) {
		if (strcmp(key, "url") == 0) {
			/* Only PostgreSQL's: the SQLite database is always
			 * the site's own gazette.db. */
			if (*value && strncmp(value, "postgresql://", 13) != 0 &&
			    strncmp(value, "postgres://", 11) != 0)
				return config_errf(err, errlen,
					"url: expected a postgresql:// URL, or nothing for the site's gazette.db");
			return config_str_set(&c->store_url, value);
		}
		if (strcmp(key, "synchronous") == 0) {
			if (strcmp(value, "full") == 0)
				c->sync_full = true;
			else if (strcmp(value, "normal") == 0)
				c->sync_full = false;
			else
				return config_errf(err, errlen,
					"synchronous: expected full or normal, not \"%s\"", value);
			return GZ_OK;
		}
	} else if (strcmp(section, "comments") == 0) {
		return config_set_comments(c, key, value, err, errlen);
	} else if (strcmp(section, "log") == 0) {
		if (strcmp(key, "access") == 0) {
			if (len == 0 || len > 1024)
				return config_errf(err, errlen,
					"access: expected -, off or a file path, not \"%s\"", value);
			return config_str_set(&c->access_log, value);
		}
	} else if (strcmp(section, "media") == 0) {
		if (strcmp(key, "dir") == 0) {
			if (len == 0 || len > 1024)
				return config_errf(err, errlen,
					"dir: expected a directory path, not \"%s\"", value);
			return config_str_set(&c->media_dir, value);
		}
		if (strcmp(key, "avif") == 0) {
			if (config_bool(value, &c->media_avif))
				return config_errf(err, errlen,
					"avif: expected yes or no, not \"%s\"", value);
			return GZ_OK;
		}
	} else if (strcmp(section, "edge") == 0) {
		if (strcmp(key, "s_maxage") == 0 ||
		    strcmp(key, "stale_while_revalidate") == 0) {
			if (config_uint(value, 0, GZ_LIMIT_EDGE_MAX_SECONDS,
					key[0] == 's' && key[1] == '_'
					? &c->edge_s_maxage : &c->edge_swr))
				return config_errf(err, errlen,
					"%s: expected a number of seconds from 0 to %u, not \"%s\"",
					key, GZ_LIMIT_EDGE_MAX_SECONDS, value);
			return GZ_OK;
		}
		if (strcmp(key, "purge") == 0)
			return config_set_edge_purge(c, value, err, errlen);
		if (strcmp(key, "esi") == 0) {
			if (config_bool(value, &c->edge_esi))
				return config_errf(err, errlen,
					"esi: expected yes or no, not \"%s\"", value);
			return GZ_OK;
		}
	} else {
		return config_errf(err, errlen,
			"[%s]: expected a section named site, server, store, comments, log, media, edge, admin or security", section);
	}
	return config_errf(err, errlen, "%s: unknown key", key);
}

struct config_load_ctx {
	struct config *c;
	char *err;
	size_t errlen;
	int rc;
};

static int
config_on_value(void *user, const char *section, const char *name,
		const char *value)
{
	struct config_load_ctx *ctx = user;
	int rc;

	if (ctx->rc != GZ_OK)
		return 0;
	rc = config_set(ctx->c, section, name, value, ctx->err, ctx->errlen);
	if (rc != GZ_OK) {
		ctx->rc = rc;
		return 0;
	}
	return 1;
}

int
config_parse(struct config *c, const char *text, const char *name, char *err,
	     size_t errlen)
{
	struct config_load_ctx ctx = {c, NULL, 0, GZ_OK};
	char msg[512] = "";
	int line;

	if (strlen(text) > GZ_LIMIT_CONFIG_BYTES) {
		config_msg(err, errlen, "%s: larger than %u bytes", name,
			 GZ_LIMIT_CONFIG_BYTES);
		return GZ_ETOOBIG;
	}
	ctx.err = msg;
	ctx.errlen = sizeof(msg);
	line = ini_parse_string(text, config_on_value, &ctx);
	if (line < 0) {
		config_msg(err, errlen, "%s: out of memory", name);
		return GZ_ENOMEM;
	}
	if (line > 0) {
		config_msg(err, errlen, "%s:%d: %s", name, line,
			 ctx.rc != GZ_OK ? msg : "expected \"key = value\" or \"[section]\"");
		return GZ_EPARSE;
	}
	if (strlen(c->secret) != 64) {
		config_msg(err, errlen, "%s: [security] secret is missing", name);
		return GZ_EPARSE;
	}
	return GZ_OK;
}

int
config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	struct stat st;
	FILE *f = NULL;
	char *text = NULL;
	size_t n;
	int rc = GZ_OK;

	if (!(f = fopen(path, "r"))) {
		config_msg(err, errlen, "%s: %s", path, strerror(errno));
		return GZ_EIO;
	}
	if (fstat(fileno(f), &st) != 0) {
		config_msg(err, errlen, "%s: %s", path, strerror(errno));
		rc = GZ_EIO;
		goto out;
	}
	if (st.st_size > GZ_LIMIT_CONFIG_BYTES) {
		config_msg(err, errlen, "%s: larger than %u bytes", path,
			 GZ_LIMIT_CONFIG_BYTES);
		rc = GZ_ETOOBIG;
		goto out;
	}
	/* One byte more than the limit tells a file that grew meanwhile. */
	if (!(text = malloc(GZ_LIMIT_CONFIG_BYTES + 2))) {
		rc = GZ_ENOMEM;
		config_msg(err, errlen, "%s: out of memory", path);
		goto out;
	}
	n = fread(text, 1, GZ_LIMIT_CONFIG_BYTES + 1, f);
	if (ferror(f)) {
		config_msg(err, errlen, "%s: cannot read", path);
		rc = GZ_EIO;
		goto out;
	}
	text[n] = '\0';
	if (memchr(text, '\0', n)) {
		config_msg(err, errlen, "%s: holds a NUL byte: not a text file", path);
		rc = GZ_EPARSE;
		goto out;
	}
	rc = config_parse(c, text, path, err, errlen);
out:
	free(text);
	fclose(f);
	return rc;
}

/* Appends name to the list in names[nameslen]; a list that does not
 * fit ends in "...", so that no setting seems the last one named. */
static void
config_name_add(char *names, size_t nameslen, const char *name)
{
	size_t len = strlen(names);
	int n;

	if (len + 1 >= nameslen)
		return;
	n = snprintf(names + len, nameslen - len, "%s%s", len ? ", " : "",
		     name);
	if ((n < 0 || (size_t)n >= nameslen - len) && nameslen > 4)
		memcpy(names + nameslen - 4, "...", 4);
}

/* Takes name, when there, out of the list in names. */
static void
config_names_drop(char *names, const char *name)
{
	size_t len = strlen(name), total;
	char *at = strstr(names, name);

	if (!at)
		return;
	total = strlen(names);
	/* With the ", " before it, or after it when it comes first. */
	if (at > names && at - names >= 2 && at[-2] == ',') {
		at -= 2;
		len += 2;
	} else if (at[len] == ',' && at[len + 1] == ' ') {
		len += 2;
	}
	memmove(at, at + len, total - (size_t)(at - names) - len + 1);
}

/* True when two policies differ (their word lists by content). */
static bool
config_policy_differs(const struct comments_policy *a,
		      const struct comments_policy *b)
{
	/* Field by field: a memcmp would compare padding too. */
	return a->moderation != b->moderation ||
	       a->require_email != b->require_email ||
	       a->close_after_days != b->close_after_days ||
	       a->max_chars != b->max_chars || a->max_links != b->max_links ||
	       a->min_fill_seconds != b->min_fill_seconds ||
	       a->rate_count != b->rate_count ||
	       a->rate_seconds != b->rate_seconds ||
	       a->token_seconds != b->token_seconds ||
	       a->max_depth != b->max_depth ||
	       strcmp(a->hold_words, b->hold_words) != 0 ||
	       strcmp(a->block_words, b->block_words) != 0;
}

int
config_keep_restart_settings(struct config *next,
			     const struct config *running, char *names,
			     size_t nameslen)
{
	struct comments_policy policy = next->comments;
	char *hold = NULL, *block = NULL;
	int rc = GZ_ENOMEM;

	/* config_keep_restart sets [comments] back: take next's first. */
	if (!(hold = strdup(next->hold_words)) ||
	    !(block = strdup(next->block_words)))
		goto out;
	if ((rc = config_keep_restart(next, running, names, nameslen)) !=
	    GZ_OK)
		goto out;
	if ((rc = config_str_set(&next->hold_words, hold)) != GZ_OK ||
	    (rc = config_str_set(&next->block_words, block)) != GZ_OK)
		goto out;
	next->comments = policy;
	next->comments.hold_words = next->hold_words;
	next->comments.block_words = next->block_words;
	/* Named only as the file's settings that need a restart. */
	config_names_drop(names, "[comments] (but per_page)");
out:
	free(hold);
	free(block);
	return rc;
}

int
config_keep_restart(struct config *next, const struct config *running,
		    char *names, size_t nameslen)
{
	static const struct {
		const char *name; /* NULL: named with [comments] below */
		size_t off;
	} strs[] = {
		{"[server] listen", offsetof(struct config, listen)},
		{"[site] timezone", offsetof(struct config, timezone)},
		{"[security] secret", offsetof(struct config, secret)},
		{"[store] url", offsetof(struct config, store_url)},
		{"[edge] purge", offsetof(struct config, edge_purge)},
		{NULL, offsetof(struct config, hold_words)},
		{NULL, offsetof(struct config, block_words)},
	};
	/* Numbers and yes/no values, compared and set back as they are
	 * (made at start: the threads, the cache, the page headers and the
	 * purger, the database's synchronous mode). */
#define CONFIG_SCALAR(name, field)                                        \
	{name, offsetof(struct config, field),                            \
	 sizeof(((struct config *)0)->field)}
	static const struct {
		const char *name;
		size_t off, size;
	} scalars[] = {
		CONFIG_SCALAR("[server] threads", threads),
		CONFIG_SCALAR("[server] cache_mb", cache_mb),
		CONFIG_SCALAR("[server] trust_proxy", trust_proxy),
		CONFIG_SCALAR("[edge] s_maxage", edge_s_maxage),
		CONFIG_SCALAR("[edge] stale_while_revalidate", edge_swr),
		CONFIG_SCALAR("[edge] esi", edge_esi),
		CONFIG_SCALAR("[store] synchronous", sync_full),
	};
#undef CONFIG_SCALAR
	/* Before the word lists are set back below. */
	bool policy = config_policy_differs(&next->comments, &running->comments);
	size_t i;

	names[0] = '\0';
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		char **slot = (char **)(void *)((char *)next + strs[i].off);
		char *const *old = (char *const *)(const void *)(
			(const char *)running + strs[i].off);

		if (strcmp(*slot, *old) == 0)
			continue;
		if (strs[i].name)
			config_name_add(names, nameslen, strs[i].name);
		if (config_str_set(slot, *old) != GZ_OK)
			return GZ_ENOMEM;
	}
	for (i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
		char *slot = (char *)next + scalars[i].off;
		const char *was = (const char *)running + scalars[i].off;

		if (memcmp(slot, was, scalars[i].size) == 0)
			continue;
		config_name_add(names, nameslen, scalars[i].name);
		memcpy(slot, was, scalars[i].size);
	}
	if (policy)
		config_name_add(names, nameslen, "[comments] (but per_page)");
	next->comments = running->comments;
	next->comments.hold_words = next->hold_words;
	next->comments.block_words = next->block_words;
	return GZ_OK;
}

int
config_secret_generate(struct config *c)
{
	unsigned char key[32];
	char hex[65];

	randombytes_buf(key, sizeof(key));
	sodium_bin2hex(hex, sizeof(hex), key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	return config_str_set(&c->secret, hex);
}

int
config_write_new(const struct config *c, const char *path)
{
	FILE *f = NULL;
	int fd, rc = GZ_OK;

	/* O_EXCL: an existing site is never overwritten; 0600: the secret
	 * signs readers' CAPTCHA tokens. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? GZ_EEXIST : GZ_EIO;
	if (!(f = fdopen(fd, "w"))) {
		close(fd);
		return GZ_EIO;
	}
	fprintf(f,
		"; gazette site configuration. Every key is described in the README.\n"
		"\n"
		"[site]\n"
		"; The name in the masthead and in every page title.\n"
		"title = %s\n"
		"; Where readers reach the site; used in canonical links and feeds.\n"
		"base_url = %s\n"
		"; IANA time zone in which dates are shown and imported.\n"
		"timezone = %s\n"
		"; Language of the site (BCP 47); each article may have its own.\n"
		"language = %s\n"
		"; Articles per page on section and tag pages.\n"
		"per_page = %u\n"
		"\n"
		"[server]\n"
		"; Address and port gazette serve listens on.\n"
		"listen = %s\n"
		"; Worker threads; 0 means four per CPU core.\n"
		"threads = %u\n"
		"; yes only behind a reverse proxy that sets X-Forwarded-For: the\n"
		"; comment rate limit then counts the reader's address, not the proxy's.\n"
		"trust_proxy = %s\n"
		"; Memory for the page cache, in MiB.\n"
		"cache_mb = %u\n"
		"; Who may read /metrics (Prometheus): local (loopback, not\n"
		"; through a proxy), on (anyone) or off.\n"
		"metrics = %s\n"
		"\n"
		"[log]\n"
		"; One line per request: - (stderr; the journal under systemd),\n"
		"; off, or a file (relative paths are in the site directory;\n"
		"; SIGHUP opens it again after rotation).\n"
		"access = %s\n"
		"\n"
		"[store]\n"
		"; Many gazette nodes share one PostgreSQL database: its URL, e.g.\n"
		"; url = postgresql://gazette@db.example/gazette (docs/operations.md).\n"
		"; Left out, the site's own gazette.db (SQLite) is the database.\n"
		"; full: a comment acknowledged to a reader survives a power cut;\n"
		"; normal: it survives a crash of gazette, not of the machine.\n"
		"synchronous = %s\n"
		"\n"
		"[media]\n"
		"; Where photos' resized copies are kept (relative paths are in the\n"
		"; site directory).\n"
		"dir = %s\n"
		"; yes: make AVIF copies too (about ten times slower to upload than\n"
		"; WebP alone) and offer them to browsers that read AVIF.\n"
		"avif = %s\n"
		"\n"
		"[edge]\n"
		"; Seconds a caching proxy or CDN in front may keep a page (browsers\n"
		"; always revalidate); 0: pages say no-cache, for no edge at all.\n"
		"s_maxage = %u\n"
		"; Seconds more it may serve a page kept too long while it asks again.\n"
		"stale_while_revalidate = %u\n"
		"; Comma-separated URLs sent PURGE by Surrogate-Key when pages change,\n"
		"; such as http://127.0.0.1:6081/ for a Varnish with xkey; empty: none.\n"
		"purge = %s\n"
		"; yes: the edge speaks ESI, so it may keep article pages too.\n"
		"esi = %s\n"
		"\n"
		"[comments]\n"
		"; pre: every comment waits for a moderator; post: published unless\n"
		"; held; first-time: published at once only from a browser one of\n"
		"; whose comments a moderator approved (a cookie, gz_commenter, says\n"
		"; which browser; the name and email typed never count). A new\n"
		"; browser, or cleared cookies, is moderated again.\n"
		"moderation = %s\n"
		"; Ask for an email address (never published)?\n"
		"require_email = %s\n"
		"; Comments close this many days after publication; 0 never.\n"
		"close_after_days = %u\n"
		"; Longest comment, in characters; more links than max_links are held.\n"
		"max_length = %u\n"
		"max_links = %u\n"
		"; A form sent sooner than this after it was shown is sent back to\n"
		"; the reader (text kept) to send again: bots post at once.\n"
		"min_fill_seconds = %u\n"
		"; At most rate_limit_count comments per address per rate_limit_seconds.\n"
		"rate_limit_count = %u\n"
		"rate_limit_seconds = %u\n"
		"; How long a comment form's question may be answered.\n"
		"token_seconds = %u\n"
		"; How deep replies nest.\n"
		"max_depth = %u\n"
		"; Comment threads shown on one page under an article.\n"
		"per_page = %u\n"
		"; Comma-separated words: hold_words hold a comment for review,\n"
		"; block_words reject it.\n"
		"hold_words = %s\n"
		"block_words = %s\n"
		"\n"
		"[admin]\n"
		"; Work per password hash (Argon2id): interactive (about 50 ms and\n"
		"; 64 MiB), moderate (about 0.7 s and 256 MiB); minimum is for tests.\n"
		"hash_cost = %s\n"
		"; yes: an admin must set up a second factor (TOTP) to sign in.\n"
		"require_totp = %s\n"
		"\n"
		"[security]\n"
		"; Signs CAPTCHA tokens. Keep it secret; a new one logs nobody out\n"
		"; but invalidates comment forms already on readers' screens.\n"
		"secret = %s\n",
		c->title, c->base_url, c->timezone, c->language, c->per_page,
		c->listen, c->threads, c->trust_proxy ? "yes" : "no",
		c->cache_mb,
		c->metrics == CONFIG_METRICS_ON ? "on"
		: c->metrics == CONFIG_METRICS_OFF ? "off" : "local",
		c->access_log, c->sync_full ? "full" : "normal",
		c->media_dir, c->media_avif ? "yes" : "no",
		c->edge_s_maxage, c->edge_swr, c->edge_purge,
		c->edge_esi ? "yes" : "no",
		c->comments.moderation == COMMENTS_PRE ? "pre"
		: c->comments.moderation == COMMENTS_POST ? "post" : "first-time",
		c->comments.require_email ? "yes" : "no",
		c->comments.close_after_days, c->comments.max_chars,
		c->comments.max_links, c->comments.min_fill_seconds,
		c->comments.rate_count, c->comments.rate_seconds,
		c->comments.token_seconds, c->comments.max_depth,
		c->comments_per_page,
		c->hold_words, c->block_words,
		c->admin_hash_cost == 1 ? "moderate"
		: c->admin_hash_cost == 2 ? "minimum" : "interactive",
		c->admin_require_totp ? "yes" : "no", c->secret);
	if (ferror(f))
		rc = GZ_EIO;
	if (fclose(f) != 0)
		rc = GZ_EIO;
	if (rc != GZ_OK)
		unlink(path);
	return rc;
}

/* ---- settings over gazette.conf ------------------------------------------ */

const char *const config_setting_keys[] = {
	"site.title",
	"site.timezone",
	"comments.moderation",
	"comments.require_email",
	"comments.close_after_days",
	"comments.hold_words",
	"comments.block_words",
	NULL,
};

bool
config_setting_known(const char *key)
{
	size_t i;

	for (i = 0; config_setting_keys[i]; i++)
		if (strcmp(key, config_setting_keys[i]) == 0)
			return true;
	return false;
}

/* Splits a known "section.key" into section[seclen] and *name (into
 * key). Returns GZ_OK, or GZ_EINVAL for a key that is not a setting. */
static int
config_setting_split(const char *key, char *section, size_t seclen,
		     const char **name)
{
	const char *dot;

	if (!config_setting_known(key) || !(dot = strchr(key, '.')) ||
	    (size_t)(dot - key) >= seclen)
		return GZ_EINVAL;
	memcpy(section, key, (size_t)(dot - key));
	section[dot - key] = '\0';
	*name = dot + 1;
	return GZ_OK;
}

int
config_setting_check(const char *key, const char *value, char *err,
		     size_t errlen)
{
	struct config scratch;
	char section[16];
	const char *name;
	int rc;

	if (config_setting_split(key, section, sizeof(section), &name))
		return config_errf(err, errlen, "%s: not a setting (one of: "
				   "site.title, site.timezone, "
				   "comments.moderation, comments.require_email, "
				   "comments.close_after_days, "
				   "comments.hold_words, comments.block_words)",
				   key);
	if (!utf8_valid(value, strlen(value), NULL))
		return config_errf(err, errlen, "%s: not valid UTF-8", key);
	/* config_set would make it the process's zone at once. */
	if (strcmp(key, "site.timezone") == 0) {
		if (date_timezone_check(value) != GZ_OK)
			return config_errf(err, errlen,
				"timezone: \"%s\" is not an IANA time zone such as Europe/London or Asia/Tehran", value);
		return GZ_OK;
	}
	if ((rc = config_init(&scratch)) != GZ_OK)
		return rc;
	rc = config_set(&scratch, section, name, value, err, errlen);
	config_fini(&scratch);
	return rc;
}

const char *
config_setting_value(const struct config *c, const char *key, char *buf,
		     size_t buflen)
{
	int w;

	if (strcmp(key, "site.title") == 0)
		return c->title;
	if (strcmp(key, "site.timezone") == 0)
		return c->timezone;
	if (strcmp(key, "comments.moderation") == 0)
		return c->comments.moderation == COMMENTS_POST ? "post"
		       : c->comments.moderation == COMMENTS_FIRST_TIME
		       ? "first-time" : "pre";
	if (strcmp(key, "comments.require_email") == 0)
		return c->comments.require_email ? "yes" : "no";
	if (strcmp(key, "comments.close_after_days") == 0) {
		w = snprintf(buf, buflen, "%u", c->comments.close_after_days);
		return w > 0 && (size_t)w < buflen ? buf : "";
	}
	if (strcmp(key, "comments.hold_words") == 0)
		return c->hold_words;
	if (strcmp(key, "comments.block_words") == 0)
		return c->block_words;
	return "";
}

int
config_overlay(struct config *c, const struct config_pair *items, size_t n,
	       bool zone, size_t *skipped)
{
	char err[512], section[16];
	const char *name;
	size_t i, bad = 0;
	int rc;

	for (i = 0; i < n; i++) {
		if (config_setting_split(items[i].key, section, sizeof(section),
					 &name) != GZ_OK) {
			log_error("setting %s: not a setting; skipped",
				  items[i].key);
			bad++;
			continue;
		}
		if (!zone && strcmp(items[i].key, "site.timezone") == 0)
			continue;
		rc = config_set(c, section, name, items[i].value, err,
				sizeof(err));
		if (rc == GZ_ENOMEM)
			return rc;
		if (rc != GZ_OK) {
			log_error("setting %s: %s; skipped", items[i].key, err);
			bad++;
		}
	}
	if (skipped)
		*skipped = bad;
	return GZ_OK;
}
