/*
 * cmd_pages.c - `gazette pages`: the newsroom's own pages (about,
 * contact, corrections policy, privacy, and any it adds). `list` prints
 * slug and title; `set SLUG FILE [--title T]` stores FILE's Markdown as
 * the page at /SLUG (a new slug adds a page to the footer; --title is
 * needed then, and keeps the old title otherwise).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "config/config.h"
#include "render/render.h"
#include "store/store.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"
#include "util/utf8.h"

static const char pages_usage[] =
	"usage: gazette pages list [--site DIR]\n"
	"       gazette pages set [--site DIR] [--title TITLE] SLUG FILE\n"
	"\n"
	"The newsroom's own pages, each at /SLUG and linked from every page's\n"
	"footer: about, contact, corrections and privacy to begin with.\n"
	"\n"
	"  list   every page: slug and title\n"
	"  set    store FILE (Markdown, at most 64 KB) as the page SLUG; a new\n"
	"         page needs --title\n";

/* Reads FILE, at most GZ_LIMIT_PAGE_SOURCE_BYTES. Caller frees. */
static char *
pages_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t n;

	if (!f) {
		perror(path);
		return NULL;
	}
	if (!(text = malloc(GZ_LIMIT_PAGE_SOURCE_BYTES + 2)))
		goto out;
	n = fread(text, 1, GZ_LIMIT_PAGE_SOURCE_BYTES + 1, f);
	if (ferror(f) || n > GZ_LIMIT_PAGE_SOURCE_BYTES) {
		fprintf(stderr, "%s: %s\n", path, ferror(f) ? "cannot read"
			: "larger than 64 KB");
		free(text);
		text = NULL;
		goto out;
	}
	text[n] = '\0';
	if (memchr(text, '\0', n) || !utf8_valid(text, n, NULL)) {
		fprintf(stderr, "%s: expected UTF-8 text\n", path);
		free(text);
		text = NULL;
	}
out:
	fclose(f);
	return text;
}

/* Paths the server answers itself: a page there would never be seen. */
static bool
pages_reserved(const char *slug)
{
	static const char *const taken[] = {
		"search", "archive", "metrics", "healthz", "admin", "api",
		"static", "news", "section", "tag", "author",
	};
	size_t i;

	for (i = 0; i < sizeof(taken) / sizeof(taken[0]); i++)
		if (strcmp(slug, taken[i]) == 0)
			return true;
	return false;
}

static int
pages_set(struct store *st, const char *slug, const char *title,
	  const char *path)
{
	struct pool *pool = pool_new(1u << 20);
	struct store_page old;
	char *body = NULL, msg[512];
	unsigned line;
	int rc = CLI_FAIL, err;

	if (pages_reserved(slug)) {
		fprintf(stderr, "gazette: /%s is one of the server's own "
			"addresses: choose another slug\n", slug);
		goto out;
	}
	if (!pool || !(body = pages_read(path)))
		goto out;
	if (render_markdown_check(body, strlen(body), &line, msg,
				  sizeof(msg)) != GZ_OK) {
		fprintf(stderr, "%s:%u: %s\n", path, line, msg);
		goto out;
	}
	if (!title) {
		if (store_page_get(st, pool, slug, &old) != GZ_OK) {
			fprintf(stderr, "gazette: no page \"%s\" yet: give it a "
				"--title\n", slug);
			goto out;
		}
		title = old.title;
	}
	if ((err = store_tx_begin(st)) != GZ_OK)
		goto fail;
	if ((err = store_page_put(st, slug, title, body)) != GZ_OK) {
		store_tx_rollback(st);
		if (err == GZ_EINVAL) {
			fprintf(stderr, "gazette: \"%s\" is not a page slug "
				"(lowercase letters, digits and -), or the title "
				"is empty or too long\n", slug);
			goto out;
		}
		goto fail;
	}
	if ((err = store_tx_commit(st)) != GZ_OK)
		goto fail;
	printf("/%s: %s\n", slug, title);
	rc = CLI_OK;
	goto out;
fail:
	fprintf(stderr, "gazette: cannot store the page (%s)\n",
		gz_strerror(err));
out:
	free(body);
	pool_free(pool);
	return rc;
}

int
cmd_pages(int argc, char **argv)
{
	static const struct option opts[] = {
		{"site", required_argument, NULL, 's'},
		{"title", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct config cfg;
	struct store *st = NULL;
	struct pool *pool = NULL;
	struct store_page *items = NULL;
	const char *site = NULL, *title = NULL, *sub;
	size_t n = 0, i;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			site = optarg;
			break;
		case 't':
			title = optarg;
			break;
		case 'h':
			fputs(pages_usage, stdout);
			return CLI_OK;
		default:
			fputs(pages_usage, stderr);
			return CLI_USAGE;
		}
	}
	if (optind == argc)
		goto usage;
	sub = argv[optind++];
	if (!((strcmp(sub, "list") == 0 && optind == argc && !title) ||
	      (strcmp(sub, "set") == 0 && optind + 2 == argc)))
		goto usage;
	site = cli_site_dir(site);
	if ((rc = cli_config_open(site, &cfg)) != CLI_OK)
		return rc;
	if ((rc = cli_store_open(site, &cfg, &st)) != CLI_OK) {
		config_fini(&cfg);
		return rc;
	}
	if (strcmp(sub, "set") == 0) {
		rc = pages_set(st, argv[optind], title, argv[optind + 1]);
	} else if (!(pool = pool_new(1u << 20)) ||
		   store_page_list(st, pool, &items, &n) != GZ_OK) {
		fprintf(stderr, "gazette: cannot list the pages\n");
		rc = CLI_FAIL;
	} else {
		for (i = 0; i < n; i++)
			printf("%-24s %s\n", items[i].slug, items[i].title);
		rc = CLI_OK;
	}
	pool_free(pool);
	store_close(st);
	config_fini(&cfg);
	return rc;
usage:
	fprintf(stderr, "gazette pages: expected \"list\" or \"set SLUG FILE\"\n");
	fputs(pages_usage, stderr);
	return CLI_USAGE;
}
