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
 *   - cmark's parser and renderer are iterative, so no input overflows
 *     the stack, but 0.29.0.gfm.6 is not linear on every input (deep
 *     nesting with open brackets, wide tables, autolinks with many ")"):
 *     render_markdown_check refuses those at import (limits in
 *     util/limits.h, measurements in docs/import.md), and articles are
 *     rendered once when stored (render_article_html), never per view.
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
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include "render/render.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/limits.h"

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

/* ---- an article's body ---------------------------------------------------- */

int
render_dateline_html(struct buf *out, const char *dateline)
{
	assert(out != NULL);
	if (!dateline || !*dateline)
		return out->err;
	buf_puts(out, "<span class=\"dateline\">");
	render_escape_html(out, dateline, strlen(dateline));
	return buf_puts(out, "</span> - ");
}

int
render_article_html(const char *body, size_t len, const char *dateline,
		    bool trusted, struct buf *out)
{
	struct buf lead;
	int rc;

	assert(out != NULL && (body != NULL || len == 0));
	/* A dateline is a place name. As the page always did, one whose
	 * fragment passes 1 KB is left out rather than failing the body. */
	buf_init(&lead, 1024);
	render_dateline_html(&lead, dateline);
	rc = render_markdown(body, len, trusted ? RENDER_MD_TRUSTED : 0,
			     lead.err == GZ_OK && lead.len ? lead.data : NULL,
			     out);
	buf_fini(&lead);
	return rc;
}

/* ---- what the import accepts ---------------------------------------------- */

/*
 * render_markdown_check reads the text the way cmark's block parser does,
 * only as far as the limits need: the container markers that open each
 * line, fenced code (skipped: it is not parsed inline), paragraphs (blank
 * lines end them), tables (a delimiter row under a line of text, rows
 * until a blank line), and inline markup. Where it cannot be exact it
 * counts more, never less: indentation counts as nesting, brackets in
 * code spans count as brackets. Each limit's reason is in util/limits.h.
 */
struct md_scan {
	unsigned line;          /* 1-based number of the current line */
	unsigned brackets;      /* "[" not yet closed in this paragraph */
	unsigned table_cols;    /* columns of the table being read; 0: none */
	size_t cells;           /* table cells so far, all tables */
	size_t marks;           /* inline markup so far */
	char fence;             /* '`' or '~' inside fenced code, else 0 */
	size_t fence_len;
	const char *prev;       /* the previous line's content when it was */
	size_t prevn;           /* paragraph text (a table header?), else NULL */
	char *msg;
	size_t msglen;
};

static int
md_refuse(struct md_scan *sc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
md_refuse(struct md_scan *sc, const char *fmt, ...)
{
	va_list ap;

	if (sc->msglen > 0) {
		va_start(ap, fmt);
		vsnprintf(sc->msg, sc->msglen, fmt, ap);
		va_end(ap);
	}
	return GZ_ETOOBIG;
}

static bool
md_space(char c)
{
	return c == ' ' || c == '\t';
}

static bool
md_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!md_space(s[i]) && s[i] != '\r')
			return false;
	return true;
}

/* True when s[0..n) is a thematic break made of c: three or more, with
 * nothing but spaces between them. */
static bool
md_thematic(const char *s, size_t n, char c)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == c)
			k++;
		else if (!md_space(s[i]) && s[i] != '\r')
			return false;
	}
	return k >= 3;
}

/* Length of the list marker at s[0..n) ("-", "+", "*", "1." or "1)",
 * followed by white space or the end), or 0. */
static size_t
md_list_marker(const char *s, size_t n)
{
	size_t d = 0;

	if (n >= 1 && (s[0] == '-' || s[0] == '+' || s[0] == '*'))
		d = 1;
	else {
		while (d < n && d < 10 && s[d] >= '0' && s[d] <= '9')
			d++;
		if (d == 0 || d > 9 || d >= n || (s[d] != '.' && s[d] != ')'))
			return 0;
		d++;
	}
	return d == n || md_space(s[d]) || s[d] == '\r' ? d : 0;
}

/* Cells in a table row: unescaped "|" split them; a leading or trailing
 * one opens or closes the row. */
static size_t
md_cells(const char *s, size_t n)
{
	size_t i, pipes = 0, first = n, last = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] == '|') {
			pipes++;
			if (first == n)
				first = i;
			last = i;
		}
	}
	while (n > 0 && (md_space(s[n - 1]) || s[n - 1] == '\r'))
		n--;
	for (i = 0; i < n && md_space(s[i]); i++)
		;
	if (pipes == 0)
		return 1;
	/* "| a | b |" has 3 pipes and 2 cells, "a | b" 1 and 2. */
	return pipes + 1 - (first == i) - (last + 1 == n && n > i);
}

