/*
 * render.h - turning view models into HTML: our Mustache template engine,
 * the theme (templates and static assets), Markdown, and escaping.
 *
 * Data flow: site/ builds a view model (a tree of struct render_val in the
 * request's pool) and asks the theme to render a named template into a
 * capped buffer. render/ owns escaping: {{x}} is always HTML-escaped;
 * {{{x}}} writes a value raw only when it was made with render_html() -
 * Markdown output and our own fragments - and escapes any other value, so
 * readers' text cannot become markup by a template mistake.
 *
 * Only render/ includes cmark-gfm.
 */
#ifndef GZ_RENDER_H
#define GZ_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct pool;

/* ---- view model values ------------------------------------------------ */

/* A value a template can read: string, trusted HTML, bool, integer, list
 * or object. All values live in a pool and are never freed one by one. */
struct render_val;

/* Constructors return NULL only when the pool is exhausted. Strings are not
 * copied: s must live as long as the pool (pool_strdup it if not). */
struct render_val *render_str(struct pool *pool, const char *s);
/* Trusted HTML: written raw by {{{x}}}, escaped by {{x}}. */
struct render_val *render_html(struct pool *pool, const char *html);
struct render_val *render_bool(struct pool *pool, bool b);
struct render_val *render_int(struct pool *pool, int64_t i);
struct render_val *render_list_new(struct pool *pool);
struct render_val *render_obj_new(struct pool *pool);

/* Appends v to list. Returns GZ_OK or GZ_ENOMEM. */
int render_list_push(struct pool *pool, struct render_val *list,
		     struct render_val *v);
/* Sets key (a string that lives as long as the pool, usually a literal) in
 * obj to v, replacing an earlier value. Returns GZ_OK or GZ_ENOMEM. */
int render_obj_set(struct pool *pool, struct render_val *obj, const char *key,
		   struct render_val *v);
/* Shorthands for render_obj_set with a fresh string, HTML, bool or int;
 * a NULL s sets nothing (the key stays missing, hence falsy). */
int render_obj_str(struct pool *pool, struct render_val *obj, const char *key,
		   const char *s);
int render_obj_html(struct pool *pool, struct render_val *obj,
		    const char *key, const char *html);
int render_obj_bool(struct pool *pool, struct render_val *obj,
		    const char *key, bool b);
int render_obj_int(struct pool *pool, struct render_val *obj, const char *key,
		   int64_t i);
/* Returns the value of key in obj, or NULL. */
const struct render_val *render_obj_get(const struct render_val *obj,
					const char *key);

/* ---- templates ----------------------------------------------------------- */

/* A compiled template: immutable after compilation, shareable by threads. */
struct render_tpl;

/* Resolves a partial's name to a compiled template at render time; returns
 * NULL when there is none (the partial then renders as nothing, as the
 * Mustache spec says). */
struct render_partials {
	const struct render_tpl *(*find)(void *ctx, const char *name);
	void *ctx;
};

/* Compiles src[0..len) into *out. name is used in error messages. When
 * names is not NULL it is a NULL-terminated list of every variable and
 * section name a view model may hold; a tag naming anything else fails
 * compilation, so a typo in a theme is caught at start-up. On error
 * returns GZ_EPARSE (or GZ_ETOOBIG, GZ_ENOMEM) and writes
 * "name:line:col: what was expected" into err[0..errlen).
 * Caller frees *out with render_tpl_free. */
int render_tpl_compile(const char *name, const char *src, size_t len,
		       const char *const *names, struct render_tpl **out,
		       char *err, size_t errlen);
/* Frees tpl; render_tpl_free(NULL) is a no-op. */
void render_tpl_free(struct render_tpl *tpl);
/* Renders tpl with ctx as the top of the context stack, appending to out.
 * partials may be NULL. Returns GZ_OK, GZ_ETOOBIG (out's maximum or the
 * nesting limit reached) or GZ_ENOMEM. */
int render_tpl_render(const struct render_tpl *tpl,
		      const struct render_val *ctx,
		      const struct render_partials *partials, struct buf *out);

/* ---- escaping (escape.c) ------------------------------------------------- */

/* Each appends s[0..len) to out, escaped for its context, and returns
 * GZ_OK or the buffer's error. */
/* HTML text and quoted attribute values: & < > " ' are escaped. */
int render_escape_html(struct buf *out, const char *s, size_t len);
/* XML text and attribute values (feeds, sitemaps): as HTML, and the
 * control characters XML 1.0 does not allow are dropped. */
int render_escape_xml(struct buf *out, const char *s, size_t len);
/* A URL path segment or query value: everything but unreserved characters
 * (RFC 3986) is percent-encoded; UTF-8 bytes are encoded byte by byte. */
int render_escape_url(struct buf *out, const char *s, size_t len);
/* A JSON string body (no quotes added) that is safe inside an HTML
 * <script> element: < > & and U+2028/U+2029 are \u-escaped. */
int render_escape_json(struct buf *out, const char *s, size_t len);

/* Appends the text of html (written by gazette's renderers) to out: tags
 * dropped, entities decoded, white space folded to single spaces, none
 * at either end. Returns GZ_OK or out's error (html_text.c). */
int render_html_text(struct buf *out, const char *html);

/* ---- readers' plain text (text.c) --------------------------------------- */

