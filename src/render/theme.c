/*
 * theme.c - the theme: every template compiled and every static asset
 * fingerprinted, once, at start-up.
 *
 * Data flow: `gazette serve` loads the theme before it listens; handlers
 * render named templates through it, site/static.c serves its assets by
 * their fingerprinted URLs, and templates link to assets through
 * render_theme_asset_url ("style.css" -> "/static/style.0123abcd....css").
 * The default theme is compiled into the binary (util/embed.h); a site's
 * theme/ folder may replace or add any template or asset.
 *
 * Invariants: a loaded theme is immutable, so every server thread reads it
 * without locks. Templates are sorted by name and assets by URL and by
 * file name, so every lookup is a binary search. Embedded files are used
 * in place; files read from the override folder are owned by the theme.
 */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "render/render.h"
#include "util/embed.h"
#include "util/err.h"
#include "util/limits.h"

/* One static asset; a theme is unlikely to carry anything larger. */
#define THEME_ASSET_MAX (8u * 1024u * 1024u)
/* Folders under the override's static/ are followed this deep. */
#define THEME_DIR_DEPTH 8
#define THEME_FP_BYTES 8 /* fingerprint in URLs: 16 hex characters */

struct theme_tpl {
	char *name; /* "article" */
	struct render_tpl *tpl;
};

struct theme_asset {
	char *file; /* "style.css", relative to static/ */
	char *url, *etag; /* what pub.url and pub.etag point to */
	struct render_asset pub;
	unsigned char *owned; /* data read from the override, or NULL */
};

struct render_theme {
	struct theme_tpl *tpls;
	size_t ntpls;
	struct theme_asset *assets; /* sorted by url */
	size_t nassets;
	struct theme_asset **by_file; /* sorted by file */
};

/* A file found while loading, before templates compile. */
struct theme_file {
	char *rel;  /* "templates/article.mustache", "static/style.css" */
	char *path; /* for messages: rel, or the override file's path */
	const unsigned char *data;
	size_t len;
	unsigned char *owned;
	int rank; /* 0 embedded, 1 override: the higher one wins */
};

struct theme_load {
	struct theme_file *files;
	size_t n, cap;
	char *err;
	size_t errlen;
};

static void
theme_error(struct theme_load *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
theme_error(struct theme_load *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!l->err || l->errlen == 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->err, l->errlen, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= l->errlen && l->errlen > 4)
		memcpy(l->err + l->errlen - 4, "...", 4);
}

static int
theme_add(struct theme_load *l, const char *rel, const char *path,
	  const unsigned char *data, size_t len, unsigned char *owned,
	  int rank)
{
	struct theme_file *f;
	size_t ncap;

	if (l->n == l->cap) {
		ncap = l->cap ? l->cap * 2 : 32;
		if (!(f = realloc(l->files, ncap * sizeof(*f)))) {
			free(owned);
			return GZ_ENOMEM;
		}
		l->files = f;
		l->cap = ncap;
	}
	f = &l->files[l->n];
	memset(f, 0, sizeof(*f));
	f->data = data;
	f->len = len;
	f->owned = owned;
	f->rank = rank;
	if (!(f->rel = strdup(rel)) || !(f->path = strdup(path))) {
		free(f->rel);
		free(f->path);
		free(owned);
		return GZ_ENOMEM;
	}
	l->n++;
	return GZ_OK;
}

/* Reads the regular file at path, at most max bytes, into *out (caller
 * frees, NUL-terminated) and *len. */
