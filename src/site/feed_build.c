/*
 * feed_build.c - writes a list of articles as Atom 1.0 (RFC 4287), RSS 2.0
 * (with the content, Dublin Core, Atom and Media RSS modules) or JSON Feed
 * 1.1. The
 * handlers in article_feeds.c gather the articles; this file only writes.
 *
 * Every text goes through render_escape_xml (or jansson, for JSON Feed),
 * and an article's HTML is escaped once more as the content of an element
 * whose type is html, which is what every feed reader expects, so no
 * headline or body can become feed markup. Ids are permanent
 * (base_url/news/ID: an article keeps its id when its headline and slug
 * change); dates carry the site zone's offset. Links inside an article's
 * HTML that start with "/" are made absolute, since a feed is read away
 * from the site.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "site/site_int.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/err.h"

#define ATOM_NS "http://www.w3.org/2005/Atom"

static int
feed_text(struct buf *out, const char *s)
{
	return render_escape_xml(out, s, strlen(s));
}

/* "<tag>text</tag>" with text escaped. */
static int
feed_elem(struct buf *out, const char *tag, const char *text)
{
	int rc;

	if ((rc = buf_printf(out, "<%s>", tag)) || (rc = feed_text(out, text)))
		return rc;
	return buf_printf(out, "</%s>\n", tag);
}

static int
feed_iso(struct buf *out, const char *tag, int64_t t)
{
	char d[DATE_MAX];

	date_format_iso(t, d);
	return feed_elem(out, tag, d);
}

static int
feed_rfc5322(struct buf *out, const char *tag, int64_t t)
{
	char d[DATE_MAX];

	date_format_rfc5322(t, d);
	return feed_elem(out, tag, d);
}

/* True at an attribute that holds a root-relative URL: ` href="/x` or
 * ` src="/x`, not `//host` (already absolute but for its scheme). */
static size_t
feed_rel_attr(const char *p)
{
	static const char *const attrs[] = {" href=\"/", " src=\"/"};
	size_t i, n;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		n = strlen(attrs[i]);
		if (strncmp(p, attrs[i], n) == 0 && p[n] != '/')
			return n - 1; /* up to and including the quote */
	}
	return 0;
}

int
site_feed_absolute(struct buf *out, const char *html, const char *base)
{
	const char *p = html, *run = html;
	size_t n;
	int rc;

	for (; (p = strchr(p, ' ')) != NULL; p++) {
		if (!(n = feed_rel_attr(p)))
			continue;
		if ((rc = buf_append(out, run, (size_t)(p - run) + n)) ||
		    (rc = buf_puts(out, base)))
			return rc;
		run = p + n;
	}
	return buf_puts(out, run);
}

/* ---- Atom ---------------------------------------------------------- */

static int
atom_entry(struct buf *out, const struct site_feed *f,
	   const struct site_feed_item *it)
{
	size_t i;
	int rc;

	/* Each entry in its own language: a feed mixes them. */
	if ((rc = buf_puts(out, "<entry xml:lang=\"")) ||
	    (rc = feed_text(out, it->lang)) || (rc = buf_puts(out, "\">\n")) ||
	    (rc = feed_elem(out, "title", it->title)) ||
	    (rc = feed_elem(out, "id", it->id)) ||
	    (rc = buf_puts(out, "<link rel=\"alternate\" type=\"text/html\" href=\"")) ||
	    (rc = feed_text(out, it->url)) || (rc = buf_puts(out, "\"/>\n")) ||
	    (rc = feed_iso(out, "published", it->published)) ||
	    (rc = feed_iso(out, "updated", it->modified)))
		return rc;
	for (i = 0; i < it->nauthors; i++) {
		if ((rc = buf_puts(out, "<author>")) ||
		    (rc = feed_elem(out, "name", it->authors[i].name)))
			return rc;
		if (it->authors[i].url &&
		    (rc = feed_elem(out, "uri", it->authors[i].url)))
			return rc;
		if ((rc = buf_puts(out, "</author>\n")))
			return rc;
	}
	for (i = 0; i < it->ncategories; i++) {
		if ((rc = buf_puts(out, "<category term=\"")) ||
		    (rc = feed_text(out, it->categories[i])) ||
		    (rc = buf_puts(out, "\"/>\n")))
			return rc;
	}
	/* The lead photo (RFC 4287 4.2.7.2: an enclosure is a "related
	 * resource which is potentially large"; length is its octets). */
	if (it->image_url) {
		if ((rc = buf_puts(out, "<link rel=\"enclosure\" type=\"")) ||
		    (rc = feed_text(out, it->image_type)) ||
		    (rc = buf_puts(out, "\" href=\"")) ||
		    (rc = feed_text(out, it->image_url)) ||
		    (rc = buf_printf(out, "\" length=\"%lld\"",
				     (long long)it->image_length)))
			return rc;
		if (*it->image_title &&
		    ((rc = buf_puts(out, " title=\"")) ||
		     (rc = feed_text(out, it->image_title)) ||
		     (rc = buf_putc(out, '"'))))
			return rc;
		if ((rc = buf_puts(out, "/>\n")))
			return rc;
	}
	if (*it->summary && (rc = feed_elem(out, "summary", it->summary)))
		return rc;
	if (it->content_html) {
		if ((rc = buf_puts(out, "<content type=\"html\" xml:base=\"")) ||
		    (rc = feed_text(out, f->home_url)) ||
		    (rc = buf_puts(out, "\">")) ||
		    (rc = feed_text(out, it->content_html)) ||
		    (rc = buf_puts(out, "</content>\n")))
			return rc;
	}
	return buf_puts(out, "</entry>\n");
}

