/*
 * cmd_media.c - `gazette media add|list|show|edit|rm`: the site's media
 * library (its photos) on the command line.
 *
 * Data flow: add reads a file (at most GZ_LIMIT_MEDIA_BYTES), makes its
 * variants under the site's media folder with media_ingest, outside any
 * transaction, then records it (store_media_add) with its audit entry in
 * one transaction; the other commands read or change the store's rows.
 * Every write's actor is "cli:" and the login name, as for `article`.
 *
 * Invariants: text people wrote reaches the terminal only through
 * cli_term_text; an image an article uses (its lead image, or inline in
 * its body) is never deleted (the store refuses it too, in the delete's
 * own transaction); a deleted one's variant files go once it is
 * committed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "config/config.h"
#include "media/media.h"
#include "store/store.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"
#include "util/utf8.h"

/* Memory for one command's reads. */
#define MEDIA_POOL_MAX (16u * 1024u * 1024u)
/* Rows `media list` shows, and articles `show` and `rm` name. */
#define MEDIA_LIST_MAX 200u
#define MEDIA_USES_MAX 50u
#define MEDIA_RM_NAMED 3u
#define ALT_CHARS 60
#define TERM_BYTES(max) ((max) * 4 + 4)

static const char media_usage[] =
	"usage: gazette media add [--site DIR] FILE --alt TEXT [--decorative]\n"
	"                         [--caption TEXT] [--credit TEXT]\n"
	"       gazette media list [--site DIR] [--search WORDS]\n"
	"       gazette media show [--site DIR] ID\n"
	"       gazette media edit [--site DIR] ID [--alt TEXT] [--caption TEXT]\n"
	"                          [--credit TEXT] [--focal X,Y]\n"
	"       gazette media rm [--site DIR] ID\n"
	"\n"
	"The site's photos. add decodes a JPEG, PNG, WebP, GIF or AVIF, strips\n"
	"its metadata (GPS position included) and makes the sizes pages serve.\n"
	"\n"
	"  --alt TEXT      what the photo shows, for readers who cannot see it\n"
	"  --decorative    the photo says nothing words could: no alt text\n"
	"  --caption TEXT  the caption under it (\"\" clears it with edit)\n"
	"  --credit TEXT   who made it: \"Photo: Ann Lee/The Riverton Post\"\n"
	"  --focal X,Y     where card crops centre, in thousandths of the\n"
	"                  width and height: 500,500 is the middle\n"
	"  --search WORDS  only photos whose alt, caption or credit has them\n"
	"\n"
	"rm refuses while an article uses the photo (as its lead image or in its\n"
	"body), and removes the photo's files.\n";

static int
media_usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "gazette: " and the message (when fmt is not NULL), then the
 * usage, on stderr; returns CLI_USAGE. */
static int
media_usage_err(const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		fputs("gazette: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	fputs(media_usage, stderr);
	return CLI_USAGE;
}

static int
media_parse_id(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s || *s < '0' || *s > '9')
		return GZ_EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return GZ_EINVAL;
	*out = (int64_t)v;
	return GZ_OK;
}

/* "X,Y", each 0..1000. */
static int
media_parse_focal(const char *s, int *x, int *y)
{
	char *end;
	long a, b;

	if (*s < '0' || *s > '9')
		return GZ_EINVAL;
	errno = 0;
	a = strtol(s, &end, 10);
	if (errno || *end != ',' || end[1] < '0' || end[1] > '9')
		return GZ_EINVAL;
	b = strtol(end + 1, &end, 10);
	if (errno || *end != '\0' || a > 1000 || b > 1000)
		return GZ_EINVAL;
	*x = (int)a;
	*y = (int)b;
	return GZ_OK;
}

/* A text option's value: UTF-8, at most GZ_LIMIT_MEDIA_TEXT_BYTES. */
static bool
media_text_ok(const char *s)
{
	size_t n = strlen(s);

	return n <= GZ_LIMIT_MEDIA_TEXT_BYTES && utf8_valid(s, n, NULL);
}

