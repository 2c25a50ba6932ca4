/*
 * cmd_import.c - `gazette import`: reads plain-text and front-matter files
 * into the site, one transaction per file.
 *
 * A file lands whole or not at all: it is parsed completely before the
 * transaction begins, and any failure inside it rolls back. A bad file is
 * reported as FILE:LINE with what was expected; the other files are still
 * imported and the exit status is 1. Importing the same file again (the
 * same absolute path) updates its article instead of adding a copy.
 *
 * The body is checked for what would make the Markdown renderer slow
 * (render_markdown_check, docs/import.md) and rendered here, once: the
 * article is stored with its HTML and the renderer version that made
 * it, so no page view parses Markdown.
 *
 * A file's lead image (front matter image:) is read and resized into the
 * site's media folder (import_images.c) after the file is parsed and
 * before its transaction: a refused image fails the file as
 * FILE:LINE: image: <why>, with nothing of it stored. Variant files an
 * ingest wrote are harmless even then: they are named by the image's hash
 * and the next import of the same bytes finds them.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/config.h"
#include "import/import.h"
#include "media/media.h"
#include "render/render.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

static const char import_usage[] =
	"usage: gazette import [--site DIR] [--dry-run] FILE...\n"
	"\n"
	"Imports articles: plain text (headline, date line, paragraphs) or\n"
	"Markdown with a front-matter block. Each file is imported whole or not\n"
	"at all; importing a file again updates its article.\n"
	"\n"
	"\n"
	"A Markdown file may name its lead image in the front matter (image:,\n"
	"image_alt:, image_caption:, image_credit:, image_decorative:; see\n"
	"docs/import.md): a JPEG, PNG, WebP, GIF or AVIF beside it, resized\n"
	"into the site's media folder and added to its media library.\n"
	"\n"
	"  --dry-run   check every file (and decode its image) and report, but\n"
	"              change nothing\n";

static enum store_status
import_status(const char *s, int64_t published_at)
{
	if (strcmp(s, "draft") == 0)
		return STORE_DRAFT;
	if (strcmp(s, "scheduled") == 0 ||
	    (published_at > (int64_t)time(NULL) && strcmp(s, "published") != 0))
		return STORE_SCHEDULED;
	return STORE_PUBLISHED;
}

struct cli_import {
	struct pool *pool;
	const char *name;           /* for messages (pool) */
	struct import_article a;
	struct store_article_input in;
	struct buf html, text;
	bool have_media;            /* cli_import_image made the variants */
	struct media_info media;
};

void
cli_import_free(struct cli_import *imp)
{
	if (!imp)
		return;
	pool_free(imp->pool);
	buf_fini(&imp->html);
	buf_fini(&imp->text);
	free(imp);
}

bool
cli_import_has_image(const struct cli_import *imp)
{
	return imp->a.image[0] != '\0';
}

