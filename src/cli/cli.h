/*
 * cli.h - the gazette command line: one function per subcommand, and what
 * they share (finding and opening a site, option parsing conventions).
 *
 * Exit statuses (design.md section 3): 0 success, 1 a failure the user
 * can fix (the message on stderr names what and where), 2 a usage error.
 */
#ifndef GZ_CLI_H
#define GZ_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct config;
struct store;

enum cli_exit {
	CLI_OK = 0,
	CLI_FAIL = 1,
	CLI_USAGE = 2,
};

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_comments(int argc, char **argv);
int cmd_authors(int argc, char **argv);
int cmd_pages(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
/* Copies the site's gazette.db into PostgreSQL (cmd_migrate.c). */
int cmd_migrate(int argc, char **argv);
int cmd_settings(int argc, char **argv);
int cmd_user(int argc, char **argv);
/* The media library: add, list, show, edit, rm (cmd_media.c). */
int cmd_media(int argc, char **argv);

/* Makes the site's first admin (name "admin", must change the password
 * at first sign-in) with a one-time password from
 * admin_password_generate, hashed at cfg's [admin] hash_cost, with its
 * audit entry, in one transaction; prints the password once on stdout,
 * with where to sign in (cfg's base_url + /admin/login). For gazette
 * init. Returns CLI_OK or CLI_FAIL (reported on stderr). */
int cli_user_first_admin(struct store *st, const struct config *cfg);
/* The newsroom's articles and audit log (cmd_article.c). */
int cmd_article(int argc, char **argv);
int cmd_log(int argc, char **argv);

/* The site directory: opt (--site) if given, else $GAZETTE_SITE, else
 * "./site". */
const char *cli_site_dir(const char *opt);
/* Joins dir and name into a string the caller frees with free(); NULL
 * when out of memory. */
char *cli_path(const char *dir, const char *name);
/* Loads dir's config into cfg (initialised here; caller calls
 * config_fini) and sets the time zone. Prints what went wrong. Returns
 * CLI_OK or CLI_FAIL. */
int cli_config_open(const char *dir, struct config *cfg);
/* Makes cfg's [media] dir absolute: a relative one is in the site
 * directory dir. Returns GZ_OK or GZ_ENOMEM. */
int cli_config_media_dir(const char *dir, struct config *cfg);
/* Opens dir's database, which must exist: cfg's [store] url (cfg is
 * dir's config, from cli_config_open) when it names one, else dir's
 * gazette.db. A site without one, and one that cannot be opened, is
 * locked, is not a database or is from a newer gazette, is a message
 * saying so. Returns CLI_OK or CLI_FAIL. Caller closes *st with
 * store_close. */
int cli_store_open(const char *dir, const struct config *cfg,
		   struct store **st);
/* The same, making the database when missing (init, demo). */
int cli_store_create(const char *dir, const struct config *cfg,
		     struct store **st);
/* dir's [store] url (malloc'd, the caller frees) or NULL: its gazette.db,
 * for a command that has not loaded the config (backup). Returns CLI_OK,
 * or CLI_FAIL with the reason printed. */
int cli_store_url(const char *dir, char **url);
/* Serves an opened site until SIGINT or SIGTERM, reloading gazette.conf
 * and the theme on SIGHUP. listen overrides the config's address when
 * not NULL. Returns an exit status. */
int cli_serve_site(const char *dir, struct config *cfg, struct store *st,
		   const char *listen);
/* Applies the settings stored in st over cfg (gazette.conf's values;
 * config_overlay: a bad one is logged and skipped), the time zone only
 * when zone is true (at start, before threads). Returns GZ_OK, the
 * store's error or GZ_ENOMEM (cmd_settings.c). */
int cli_settings_overlay(struct store *st, struct config *cfg, bool zone);
/*
 * Importing a file (cmd_import.c, import_images.c), in three steps so that
 * the slow one holds no lock: cli_import_prepare parses, checks and renders
 * it; cli_import_image reads and ingests its lead image (media_ingest: the
 * variant files), outside any transaction; cli_import_store writes it as
 * one unit of the caller's open transaction (store_tx_unit_begin/end): the
 * image's media row, the article with that lead image, the audit entry,
 * all of it or nothing, whatever the other files of the transaction do.
 * Each step reports its failure on stderr as "NAME:LINE: what" (name is
 * how messages show the file) and returns the error.
 */
struct cli_import;

/* Where an import finds the images its articles name (front matter
 * "image:", which the parser has checked: relative, no ".." component). */
struct cli_image_source {
	/* Reads the image name (as written in the front matter), at most
	 * GZ_LIMIT_MEDIA_BYTES. Output: *data, *len, and *owned: what the
	 * caller passes to free() when done (NULL when data is not its own).
	 * Returns GZ_OK, or GZ_ENOTFOUND, GZ_ETOOBIG, GZ_EIO or GZ_ENOMEM
	 * with one sentence in why[0..why_size). */
	int (*read)(void *ctx, const char *name, const unsigned char **data,
		    size_t *len, void **owned, char *why, size_t why_size);
	void *ctx;
};
/* A cli_image_source read for files on disk; ctx is the folder (a
 * string) the names are relative to: the imported file's. */
int cli_image_read_file(void *ctx, const char *name,
			const unsigned char **data, size_t *len, void **owned,
			char *why, size_t why_size);

/* Parses and renders data[0..len) (not kept past the call) into *out;
 * cfg gives the default language. Returns GZ_OK, GZ_EPARSE or another
 * error, reported. Caller frees *out with cli_import_free. */
int cli_import_prepare(const struct config *cfg, const char *name,
		       const char *data, size_t len, struct cli_import **out);
/* True when the article names a lead image (cli_import_image has work). */
bool cli_import_has_image(const struct cli_import *imp);
/* Reads the lead image from src and makes its variants under media_dir
 * (cfg's media_dir, or a scratch folder for a dry run), with AVIF ones
 * when cfg asks and libvips can. Does nothing without an image. Must not
 * run inside a transaction: it takes hundreds of milliseconds. A refused
 * image is reported as "NAME:LINE: image: <why>", LINE the image: line.
 * Returns GZ_OK or the error. */
int cli_import_image(struct cli_import *imp, const struct config *cfg,
		     const struct cli_image_source *src,
		     const char *media_dir);
/* Stores the article (and its lead image's row, found again by hash when
 * the same bytes were imported before) as one unit of st's open
 * transaction. key identifies the source: importing it again updates its
 * article, whose lead image is then the file's (none when it names none).
 * Output: *created. Returns GZ_OK or the error, reported. */
int cli_import_store(struct store *st, struct cli_import *imp,
		     const char *key, bool *created);
/* Frees imp; NULL does nothing. */
void cli_import_free(struct cli_import *imp);
/* The three steps in one, for a caller whose transaction is already open
 * (the demo, before it serves): prepare, image (from src, into cfg's
 * media_dir), store. Output: *created. Returns GZ_OK or the error already
 * reported on stderr. */
int cli_import_bytes(struct store *st, const struct config *cfg,
		     const char *name, const char *key, const char *data,
		     size_t len, const struct cli_image_source *src,
		     bool *created);
/* Removes dir and everything under it (a scratch or throwaway folder);
 * a dir that does not exist is no error. Returns GZ_OK or GZ_EIO. */
int cli_rmtree(const char *dir);
/* Renders again every article of st whose stored HTML is missing or was
 * made by another renderer version than RENDER_MD_VERSION, a few hundred
 * per transaction; called before a site is served. With nothing to do it
 * is one query. Reports what it does and what it skips (an article whose
 * HTML would pass GZ_LIMIT_MARKDOWN_BYTES stays stale) on progress, when
 * not NULL. Returns GZ_OK, or the store's error or GZ_ENOMEM (reported on
 * progress). */
int cli_html_refresh(struct store *st, FILE *progress);
/* Prints "gazette: " and the message on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The actor of a command's writes (the audit log, the moderation log):
 * "cli:" and the login name, else "cli:" and the uid (cmd_comments.c). */
void cli_actor(char *out, size_t outlen);
/* Copies s into out (max * 4 + 4 bytes) as one line for a terminal:
 * white space folded, control and bidi-control characters dropped, bytes
 * that are not UTF-8 as '?', cut at max characters with "...". Returns
 * the characters written (cmd_comments.c). */
size_t cli_term_text(const char *s, size_t max, char *out);
/* Writes s to f as lines for a terminal: its line breaks kept, tabs
 * kept, every other control and bidi-control character dropped, bytes
 * that are not UTF-8 as '?' (cmd_comments.c). */
void cli_term_block(FILE *f, const char *s);
/* True when stderr is a terminal (progress is shown only then). */
bool cli_stderr_is_tty(void);

#endif
