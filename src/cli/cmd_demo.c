/*
 * cmd_demo.c - `gazette demo`: a sample newsroom, served at once.
 *
 * Makes a throwaway site (a temporary directory, removed on exit, unless
 * --site names one), imports the demo articles compiled into the binary
 * (demo/articles/), six of them with a photo of our own making
 * (demo/photos/, drawn by tools/demo_photos.c) as lead image, with a few
 * readers' comments (demo/comments.json), and serves it. The demo goes through the same import
 * and serving code as a real site: it is also our smoke test. It also
 * gives the newsroom one account per role (admin, editor, writer,
 * moderator) sharing one fresh password, printed at start, so that a new
 * user can sign in to /admin at once.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "admin/admin.h"
#include "cli/cli.h"
#include "config/config.h"
#include "store/store.h"
#include "util/embed.h"
#include "util/err.h"
#include "util/pool.h"

static const char demo_usage[] =
	"usage: gazette demo [--listen ADDR:PORT] [--site DIR]\n"
	"\n"
	"Serves a sample newsroom (the Riverton Gazette) at once, by default at\n"
	"http://127.0.0.1:8080/, from a temporary site removed on exit; with\n"
	"--site, from DIR, which is created and kept.\n";

/* Writes a new demo config into dir. */
static int
demo_config_write(const char *dir, const char *listen)
{
	struct config cfg;
	char err[512], *path = NULL, *url = NULL;
	int rc = CLI_FAIL;

	if (config_init(&cfg) != GZ_OK || config_secret_generate(&cfg) != GZ_OK)
		goto out;
	if (!(url = malloc(strlen(listen) + 8)))
		goto out;
	memcpy(url, "http://", 7);
	memcpy(url + 7, listen, strlen(listen) + 1);
	/* The demo's stories are dated autumn 2026; their comments stay
	 * open however late someone tries it. */
	if (config_set(&cfg, "comments", "close_after_days", "0", err, sizeof(err)) ||
	    config_set(&cfg, "site", "timezone", "America/New_York", err, sizeof(err)) ||
	    config_set(&cfg, "site", "base_url", url, err, sizeof(err)) ||
	    config_set(&cfg, "server", "listen", listen, err, sizeof(err))) {
		cli_error("%s", err);
		goto out;
	}
	if (!(path = cli_path(dir, CONFIG_FILE)) ||
	    config_write_new(&cfg, path) != GZ_OK) {
		cli_error("cannot write the demo config in %s", dir);
		goto out;
	}
	rc = CLI_OK;
out:
	free(path);
	free(url);
	config_fini(&cfg);
	return rc;
}

/* A cli_image_source for the demo's photos, compiled in with demo/.
 * Their names in the articles' front matter are relative to demo/
 * itself ("photos/river-bridge.jpg"), not to the articles' folder: an
 * image path may not climb out of its folder with "..". */
static int
demo_image_read(void *ctx, const char *name, const unsigned char **data,
		size_t *len, void **owned, char *why, size_t why_size)
{
	size_t i;

	(void)ctx;
	*owned = NULL;
	for (i = 0; i < embed_demo_count; i++) {
		if (strcmp(embed_demo[i].name, name) == 0) {
			*data = embed_demo[i].data;
			*len = embed_demo[i].len;
			return GZ_OK;
		}
	}
	snprintf(why, why_size, "no %s among the demo's files", name);
	return GZ_ENOTFOUND;
}

/* True for an embedded article (demo/articles/, not its photos). */
static bool
demo_is_article(const char *name)
{
	size_t n = strlen(name);

	return strncmp(name, "articles/", 9) == 0 &&
	       ((n > 3 && strcmp(name + n - 3, ".md") == 0) ||
		(n > 4 && strcmp(name + n - 4, ".txt") == 0));
}

/* Imports the demo's articles through the import's own steps: every
 * file parsed and its photo resized first, then the whole newsroom in
 * one commit. */
static int
demo_import(struct store *st, const struct config *cfg)
{
	const struct cli_image_source src = {demo_image_read, NULL};
	struct cli_import **imps = NULL;
	char key[256];
	bool created;
	size_t i;
	int k, rc = CLI_FAIL;

	if (!(imps = calloc(embed_demo_count, sizeof(*imps))))
		return CLI_FAIL;
	for (i = 0; i < embed_demo_count; i++) {
		const struct embed_file *f = &embed_demo[i];

		if (!demo_is_article(f->name))
			continue;
		if (cli_import_prepare(cfg, f->name, (const char *)f->data,
				       f->len, &imps[i]) != GZ_OK ||
		    cli_import_image(imps[i], cfg, &src, cfg->media_dir) !=
			    GZ_OK)
			goto out;
	}
	if (store_tx_begin(st) != GZ_OK)
		goto out;
	for (i = 0; i < embed_demo_count; i++) {
		if (!imps[i])
			continue;
		k = snprintf(key, sizeof(key), "demo:%s", embed_demo[i].name);
		if (k < 0 || (size_t)k >= sizeof(key) ||
		    cli_import_store(st, imps[i], key, &created) != GZ_OK) {
			store_tx_rollback(st);
			goto out;
		}
	}
	if (store_tx_commit(st) == GZ_OK)
		rc = CLI_OK;
out:
	for (i = 0; i < embed_demo_count; i++)
		cli_import_free(imps[i]);
	free(imps);
	return rc;
}