int
site_feed_atom(struct buf *out, const struct site_feed *f)
{
	size_t i;
	int rc;

	if ((rc = buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
			   "<feed xmlns=\"" ATOM_NS "\" xml:lang=\"")) ||
	    (rc = feed_text(out, f->lang)) || (rc = buf_puts(out, "\">\n")) ||
	    (rc = feed_elem(out, "title", f->title)) ||
	    (rc = feed_elem(out, "subtitle", f->description)) ||
	    (rc = feed_elem(out, "id", f->self_url)) ||
	    (rc = buf_puts(out, "<link rel=\"self\" type=\"application/atom+xml\" href=\"")) ||
	    (rc = feed_text(out, f->self_url)) ||
	    (rc = buf_puts(out, "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"")) ||
	    (rc = feed_text(out, f->alternate_url)) ||
	    (rc = buf_puts(out, "\"/>\n")) ||
	    (rc = feed_iso(out, "updated", f->updated)) ||
	    /* The publisher is every entry's author unless it names one. */
	    (rc = buf_puts(out, "<author>")) ||
	    (rc = feed_elem(out, "name", f->publisher)) ||
	    (rc = feed_elem(out, "uri", f->home_url)) ||
	    (rc = buf_puts(out, "</author>\n<generator>gazette</generator>\n")))
		return rc;
	for (i = 0; i < f->n; i++)
		if ((rc = atom_entry(out, f, &f->items[i])))
			return rc;
	return buf_puts(out, "</feed>\n");
}

/* ---- RSS 2.0 ------------------------------------------------------- */

static int
rss_item(struct buf *out, const struct site_feed_item *it)
{
	size_t i;
	int rc;

	if ((rc = buf_puts(out, "<item>\n")) ||
	    (rc = feed_elem(out, "title", it->title)) ||
	    (rc = feed_elem(out, "link", it->url)) ||
	    (rc = buf_puts(out, "<guid isPermaLink=\"false\">")) ||
	    (rc = feed_text(out, it->id)) || (rc = buf_puts(out, "</guid>\n")) ||
	    (rc = feed_rfc5322(out, "pubDate", it->published)))
		return rc;
	/* RSS's own <author> must be an email address: the name goes in
	 * Dublin Core's creator instead. */
	for (i = 0; i < it->nauthors; i++)
		if ((rc = feed_elem(out, "dc:creator", it->authors[i].name)))
			return rc;
	for (i = 0; i < it->ncategories; i++)
		if ((rc = feed_elem(out, "category", it->categories[i])))
			return rc;
	if (*it->summary && (rc = feed_elem(out, "description", it->summary)))
		return rc;
	if (it->content_html &&
	    (rc = feed_elem(out, "content:encoded", it->content_html)))
		return rc;
	/* The lead photo: RSS's enclosure (url, length, type, all three
	 * required) and Media RSS's content, which readers that show
	 * pictures look for, with its size and its words. */
	if (it->image_url) {
		if ((rc = buf_puts(out, "<enclosure url=\"")) ||
		    (rc = feed_text(out, it->image_url)) ||
		    (rc = buf_printf(out, "\" length=\"%lld\" type=\"",
				     (long long)it->image_length)) ||
		    (rc = feed_text(out, it->image_type)) ||
		    (rc = buf_puts(out, "\"/>\n<media:content url=\"")) ||
		    (rc = feed_text(out, it->image_url)) ||
		    (rc = buf_puts(out, "\" type=\"")) ||
		    (rc = feed_text(out, it->image_type)) ||
		    (rc = buf_printf(out, "\" medium=\"image\" fileSize=\"%lld\""
				     " width=\"%d\" height=\"%d\"",
				     (long long)it->image_length,
				     it->image_width, it->image_height)))
			return rc;
		if (*it->image_title) {
			if ((rc = buf_puts(out, ">")) ||
			    (rc = feed_elem(out, "media:description",
					    it->image_title)) ||
			    (rc = buf_puts(out, "</media:content>\n")))
				return rc;
		} else if ((rc = buf_puts(out, "/>\n"))) {
			return rc;
		}
	}
	return buf_puts(out, "</item>\n");
}

int
site_feed_rss(struct buf *out, const struct site_feed *f)
{
	size_t i;
	int rc;

	if ((rc = buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
			   "<rss version=\"2.0\" xmlns:atom=\"" ATOM_NS "\""
			   " xmlns:content=\"http://purl.org/rss/1.0/modules/content/\""
			   " xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
			   " xmlns:media=\"http://search.yahoo.com/mrss/\">\n"
			   "<channel>\n")) ||
	    (rc = feed_elem(out, "title", f->title)) ||
	    (rc = feed_elem(out, "link", f->alternate_url)) ||
	    (rc = feed_elem(out, "description", f->description)) ||
	    (rc = feed_elem(out, "language", f->lang)) ||
	    (rc = feed_rfc5322(out, "lastBuildDate", f->updated)) ||
	    (rc = buf_puts(out, "<atom:link rel=\"self\" type=\"application/rss+xml\" href=\"")) ||
	    (rc = feed_text(out, f->self_url)) ||
	    (rc = buf_puts(out, "\"/>\n<generator>gazette</generator>\n")))
		return rc;
	for (i = 0; i < f->n; i++)
		if ((rc = rss_item(out, &f->items[i])))
			return rc;
	return buf_puts(out, "</channel>\n</rss>\n");
}