/* True for a table's delimiter row: "|", "-", ":" and spaces only, with
 * a "-" in it. */
static bool
md_delim_row(const char *s, size_t n)
{
	size_t i;
	bool dash = false;

	for (i = 0; i < n; i++) {
		if (s[i] == '-')
			dash = true;
		else if (s[i] != '|' && s[i] != ':' && !md_space(s[i]) &&
			 s[i] != '\r')
			return false;
	}
	return dash;
}

/* Scans the inline content s[0..n) of one line. */
static int
md_scan_inline(struct md_scan *sc, const char *s, size_t n)
{
	unsigned parens = 0, emails = 0;
	size_t i;
	char c, last = 0;

	for (i = 0; i < n; i++) {
		c = s[i];
		switch (c) {
		case ' ': case '\t':
			parens = 0;
			break;
		case '\\':
			if (i + 1 < n && (unsigned char)s[i + 1] > ' ' &&
			    (unsigned char)s[i + 1] < 0x7f) {
				sc->marks++;
				i++;
				c = 0; /* an escaped char starts no run */
			}
			break;
		case '[':
			sc->marks++;
			if (++sc->brackets > GZ_LIMIT_MD_OPEN_BRACKETS)
				return md_refuse(sc, "expected at most %u \"[\" "
					"left open in one paragraph (close them "
					"with \"]\", or write \"\\[\" for a "
					"bracket that opens no link)",
					GZ_LIMIT_MD_OPEN_BRACKETS);
			break;
		case ']':
			sc->marks++;
			if (sc->brackets > 0)
				sc->brackets--;
			break;
		case ')':
			if (++parens > GZ_LIMIT_MD_WORD_PARENS)
				return md_refuse(sc, "expected at most %u \")\" "
					"in one word (put spaces between them, "
					"or write \"\\)\")",
					GZ_LIMIT_MD_WORD_PARENS);
			break;
		case '@':
			sc->marks++;
			if (i > 0 && ((s[i - 1] >= 'a' && s[i - 1] <= 'z') ||
				      (s[i - 1] >= 'A' && s[i - 1] <= 'Z') ||
				      (s[i - 1] >= '0' && s[i - 1] <= '9') ||
				      strchr(".+-_", s[i - 1])) &&
			    ++emails > GZ_LIMIT_MD_LINE_EMAILS)
				return md_refuse(sc, "expected at most %u email "
					"addresses (\"@\" after a letter) on one "
					"line (break the line, or write \"\\@\")",
					GZ_LIMIT_MD_LINE_EMAILS);
			break;
		case '*': case '_': case '`':
			/* A run of one of these is one delimiter. */
			if (c != last)
				sc->marks++;
			break;
		case '~': case '<': case '&': case ':':
			/* Each of these is tried on its own (strikethrough,
			 * raw HTML and autolinks, entities, URLs). */
			sc->marks++;
			break;
		case 'w':
			/* Where the autolink extension tries "www.". */
			if ((i == 0 || md_space(s[i - 1]) ||
			     strchr("*_~(", s[i - 1])) && n - i >= 4 &&
			    memcmp(s + i, "www.", 4) == 0)
				sc->marks++;
			break;
		default:
			break;
		}
		last = c;
		if (sc->marks > GZ_LIMIT_MD_MARKS)
			return md_refuse(sc, "expected at most %u markup "
				"characters (* _ ~ ` < & : [ ] @ \\ www.) in one "
				"article (split it into several articles)",
				GZ_LIMIT_MD_MARKS);
	}
	return GZ_OK;
}