/* A text option's value is one line for a page: no control or bidi
 * character (utf8_find_line_control), said naming the option. Returns
 * CLI_OK, or CLI_USAGE (reported). */
static int
media_line_check(const char *option, const char *s)
{
	unsigned cp = 0;

	if (!s || utf8_find_line_control(s, strlen(s), &cp) == strlen(s))
		return CLI_OK;
	if (cp == '\t' || cp == '\n' || cp == '\r')
		return media_usage_err("%s has a line break or a tab: keep it "
				       "on one line", option);
	return media_usage_err("%s has an invisible control or "
			       "text-direction character (U+%04X): remove it",
			       option, cp);
}

/* The extension of the original-format variants of a row. */
static const char *
media_ext(const char *format)
{
	if (strcmp(format, "jpeg") == 0 || strcmp(format, "png") == 0)
		return format;
	return "webp"; /* WebP and AVIF originals are served as WebP */
}

/* The URL of m's widest variant at most 960 pixels wide (the article
 * page's usual), into out (at least MEDIA_NAME_MAX + 8 bytes). */
static void
media_url(const char *hash, const int *widths, size_t nwidths,
	  const char *format, char *out)
{
	char name[MEDIA_NAME_MAX];

	media_variant_name(hash, media_width_at_most(widths, nwidths, 960),
			   media_ext(format), name);
	snprintf(out, MEDIA_NAME_MAX + 8, "/media/%s", name);
}

/* Writes an audit entry for media id, inside the open transaction. */
static int
media_audit(struct store *st, const char *actor, const char *action,
	    int64_t id, const char *detail)
{
	char object[40];
	int n = snprintf(object, sizeof(object), "media:%lld", (long long)id);

	if (n < 0 || (size_t)n >= sizeof(object))
		return GZ_EINVAL;
	return store_audit_add(st, actor, action, object, detail, "",
			       (int64_t)time(NULL));
}

/* What add, edit and the others were given on the command line. */
struct media_opts {
	const char *alt, *caption, *credit, *search;
	bool decorative;
	bool focal;
	int focal_x, focal_y;
};

static int
media_add(struct store *st, const struct config *cfg, const char *file,
	  const struct media_opts *o, const char *actor)
{
	struct store_media_input in = {0};
	struct media_info info;
	const unsigned char *data = NULL;
	void *owned = NULL;
	char why[512], url[MEDIA_NAME_MAX + 8];
	size_t len = 0;
	unsigned flags = 0;
	bool created = false;
	int64_t id = 0;
	int rc;

	/* cli_image_read_file joins a folder and a name. */
	char root[] = "/", here[] = ".";

	rc = cli_image_read_file(file[0] == '/' ? root : here, file, &data,
				 &len, &owned, why, sizeof(why));
	if (rc != GZ_OK) {
		cli_error("%s: %s", file, why);
		return CLI_FAIL;
	}
	if (cfg->media_avif && media_avif_supported())
		flags |= MEDIA_AVIF;
	why[0] = '\0';
	rc = media_ingest(cfg->media_dir, data, len, flags, &info, why,
			  sizeof(why));
	free(owned);
	if (rc != GZ_OK) {
		cli_error("%s: %s", file, why[0] ? why : gz_strerror(rc));
		return CLI_FAIL;
	}
	in.hash = info.hash;
	in.format = info.format;
	in.width = info.width;
	in.height = info.height;
	in.bytes = info.bytes;
	in.widths = info.widths;
	in.nwidths = info.nwidths;
	in.avif = info.avif;
	in.alt = o->alt ? o->alt : "";
	in.decorative = o->decorative;
	in.caption = o->caption;
	in.credit = o->credit;
	in.actor = actor;
	if ((rc = store_tx_begin(st)) != GZ_OK) {
		cli_error("the database is busy (%s)", gz_strerror(rc));
		return CLI_FAIL;
	}
	rc = store_media_add(st, &in, &id, &created);
	if (rc == GZ_OK && created)
		rc = media_audit(st, actor, "media-add", id, file);
	if (rc != GZ_OK) {
		store_tx_rollback(st);
		cli_error("%s: cannot add it to the media library (%s)", file,
			  gz_strerror(rc));
		return CLI_FAIL;
	}
	if ((rc = store_tx_commit(st)) != GZ_OK) {
		cli_error("%s: cannot commit (%s)", file, gz_strerror(rc));
		return CLI_FAIL;
	}
	media_url(info.hash, info.widths, info.nwidths, info.format, url);
	printf("media %lld: %s (%d x %d, %s, %zu size%s)%s\n", (long long)id,
	       url, info.width, info.height, info.format, info.nwidths,
	       info.nwidths == 1 ? "" : "s",
	       created ? "" : "; already in the library, its words kept "
			      "(change them with gazette media edit)");
	return CLI_OK;
}