static int
theme_read(struct theme_load *l, const char *path, size_t max,
	   unsigned char **out, size_t *len)
{
	unsigned char *data = NULL;
	struct stat st;
	size_t got = 0;
	ssize_t n;
	int fd = -1, rc = GZ_EIO;

	*out = NULL;
	/* O_NONBLOCK: a FIFO put in place of a file must not hang start-up. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0 ||
	    fstat(fd, &st) != 0) {
		theme_error(l, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		theme_error(l, "%s: not a regular file", path);
		goto out;
	}
	if ((size_t)st.st_size > max) {
		theme_error(l, "%s: larger than %zu bytes", path, max);
		rc = GZ_ETOOBIG;
		goto out;
	}
	/* One byte more than stat said, to notice a file that grew. */
	if (!(data = malloc((size_t)st.st_size + 2))) {
		rc = GZ_ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size + 1) {
		n = read(fd, data + got, (size_t)st.st_size + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			theme_error(l, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > (size_t)st.st_size) {
		theme_error(l, "%s: changed while being read", path);
		goto out;
	}
	data[got] = '\0';
	*out = data;
	*len = got;
	data = NULL;
	rc = GZ_OK;
out:
	free(data);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* Adds every file under dir/sub (rel names "sub/..."); templates/ holds
 * *.mustache files only and is not descended into. A missing sub is
 * fine: an override need not replace everything. */
static int
theme_scan(struct theme_load *l, const char *dir, const char *sub, int depth)
{
	char path[4096], rel[4096];
	unsigned char *data;
	struct dirent *de;
	struct stat st;
	DIR *d = NULL;
	size_t len, max;
	int n, rc = GZ_OK, tpl = strcmp(sub, "templates") == 0;

	n = snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		theme_error(l, "%s/%s: path too long", dir, sub);
		return GZ_EIO;
	}
	if (!(d = opendir(path))) {
		if (errno == ENOENT)
			return GZ_OK;
		theme_error(l, "%s: %s", path, strerror(errno));
		return GZ_EIO;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		n = snprintf(path, sizeof(path), "%s/%s/%s", dir, sub,
			     de->d_name);
		if (n < 0 || (size_t)n >= sizeof(path) ||
		    snprintf(rel, sizeof(rel), "%s/%s", sub, de->d_name) >=
			    (int)sizeof(rel)) {
			theme_error(l, "%s/%s/%s: path too long", dir, sub,
				    de->d_name);
			rc = GZ_EIO;
			goto out;
		}
		if (stat(path, &st) != 0) {
			theme_error(l, "%s: %s", path, strerror(errno));
			rc = GZ_EIO;
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			if (tpl)
				continue;
			if (depth >= THEME_DIR_DEPTH) {
				theme_error(l, "%s: folders nest too deep",
					    path);
				rc = GZ_EIO;
				goto out;
			}
			if ((rc = theme_scan(l, dir, rel, depth + 1)) != GZ_OK)
				goto out;
			continue;
		}
		if (tpl && !has_suffix(de->d_name, ".mustache"))
			continue;
		if (!S_ISREG(st.st_mode)) {
			theme_error(l, "%s: not a regular file", path);
			rc = GZ_EIO;
			goto out;
		}
		max = tpl ? GZ_LIMIT_TEMPLATE_BYTES : THEME_ASSET_MAX;
		if ((rc = theme_read(l, path, max, &data, &len)) != GZ_OK)
			goto out;
		if ((rc = theme_add(l, rel, path, data, len, data, 1)) != GZ_OK)
			goto out;
	}
	if (errno != 0) {
		theme_error(l, "%s/%s: %s", dir, sub, strerror(errno));
		rc = GZ_EIO;
	}
out:
	closedir(d);
	return rc;
}

static int
file_cmp(const void *a, const void *b)
{
	const struct theme_file *x = a, *y = b;
	int c = strcmp(x->rel, y->rel);

	return c ? c : x->rank - y->rank;
}

static int
tpl_cmp(const void *a, const void *b)
{
	return strcmp(((const struct theme_tpl *)a)->name,
		      ((const struct theme_tpl *)b)->name);
}

/* bsearch comparators: the key is the string looked for. */
static int
tpl_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct theme_tpl *)elem)->name);
}

