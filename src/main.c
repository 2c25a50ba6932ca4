/*
 * main.c - the gazette command: dispatches to a subcommand (cli/).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>

#include "cli/cli.h"
#include "media/media.h"
#include "util/err.h"

static const char usage[] =
	"usage: gazette COMMAND [OPTIONS]\n"
	"\n"
	"A news publishing server: articles, sections and tags, from one binary\n"
	"and one SQLite database.\n"
	"\n"
	"Commands:\n"
	"  init      create a site (gazette.conf and gazette.db)\n"
	"  import    import articles from plain-text or Markdown files\n"
	"  serve     serve a site over HTTP\n"
	"  comments  list readers' comments; approve, reject, spam, delete\n"
	"  authors   list the authors bylines name; set their bios\n"
	"  pages     list and set the newsroom's pages (about, privacy...)\n"
	"  settings  list and change the settings an admin sets over gazette.conf\n"
	"  user      add, list and remove staff accounts; set passwords\n"
	"  demo      serve a sample newsroom at once\n"
	"  backup    copy the database into a file, also while serving\n"
	"  restore   put a backup in place of the database\n"
	"  migrate   copy the database into PostgreSQL (--to URL)\n"
	"  routes    list every route the site serves\n"
	"  article   list, show, unpublish and delete articles\n"
	"  log       the newsroom's audit log: who did what, when\n"
	"  media     the site's photos: add, list, show, edit, remove\n"
	"\n"
	"Every command takes --site DIR (else $GAZETTE_SITE, else ./site) and\n"
	"--help. gazette --version prints the version.\n";

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{"init", cmd_init},
		{"import", cmd_import},
		{"serve", cmd_serve},
		{"comments", cmd_comments},
		{"authors", cmd_authors},
		{"pages", cmd_pages},
		{"user", cmd_user},
		{"demo", cmd_demo},
		{"backup", cmd_backup},
		{"restore", cmd_restore},
		{"migrate", cmd_migrate},
		{"routes", cmd_routes},
		{"settings", cmd_settings},
		{"article", cmd_article},
		{"log", cmd_log},
		{"media", cmd_media},
	};
	size_t i;

	if (argc < 2) {
		fputs(usage, stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage, stdout);
		return CLI_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("gazette %s\n", GZ_VERSION);
		return CLI_OK;
	}
	/* libsodium's own ChaCha20 generator, seeded from the kernel and
	 * kept per thread, instead of one getrandom() call per request:
	 * every article page response draws a CAPTCHA question and nonce. */
	randombytes_set_implementation(&randombytes_internal_implementation);
	if (sodium_init() < 0) {
		cli_error("libsodium failed to start");
		return CLI_FAIL;
	}
	/* Photos are decoded by a helper process (media.h): only its path
	 * is looked up here, before any command starts a thread. */
	media_init();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0) {
			return cmds[i].fn(argc - 1, argv + 1);
		}
	cli_error("unknown command \"%s\"", argv[1]);
	fputs(usage, stderr);
	return CLI_USAGE;
}
