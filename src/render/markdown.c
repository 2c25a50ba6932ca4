/*
 * markdown.c - CommonMark + GFM (tables, autolinks, strikethrough) to HTML
 * through cmark-gfm, the only file in gazette that includes cmark.
 *
 * Data flow: article bodies (editors', trusted) and readers' comments
 * (untrusted) arrive as Markdown; the HTML that comes out fills {{{x}}} in
 * templates as a render_html() value.
 *
 * Invariants:
 *   - CMARK_OPT_SMART is never set: quotes and dashes stay as the author
 *     typed them, byte for byte.
 *   - Untrusted text is rendered without CMARK_OPT_UNSAFE, so cmark itself
 *     omits raw HTML and empties javascript:, vbscript:, file: and data:
 *     (non-image) link targets; we never reimplement that check. Before
 *     rendering we delete the raw HTML nodes from the tree, so the only
 *     "<!-- raw HTML omitted -->" cmark writes is the one that stands for
 *     our own lead_html node, and we put lead_html in its place.
 *   - In untrusted output every "<a href=\"" was written by cmark's link
 *     renderer (text and attribute values are HTML-escaped, raw HTML is
 *     gone, lead_html is spliced in after the scan), so adding
 *     rel="nofollow ugc noopener" there reaches every link and nothing else.
 *   - Trusted text is rendered with CMARK_OPT_UNSAFE and lead_html is an
 *     ordinary HTML_INLINE node. The tagfilter extension still disarms
 *     <script>, <iframe>, <style> and the like in editors' HTML.
 *   - Nesting depth is cmark's concern: its parser and renderer are
 *     iterative and linear on pathological input.
 *   - Parsing holds md_lock. cmark-gfm 0.29 keeps the inline parser's
 *     table of special characters in a global array, which every parse
 *     with extensions edits (process_inlines adds '~', ':', 'w' and takes
 *     them out again), so two threads parsing at once lose strikethrough
 *     and autolinks at random (github/cmark-gfm#221 and standardese#199
 *     describe the table; test_render_markdown's thread test caught it).
 *     Rendering the tree to HTML touches no global state and runs
 *     unlocked.
 */
#include <assert.h>
#include <pthread.h>
#include <string.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include "render/render.h"
#include "util/buf.h"
#include "util/err.h"

#define MD_OMITTED "<!-- raw HTML omitted -->"
#define MD_LINK "<a href=\""
#define MD_REL "<a rel=\"nofollow ugc noopener\" href=\""

static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t md_lock = PTHREAD_MUTEX_INITIALIZER;

static void
md_register(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

static const char *const md_extensions[] = {
	"table", "autolink", "strikethrough", "tagfilter",
};

/* Deletes raw HTML (blocks and inlines) from the tree: untrusted text
 * loses it anyway, and this way cmark's "omitted" marker is ours alone. */
static void
md_strip_html(cmark_node *doc)
{
	cmark_iter *it;
	cmark_event_type ev;
	cmark_node *n, *dead = NULL;

	it = cmark_iter_new(doc);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		/* Free the previous victim only once the iterator has moved
		 * past it. */
		if (dead) {
			cmark_node_free(dead);
			dead = NULL;
		}
		n = cmark_iter_get_node(it);
		if (ev == CMARK_EVENT_ENTER &&
		    (cmark_node_get_type(n) == CMARK_NODE_HTML_INLINE ||
		     cmark_node_get_type(n) == CMARK_NODE_HTML_BLOCK)) {
			cmark_node_unlink(n);
			dead = n;
		}
	}
	if (dead)
		cmark_node_free(dead);
	cmark_iter_free(it);
}

/* Inserts lead_html as the first child of the first paragraph in document
 * order, making a paragraph at the top when there is none. */