/* ---- JSON Feed 1.1 ------------------------------------------------- */

/* Sets key to a new string, unless s is NULL or "". Returns -1 when out
 * of memory (or s not UTF-8, which the store never hands out). */
static int
json_str(json_t *obj, const char *key, const char *s)
{
	if (!s || !*s)
		return 0;
	return json_object_set_new(obj, key, json_string(s));
}

static int
json_date(json_t *obj, const char *key, int64_t t)
{
	char d[DATE_MAX];

	date_format_iso(t, d);
	return json_str(obj, key, d);
}

/* [{"name": name, "url": url}] */
static json_t *
json_authors(const char *name, const char *url)
{
	json_t *a = json_array(), *o = json_object();

	if (!a || !o || json_str(o, "name", name) || json_str(o, "url", url) ||
	    json_array_append_new(a, o)) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *
json_item(const struct site_feed_item *it)
{
	json_t *o = json_object(), *tags = NULL;
	size_t i;

	if (!o)
		return NULL;
	if (json_str(o, "id", it->id) || json_str(o, "url", it->url) ||
	    json_str(o, "title", it->title) ||
	    json_str(o, "summary", it->summary) ||
	    json_str(o, "content_html", it->content_html) ||
	    json_date(o, "date_published", it->published) ||
	    json_date(o, "date_modified", it->modified) ||
	    json_str(o, "language", it->lang) ||
	    /* JSON Feed 1.1: "the URL of the main image for the item". */
	    json_str(o, "image", it->image_url))
		goto fail;
	/* JSON Feed requires content_html or content_text. */
	if (!it->content_html &&
	    json_str(o, "content_text", *it->summary ? it->summary : it->title))
		goto fail;
	if (it->nauthors) {
		json_t *list = json_array();

		if (!list || json_object_set_new(o, "authors", list))
			goto fail;
		for (i = 0; i < it->nauthors; i++) {
			json_t *a = json_object();

			if (!a || json_array_append_new(list, a) ||
			    json_str(a, "name", it->authors[i].name) ||
			    json_str(a, "url", it->authors[i].url))
				goto fail;
		}
	}
	if (it->ncategories) {
		if (!(tags = json_array()) || json_object_set_new(o, "tags", tags))
			goto fail;
		for (i = 0; i < it->ncategories; i++)
			if (json_array_append_new(tags,
					json_string(it->categories[i])))
				goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

int
site_feed_json(struct buf *out, const struct site_feed *f)
{
	json_t *root = json_object(), *items = json_array();
	char *text = NULL;
	size_t i;
	int rc = GZ_ENOMEM;

	if (!root || !items ||
	    json_str(root, "version", "https://jsonfeed.org/version/1.1") ||
	    json_str(root, "title", f->title) ||
	    json_str(root, "home_page_url", f->alternate_url) ||
	    json_str(root, "feed_url", f->self_url) ||
	    json_str(root, "description", f->description) ||
	    json_str(root, "language", f->lang) ||
	    json_object_set_new(root, "authors",
				json_authors(f->publisher, f->home_url)))
		goto out;
	for (i = 0; i < f->n; i++)
		if (json_array_append_new(items, json_item(&f->items[i])))
			goto out;
	if (json_object_set(root, "items", items))
		goto out;
	if (!(text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER)))
		goto out;
	if ((rc = buf_puts(out, text)) == GZ_OK)
		rc = buf_putc(out, '\n');
out:
	free(text);
	json_decref(items);
	json_decref(root);
	return rc;
}