int
cli_import_prepare(const struct config *cfg, const char *name,
		   const char *data, size_t len, struct cli_import **out)
{
	struct cli_import *imp;
	struct import_article *a;
	struct store_article_input *in;
	struct import_error perr = {0};
	char msg[512];
	unsigned line;
	int rc;

	*out = NULL;
	if (!(imp = calloc(1, sizeof(*imp)))) {
		fprintf(stderr, "%s: out of memory\n", name);
		return GZ_ENOMEM;
	}
	a = &imp->a;
	in = &imp->in;
	buf_init(&imp->html, GZ_LIMIT_MARKDOWN_BYTES);
	buf_init(&imp->text, GZ_LIMIT_MARKDOWN_BYTES);
	if (!(imp->pool = pool_new(64u * 1024u * 1024u)) ||
	    !(imp->name = pool_strndup(imp->pool, name, strlen(name)))) {
		fprintf(stderr, "%s: out of memory\n", name);
		rc = GZ_ENOMEM;
		goto out;
	}
	rc = import_parse(imp->pool, data, len, a, &perr);
	if (rc == GZ_EPARSE) {
		if (perr.line)
			fprintf(stderr, "%s:%u: %s\n", name, perr.line, perr.msg);
		else
			fprintf(stderr, "%s: %s\n", name, perr.msg);
		goto out;
	}
	if (rc != GZ_OK) {
		fprintf(stderr, "%s: %s\n", name, gz_strerror(rc));
		goto out;
	}
	/* Refused before anything is rendered or stored: a body past these
	 * limits would take the renderer seconds. */
	if (render_markdown_check(a->body, strlen(a->body), &line, msg,
				  sizeof(msg)) != GZ_OK) {
		fprintf(stderr, "%s:%u: %s\n", name, import_body_line(a, line),
			msg);
		rc = GZ_EPARSE;
		goto out;
	}
	/* An import is the operator's: its raw HTML is trusted. */
	if ((rc = render_article_html(a->body, strlen(a->body), a->dateline,
				      true, &imp->html)) != GZ_OK) {
		if (rc == GZ_ETOOBIG)
			fprintf(stderr, "%s: the body makes more than %u bytes "
				"of HTML; split the article\n", name,
				GZ_LIMIT_MARKDOWN_BYTES);
		else
			fprintf(stderr, "%s: cannot render the body (%s)\n",
				name, gz_strerror(rc));
		goto out;
	}
	in->slug = *a->slug ? a->slug : NULL;
	in->headline = a->headline;
	in->summary = a->summary;
	in->body = a->body;
	in->byline = a->byline;
	in->dateline = a->dateline;
	in->section = a->section;
	in->lang = *a->lang ? a->lang : cfg->language;
	in->status = import_status(a->status, a->published_at);
	in->published_at = a->published_at;
	in->tags = a->tags;
	in->ntags = a->ntags;
	in->body_html = imp->html.data ? imp->html.data : "";
	in->html_version = RENDER_MD_VERSION;
	/* What search reads: the body's text, as a reader sees it. */
	if ((rc = render_html_text(&imp->text, in->body_html)) != GZ_OK) {
		fprintf(stderr, "%s: %s\n", name, gz_strerror(rc));
		goto out;
	}
	in->body_text = imp->text.data ? imp->text.data : "";
	if (a->comments_days == IMPORT_COMMENTS_OPEN)
		in->comments_close_at = INT64_MAX;
	else if (a->comments_days == 0)
		in->comments_close_at = 1; /* closed since long ago */
	else if (a->comments_days > 0 && a->published_at > 0)
		in->comments_close_at = a->published_at +
					(int64_t)a->comments_days * 86400;
	/* The file is the article's source: one that names no image takes
	 * away the lead image an earlier import of it gave. */
	in->image_id = STORE_IMAGE_NONE;
	*out = imp;
	imp = NULL;
out:
	cli_import_free(imp);
	return rc;
}

int
cli_import_image(struct cli_import *imp, const struct config *cfg,
		 const struct cli_image_source *src, const char *media_dir)
{
	const struct import_article *a = &imp->a;
	const unsigned char *data = NULL;
	void *owned = NULL;
	size_t len = 0;
	char why[512];
	unsigned flags = 0;
	int rc;

	if (!cli_import_has_image(imp) || imp->have_media)
		return GZ_OK;
	why[0] = '\0';
	if (!src) {
		rc = GZ_ENOTFOUND;
		snprintf(why, sizeof(why), "images cannot be read here");
	} else {
		rc = src->read(src->ctx, a->image, &data, &len, &owned, why,
			       sizeof(why));
	}
	if (rc == GZ_OK) {
		if (cfg->media_avif && media_avif_supported())
			flags |= MEDIA_AVIF;
		rc = media_ingest(media_dir, data, len, flags, &imp->media, why,
				  sizeof(why));
	}
	free(owned);
	if (rc != GZ_OK) {
		fprintf(stderr, "%s:%u: image: %s\n", imp->name, a->image_line,
			why[0] ? why : gz_strerror(rc));
		return rc;
	}
	imp->have_media = true;
	return GZ_OK;
}