static int
media_list(struct store *st, const char *search)
{
	struct pool *pool = pool_new(MEDIA_POOL_MAX);
	struct store_media *items = NULL;
	size_t n = 0, total = 0, i;
	char alt[TERM_BYTES(ALT_CHARS)], size[32];
	int rc = CLI_FAIL, err;

	if (!pool) {
		cli_error("out of memory");
		return CLI_FAIL;
	}
	if ((err = store_media_list(st, pool, search, MEDIA_LIST_MAX, 0,
				    &items, &n, &total)) != GZ_OK) {
		cli_error("cannot read the media library (%s)",
			  gz_strerror(err));
		goto out;
	}
	if (n == 0) {
		printf(search && *search ? "no photos match\n"
					 : "no photos yet\n");
		rc = CLI_OK;
		goto out;
	}
	printf("%6s  %-11s  %4s  %s\n", "ID", "SIZE", "USES", "ALT");
	for (i = 0; i < n; i++) {
		snprintf(size, sizeof(size), "%dx%d", items[i].width,
			 items[i].height);
		if (items[i].decorative)
			snprintf(alt, sizeof(alt), "(decorative)");
		else
			(void)cli_term_text(items[i].alt, ALT_CHARS, alt);
		printf("%6lld  %-11s  %4lld  %s\n", (long long)items[i].id, size,
		       (long long)items[i].uses, alt);
	}
	if (total > n)
		fprintf(stderr, "showing the newest %zu of %zu (--search "
				"narrows it)\n", n, total);
	rc = CLI_OK;
out:
	pool_free(pool);
	return rc;
}

/* Reads media id, saying so when there is none. */
static int
media_get(struct store *st, struct pool *pool, int64_t id,
	  struct store_media *m)
{
	int err = store_media_get(st, pool, id, m);

	if (err == GZ_ENOTFOUND)
		cli_error("no media %lld (gazette media list shows them)",
			  (long long)id);
	else if (err != GZ_OK)
		cli_error("cannot read media %lld (%s)", (long long)id,
			  gz_strerror(err));
	return err;
}

static void
media_field(const char *label, const char *s)
{
	char out[TERM_BYTES(GZ_LIMIT_MEDIA_TEXT_BYTES)];

	(void)cli_term_text(s ? s : "", GZ_LIMIT_MEDIA_TEXT_BYTES, out);
	printf("%-11s %s\n", label, out);
}