static int
asset_url_cmp(const void *a, const void *b)
{
	return strcmp(((const struct theme_asset *)a)->url,
		      ((const struct theme_asset *)b)->url);
}

static int
asset_url_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct theme_asset *)elem)->url);
}

static int
asset_file_cmp(const void *a, const void *b)
{
	return strcmp((*(struct theme_asset *const *)a)->file,
		      (*(struct theme_asset *const *)b)->file);
}

static int
asset_file_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, (*(struct theme_asset *const *)elem)->file);
}

/* Content types by extension; text types carry their charset. */
static const struct {
	const char *ext;
	const char *type;
} theme_types[] = {
	{"css", "text/css; charset=utf-8"},
	{"ico", "image/x-icon"},
	{"jpeg", "image/jpeg"},
	{"jpg", "image/jpeg"},
	{"js", "text/javascript; charset=utf-8"},
	{"json", "application/json"},
	{"png", "image/png"},
	{"svg", "image/svg+xml"},
	{"txt", "text/plain; charset=utf-8"},
	{"webp", "image/webp"},
	{"woff2", "font/woff2"},
	{"xml", "application/xml"},
};

static const char *
theme_type(const char *ext)
{
	size_t i;

	if (ext)
		for (i = 0; i < sizeof(theme_types) / sizeof(theme_types[0]);
		     i++)
			if (strcasecmp(ext, theme_types[i].ext) == 0)
				return theme_types[i].type;
	return "application/octet-stream";
}

