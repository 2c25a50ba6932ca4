/*
 * html_text.c - the text of rendered HTML: what the search index holds
 * and what a description or a snippet is cut from.
 *
 * It reads only HTML that gazette's renderers wrote (cmark-gfm, the
 * dateline fragment): tags are dropped, the five entities they write
 * are decoded (any other '&' stays as it is), and runs of white space,
 * and tags, become one space. Block ends are where words part, so
 * "<p>one</p><p>two</p>" reads "one two".
 */
#include <string.h>

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

			p = gt ? gt + 1 : p + strlen(p);
			space = true;
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