static int
media_show(struct store *st, int64_t id)
{
	struct pool *pool = pool_new(MEDIA_POOL_MAX);
	struct store_media m;
	struct store_article *uses = NULL;
	const char *exts[3];
	char name[MEDIA_NAME_MAX], when[DATE_MAX];
	char head[TERM_BYTES(70)];
	size_t nuses = 0, nexts = 0, i, j;
	int rc = CLI_FAIL, err;

	if (!pool) {
		cli_error("out of memory");
		return CLI_FAIL;
	}
	if (media_get(st, pool, id, &m) != GZ_OK)
		goto out;
	if ((err = store_media_uses(st, pool, id, MEDIA_USES_MAX, &uses,
				    &nuses)) != GZ_OK) {
		cli_error("cannot read where media %lld is used (%s)",
			  (long long)id, gz_strerror(err));
		goto out;
	}
	printf("%-11s %lld\n", "id", (long long)m.id);
	printf("%-11s %s\n", "hash", m.hash);
	printf("%-11s %s%s\n", "format", m.format, m.avif ? " (and AVIF)" : "");
	printf("%-11s %d x %d\n", "size", m.width, m.height);
	printf("%-11s %lld\n", "bytes", (long long)m.bytes);
	if (m.decorative)
		printf("%-11s (decorative: no alt text)\n", "alt");
	else
		media_field("alt", m.alt);
	media_field("caption", m.caption);
	media_field("credit", m.credit);
	printf("%-11s %d,%d\n", "focal", m.focal_x, m.focal_y);
	date_format_human(m.created_at, when);
	printf("%-11s %s\n", "added", when);
	media_field("by", m.actor);
	/* Every variant file, as /media/ serves it. */
	exts[nexts++] = "webp";
	if (strcmp(media_ext(m.format), "webp") != 0)
		exts[nexts++] = media_ext(m.format);
	if (m.avif)
		exts[nexts++] = "avif";
	printf("%-11s %zu\n", "variants", m.nwidths * nexts);
	for (i = 0; i < m.nwidths; i++) {
		for (j = 0; j < nexts; j++) {
			media_variant_name(m.hash, m.widths[i], exts[j], name);
			printf("  /media/%s\n", name);
		}
	}
	printf("%-11s %lld\n", "used by", (long long)m.uses);
	for (i = 0; i < nuses; i++) {
		(void)cli_term_text(uses[i].headline, 70, head);
		printf("  article %lld: %s\n", (long long)uses[i].id, head);
	}
	if ((int64_t)nuses < m.uses)
		printf("  and %lld more\n", (long long)(m.uses - (int64_t)nuses));
	rc = CLI_OK;
out:
	pool_free(pool);
	return rc;
}

static int
media_edit(struct store *st, int64_t id, const struct media_opts *o,
	   const char *actor)
{
	struct pool *pool = pool_new(MEDIA_POOL_MAX);
	struct store_media m;
	const char *alt, *caption, *credit;
	int fx, fy, rc = CLI_FAIL, err;

	if (!pool) {
		cli_error("out of memory");
		return CLI_FAIL;
	}
	if (media_get(st, pool, id, &m) != GZ_OK)
		goto out;
	alt = o->alt ? o->alt : m.alt;
	caption = o->caption ? o->caption : m.caption;
	credit = o->credit ? o->credit : m.credit;
	fx = o->focal ? o->focal_x : m.focal_x;
	fy = o->focal ? o->focal_y : m.focal_y;
	/* An alt text given to a decorative photo makes it informative. */
	if (!m.decorative || (o->alt && *o->alt)) {
		if (!*alt) {
			cli_error("media %lld: --alt: give a description of "
				  "the photo for readers who cannot see it",
				  (long long)id);
			goto out;
		}
	}
	if ((err = store_tx_begin(st)) != GZ_OK) {
		cli_error("the database is busy (%s)", gz_strerror(err));
		goto out;
	}
	err = store_media_update(st, id, alt, m.decorative && !*alt, caption,
				 credit, fx, fy);
	if (err == GZ_OK)
		err = media_audit(st, actor, "media-edit", id, "");
	if (err != GZ_OK) {
		store_tx_rollback(st);
		cli_error("media %lld: %s", (long long)id, gz_strerror(err));
		goto out;
	}
	if ((err = store_tx_commit(st)) != GZ_OK) {
		cli_error("media %lld: cannot commit (%s)", (long long)id,
			  gz_strerror(err));
		goto out;
	}
	printf("media %lld changed\n", (long long)id);
	rc = CLI_OK;
out:
	pool_free(pool);
	return rc;
}