static void
hex(char *out, const unsigned char *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Fills a's URL, ETag and content type from its file name and bytes. */
static int
theme_asset_init(struct theme_asset *a, const char *file,
		 const unsigned char *data, size_t len)
{
	unsigned char hash[crypto_generichash_BYTES];
	char full[2 * crypto_generichash_BYTES + 1];
	char fp[2 * THEME_FP_BYTES + 1];
	const char *base, *dot;
	size_t stem, n;
	char *url, *etag;

	crypto_generichash(hash, sizeof(hash), data, len, NULL, 0);
	hex(full, hash, sizeof(hash));
	hex(fp, hash, THEME_FP_BYTES);
	base = strrchr(file, '/');
	base = base ? base + 1 : file;
	dot = strrchr(base, '.');
	stem = dot ? (size_t)(dot - file) : strlen(file);
	/* "/static/" stem "." fp ext NUL */
	n = 8 + strlen(file) + 1 + sizeof(fp) + 1;
	if (!(url = malloc(n)) || !(etag = malloc(sizeof(full) + 2))) {
		free(url);
		return GZ_ENOMEM;
	}
	if (snprintf(url, n, "/static/%.*s.%s%s", (int)stem, file, fp,
		     dot ? dot : "") >= (int)n ||
	    snprintf(etag, sizeof(full) + 2, "\"%s\"", full) >=
		    (int)sizeof(full) + 2) {
		/* The sizes above are exact; this cannot happen. */
		free(url);
		free(etag);
		return GZ_EINVAL;
	}
	if (!(a->file = strdup(file))) {
		free(url);
		free(etag);
		return GZ_ENOMEM;
	}
	a->url = url;
	a->etag = etag;
	a->pub.url = url;
	a->pub.etag = etag;
	a->pub.content_type = theme_type(dot ? dot + 1 : NULL);
	a->pub.data = data;
	a->pub.len = len;
	return GZ_OK;
}

static const struct render_tpl *
theme_partial(void *ctx, const char *name)
{
	const struct render_theme *theme = ctx;
	const struct theme_tpl *t;

	t = bsearch(name, theme->tpls, theme->ntpls, sizeof(*theme->tpls),
		    tpl_key_cmp);
	return t ? t->tpl : NULL;
}

/* Loads the theme (contract in render.h). Beyond it: override_dir, when
 * given, must be a folder (else GZ_EIO, "dir: reason"), though its
 * templates/ and static/ are each optional; templates are read from
 * templates/NAME.mustache only, assets from static/ and its sub-folders;
 * names starting with '.' are skipped; a file over its limit
 * (GZ_LIMIT_TEMPLATE_BYTES, THEME_ASSET_MAX) is GZ_ETOOBIG, anything
 * else unreadable GZ_EIO, both as "path: reason"; compile errors name
 * the file ("templates/x.mustache:3:7: ..." for embedded ones, the full
 * path for overrides). Out of memory is GZ_ENOMEM. Caller frees *out with
 * render_theme_free; *out is NULL on error. */
int
render_theme_load(const char *override_dir, const char *const *names,
		  struct render_theme **out, char *err, size_t errlen)
{
	struct theme_load l = {.err = err, .errlen = errlen};
	struct render_theme *theme = NULL;
	struct theme_asset *a;
	struct theme_file *f;
	struct theme_tpl *t;
	struct stat st;
	const char *rel, *name;
	size_t i, k, ntpl = 0, nasset = 0;
	int rc = GZ_ENOMEM;

	assert(out != NULL);
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (sodium_init() < 0) {
		theme_error(&l, "libsodium failed to start");
		rc = GZ_EINVAL;
		goto out;
	}
	for (i = 0; i < embed_theme_count; i++) {
		rel = embed_theme[i].name;
		if ((rc = theme_add(&l, rel, rel, embed_theme[i].data,
				    embed_theme[i].len, NULL, 0)) != GZ_OK)
			goto out;
	}
	if (override_dir) {
		if (stat(override_dir, &st) != 0) {
			theme_error(&l, "%s: %s", override_dir,
				    strerror(errno));
			rc = GZ_EIO;
			goto out;
		}
		if (!S_ISDIR(st.st_mode)) {
			theme_error(&l, "%s: not a folder", override_dir);
			rc = GZ_EIO;
			goto out;
		}
		if ((rc = theme_scan(&l, override_dir, "templates", 0)) !=
			    GZ_OK ||
		    (rc = theme_scan(&l, override_dir, "static", 0)) != GZ_OK)
			goto out;
	}
	/* Sort by name, override after embedded, and keep the last of each
	 * name. */
	if (l.n)
		qsort(l.files, l.n, sizeof(*l.files), file_cmp);
	for (i = k = 0; i < l.n; i++) {
		if (i + 1 < l.n &&
		    strcmp(l.files[i].rel, l.files[i + 1].rel) == 0) {
			free(l.files[i].rel);
			free(l.files[i].path);
			free(l.files[i].owned);
			continue;
		}
		l.files[k++] = l.files[i];
	}
	l.n = k;
	for (i = 0; i < l.n; i++) {
		rel = l.files[i].rel;
		if (strncmp(rel, "templates/", 10) == 0 &&
		    !strchr(rel + 10, '/') && has_suffix(rel, ".mustache"))
			ntpl++;
		else if (strncmp(rel, "static/", 7) == 0)
			nasset++;
	}
	rc = GZ_ENOMEM;
	if (!(theme = calloc(1, sizeof(*theme))) ||
	    !(theme->tpls = calloc(ntpl ? ntpl : 1, sizeof(*theme->tpls))) ||
	    !(theme->assets =
		      calloc(nasset ? nasset : 1, sizeof(*theme->assets))) ||
	    !(theme->by_file =
		      calloc(nasset ? nasset : 1, sizeof(*theme->by_file))))
		goto out;
	for (i = 0; i < l.n; i++) {
		f = &l.files[i];
		rel = f->rel;
		if (strncmp(rel, "templates/", 10) == 0 &&
		    !strchr(rel + 10, '/') && has_suffix(rel, ".mustache")) {
			name = rel + 10;
			t = &theme->tpls[theme->ntpls];
			t->name = strndup(name, strlen(name) - 9);
			if (!t->name)
				goto out;
			theme->ntpls++;
			rc = render_tpl_compile(f->path, (const char *)f->data,
						f->len, names, &t->tpl, err,
						errlen);
			if (rc != GZ_OK)
				goto out;
			rc = GZ_ENOMEM;
		} else if (strncmp(rel, "static/", 7) == 0) {
			a = &theme->assets[theme->nassets];
			if ((rc = theme_asset_init(a, rel + 7, f->data,
						   f->len)) != GZ_OK)
				goto out;
			/* The asset takes the bytes read from the override. */
			a->owned = f->owned;
			f->owned = NULL;
			a->pub.permanent = a->owned == NULL;
			theme->nassets++;
			rc = GZ_ENOMEM;
		}
	}
	qsort(theme->tpls, theme->ntpls, sizeof(*theme->tpls), tpl_cmp);
	qsort(theme->assets, theme->nassets, sizeof(*theme->assets),
	      asset_url_cmp);
	for (i = 0; i < theme->nassets; i++)
		theme->by_file[i] = &theme->assets[i];
	qsort(theme->by_file, theme->nassets, sizeof(*theme->by_file),
	      asset_file_cmp);
	*out = theme;
	theme = NULL;
	rc = GZ_OK;
out:
	if (rc == GZ_ENOMEM && err && errlen && !err[0])
		theme_error(&l, "theme: out of memory");
	render_theme_free(theme);
	for (i = 0; i < l.n; i++) {
		free(l.files[i].rel);
		free(l.files[i].path);
		free(l.files[i].owned);
	}
	free(l.files);
	return rc;
}

/* Frees the theme and everything it owns; NULL is a no-op. Pointers
 * handed out by the lookups below die with it. */
void
render_theme_free(struct render_theme *theme)
{
	size_t i;

	if (!theme)
		return;
	for (i = 0; i < theme->ntpls; i++) {
		free(theme->tpls[i].name);
		render_tpl_free(theme->tpls[i].tpl);
	}
	for (i = 0; i < theme->nassets; i++) {
		free(theme->assets[i].file);
		free(theme->assets[i].url);
		free(theme->assets[i].etag);
		free(theme->assets[i].owned);
	}
	free(theme->tpls);
	free(theme->assets);
	free(theme->by_file);
	free(theme);
}

/* Renders template name into out: GZ_ENOTFOUND for an unknown name, else
 * as render_tpl_render. Safe from any number of threads at once. */
int
render_theme_render(const struct render_theme *theme, const char *name,
		    const struct render_val *ctx, struct buf *out)
{
	struct render_partials partials;
	const struct render_tpl *tpl;

	assert(theme && name && out);
	partials.find = theme_partial;
	/* render_partials carries a plain void *; theme_partial only reads
	 * through it. */
	partials.ctx = (void *)(uintptr_t)theme;
	if (!(tpl = theme_partial(partials.ctx, name)))
		return GZ_ENOTFOUND;
	return render_tpl_render(tpl, ctx, &partials, out);
}

/* Finds an asset by its fingerprinted URL path; NULL if none. The asset
 * lives as long as the theme. */
const struct render_asset *
render_theme_asset_find(const struct render_theme *theme, const char *url)
{
	const struct theme_asset *a;

	assert(theme && url);
	a = bsearch(url, theme->assets, theme->nassets,
		    sizeof(*theme->assets), asset_url_key_cmp);
	return a ? &a->pub : NULL;
}

/* Returns the fingerprinted URL of static/name ("style.css",
 * "img/logo.svg"), or NULL; it lives as long as the theme. */
const char *
render_theme_asset_url(const struct render_theme *theme, const char *name)
{
	struct theme_asset *const *a;

	assert(theme && name);
	a = bsearch(name, theme->by_file, theme->nassets,
		    sizeof(*theme->by_file), asset_file_key_cmp);
	return a ? (*a)->url : NULL;
}
