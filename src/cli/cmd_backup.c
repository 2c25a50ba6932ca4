/*
 * cmd_backup.c - `gazette backup FILE` and `gazette restore FILE`: the
 * command lines over store_backup_to and store_restore_from
 * (store/backup.c), which do the work and the checks.
 *
 * backup copies the site's gazette.db into FILE while the site is served
 * and taking comments; restore puts such a file back in place of the
 * site's gazette.db, only when the site is not being served, keeping the
 * old database beside it. Both show progress on a terminal (stderr) and
 * stay quiet when piped; each ends with one line on stdout saying what
 * it did, and an error with one line on stderr naming what and where.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "config/config.h"
#include "store/store.h"
#include "util/err.h"

/* Room for the messages of store/backup.c: two paths and a sentence. */
#define BACKUP_MSG_MAX 8192

static const char backup_usage[] =
	"usage: gazette backup [--site DIR] [--force] FILE\n"
	"\n"
	"Copies the site's database (DIR/gazette.db) into FILE, also while\n"
	"the site is served and taking comments: the copy is the database as\n"
	"it was when the backup began, checked (SQLite's integrity check)\n"
	"before it is given the name FILE. An existing FILE is kept unless\n"
	"--force. FILE is one SQLite file; `gazette restore FILE` puts it\n"
	"back.\n"
	"\n"
	"  --force   replace FILE if it exists\n";

static const char restore_usage[] =
	"usage: gazette restore [--site DIR] FILE\n"
	"\n"
	"Replaces the site's database (DIR/gazette.db) by the backup FILE.\n"
	"FILE is checked first (an SQLite database, whole, gazette's, not\n"
	"from a newer gazette); nothing is replaced when it is not. Refuses\n"
	"while the site is served: stop gazette serve first. The old database\n"
	"is kept as DIR/gazette.db.before-restore-DATE.\n";

/* Progress on a terminal: percent of pages, on one line redrawn. */
struct progress {
	const char *what; /* "backup", "restore" */
	int last;         /* the percent last shown, or -1 */
	bool shown;
};

static void
progress_show(void *ctx, int64_t done, int64_t total)
{
	struct progress *p = ctx;
	int pct = total > 0 ? (int)(done * 100 / total) : 100;

	if (pct == p->last)
		return;
	p->last = pct;
	p->shown = true;
	fprintf(stderr, "\r%s: %3d%% (%lld of %lld pages)", p->what, pct,
		(long long)done, (long long)total);
	fflush(stderr);
}

/* Ends the progress line, if one was drawn. */
static void
progress_end(struct progress *p)
{
	if (p->shown)
		fputc('\n', stderr);
	p->shown = false;
}

/* Formats a size in bytes for people into out[outlen]: "812 bytes",
 * "4.2 MB". */
static void
size_human(int64_t bytes, char *out, size_t outlen)
{
	static const char *const units[] = {"KB", "MB", "GB", "TB"};
	double v = (double)bytes;
	size_t u = 0;

	if (bytes < 1000) {
		(void)snprintf(out, outlen, "%lld bytes", (long long)bytes);
		return;
	}
	v /= 1000.0;
	while (v >= 1000.0 && u + 1 < sizeof(units) / sizeof(*units)) {
		v /= 1000.0;
		u++;
	}
	(void)snprintf(out, outlen, "%.1f %s", v, units[u]);
}

/* Parses [--site DIR] [--force] FILE for usage (backup or restore; force
 * NULL when not accepted). Returns CLI_OK with *site and *file set, a
 * usage status, or -1 after printing the help (exit 0). */
static int
args_parse(int argc, char **argv, const char *usage, const char **site,
	   bool *force, const char **file)
{
	static const struct option opts[] = {
		{"site", required_argument, NULL, 's'},
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*site = NULL;
	*file = NULL;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			*site = optarg;
			break;
		case 'f':
			if (!force) {
				cli_error("%s takes no --force", argv[0]);
				fputs(usage, stderr);
				return CLI_USAGE;
			}
			*force = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		default:
			fputs(usage, stderr);
			return CLI_USAGE;
		}
	}
	if (optind == argc) {
		cli_error("%s: which file? give its name", argv[0]);
		fputs(usage, stderr);
		return CLI_USAGE;
	}
	if (argc - optind > 1) {
		cli_error("%s takes one file (\"%s\" is one too many)", argv[0],
			  argv[optind + 1]);
		fputs(usage, stderr);
		return CLI_USAGE;
	}
	if (!*argv[optind]) {
		cli_error("%s: the file name is empty", argv[0]);
		return CLI_USAGE;
	}
	*file = argv[optind];
	*site = cli_site_dir(*site);
	return CLI_OK;
}

