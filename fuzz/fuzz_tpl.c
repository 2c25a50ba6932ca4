/*
 * fuzz_tpl.c - libFuzzer target for the template engine
 * (src/render/tpl.c): arbitrary template text is compiled against a fixed
 * list of names, as a theme is at start-up, then compiled without the list
 * and rendered with a small fixed view model.
 *
 * The view holds each kind of value (strings with markup in them, trusted
 * HTML, booleans, integers, lists, nested objects, an empty list), so
 * sections, inverted sections, dotted names and raw tags all meet real
 * values. Partials: "card" is a fixed template; every other name is the
 * template under test itself, so recursion is a mutation away (the
 * engine must stop it at GZ_LIMIT_TEMPLATE_DEPTH). Output goes to a 1 MB
 * buffer: the engine must stop at its maximum, not write past it.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "render/render.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/pool.h"

/* A part of site_view_names (src/site/view.c), copied so that the target
 * needs only render/ and util/. */
static const char *const names[] = {
	"site_title", "page_title", "nav", "name", "url", "current",
	"headline", "summary", "date_human", "date_iso", "byline", "lang",
	"dir", "articles", "empty", "article", "dateline", "tags",
	"body_html", "comments", "count", "items", "open", "closed", "form",
	"token", "error", "id", "replies", "has_replies", "page", "pages",
	NULL,
};

static const char card_src[] =
	"<li><a href=\"{{url}}\">{{name}}</a>{{#current}} *{{/current}}"
	"{{{body_html}}}</li>\n";

static struct pool *view_pool;
static struct render_val *view;
static struct render_tpl *card;

struct parts {
	const struct render_tpl *self;
};

static const struct render_tpl *
find(void *ctx, const char *name)
{
	const struct parts *p = ctx;

	if (strcmp(name, "card") == 0)
		return card;
	return p->self;
}

static struct render_val *
item(const char *name, const char *url, bool current, int64_t id)
{
	struct render_val *o = render_obj_new(view_pool);

	if (!o || render_obj_str(view_pool, o, "name", name) ||
	    render_obj_str(view_pool, o, "url", url) ||
	    render_obj_bool(view_pool, o, "current", current) ||
	    render_obj_int(view_pool, o, "id", id) ||
	    render_obj_html(view_pool, o, "body_html", "<p>one</p>"))
		abort();
	return o;
}

static void
build_view(void)
{
	struct render_val *v, *list, *art, *tags, *replies;

	if (!(view_pool = pool_new(1024u * 1024u)) ||
	    !(v = render_obj_new(view_pool)))
		abort();
	if (render_obj_str(view_pool, v, "site_title", "Riverton <Gazette>") ||
	    render_obj_str(view_pool, v, "page_title",
			   "\"Quotes\" & 'apostrophes'") ||
	    render_obj_str(view_pool, v, "lang", "fa") ||
	    render_obj_str(view_pool, v, "dir", "rtl") ||
	    render_obj_str(view_pool, v, "headline",
			   "Council approves <script>alert(1)</script>") ||
	    render_obj_str(view_pool, v, "summary", "") ||
	    render_obj_html(view_pool, v, "body_html",
			    "<p>Trusted <em>HTML</em></p>") ||
	    render_obj_html(view_pool, v, "dateline",
			    "<span class=\"dateline\">TEHRAN</span> - ") ||
	    render_obj_bool(view_pool, v, "open", true) ||
	    render_obj_bool(view_pool, v, "closed", false) ||
	    render_obj_int(view_pool, v, "count", 2) ||
	    render_obj_int(view_pool, v, "page", 0) ||
	    render_obj_int(view_pool, v, "pages", -9223372036854775807LL - 1))
		abort();

	if (!(list = render_list_new(view_pool)) ||
	    render_list_push(view_pool, list, item("Home", "/", true, 1)) ||
	    render_list_push(view_pool, list,
			     item("Sports & more", "/s?a=1&b=2", false, 2)) ||
	    render_obj_set(view_pool, v, "nav", list))
		abort();
	if (!(list = render_list_new(view_pool)) ||
	    render_obj_set(view_pool, v, "empty", list))
		abort();
	if (!(tags = render_list_new(view_pool)) ||
	    render_list_push(view_pool, tags, render_str(view_pool, "storm")) ||
	    render_list_push(view_pool, tags,
			     render_str(view_pool, "\xd8\xa8\xd8\xa7\xd8\xb1"
						   "\xd8\xa7\xd9\x86")) ||
	    render_obj_set(view_pool, v, "tags", tags))
		abort();
	if (!(replies = render_list_new(view_pool)) ||
	    render_list_push(view_pool, replies,
			     item("Reply", "#c3", false, 3)) ||
	    !(list = render_list_new(view_pool)) ||
	    render_list_push(view_pool, list, item("First", "#c1", false, 1)) ||
	    render_list_push(view_pool, list,
			     item("Second", "#c2", false, 2)) ||
	    render_obj_set(view_pool, v, "items", list) ||
	    render_obj_set(view_pool, v, "replies", replies))
		abort();
	if (!(art = render_obj_new(view_pool)) ||
	    render_obj_str(view_pool, art, "headline", "Nested headline") ||
	    render_obj_str(view_pool, art, "byline", "By A. Reporter") ||
	    render_obj_set(view_pool, art, "tags", tags) ||
	    render_obj_set(view_pool, v, "article", art))
		abort();
	view = v;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	(void)argc;
	(void)argv;
	build_view();
	if (render_tpl_compile("card", card_src, sizeof(card_src) - 1, names,
			       &card, err, sizeof(err)) != GZ_OK)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct render_partials partials;
	struct render_tpl *tpl = NULL;
	struct parts parts;
	struct buf out;
	char err[128];
	char *src = fuzz_dup(data, size);
	int rc;

	/* As a theme loads: names checked, errors as file:line:col. */
	rc = render_tpl_compile("fuzz", src, size, names, &tpl, err,
				sizeof(err));
	if (rc != GZ_OK && (tpl != NULL || !memchr(err, '\0', sizeof(err))))
		abort();
	render_tpl_free(tpl);
	tpl = NULL;

	/* Any name allowed, so more templates get as far as rendering. */
	if (render_tpl_compile("fuzz", src, size, NULL, &tpl, err,
			       sizeof(err)) == GZ_OK) {
		parts.self = tpl;
		partials.find = find;
		partials.ctx = &parts;
		buf_init(&out, 1024u * 1024u);
		rc = render_tpl_render(tpl, view, &partials, &out);
		if (out.len > out.max)
			abort();
		buf_fini(&out);
		/* With no context at all every name is missing. */
		buf_init(&out, 64u * 1024u);
		(void)render_tpl_render(tpl, NULL, NULL, &out);
		buf_fini(&out);
		render_tpl_free(tpl);
	}
	free(src);
	(void)rc;
	return 0;
}