static int
md_insert_lead(cmark_node *doc, const char *lead_html)
{
	cmark_iter *it;
	cmark_event_type ev;
	cmark_node *n, *para = NULL, *html = NULL;
	int rc = GZ_ENOMEM;

	it = cmark_iter_new(doc);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		if (ev == CMARK_EVENT_ENTER &&
		    cmark_node_get_type(n) == CMARK_NODE_PARAGRAPH) {
			para = n;
			break;
		}
	}
	cmark_iter_free(it);
	if (!(html = cmark_node_new(CMARK_NODE_HTML_INLINE)) ||
	    !cmark_node_set_literal(html, lead_html))
		goto out;
	if (!para) {
		if (!(para = cmark_node_new(CMARK_NODE_PARAGRAPH)))
			goto out;
		if (!cmark_node_prepend_child(doc, para)) {
			cmark_node_free(para);
			goto out;
		}
	}
	if (!cmark_node_prepend_child(para, html))
		goto out;
	html = NULL;
	rc = GZ_OK;
out:
	if (html)
		cmark_node_free(html);
	return rc;
}

/* Copies cmark's untrusted output to out, adding rel to every link and
 * putting lead_html (when not NULL) where its marker is. */
static int
md_copy_untrusted(struct buf *out, const char *html, size_t len,
		  const char *lead_html)
{
	const char *p = html, *end = html + len, *link, *mark;
	int rc;

	mark = lead_html ? memmem(html, len, MD_OMITTED, strlen(MD_OMITTED))
			 : NULL;
	while (p < end) {
		link = memmem(p, (size_t)(end - p), MD_LINK, strlen(MD_LINK));
		if (mark && mark >= p && (!link || mark < link)) {
			buf_append(out, p, (size_t)(mark - p));
			buf_puts(out, lead_html);
			p = mark + strlen(MD_OMITTED);
			mark = NULL;
		} else if (link) {
			buf_append(out, p, (size_t)(link - p));
			buf_puts(out, MD_REL);
			p = link + strlen(MD_LINK);
		} else {
			buf_append(out, p, (size_t)(end - p));
			p = end;
		}
		if ((rc = out->err) != GZ_OK)
			return rc;
	}
	return out->err;
}

/* Renders md[0..len) as HTML appended to out (contract in render.h).
 * Returns GZ_OK, GZ_ETOOBIG (out's maximum), GZ_ENOMEM, or out's earlier
 * error. lead_html is copied; nothing is kept after the call. Safe from
 * several threads (parsing is serialised, see md_lock). */
int
render_markdown(const char *md, size_t len, unsigned flags,
		const char *lead_html, struct buf *out)
{
	int trusted = (flags & RENDER_MD_TRUSTED) != 0;
	int options = CMARK_OPT_VALIDATE_UTF8;
	cmark_parser *parser = NULL;
	cmark_syntax_extension *ext;
	cmark_node *doc = NULL;
	char *html = NULL;
	size_t i;
	int rc = GZ_ENOMEM;

	assert(out != NULL && (md != NULL || len == 0));
	if (out->err)
		return out->err;
	if (trusted)
		options |= CMARK_OPT_UNSAFE;
	pthread_once(&md_once, md_register);
	if (!(parser = cmark_parser_new(options)))
		goto out;
	for (i = 0; i < sizeof(md_extensions) / sizeof(md_extensions[0]);
	     i++) {
		ext = cmark_find_syntax_extension(md_extensions[i]);
		if (!ext ||
		    !cmark_parser_attach_syntax_extension(parser, ext)) {
			rc = GZ_EINVAL;
			goto out;
		}
	}
	pthread_mutex_lock(&md_lock);
	cmark_parser_feed(parser, md ? md : "", md ? len : 0);
	doc = cmark_parser_finish(parser);
	pthread_mutex_unlock(&md_lock);
	if (!doc)
		goto out;
	if (!trusted)
		md_strip_html(doc);
	if (lead_html && (rc = md_insert_lead(doc, lead_html)) != GZ_OK)
		goto out;
	html = cmark_render_html(doc, options,
				 cmark_parser_get_syntax_extensions(parser));
	if (!html) {
		rc = GZ_ENOMEM;
		goto out;
	}
	if (trusted)
		rc = buf_puts(out, html);
	else
		rc = md_copy_untrusted(out, html, strlen(html), lead_html);
out:
	if (html)
		cmark_get_default_mem_allocator()->free(html);
	if (doc)
		cmark_node_free(doc);
	if (parser)
		cmark_parser_free(parser);
	return rc;
}