/* Records the ingested lead image in the media library (or finds it:
 * the same bytes imported before), with its audit entry when new.
 * Output: *id. Inside the file's unit. */
static int
import_media_add(struct store *st, struct cli_import *imp, int64_t *id)
{
	const struct import_article *a = &imp->a;
	struct store_media_input mi = {0};
	char actor[96], object[40];
	bool created = false;
	int rc, k;

	mi.hash = imp->media.hash;
	mi.format = imp->media.format;
	mi.width = imp->media.width;
	mi.height = imp->media.height;
	mi.bytes = imp->media.bytes;
	mi.widths = imp->media.widths;
	mi.nwidths = imp->media.nwidths;
	mi.avif = imp->media.avif;
	mi.alt = a->image_alt;
	mi.decorative = a->image_decorative;
	mi.caption = a->image_caption;
	mi.credit = a->image_credit;
	mi.actor = "import";
	if ((rc = store_media_add(st, &mi, id, &created)) != GZ_OK) {
		fprintf(stderr, "%s:%u: image: cannot record it in the media "
			"library (%s)\n", imp->name, a->image_line,
			gz_strerror(rc));
		return rc;
	}
	if (!created)
		return GZ_OK;
	k = snprintf(object, sizeof(object), "media:%lld", (long long)*id);
	cli_actor(actor, sizeof(actor));
	rc = k > 0 && (size_t)k < sizeof(object)
		? store_audit_add(st, actor, "media-add", object, a->image, "",
				  (int64_t)time(NULL))
		: GZ_EINVAL;
	if (rc != GZ_OK)
		fprintf(stderr, "%s: cannot log the image (%s)\n", imp->name,
			gz_strerror(rc));
	return rc;
}

int
cli_import_store(struct store *st, struct cli_import *imp, const char *key,
		 bool *created)
{
	const char *name = imp->name;
	int64_t id, media_id;
	int rc;

	assert(!cli_import_has_image(imp) || imp->have_media);
	imp->in.import_key = key;
	if ((rc = store_tx_unit_begin(st)) != GZ_OK) {
		fprintf(stderr, "%s: the database is busy (%s)\n", name,
			gz_strerror(rc));
		return rc;
	}
	if (imp->have_media &&
	    (rc = import_media_add(st, imp, &media_id)) == GZ_OK)
		imp->in.image_id = media_id;
	if (rc == GZ_OK &&
	    (rc = store_article_put(st, &imp->in, &id, created)) != GZ_OK)
		fprintf(stderr, "%s: cannot store the article (%s)\n", name,
			gz_strerror(rc));
	/* Who published what: a new article is in the audit log with the
	 * file it came from (an update is in its revisions, by "import"). */
	if (rc == GZ_OK && *created) {
		char actor[96], object[40];
		int k = snprintf(object, sizeof(object), "article:%lld",
				 (long long)id);

		cli_actor(actor, sizeof(actor));
		rc = k > 0 && (size_t)k < sizeof(object)
			? store_audit_add(st, actor, "import", object, name, "",
					  (int64_t)time(NULL))
			: GZ_EINVAL;
		if (rc != GZ_OK)
			fprintf(stderr, "%s: cannot log the import (%s)\n",
				name, gz_strerror(rc));
	}
	/* A file that failed leaves nothing; the batch goes on. */
	return store_tx_unit_end(st, rc);
}

int
cli_import_bytes(struct store *st, const struct config *cfg,
		 const char *name, const char *key, const char *data,
		 size_t len, const struct cli_image_source *src,
		 bool *created)
{
	struct cli_import *imp = NULL;
	int rc;

	if ((rc = cli_import_prepare(cfg, name, data, len, &imp)) == GZ_OK &&
	    (rc = cli_import_image(imp, cfg, src, cfg->media_dir)) == GZ_OK)
		rc = cli_import_store(st, imp, key, created);
	cli_import_free(imp);
	return rc;
}

