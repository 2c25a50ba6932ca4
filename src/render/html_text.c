/*
 * html_text.c - the text of rendered HTML: what the search index holds
 * and what a description or a snippet is cut from.
 *
 * It reads only HTML that gazette's renderers wrote (cmark-gfm, the
 * dateline fragment): tags are dropped, the five entities they write
 * are decoded (any other '&' stays as it is), and runs of white space
 * become one space. Block tags and <br> part words, so
 * "<p>one</p><p>two</p>" reads "one two"; inline ones do not, so
 * "H<sub>2</sub>O" reads "H2O" and "<em>really</em>, he said" keeps its
 * comma.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "render/render.h"
#include "util/buf.h"
#include "util/err.h"

/* The entity at s, decoded into *c. Returns the bytes read: 1 (an '&'
 * alone) when it is none of the five. */
static size_t
text_entity(const char *s, char *c)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'},
		    {"&quot;", '"'}, {"&#39;", '\''}};
	size_t i;

	for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
		if (strncmp(s, ents[i].ent, strlen(ents[i].ent)) == 0) {
			*c = ents[i].c;
			return strlen(ents[i].ent);
		}
	*c = '&';
	return 1;
}

/* True when the tag at s (after its '<') is one that starts or ends a
 * block, or a line break. */
static bool
text_block(const char *s)
{
	static const char *const blocks[] = {
		"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul",
		"ol", "blockquote", "pre", "table", "thead", "tbody", "tr",
		"td", "th", "hr", "br", "figure", "figcaption", "section",
		"article", "dl", "dt", "dd", "aside", "header", "footer",
	};
	size_t n = 0, i;

	if (*s == '/')
		s++;
	while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
	       (s[n] >= '0' && s[n] <= '9'))
		n++;
	for (i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
		if (strlen(blocks[i]) == n && strncasecmp(s, blocks[i], n) == 0)
			return true;
	return false;
}

int
render_html_text(struct buf *out, const char *html)
{
	const char *p = html;
	bool space = false;
	size_t start = out->len;
	int rc;

	while (*p) {
		char c = *p;
		size_t n = 1;

		if (c == '<') {
			const char *gt = strchr(p, '>');

			/* Blocks part words; inline markup (<em>, <a>...)
			 * does not: "<em>really</em>, he said". */
			if (text_block(p + 1))
				space = true;
			p = gt ? gt + 1 : p + strlen(p);
			continue;
		}
		if (c == '&')
			n = text_entity(p, &c);
		p += n;
		if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
			space = true;
			continue;
		}
		if (space && out->len > start && (rc = buf_putc(out, ' ')))
			return rc;
		space = false;
		if ((rc = buf_putc(out, c)))
			return rc;
	}
	return out->err;
}