/* Checks one line, s[0..n) without its LF. */
static int
md_scan_line(struct md_scan *sc, const char *s, size_t n)
{
	const char *c;
	size_t i = 0, k, cn, hcols, dcols, cols = 0, allow = 0;
	unsigned depth = 0;
	bool bullet_seen = false;

	if (sc->fence) {
		/* Inside fenced code only its closing line matters; what
		 * opens the line (quotes, indentation) is skipped. */
		while (i < n && (md_space(s[i]) || s[i] == '>'))
			i++;
		for (k = i; k < n && s[k] == sc->fence; k++)
			;
		if (k - i >= sc->fence_len && md_blank(s + k, n - k))
			sc->fence = 0;
		return GZ_OK;
	}

	/* The containers that open the line. White space that belongs to a
	 * marker (one space after ">", up to four after a list marker) is
	 * no indentation. */
	for (;;) {
		for (; i < n && md_space(s[i]); i++) {
			if (allow > 0)
				allow--;
			else
				cols += s[i] == '\t' ? 4 : 1;
		}
		allow = 0;
		if (i < n && s[i] == '>') {
			depth++;
			i++;
			allow = 1;
			continue;
		}
		if (i < n && (k = md_list_marker(s + i, n - i)) > 0) {
			/* "- - -" and "* * *" are rules, not three lists. */
			if (!bullet_seen && k == 1 &&
			    md_thematic(s + i, n - i, s[i]))
				break;
			bullet_seen = true;
			depth++;
			i += k;
			allow = 4;
			continue;
		}
		break;
	}
	depth += (unsigned)(cols / 2 > GZ_LIMIT_MD_NESTING ? GZ_LIMIT_MD_NESTING + 1
							   : cols / 2);
	if (depth > GZ_LIMIT_MD_NESTING)
		return md_refuse(sc, "expected block quotes and lists nested at "
			"most %u deep (this line opens %s%u, counting \">\", "
			"list markers and every 2 columns of indentation; "
			"flatten them, or write \"\\>\" for a \">\" that opens "
			"no quote)", GZ_LIMIT_MD_NESTING,
			depth > GZ_LIMIT_MD_NESTING * 2 ? "more than " : "",
			depth > GZ_LIMIT_MD_NESTING * 2 ? GZ_LIMIT_MD_NESTING * 2
							: depth);
	c = s + i;
	cn = n - i;

	if (md_blank(c, cn)) {
		sc->brackets = 0;
		sc->table_cols = 0;
		sc->prev = NULL;
		return GZ_OK;
	}
	/* An opening fence: ``` or ~~~ (a backtick fence's info string
	 * has no backtick). */
	if (cn >= 3 && (c[0] == '`' || c[0] == '~')) {
		for (k = 0; k < cn && c[k] == c[0]; k++)
			;
		if (k >= 3 && (c[0] == '~' || !memchr(c + k, '`', cn - k))) {
			sc->fence = c[0];
			sc->fence_len = k;
			sc->brackets = 0;
			sc->table_cols = 0;
			sc->prev = NULL;
			return GZ_OK;
		}
	}

	if (sc->table_cols > 0) {
		if (md_cells(c, cn) > GZ_LIMIT_MD_TABLE_COLUMNS)
			return md_refuse(sc, "expected a table row of at most "
				"%u cells (split the table, or write \"\\|\" "
				"for a \"|\" inside a cell)",
				GZ_LIMIT_MD_TABLE_COLUMNS);
		sc->cells += sc->table_cols;
	} else if (sc->prev && md_delim_row(c, cn) &&
		   (memchr(c, '|', cn) || memchr(sc->prev, '|', sc->prevn))) {
		hcols = md_cells(sc->prev, sc->prevn);
		dcols = md_cells(c, cn);
		if (hcols > GZ_LIMIT_MD_TABLE_COLUMNS ||
		    dcols > GZ_LIMIT_MD_TABLE_COLUMNS)
			return md_refuse(sc, "expected a table of at most %u "
				"columns (this one has %zu; split it)",
				GZ_LIMIT_MD_TABLE_COLUMNS,
				hcols > dcols ? hcols : dcols);
		if (hcols == dcols) {
			sc->table_cols = (unsigned)hcols;
			sc->cells += 2 * hcols; /* the header and this row */
		}
	}
	if (sc->cells > GZ_LIMIT_MD_TABLE_CELLS)
		return md_refuse(sc, "expected tables of at most %u cells in "
			"all (columns times rows; split the article or its "
			"tables)", GZ_LIMIT_MD_TABLE_CELLS);

	/* An ATX heading is inline content of its own. */
	if (c[0] == '#')
		sc->brackets = 0;
	if (md_scan_inline(sc, c, cn) != GZ_OK)
		return GZ_ETOOBIG;
	if (c[0] == '#')
		sc->brackets = 0;
	sc->prev = c;
	sc->prevn = cn;
	return GZ_OK;
}

int
render_markdown_check(const char *md, size_t len, unsigned *line, char *msg,
		      size_t msglen)
{
	struct md_scan sc;
	const char *nl;
	size_t pos = 0, n;
	int rc;

	assert(line != NULL && (md != NULL || len == 0) &&
	       (msg != NULL || msglen == 0));
	memset(&sc, 0, sizeof(sc));
	sc.msg = msg;
	sc.msglen = msglen;
	if (msglen > 0)
		msg[0] = '\0';
	*line = 0;
	while (pos < len) {
		sc.line++;
		if (sc.line > GZ_LIMIT_MD_LINES) {
			*line = sc.line;
			return md_refuse(&sc, "expected at most %u lines in one "
				"article (split it into several articles)",
				GZ_LIMIT_MD_LINES);
		}
		nl = memchr(md + pos, '\n', len - pos);
		n = nl ? (size_t)(nl - (md + pos)) : len - pos;
		if ((rc = md_scan_line(&sc, md + pos, n)) != GZ_OK) {
			*line = sc.line;
			return rc;
		}
		pos += n + 1;
	}
	return GZ_OK;
}