/* Removes the variant files of hash once no row names it (after a
 * delete's commit); says so on stderr when some stay. */
static void
media_files_remove(struct store *st, const struct config *cfg,
		   const char *hash)
{
	bool used = true;
	int err;

	if ((err = store_media_hash_used(st, hash, &used)) != GZ_OK) {
		cli_error("cannot tell whether another photo has the files of "
			  "%s; they stay in %s (%s)", hash, cfg->media_dir,
			  gz_strerror(err));
		return;
	}
	if (!used && media_variants_remove(cfg->media_dir, hash) != GZ_OK)
		cli_error("some files of %s could not be removed from %s/%.2s",
			  hash, cfg->media_dir, hash);
}

static int
media_rm(struct store *st, const struct config *cfg, int64_t id,
	 const char *actor)
{
	struct pool *pool = pool_new(MEDIA_POOL_MAX);
	struct store_media m;
	struct store_article *uses = NULL;
	char head[TERM_BYTES(60)];
	size_t nuses = 0, i;
	int rc = CLI_FAIL, err;

	if (!pool) {
		cli_error("out of memory");
		return CLI_FAIL;
	}
	if (media_get(st, pool, id, &m) != GZ_OK)
		goto out;
	if ((err = store_media_uses(st, pool, id, MEDIA_RM_NAMED, &uses,
				    &nuses)) != GZ_OK) {
		cli_error("cannot read where media %lld is used (%s)",
			  (long long)id, gz_strerror(err));
		goto out;
	}
	if (nuses > 0) {
		fprintf(stderr, "gazette: media %lld is used by %lld "
			"article%s (as the lead image or in the body): ",
			(long long)id, (long long)m.uses,
			m.uses == 1 ? "" : "s");
		for (i = 0; i < nuses; i++) {
			(void)cli_term_text(uses[i].headline, 60, head);
			fprintf(stderr, "%s%lld \"%s\"", i ? ", " : "",
				(long long)uses[i].id, head);
		}
		fprintf(stderr, "%s; take it out of them first\n",
			(int64_t)nuses < m.uses ? ", ..." : "");
		goto out;
	}
	if ((err = store_tx_begin(st)) != GZ_OK) {
		cli_error("the database is busy (%s)", gz_strerror(err));
		goto out;
	}
	err = store_media_delete(st, id);
	if (err == GZ_OK)
		err = media_audit(st, actor, "media-delete", id, m.hash);
	if (err != GZ_OK) {
		store_tx_rollback(st);
		if (err == GZ_EBUSY)
			cli_error("media %lld came into use by an article "
				  "meanwhile; take it out of it first",
				  (long long)id);
		else
			cli_error("media %lld: %s", (long long)id,
				  gz_strerror(err));
		goto out;
	}
	if ((err = store_tx_commit(st)) != GZ_OK) {
		cli_error("media %lld: cannot commit (%s)", (long long)id,
			  gz_strerror(err));
		goto out;
	}
	media_files_remove(st, cfg, m.hash);
	printf("deleted media %lld\n", (long long)id);
	rc = CLI_OK;
out:
	pool_free(pool);
	return rc;
}

