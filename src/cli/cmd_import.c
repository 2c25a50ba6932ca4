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
 */
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
	"  --dry-run   check every file and report, but change nothing\n";

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

int
cli_import_bytes(struct store *st, const struct config *cfg,
		 const char *name, const char *key, const char *data,
		 size_t len, bool *created)
{
	struct pool *pool = NULL;
	struct import_article a;
	struct import_error perr = {0};
	struct store_article_input in = {0};
	struct buf html, text;
	char msg[512];
	unsigned line;
	int64_t id;
	int rc;

	buf_init(&html, GZ_LIMIT_MARKDOWN_BYTES);
	buf_init(&text, GZ_LIMIT_MARKDOWN_BYTES);
	if (!(pool = pool_new(64u * 1024u * 1024u)))
		return GZ_ENOMEM;
	rc = import_parse(pool, data, len, &a, &perr);
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
	if (render_markdown_check(a.body, strlen(a.body), &line, msg,
				  sizeof(msg)) != GZ_OK) {
		fprintf(stderr, "%s:%u: %s\n", name, import_body_line(&a, line),
			msg);
		rc = GZ_EPARSE;
		goto out;
	}
	/* An import is the operator's: its raw HTML is trusted. */
	if ((rc = render_article_html(a.body, strlen(a.body), a.dateline,
				      true, &html)) != GZ_OK) {
		if (rc == GZ_ETOOBIG)
			fprintf(stderr, "%s: the body makes more than %u bytes "
				"of HTML; split the article\n", name,
				GZ_LIMIT_MARKDOWN_BYTES);
		else
			fprintf(stderr, "%s: cannot render the body (%s)\n",
				name, gz_strerror(rc));
		goto out;
	}
	in.import_key = key;
	in.slug = *a.slug ? a.slug : NULL;
	in.headline = a.headline;
	in.summary = a.summary;
	in.body = a.body;
	in.byline = a.byline;
	in.dateline = a.dateline;
	in.section = a.section;
	in.lang = *a.lang ? a.lang : cfg->language;
	in.status = import_status(a.status, a.published_at);
	in.published_at = a.published_at;
	in.tags = a.tags;
	in.ntags = a.ntags;
	in.body_html = html.data ? html.data : "";
	in.html_version = RENDER_MD_VERSION;
	/* What search reads: the body's text, as a reader sees it. */
	if ((rc = render_html_text(&text, in.body_html)) != GZ_OK) {
		fprintf(stderr, "%s: %s\n", name, gz_strerror(rc));
		goto out;
	}
	in.body_text = text.data ? text.data : "";
	if (a.comments_days == IMPORT_COMMENTS_OPEN)
		in.comments_close_at = INT64_MAX;
	else if (a.comments_days == 0)
		in.comments_close_at = 1; /* closed since long ago */
	else if (a.comments_days > 0 && a.published_at > 0)
		in.comments_close_at = a.published_at +
				       (int64_t)a.comments_days * 86400;
	if ((rc = store_tx_unit_begin(st)) != GZ_OK) {
		fprintf(stderr, "%s: the database is busy (%s)\n", name,
			gz_strerror(rc));
		goto out;
	}
	rc = store_article_put(st, &in, &id, created);
	if (rc != GZ_OK)
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
	rc = store_tx_unit_end(st, rc);
out:
	pool_free(pool);
	buf_fini(&html);
	buf_fini(&text);
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

/* Commits the open batch: its files count as imported, or, when the
 * commit fails, as failed. */
static void
import_commit(struct store *st, unsigned *added, unsigned *updated,
	      unsigned *failed, unsigned *batch_added, unsigned *batch_updated)
{
	int rc;

	/* A failed commit rolls back and releases the lock itself. */
	if ((rc = store_tx_commit(st)) != GZ_OK) {
		cli_error("cannot commit %u files (%s); none of them was imported",
			  *batch_added + *batch_updated, gz_strerror(rc));
		*failed += *batch_added + *batch_updated;
	} else {
		*added += *batch_added;
		*updated += *batch_updated;
	}
	*batch_added = *batch_updated = 0;
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
	const char *site = NULL;
	bool dry_run = false, progress, created;
	unsigned added = 0, updated = 0, failed = 0;
	unsigned batch_added = 0, batch_updated = 0;
	int64_t batch_start;
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
	if ((rc = cli_store_open(site, &st)) != CLI_OK) {
		config_fini(&cfg);
		return rc;
	}
	nfiles = argc - optind;
	progress = nfiles > 1 && cli_stderr_is_tty();
	if ((rc = store_tx_begin(st)) != GZ_OK) {
		cli_error("%s: the database is busy (%s)", site, gz_strerror(rc));
		store_close(st);
		config_fini(&cfg);
		return CLI_FAIL;
	}
	batch_start = import_now_ms();
	for (i = optind; i < argc; i++) {
		char key[PATH_MAX], *data = NULL;
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
		} else if (import_read(argv[i], &data, &len) != GZ_OK ||
			   cli_import_bytes(st, &cfg, argv[i], key, data, len,
					    &created) != GZ_OK)
			failed++;
		else if (created)
			batch_added++;
		else
			batch_updated++;
		free(data);
		/* Files share commits (each one a unit: whole or not at
		 * all), a batch at most IMPORT_BATCH_MS long, so that a big
		 * import syncs to disk a few times a second, not once per
		 * file, and a running server's comments wait no longer. */
		if (i + 1 < argc &&
		    import_now_ms() - batch_start >= IMPORT_BATCH_MS) {
			/* A dry run gives the lock back the same way. */
			if (dry_run) {
				store_tx_rollback(st);
				added += batch_added;
				updated += batch_updated;
				batch_added = batch_updated = 0;
			} else {
				import_commit(st, &added, &updated, &failed,
					      &batch_added, &batch_updated);
			}
			if ((rc = store_tx_begin(st)) != GZ_OK) {
				cli_error("%s: the database is busy (%s)", site,
					  gz_strerror(rc));
				failed += (unsigned)(argc - i - 1);
				break;
			}
			batch_start = import_now_ms();
		}
		if (progress)
			fprintf(stderr, "imported %d of %d", i - optind + 1,
				nfiles);
	}
	if (rc == GZ_OK) {
		if (dry_run) {
			store_tx_rollback(st);
			added += batch_added;
			updated += batch_updated;
		} else {
			import_commit(st, &added, &updated, &failed,
				      &batch_added, &batch_updated);
		}
	}
	if (progress)
		fputs("\r\033[K", stderr);
	fprintf(stderr, "%s%u new, %u updated, %u failed\n",
		dry_run ? "dry run, nothing changed: " : "", added, updated,
		failed);
	store_close(st);
	config_fini(&cfg);
	return failed ? CLI_FAIL : CLI_OK;
}