/* A site whose database is PostgreSQL has no file to copy: said, with
 * PostgreSQL's own tools to use. Returns CLI_OK when it is a file. */
static int
backup_file_site(const char *site, const char *what)
{
	char *url = NULL;

	if (cli_store_url(site, &url) != CLI_OK)
		return CLI_FAIL;
	if (!url)
		return CLI_OK;
	free(url);
	cli_error("%s keeps its database in PostgreSQL ([store] url): %s "
		  "works on a site's own gazette.db; use pg_dump and "
		  "pg_restore there", site, what);
	return CLI_FAIL;
}

int
cmd_backup(int argc, char **argv)
{
	struct progress prog = {"backup", -1, false};
	struct store_file_info info;
	const char *site, *file;
	char *db = NULL, *msg = NULL, size[32];
	bool force = false;
	int rc, err;

	rc = args_parse(argc, argv, backup_usage, &site, &force, &file);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if (backup_file_site(site, "gazette backup") != CLI_OK)
		return CLI_FAIL;
	if (!(db = cli_path(site, CONFIG_DB)) ||
	    !(msg = malloc(BACKUP_MSG_MAX))) {
		cli_error("out of memory");
		rc = CLI_FAIL;
		goto out;
	}
	err = store_backup_to(db, file, force,
			      cli_stderr_is_tty() ? progress_show : NULL,
			      &prog, &info, msg, BACKUP_MSG_MAX);
	progress_end(&prog);
	if (err == GZ_EEXIST) {
		cli_error("%s; give --force to replace it", msg);
		rc = CLI_FAIL;
		goto out;
	}
	if (err == GZ_ENOTFOUND) {
		cli_error("%s; is --site %s the site?", msg, site);
		rc = CLI_FAIL;
		goto out;
	}
	if (err != GZ_OK) {
		cli_error("backup failed: %s", msg);
		rc = CLI_FAIL;
		goto out;
	}
	size_human(info.bytes, size, sizeof(size));
	printf("backed up %s to %s: %s, %lld articles, %lld comments\n", db,
	       file, size, (long long)info.articles, (long long)info.comments);
	rc = CLI_OK;
out:
	free(msg);
	free(db);
	return rc;
}

int
cmd_restore(int argc, char **argv)
{
	struct progress prog = {"restore", -1, false};
	struct store_file_info info;
	const char *site, *file;
	char *db = NULL, *msg = NULL, *kept = NULL;
	struct stat sb;
	int rc, err;

	rc = args_parse(argc, argv, restore_usage, &site, NULL, &file);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if (stat(site, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		cli_error("no site at %s (not a directory); create one with: "
			  "gazette init --site %s", site, site);
		return CLI_FAIL;
	}
	if (backup_file_site(site, "gazette restore") != CLI_OK)
		return CLI_FAIL;
	if (!(db = cli_path(site, CONFIG_DB)) ||
	    !(msg = malloc(BACKUP_MSG_MAX)) ||
	    !(kept = malloc(BACKUP_MSG_MAX))) {
		cli_error("out of memory");
		rc = CLI_FAIL;
		goto out;
	}
	err = store_restore_from(file, db,
				 cli_stderr_is_tty() ? progress_show : NULL,
				 &prog, &info, kept, BACKUP_MSG_MAX, msg,
				 BACKUP_MSG_MAX);
	progress_end(&prog);
	if (err != GZ_OK) {
		cli_error("restore refused: %s (%s is unchanged)", msg, db);
		rc = CLI_FAIL;
		goto out;
	}
	if (*msg)
		cli_error("warning: %s", msg);
	printf("restored %s from %s: %lld articles, %lld comments\n", db, file,
	       (long long)info.articles, (long long)info.comments);
	if (*kept)
		printf("the previous database is kept as %s\n", kept);
	rc = CLI_OK;
out:
	free(kept);
	free(msg);
	free(db);
	return rc;
}
