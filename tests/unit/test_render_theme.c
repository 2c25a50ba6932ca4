/*
 * Tests for src/render/theme.c: loading the embedded theme and a site's
 * override folder, partials, compile errors, asset fingerprints.
 *
 * The default theme's templates are still being written, so nothing here
 * depends on their content: override folders are made in a temporary
 * folder with our own templates and assets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "render/render.h"
#include "util/buf.h"
#include "util/embed.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

struct fixture {
	char dir[64];
	struct pool *pool;
	struct render_theme *theme;
	char err[512];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/gz-theme-XXXXXX");
	if (!mkdtemp(f->dir) || !(f->pool = pool_new(1 << 20))) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
remove_one(const char *path, const struct stat *st, int type,
	   struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* Removes the fixture's folder and everything in it. */
static void
remove_tree(const char *dir)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	render_theme_free(f->theme);
	pool_free(f->pool);
	remove_tree(f->dir);
	free(f);
	return 0;
}

/* Writes data to dir/rel, making folders on the way. */
static void
put_len(struct fixture *f, const char *rel, const void *data, size_t len)
{
	char path[512], *slash;
	FILE *fp;

	assert_true(snprintf(path, sizeof(path), "%s/%s", f->dir, rel) <
		    (int)sizeof(path));
	for (slash = strchr(path + strlen(f->dir) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		assert_true(mkdir(path, 0700) == 0 || errno == EEXIST);
		*slash = '/';
	}
	assert_non_null(fp = fopen(path, "wb"));
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void
put(struct fixture *f, const char *rel, const char *text)
{
	put_len(f, rel, text, strlen(text));
}

static void
load_ok(struct fixture *f, const char *const *names)
{
	render_theme_free(f->theme);
	f->theme = NULL;
	if (render_theme_load(f->dir, names, &f->theme, f->err,
			      sizeof(f->err)) != GZ_OK)
		fail_msg("load: %s", f->err);
	assert_non_null(f->theme);
}

/* Renders template name with the view model v and returns the output,
 * valid until the fixture's pool is freed. */
static const char *
render(struct fixture *f, const char *name, const struct render_val *v)
{
	struct buf b;
	char *s;

	buf_init(&b, 1 << 20);
	assert_int_equal(render_theme_render(f->theme, name, v, &b), GZ_OK);
	s = pool_strdup(f->pool, b.data ? b.data : "");
	buf_fini(&b);
	return s;
}

static const struct embed_file *
embedded(const char *name)
{
	size_t i;

	for (i = 0; i < embed_theme_count; i++)
		if (strcmp(embed_theme[i].name, name) == 0)
			return &embed_theme[i];
	return NULL;
}

/* Checks url is /static/<stem>.<16 hex>.<ext> (ext may be empty). */
static void
check_url_shape(const char *url, const char *stem, const char *ext)
{
	size_t n = strlen(stem), i;

	assert_true(strncmp(url, "/static/", 8) == 0);
	assert_true(strncmp(url + 8, stem, n) == 0);
	assert_int_equal(url[8 + n], '.');
	for (i = 0; i < 16; i++)
		assert_non_null(strchr("0123456789abcdef", url[9 + n + i]));
	assert_string_equal(url + 9 + n + 16, ext);
}

/* The first embedded file whose name starts with prefix, or NULL. */
static const struct embed_file *
embedded_first(const char *prefix)
{
	size_t i;

	for (i = 0; i < embed_theme_count; i++)
		if (strncmp(embed_theme[i].name, prefix, strlen(prefix)) == 0)
			return &embed_theme[i];
	return NULL;
}

static void
default_theme_loads(void **state)
{
	struct fixture *f = *state;
	const struct embed_file *file = embedded_first("static/");
	const struct render_asset *a;
	unsigned char hash[crypto_generichash_BYTES];
	char want[80], name[256];
	const char *url, *n;
	struct buf b;
	size_t i, len;

	assert_non_null(embedded("static/style.css"));
	assert_non_null(embedded_first("templates/"));
	assert_int_equal(render_theme_load(NULL, NULL, &f->theme, f->err,
					   sizeof(f->err)),
			 GZ_OK);
	assert_string_equal(f->err, "");
	url = render_theme_asset_url(f->theme, "style.css");
	assert_non_null(url);
	check_url_shape(url, "style", ".css");
	a = render_theme_asset_find(f->theme, url);
	assert_non_null(a);
	assert_string_equal(a->content_type, "text/css; charset=utf-8");
	/* The fingerprint is the first 8 bytes of the BLAKE2b hash; the
	 * ETag is all of it. */
	url = render_theme_asset_url(f->theme, file->name + 7);
	assert_non_null(url);
	assert_int_equal(sodium_init() >= 0, 1);
	crypto_generichash(hash, sizeof(hash), file->data, file->len, NULL, 0);
	for (i = 0; i < 8; i++)
		snprintf(want + 2 * i, 3, "%02x", hash[i]);
	n = strrchr(url, '.');
	assert_non_null(n);
	assert_true(n - url > 17);
	assert_memory_equal(n - 16, want, 16);
	a = render_theme_asset_find(f->theme, url);
	assert_non_null(a);
	assert_string_equal(a->url, url);
	want[0] = '"';
	for (i = 0; i < sizeof(hash); i++)
		snprintf(want + 1 + 2 * i, 3, "%02x", hash[i]);
	want[65] = '"';
	want[66] = '\0';
	assert_string_equal(a->etag, want);
	assert_int_equal(a->len, file->len);
	assert_memory_equal(a->data, file->data, file->len);
	/* Every embedded template and asset is there; the templates'
	 * content is not this test's business. */
	for (i = 0; i < embed_theme_count; i++) {
		n = embed_theme[i].name;
		len = strlen(n);
		if (strncmp(n, "static/", 7) == 0) {
			url = render_theme_asset_url(f->theme, n + 7);
			assert_non_null(url);
			continue;
		}
		if (strncmp(n, "templates/", 10) != 0 || len < 19 ||
		    strcmp(n + len - 9, ".mustache") != 0)
			continue;
		assert_true(len - 19 < sizeof(name));
		memcpy(name, n + 10, len - 19);
		name[len - 19] = '\0';
		buf_init(&b, 1 << 20);
		assert_int_not_equal(render_theme_render(f->theme, name, NULL,
							 &b),
				     GZ_ENOTFOUND);
		buf_fini(&b);
	}
}

static void
unknown_names(void **state)
{
	struct fixture *f = *state;
	const char *url;
	struct buf b;

	assert_int_equal(render_theme_load(NULL, NULL, &f->theme, f->err,
					   sizeof(f->err)),
			 GZ_OK);
	buf_init(&b, 64);
	assert_int_equal(render_theme_render(f->theme, "no-such-template",
					     NULL, &b),
			 GZ_ENOTFOUND);
	assert_int_equal(render_theme_render(f->theme, "layout.mustache", NULL,
					     &b),
			 GZ_ENOTFOUND);
	buf_fini(&b);
	assert_null(render_theme_asset_url(f->theme, "nope.css"));
	assert_null(render_theme_asset_url(f->theme, "static/style.css"));
	assert_null(render_theme_asset_find(f->theme, "/static/style.css"));
	assert_null(render_theme_asset_find(f->theme, "/static/nope"));
	assert_null(render_theme_asset_find(f->theme, ""));
	url = render_theme_asset_url(f->theme, "style.css");
	assert_non_null(url);
	assert_non_null(render_theme_asset_find(f->theme, url));
	render_theme_free(NULL);
}

static void
override_replaces_and_adds(void **state)
{
	struct fixture *f = *state;
	struct render_val *v = render_obj_new(f->pool);
	const struct render_asset *a;
	const char *url;

	/* layout is taken to be a default template: replaced or added,
	 * the result must be the same. */
	put(f, "templates/layout.mustache", "OVERRIDE {{>part}}|{{>missing}}");
	put(f, "templates/part.mustache", "[{{x}}]");
	put(f, "templates/notes.txt", "not a template");
	put(f, "templates/sub/deep.mustache", "not looked at");
	put(f, "static/style.css", "body{color:red}");
	put(f, "static/app.js", "let x = 1;");
	put(f, "static/img/logo.svg", "<svg/>");
	put(f, "static/.hidden", "skipped");
	load_ok(f, NULL);
	assert_int_equal(render_obj_str(f->pool, v, "x", "<v>"), GZ_OK);
	assert_string_equal(render(f, "layout", v), "OVERRIDE [&lt;v&gt;]|");
	assert_string_equal(render(f, "part", v), "[&lt;v&gt;]");
	/* The overriding bytes are served, under their own fingerprint. */
	url = render_theme_asset_url(f->theme, "style.css");
	check_url_shape(url, "style", ".css");
	a = render_theme_asset_find(f->theme, url);
	assert_non_null(a);
	assert_int_equal(a->len, 15);
	assert_memory_equal(a->data, "body{color:red}", 15);
	/* Added assets, nested folders included. */
	check_url_shape(render_theme_asset_url(f->theme, "app.js"), "app",
			".js");
	url = render_theme_asset_url(f->theme, "img/logo.svg");
	check_url_shape(url, "img/logo", ".svg");
	a = render_theme_asset_find(f->theme, url);
	assert_non_null(a);
	assert_string_equal(a->content_type, "image/svg+xml");
	assert_null(render_theme_asset_url(f->theme, ".hidden"));
	/* An embedded template, replaced. */
	{
		const struct embed_file *e = embedded_first("templates/");
		char rel[256], name[256];
		size_t len = strlen(e->name);

		assert_true(len > 19 && len < sizeof(name));
		snprintf(rel, sizeof(rel), "%s", e->name);
		memcpy(name, e->name + 10, len - 19);
		name[len - 19] = '\0';
		put(f, rel, "replaced {{x}}");
		load_ok(f, NULL);
		assert_string_equal(render(f, name, v), "replaced &lt;v&gt;");
	}
	{
		struct buf b;

		buf_init(&b, 64);
		assert_int_equal(render_theme_render(f->theme, "deep", NULL,
						     &b),
				 GZ_ENOTFOUND);
		assert_int_equal(render_theme_render(f->theme, "notes", NULL,
						     &b),
				 GZ_ENOTFOUND);
		buf_fini(&b);
	}
}

static void
override_leaves_the_rest(void **state)
{
	struct fixture *f = *state;
	struct render_theme *plain = NULL;
	const char *url;

	/* Only a template is overridden: the default stylesheet stays. */
	put(f, "templates/extra.mustache", "extra");
	load_ok(f, NULL);
	assert_int_equal(render_theme_load(NULL, NULL, &plain, f->err,
					   sizeof(f->err)),
			 GZ_OK);
	url = render_theme_asset_url(f->theme, "style.css");
	assert_non_null(url);
	assert_string_equal(url, render_theme_asset_url(plain, "style.css"));
	assert_string_equal(render(f, "extra", NULL), "extra");
	render_theme_free(plain);
}

static void
partials_across_templates(void **state)
{
	struct fixture *f = *state;
	struct render_val *v = render_obj_new(f->pool), *l;

	put(f, "templates/page.mustache",
	    "<ul>\n  {{#items}}\n  {{>item}}\n  {{/items}}\n</ul>\n");
	put(f, "templates/item.mustache", "<li>{{name}}</li>\n");
	put(f, "templates/tree.mustache",
	    "({{name}}{{#kids}}{{>tree}}{{/kids}})");
	load_ok(f, NULL);
	l = render_list_new(f->pool);
	assert_int_equal(render_obj_set(f->pool, v, "items", l), GZ_OK);
	for (int i = 0; i < 2; i++) {
		struct render_val *it = render_obj_new(f->pool);
		assert_int_equal(render_obj_str(f->pool, it, "name",
						i ? "b" : "a"),
				 GZ_OK);
		/* Leaves say they have no kids, or lookup would find the
		 * parent's kids further down the context stack. */
		assert_int_equal(render_obj_set(f->pool, it, "kids",
						render_list_new(f->pool)),
				 GZ_OK);
		assert_int_equal(render_list_push(f->pool, l, it), GZ_OK);
	}
	assert_string_equal(render(f, "page", v),
			    "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n");
	/* A recursive partial, and its runaway form hitting the limit. */
	assert_int_equal(render_obj_str(f->pool, v, "name", "r"), GZ_OK);
	assert_int_equal(render_obj_set(f->pool, v, "kids", l), GZ_OK);
	assert_string_equal(render(f, "tree", v), "(r(a)(b))");
	put(f, "templates/loop.mustache", "{{>loop}}");
	load_ok(f, NULL);
	{
		struct buf b;

		buf_init(&b, 1024);
		assert_int_equal(render_theme_render(f->theme, "loop", NULL,
						     &b),
				 GZ_ETOOBIG);
		buf_fini(&b);
	}
}

static void
compile_error_names_file(void **state)
{
	struct fixture *f = *state;
	/* Not NULL, so the test sees load set it to NULL. */
	struct render_theme *t = (struct render_theme *)f;
	char want[512];

	put(f, "templates/bad.mustache", "<p>\n  {{#a}}\n</p>\n");
	assert_int_equal(render_theme_load(f->dir, NULL, &t, f->err,
					   sizeof(f->err)),
			 GZ_EPARSE);
	assert_null(t);
	snprintf(want, sizeof(want),
		 "%s/templates/bad.mustache:2:3: expected a close tag for "
		 "section 'a' before the end of the template",
		 f->dir);
	assert_string_equal(f->err, want);
}

static void
names_checked_at_load(void **state)
{
	static const char *const names_x[] = {"x", NULL};
	static const char *const names_xy[] = {"x", "y", NULL};
	struct fixture *f = *state;
	char rel[256], want[512];
	size_t i, len;

	/* Replace every embedded template so only ours are compiled. */
	for (i = 0; i < embed_theme_count; i++) {
		len = strlen(embed_theme[i].name);
		if (strncmp(embed_theme[i].name, "templates/", 10) != 0 ||
		    len < 9 ||
		    strcmp(embed_theme[i].name + len - 9, ".mustache") != 0)
			continue;
		snprintf(rel, sizeof(rel), "%s", embed_theme[i].name);
		put(f, rel, "{{x}}");
	}
	put(f, "templates/zz.mustache", "{{x}}\n{{#y}}{{/y}}");
	assert_int_equal(render_theme_load(f->dir, names_x, &f->theme, f->err,
					   sizeof(f->err)),
			 GZ_EPARSE);
	snprintf(want, sizeof(want),
		 "%s/templates/zz.mustache:2:1: unknown name 'y'", f->dir);
	assert_string_equal(f->err, want);
	load_ok(f, names_xy);
}

static void
fingerprints_follow_content(void **state)
{
	struct fixture *f = *state;
	char url1[128], url2[128], etag1[80];
	const char *u;

	put(f, "static/a.css", "one");
	put(f, "static/b.css", "one");
	load_ok(f, NULL);
	snprintf(url1, sizeof(url1), "%s",
		 render_theme_asset_url(f->theme, "a.css"));
	snprintf(etag1, sizeof(etag1), "%s",
		 render_theme_asset_find(f->theme, url1)->etag);
	/* Same bytes, same fingerprint, whatever the name. */
	u = render_theme_asset_url(f->theme, "b.css");
	assert_memory_equal(u + 10, url1 + 10, 16);
	/* Stable across loads. */
	load_ok(f, NULL);
	assert_string_equal(render_theme_asset_url(f->theme, "a.css"), url1);
	/* A changed byte changes the URL and the ETag; the old URL is gone. */
	put(f, "static/a.css", "onf");
	load_ok(f, NULL);
	snprintf(url2, sizeof(url2), "%s",
		 render_theme_asset_url(f->theme, "a.css"));
	assert_string_not_equal(url1, url2);
	check_url_shape(url2, "a", ".css");
	assert_string_not_equal(render_theme_asset_find(f->theme, url2)->etag,
				etag1);
	assert_null(render_theme_asset_find(f->theme, url1));
}

static void
content_types(void **state)
{
	static const struct {
		const char *file, *stem, *ext, *type;
	} cases[] = {
		{"a.css", "a", ".css", "text/css; charset=utf-8"},
		{"b.js", "b", ".js", "text/javascript; charset=utf-8"},
		{"c.svg", "c", ".svg", "image/svg+xml"},
		{"d.png", "d", ".png", "image/png"},
		{"e.jpg", "e", ".jpg", "image/jpeg"},
		{"f.jpeg", "f", ".jpeg", "image/jpeg"},
		{"g.webp", "g", ".webp", "image/webp"},
		{"h.ico", "h", ".ico", "image/x-icon"},
		{"i.woff2", "i", ".woff2", "font/woff2"},
		{"j.txt", "j", ".txt", "text/plain; charset=utf-8"},
		{"k.xml", "k", ".xml", "application/xml"},
		{"l.json", "l", ".json", "application/json"},
		{"m.bin", "m", ".bin", "application/octet-stream"},
		{"noext", "noext", "", "application/octet-stream"},
		{"UP.PNG", "UP", ".PNG", "image/png"},
		{"x.min.js", "x.min", ".js", "text/javascript; charset=utf-8"},
		{"dir.v2/file", "dir.v2/file", "", "application/octet-stream"},
	};
	struct fixture *f = *state;
	const struct render_asset *a;
	char rel[128];
	const char *url;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(rel, sizeof(rel), "static/%s", cases[i].file);
		put(f, rel, cases[i].file);
	}
	load_ok(f, NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		url = render_theme_asset_url(f->theme, cases[i].file);
		assert_non_null(url);
		check_url_shape(url, cases[i].stem, cases[i].ext);
		a = render_theme_asset_find(f->theme, url);
		assert_non_null(a);
		assert_string_equal(a->content_type, cases[i].type);
		assert_int_equal(a->len, strlen(cases[i].file));
	}
}

static void
override_errors(void **state)
{
	struct fixture *f = *state;
	char path[256], want[512];
	char *big;

	/* A missing override folder is an error: a typo in the config
	 * must not silently serve the default theme. */
	snprintf(path, sizeof(path), "%s/none", f->dir);
	assert_int_equal(render_theme_load(path, NULL, &f->theme, f->err,
					   sizeof(f->err)),
			 GZ_EIO);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(f->err, want);
	put(f, "file", "x");
	snprintf(path, sizeof(path), "%s/file", f->dir);
	assert_int_equal(render_theme_load(path, NULL, &f->theme, f->err,
					   sizeof(f->err)),
			 GZ_EIO);
	snprintf(want, sizeof(want), "%s: not a folder", path);
	assert_string_equal(f->err, want);
	assert_null(f->theme);

	/* A FIFO in place of a template is refused, not waited on. */
	snprintf(path, sizeof(path), "%s/templates/fifo.mustache", f->dir);
	put(f, "templates/ok.mustache", "ok");
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(render_theme_load(f->dir, NULL, &f->theme, f->err,
					   sizeof(f->err)),
			 GZ_EIO);
	snprintf(want, sizeof(want), "%s: not a regular file", path);
	assert_string_equal(f->err, want);
	assert_int_equal(unlink(path), 0);

	/* A template over the size limit. */
	big = calloc(1, GZ_LIMIT_TEMPLATE_BYTES + 1);
	assert_non_null(big);
	memset(big, 'x', GZ_LIMIT_TEMPLATE_BYTES + 1);
	put_len(f, "templates/big.mustache", big, GZ_LIMIT_TEMPLATE_BYTES + 1);
	free(big);
	assert_int_equal(render_theme_load(f->dir, NULL, &f->theme, f->err,
					   sizeof(f->err)),
			 GZ_ETOOBIG);
	snprintf(want, sizeof(want), "%s/templates/big.mustache: larger than "
		 "%u bytes", f->dir, GZ_LIMIT_TEMPLATE_BYTES);
	assert_string_equal(f->err, want);
	assert_null(f->theme);
}

static void
output_capped(void **state)
{
	struct fixture *f = *state;
	struct buf b;

	put(f, "templates/long.mustache", "0123456789");
	load_ok(f, NULL);
	buf_init(&b, 5);
	assert_int_equal(render_theme_render(f->theme, "long", NULL, &b),
			 GZ_ETOOBIG);
	buf_fini(&b);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(default_theme_loads),
		T(unknown_names),
		T(override_replaces_and_adds),
		T(override_leaves_the_rest),
		T(partials_across_templates),
		T(compile_error_names_file),
		T(names_checked_at_load),
		T(fingerprints_follow_content),
		T(content_types),
		T(override_errors),
		T(output_capped),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