int
cmd_media(int argc, char **argv)
{
	static const struct option opts[] = {
		{"site", required_argument, NULL, 's'},
		{"alt", required_argument, NULL, 'a'},
		{"caption", required_argument, NULL, 'c'},
		{"credit", required_argument, NULL, 'r'},
		{"decorative", no_argument, NULL, 'd'},
		{"focal", required_argument, NULL, 'f'},
		{"search", required_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct media_opts o = {0};
	struct config cfg;
	struct store *st = NULL;
	const char *site = NULL, *sub;
	char actor[300];
	int64_t id = 0;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': site = optarg; break;
		case 'a': o.alt = optarg; break;
		case 'c': o.caption = optarg; break;
		case 'r': o.credit = optarg; break;
		case 'd': o.decorative = true; break;
		case 'q': o.search = optarg; break;
		case 'f':
			if (media_parse_focal(optarg, &o.focal_x,
					      &o.focal_y) != GZ_OK)
				return media_usage_err("--focal: \"%s\" is not "
						       "X,Y with each from 0 "
						       "to 1000", optarg);
			o.focal = true;
			break;
		case 'h': fputs(media_usage, stdout); return CLI_OK;
		default: return media_usage_err(NULL);
		}
	}
	if ((o.alt && !media_text_ok(o.alt)) ||
	    (o.caption && !media_text_ok(o.caption)) ||
	    (o.credit && !media_text_ok(o.credit)) ||
	    (o.search && strlen(o.search) > GZ_LIMIT_SEARCH_BYTES))
		return media_usage_err("--alt, --caption and --credit take "
				       "UTF-8 text of at most %u bytes, "
				       "--search at most %u",
				       GZ_LIMIT_MEDIA_TEXT_BYTES,
				       GZ_LIMIT_SEARCH_BYTES);
	if ((rc = media_line_check("--alt", o.alt)) != CLI_OK ||
	    (rc = media_line_check("--caption", o.caption)) != CLI_OK ||
	    (rc = media_line_check("--credit", o.credit)) != CLI_OK)
		return rc;
	if (optind == argc)
		return media_usage_err(NULL);
	sub = argv[optind++];
	if (strcmp(sub, "add") == 0) {
		if (optind + 1 != argc)
			return media_usage_err("add: give one file");
		if (o.decorative && o.alt && *o.alt)
			return media_usage_err("add: a --decorative photo has "
					       "no --alt");
		if (!o.decorative && (!o.alt || !*o.alt))
			return media_usage_err("add: --alt: give a description "
					       "of the photo for readers who "
					       "cannot see it (or --decorative)");
		if (o.focal || o.search)
			return media_usage_err("add takes --alt, --decorative, "
					       "--caption and --credit");
	} else if (strcmp(sub, "list") == 0) {
		if (optind != argc)
			return media_usage_err("list takes no arguments (\"%s\")",
					       argv[optind]);
		if (o.alt || o.caption || o.credit || o.decorative || o.focal)
			return media_usage_err("list takes --search only");
	} else if (strcmp(sub, "show") == 0 || strcmp(sub, "rm") == 0 ||
		   strcmp(sub, "edit") == 0) {
		if (optind + 1 != argc ||
		    media_parse_id(argv[optind], &id) != GZ_OK)
			return media_usage_err("%s: give one media id", sub);
		if (strcmp(sub, "edit") != 0 &&
		    (o.alt || o.caption || o.credit || o.decorative ||
		     o.focal || o.search))
			return media_usage_err("%s takes only an id", sub);
		if (strcmp(sub, "edit") == 0 && (o.decorative || o.search))
			return media_usage_err("edit takes --alt, --caption, "
					       "--credit and --focal");
		if (strcmp(sub, "edit") == 0 && !o.alt && !o.caption &&
		    !o.credit && !o.focal)
			return media_usage_err("edit: say what to change");
	} else {
		return media_usage_err("unknown media command \"%s\"", sub);
	}

	site = cli_site_dir(site);
	if ((rc = cli_config_open(site, &cfg)) != CLI_OK)
		return rc;
	if ((rc = cli_store_open(site, &cfg, &st)) != CLI_OK) {
		config_fini(&cfg);
		return rc;
	}
	cli_actor(actor, sizeof(actor));
	if (strcmp(sub, "add") == 0)
		rc = media_add(st, &cfg, argv[optind], &o, actor);
	else if (strcmp(sub, "list") == 0)
		rc = media_list(st, o.search);
	else if (strcmp(sub, "show") == 0)
		rc = media_show(st, id);
	else if (strcmp(sub, "edit") == 0)
		rc = media_edit(st, id, &o, actor);
	else
		rc = media_rm(st, &cfg, id, actor);
	store_close(st);
	config_fini(&cfg);
	return rc;
}