/* Reads a whole file, at most GZ_LIMIT_IMPORT_FILE_BYTES. Caller frees. */
static int
import_read(const char *path, char **data, size_t *len)
{
	struct stat sb;
	char *p = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, rc = GZ_EIO;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return GZ_EIO;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		fprintf(stderr, "%s: not a regular file\n", path);
		goto out;
	}
	if (sb.st_size > GZ_LIMIT_IMPORT_FILE_BYTES) {
		fprintf(stderr, "%s: larger than %u bytes; is it an article?\n",
			path, GZ_LIMIT_IMPORT_FILE_BYTES);
		rc = GZ_ETOOBIG;
		goto out;
	}
	if (!(p = malloc((size_t)sb.st_size + 1))) {
		rc = GZ_ENOMEM;
		goto out;
	}
	while (got < (size_t)sb.st_size &&
	       (n = read(fd, p + got, (size_t)sb.st_size - got)) > 0)
		got += (size_t)n;
	if (got != (size_t)sb.st_size) {
		fprintf(stderr, "%s: read failed\n", path);
		goto out;
	}
	p[got] = '\0';
	*data = p;
	*len = got;
	p = NULL;
	rc = GZ_OK;
out:
	free(p);
	close(fd);
	return rc;
}

/* Longest an import holds the write lock before it commits. */
#define IMPORT_BATCH_MS 250

static int64_t
import_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Ends the open batch: commits it (its files count as imported, or,
 * when the commit fails, as failed), or for a dry run rolls it back (its
 * files count as they would have). */
static void
import_batch_end(struct store *st, bool dry_run, unsigned *added,
		 unsigned *updated, unsigned *failed, unsigned *batch_added,
		 unsigned *batch_updated)
{
	int rc;

	if (dry_run) {
		store_tx_rollback(st);
		*added += *batch_added;
		*updated += *batch_updated;
	} else if ((rc = store_tx_commit(st)) != GZ_OK) {
		/* A failed commit rolls back and releases the lock itself. */
		cli_error("cannot commit %u files (%s); none of them was imported",
			  *batch_added + *batch_updated, gz_strerror(rc));
		*failed += *batch_added + *batch_updated;
	} else {
		*added += *batch_added;
		*updated += *batch_updated;
	}
	*batch_added = *batch_updated = 0;
}

/* The folder of path, as given ("." for a bare name), into out. */
static int
import_folder(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	if (!slash)
		return snprintf(out, size, ".") == 1 ? GZ_OK : GZ_ETOOBIG;
	if (n == 0)
		n = 1; /* "/a.md": the root */
	if (n >= size)
		return GZ_ETOOBIG;
	memcpy(out, path, n);
	out[n] = '\0';
	return GZ_OK;
}