/* Renders a reader's plain text as HTML appended to out: paragraphs (blank
 * lines) in <p>, single newlines as <br>, URLs (http://, https://, www.)
 * as links with rel="nofollow ugc noopener", everything else escaped.
 * Unicode bidi controls are dropped, so a comment cannot reorder the text
 * around it. Returns GZ_OK or the buffer's error. */
/* More precisely: s is valid UTF-8; lines end in LF, CR LF or CR; a line
 * of only spaces is blank, and any run of blank lines is one paragraph
 * break. A URL starts a word and ends at whitespace, < > or ";
 * trailing . , ; : ! ? ' ] and a ) with no ( to match are not part of
 * it. C0 controls (but tab), DEL, C1 controls and U+2028/U+2029 are
 * dropped too. Empty or blank text appends nothing. */
int render_text(const char *s, size_t len, struct buf *out);

/* ---- Markdown (markdown.c) ----------------------------------------------- */

enum render_md_flags {
	/* Editors' articles: raw HTML allowed. Never for readers' text. */
	RENDER_MD_TRUSTED = 1 << 0,
};

/* Renders CommonMark + GFM tables, autolinks and strikethrough in
 * md[0..len) as HTML appended to out. When lead_html is not NULL it is
 * inserted (raw, it must be trusted) at the start of the first paragraph:
 * this is how an article's dateline opens paragraph one. Returns GZ_OK,
 * GZ_ENOMEM or GZ_ETOOBIG. */
int render_markdown(const char *md, size_t len, unsigned flags,
		    const char *lead_html, struct buf *out);

/* The version of the HTML that render_markdown and render_article_html
 * make. Stored article HTML carries the version it was made by, and
 * articles of another version are rendered again when the server starts
 * (cli_html_refresh). Bump it with every change to markdown.c, to the
 * dateline fragment, or to cmark-gfm's options or extensions that changes
 * a byte of output. */
#define RENDER_MD_VERSION 1

/* Appends the fragment that opens an article's first paragraph with its
 * dateline: <span class="dateline">DATELINE</span> - (dateline
 * HTML-escaped; nothing for NULL or ""). Returns GZ_OK or out's error. */
int render_dateline_html(struct buf *out, const char *dateline);

/* Renders an article's body as readers see it, appended to out: Markdown
 * with the dateline fragment opening paragraph one, trusted (raw HTML
 * kept: an import's, an editor's) or not (a writer's: rendered as a
 * reader's comment is, raw HTML omitted and links given rel). This is
 * the one definition of an article's HTML: the import stores it, the
 * refresh at start-up remakes it, a page without stored HTML renders it.
 * dateline may be NULL. Returns as render_markdown. */
int render_article_html(const char *body, size_t len, const char *dateline,
			bool trusted, struct buf *out);

/* Checks that md[0..len) is Markdown cmark-gfm renders in time linear in
 * its size, refusing what no article needs and what makes it slow: quotes
 * and lists nested deeper than GZ_LIMIT_MD_NESTING, more than
 * GZ_LIMIT_MD_OPEN_BRACKETS unclosed "[" in a paragraph, tables past
 * GZ_LIMIT_MD_TABLE_COLUMNS or GZ_LIMIT_MD_TABLE_CELLS, and the other
 * GZ_LIMIT_MD_ limits (util/limits.h, docs/import.md). The scan is one
 * pass, a few nanoseconds a byte. Returns GZ_OK, or GZ_ETOOBIG with
 * *line (1-based, in md) set to where the first limit is passed and
 * "expected ..., what to change" written into msg[0..msglen). */
int render_markdown_check(const char *md, size_t len, unsigned *line,
			  char *msg, size_t msglen);

/* ---- theme (theme.c) ----------------------------------------------------- */

/* The loaded theme: every template compiled and every asset fingerprinted,
 * immutable after load. */
struct render_theme;

/* A static asset served under /static/. */
struct render_asset {
	const char *url;          /* "/static/style.3f2a9c1b.css" */
	const char *content_type; /* "text/css; charset=utf-8" */
	const char *etag;         /* "\"3f2a9c1b...\"" */
	const unsigned char *data;
	size_t len;
	/* data lives as long as the process (compiled in), not only as long
	 * as the theme: a response may point to it after a reload. */
	bool permanent;
};

/* Loads the default theme compiled into the binary, with each file found
 * in override_dir (may be NULL; a site's theme/ folder, laid out like
 * themes/default/: templates/NAME.mustache, static/FILE) taking the place
 * of the default one. Every template is compiled against names (see
 * render_tpl_compile). On error returns GZ_EPARSE or GZ_EIO with
 * "file:line:col: message" in err. Caller frees with render_theme_free. */
int render_theme_load(const char *override_dir, const char *const *names,
		      struct render_theme **out, char *err, size_t errlen);
void render_theme_free(struct render_theme *theme);
/* Renders template name ("article", without ".mustache") with ctx into out;
 * partials resolve to the theme's other templates. Returns GZ_ENOTFOUND for
 * an unknown template, else as render_tpl_render. */
int render_theme_render(const struct render_theme *theme, const char *name,
			const struct render_val *ctx, struct buf *out);
/* Returns the asset whose fingerprinted URL path is url ("/static/..."),
 * or NULL. */
const struct render_asset *render_theme_asset_find(
	const struct render_theme *theme, const char *url);
/* Returns the fingerprinted URL of the asset whose file name is name
 * ("style.css"), or NULL; valid as long as the theme. */
const char *render_theme_asset_url(const struct render_theme *theme,
				   const char *name);

#endif
