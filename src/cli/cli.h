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
int cmd_settings(int argc, char **argv);
int cmd_user(int argc, char **argv);

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
/* Opens dir's database, which must exist: a site without one, and one
 * that cannot be opened, is locked, is not a database or is from a newer
 * gazette, is a message saying so. Returns CLI_OK or CLI_FAIL. Caller
 * closes *st with store_close. */
int cli_store_open(const char *dir, struct store **st);
/* The same, making the database when missing (init, demo). */
int cli_store_create(const char *dir, struct store **st);
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
/* Imports one file's bytes into st as one unit of the caller's open
 * transaction (store_tx_unit_begin/end): all of it or nothing, whatever
 * the other files of the transaction do. name is shown in messages
 * ("FILE:LINE: expected ..."); key identifies the source, so importing it
 * again updates its article. Output: *created. Returns GZ_OK or the error
 * already reported on stderr. */
int cli_import_bytes(struct store *st, const struct config *cfg,
		     const char *name, const char *key, const char *data,
		     size_t len, bool *created);
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