/* Stores one seeded comment (and its replies), dated minutes after the
 * article: approved, unless the entry says "status": "pending" with the
 * "hold" reason a moderator is shown, so that the demo's moderation queue
 * has work in it. */
static int
demo_comment(struct store *st, int64_t article_id, int64_t published_at,
	     int64_t parent_id, json_t *c)
{
	struct store_comment_input in = {0};
	json_t *replies, *r;
	const char *status;
	int64_t id;
	size_t i;

	in.article_id = article_id;
	in.parent_id = parent_id;
	in.author = json_string_value(json_object_get(c, "author"));
	in.body = json_string_value(json_object_get(c, "body"));
	in.email = "";
	in.ip = "";
	in.status = STORE_COMMENT_APPROVED;
	status = json_string_value(json_object_get(c, "status"));
	if (status && strcmp(status, "pending") == 0) {
		in.status = STORE_COMMENT_PENDING;
		in.hold_reason = json_string_value(json_object_get(c, "hold"));
	}
	in.created_at = published_at +
		60 * (int64_t)json_integer_value(json_object_get(c, "minutes"));
	if (!in.author || !in.body ||
	    store_comment_insert(st, &in, &id) != GZ_OK)
		return CLI_FAIL;
	replies = json_object_get(c, "replies");
	json_array_foreach(replies, i, r)
		if (demo_comment(st, article_id, published_at, id, r) != CLI_OK)
			return CLI_FAIL;
	return CLI_OK;
}

/* Seeds the demo's conversation from demo/comments.json, unless the site
 * has comments already (a demo --site run a second time). */
static int
demo_comments(struct store *st, struct pool *pool)
{
	const struct embed_file *f = NULL;
	struct store_comment_filter any = {.status = -1, .limit = 1};
	struct store_comment *existing;
	struct store_article a;
	json_error_t jerr;
	json_t *root = NULL, *entry, *list, *c;
	size_t i, j, n = 0;
	int64_t id;
	int rc = CLI_FAIL;

	for (i = 0; i < embed_demo_count; i++)
		if (strcmp(embed_demo[i].name, "comments.json") == 0)
			f = &embed_demo[i];
	if (!f || store_comment_query(st, pool, &any, &existing, &n) != GZ_OK)
		return f ? CLI_FAIL : CLI_OK;
	if (n > 0)
		return CLI_OK;
	if (!(root = json_loadb((const char *)f->data, f->len, 0, &jerr))) {
		cli_error("demo/comments.json:%d: %s", jerr.line, jerr.text);
		return CLI_FAIL;
	}
	if (store_tx_begin(st) != GZ_OK)
		goto out;
	json_array_foreach(root, i, entry) {
		char key[256];
		const char *name = json_string_value(json_object_get(entry, "article"));

		if (!name || snprintf(key, sizeof(key), "demo:%s", name) >= (int)sizeof(key) ||
		    store_article_id_by_key(st, key, &id) != GZ_OK ||
		    store_article_get(st, pool, id, 0, &a) != GZ_OK) {
			cli_error("demo/comments.json: no article %s", name ? name : "?");
			store_tx_rollback(st);
			goto out;
		}
		list = json_object_get(entry, "comments");
		json_array_foreach(list, j, c)
			if (demo_comment(st, id, a.published_at, 0, c) != CLI_OK) {
				store_tx_rollback(st);
				goto out;
			}
	}
	if (store_tx_commit(st) == GZ_OK)
		rc = CLI_OK;
out:
	json_decref(root);
	return rc;
}

/* Removes the throwaway site's files and directory. */
static void
demo_cleanup(const char *dir)
{
	static const char *const files[] = {
		CONFIG_FILE, CONFIG_DB, CONFIG_DB "-wal", CONFIG_DB "-shm",
	};
	size_t i;
	char *p;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if ((p = cli_path(dir, files[i])) != NULL) {
			unlink(p);
			free(p);
		}
	}
	/* The photos' variants (the demo's config keeps [media] dir at
	 * its default, media/ in the site). */
	if ((p = cli_path(dir, "media")) != NULL) {
		(void)cli_rmtree(p);
		free(p);
	}
	rmdir(dir);
}

/* Gives a demo site without staff one account per role, all with one
 * new password, and says so on stderr. A demo site kept with --site keeps
 * the accounts it has (and their password). */