int
cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{"site", required_argument, NULL, 's'},
		{"dry-run", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct config cfg;
	struct store *st = NULL;
	const char *site = NULL, *media_dir;
	char scratch[] = "/tmp/gazette-import-XXXXXX";
	bool dry_run = false, progress, created, in_tx = false;
	bool have_scratch = false;
	unsigned added = 0, updated = 0, failed = 0;
	unsigned batch_added = 0, batch_updated = 0;
	int64_t batch_start = 0;
	int c, i, nfiles, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': site = optarg; break;
		case 'n': dry_run = true; break;
		case 'h': fputs(import_usage, stdout); return CLI_OK;
		default: fputs(import_usage, stderr); return CLI_USAGE;
		}
	}
	if (optind == argc) {
		fputs(import_usage, stderr);
		return CLI_USAGE;
	}
	site = cli_site_dir(site);
	if ((rc = cli_config_open(site, &cfg)) != CLI_OK)
		return rc;
	if ((rc = cli_store_open(site, &cfg, &st)) != CLI_OK) {
		config_fini(&cfg);
		return rc;
	}
	/* A dry run decodes the images too (that is the check), into a
	 * scratch folder removed at the end: the site's media/ stays as it
	 * was. */
	media_dir = cfg.media_dir;
	if (dry_run) {
		if (!mkdtemp(scratch)) {
			cli_error("cannot make a scratch folder: %s",
				  strerror(errno));
			store_close(st);
			config_fini(&cfg);
			return CLI_FAIL;
		}
		have_scratch = true;
		media_dir = scratch;
	}
	nfiles = argc - optind;
	progress = nfiles > 1 && cli_stderr_is_tty();
	rc = GZ_OK;
	for (i = optind; i < argc; i++) {
		char key[PATH_MAX], folder[PATH_MAX], *data = NULL;
		struct cli_image_source src = {cli_image_read_file, folder};
		struct cli_import *imp = NULL;
		size_t len = 0;

		/* On a terminal the last line shows progress; it is cleared
		 * before anything else is printed. */
		if (progress)
			fputs("\r\033[K", stderr);
		/* The absolute path identifies the source: a file imported
		 * again updates its article. */
		if (!realpath(argv[i], key)) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			failed++;
			goto next;
		}
		if (import_folder(argv[i], folder, sizeof(folder)) != GZ_OK) {
			fprintf(stderr, "%s: path too long\n", argv[i]);
			failed++;
			goto next;
		}
		if (import_read(argv[i], &data, &len) != GZ_OK ||
		    cli_import_prepare(&cfg, argv[i], data, len, &imp) != GZ_OK) {
			failed++;
			goto next;
		}
		/* Decoding and resizing a photo takes hundreds of
		 * milliseconds: not while holding the write lock, which a
		 * running server's comments wait for. */
		if (cli_import_has_image(imp)) {
			if (in_tx) {
				import_batch_end(st, dry_run, &added, &updated,
						 &failed, &batch_added,
						 &batch_updated);
				in_tx = false;
			}
			if (cli_import_image(imp, &cfg, &src, media_dir) !=
			    GZ_OK) {
				failed++;
				goto next;
			}
		}
		if (!in_tx) {
			if ((rc = store_tx_begin(st)) != GZ_OK) {
				cli_error("%s: the database is busy (%s)", site,
					  gz_strerror(rc));
				failed += (unsigned)(argc - i);
				cli_import_free(imp);
				free(data);
				break;
			}
			in_tx = true;
			batch_start = import_now_ms();
		}
		if (cli_import_store(st, imp, key, &created) != GZ_OK)
			failed++;
		else if (created)
			batch_added++;
		else
			batch_updated++;
		/* Files share commits (each one a unit: whole or not at
		 * all), a batch at most IMPORT_BATCH_MS long, so that a big
		 * import syncs to disk a few times a second, not once per
		 * file, and a running server's comments wait no longer. A
		 * dry run gives the lock back the same way. */
		if (i + 1 < argc &&
		    import_now_ms() - batch_start >= IMPORT_BATCH_MS) {
			import_batch_end(st, dry_run, &added, &updated, &failed,
					 &batch_added, &batch_updated);
			in_tx = false;
		}
next:
		cli_import_free(imp);
		free(data);
		if (progress)
			fprintf(stderr, "imported %d of %d", i - optind + 1,
				nfiles);
	}
	if (in_tx)
		import_batch_end(st, dry_run, &added, &updated, &failed,
				 &batch_added, &batch_updated);
	if (have_scratch)
		(void)cli_rmtree(scratch);
	if (progress)
		fputs("\r\033[K", stderr);
	fprintf(stderr, "%s%u new, %u updated, %u failed\n",
		dry_run ? "dry run, nothing changed: " : "", added, updated,
		failed);
	store_close(st);
	config_fini(&cfg);
	return failed ? CLI_FAIL : CLI_OK;
}