static int
demo_staff(struct store *st, const struct config *cfg)
{
	static const struct {
		const char *name, *display;
		enum store_role role;
	} staff[] = {
		{"admin", "Ada Admin", STORE_ROLE_ADMIN},
		{"editor", "Ed Itor", STORE_ROLE_EDITOR},
		{"writer", "Wren Writer", STORE_ROLE_WRITER},
		{"moderator", "Mo Derator", STORE_ROLE_MODERATOR},
	};
	struct admin *a = NULL;
	struct store_user u;
	char pw[ADMIN_ONETIME_LEN + 1], hash[ADMIN_HASH_MAX];
	int64_t n = 0, id;
	size_t i;
	int rc;

	hash[0] = '\0';
	if ((rc = store_user_count(st, &n)) != GZ_OK || n > 0)
		goto out;
	if ((rc = admin_new(cfg->secret,
			    (enum admin_hash_cost)cfg->admin_hash_cost, &a)))
		goto out;
	admin_password_generate(pw);
	if ((rc = admin_password_hash(a, pw, hash)) != GZ_OK)
		goto out;
	if ((rc = store_tx_begin(st)) != GZ_OK)
		goto out;
	for (i = 0; i < sizeof(staff) / sizeof(staff[0]) && rc == GZ_OK; i++) {
		memset(&u, 0, sizeof(u));
		u.name = staff[i].name;
		u.display_name = staff[i].display;
		u.role = staff[i].role;
		u.password_hash = hash;
		rc = store_user_add(st, &u, &id);
	}
	if (rc == GZ_OK)
		rc = store_audit_add(st, "cli:demo", "user-add", "",
				     "the demo's four accounts", "",
				     (int64_t)time(NULL));
	if (rc == GZ_OK)
		rc = store_tx_commit(st);
	else
		store_tx_rollback(st);
	if (rc == GZ_OK)
		fprintf(stderr, "gazette: the newsroom is at %s/admin/login: "
			"sign in as admin, editor, writer or moderator, each "
			"with the password\n  %s\n", cfg->base_url, pw);
out:
	sodium_memzero(pw, sizeof(pw));
	sodium_memzero(hash, sizeof(hash));
	admin_free(a);
	if (rc != GZ_OK) {
		cli_error("cannot make the demo's accounts (%s)",
			  gz_strerror(rc));
		return CLI_FAIL;
	}
	return CLI_OK;
}

int
cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{"site", required_argument, NULL, 's'},
		{"listen", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char tmp[] = "/tmp/gazette-demo-XXXXXX", *conf = NULL;
	const char *site = NULL, *listen = "127.0.0.1:8080";
	struct config cfg;
	struct store *st = NULL;
	bool have_cfg = false, throwaway = false;
	struct pool *pool = NULL;
	struct stat sb;
	int c, rc = CLI_FAIL;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': site = optarg; break;
		case 'l': listen = optarg; break;
		case 'h': fputs(demo_usage, stdout); return CLI_OK;
		default: fputs(demo_usage, stderr); return CLI_USAGE;
		}
	}
	if (optind != argc) {
		fputs(demo_usage, stderr);
		return CLI_USAGE;
	}
	if (!site) {
		if (!mkdtemp(tmp)) {
			cli_error("cannot make a temporary directory: %s",
				  strerror(errno));
			return CLI_FAIL;
		}
		site = tmp;
		throwaway = true;
	} else if (mkdir(site, 0755) != 0 && errno != EEXIST) {
		cli_error("cannot create %s: %s", site, strerror(errno));
		return CLI_FAIL;
	}
	if (!(conf = cli_path(site, CONFIG_FILE)))
		goto out;
	if (stat(conf, &sb) != 0 && demo_config_write(site, listen) != CLI_OK)
		goto out;
	if (cli_config_open(site, &cfg) != CLI_OK)
		goto out;
	have_cfg = true;
	if (cli_store_create(site, &cfg, &st) != CLI_OK || demo_import(st, &cfg) != CLI_OK)
		goto out;
	if (!(pool = pool_new(16u * 1024u * 1024u)) ||
	    demo_comments(st, pool) != CLI_OK || demo_staff(st, &cfg) != CLI_OK)
		goto out;
	/* The throwaway site's path is the moderator's way in, with the
	 * binary as it was run (./build/gazette from make demo). */
	fprintf(stderr, "gazette: demo site in %s (%s); readers' comments "
		"wait for you there:\n"
		"  %s comments list --site %s\n", site,
		throwaway ? "removed when the demo stops" : "kept",
		program_invocation_name, site);
	rc = cli_serve_site(site, &cfg, st, listen);
out:
	pool_free(pool);
	store_close(st);
	if (have_cfg)
		config_fini(&cfg);
	free(conf);
	if (throwaway)
		demo_cleanup(site);
	return rc;
}
