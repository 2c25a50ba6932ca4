/*
 * cmd_user.c - `gazette user`: the newsroom's staff accounts on the
 * command line. `add NAME --role R` makes an account, `passwd NAME` sets
 * a password, `role NAME R` changes a role, `list` prints every account,
 * `remove NAME` removes one and `reset-totp NAME` removes a second
 * factor (for a lost phone). `gazette init` makes the first admin here
 * too (cli_user_first_admin).
 *
 * Data flow: passwords come from a prompt with echo off when stdin is a
 * terminal (asked twice), else one line of stdin; they are checked with
 * admin_password_problem and hashed with admin_password_hash at the
 * site's [admin] hash_cost; each change and its audit entry (actor
 * "cli:" and $USER, else "cli:root") are one transaction.
 *
 * Invariants: a password is wiped (sodium_memzero) as soon as it is
 * hashed, and never printed, except the one-time password of init,
 * printed once; the store refuses to remove or demote the last admin
 * (GZ_EFORBIDDEN), and that refusal is a message here.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "admin/admin.h"
#include "cli/cli.h"
#include "config/config.h"
#include "store/store.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"
#include "util/utf8.h"

/* A display name, in bytes (what store_user_add accepts). */
#define USER_DISPLAY_MAX 128u
/* Memory for one `list`. */
#define USER_POOL_MAX (16u * 1024u * 1024u)
/* An audit actor: "cli:" and a login name. */
#define USER_ACTOR_MAX 96u

static const char user_usage[] =
	"usage: gazette user add [--site DIR] NAME --role ROLE [--display-name TEXT]\n"
	"       gazette user passwd [--site DIR] NAME\n"
	"       gazette user role [--site DIR] NAME ROLE\n"
	"       gazette user list [--site DIR]\n"
	"       gazette user remove [--site DIR] NAME\n"
	"       gazette user reset-totp [--site DIR] NAME\n"
	"\n"
	"The newsroom's staff accounts (they sign in at BASE_URL/admin/login).\n"
	"A password is asked twice when stdin is a terminal, else read as one\n"
	"line from stdin. Every change is written to the audit log.\n"
	"\n"
	"  add          a new account with a password\n"
	"  passwd       set an account's password (signs it out everywhere)\n"
	"  role         change an account's role\n"
	"  list         every account: name, role, last sign-in, display name\n"
	"  remove       remove an account and its sessions\n"
	"  reset-totp   remove an account's second factor and recovery codes\n"
	"\n"
	"  --role ROLE          admin, editor, writer or moderator\n"
	"  --display-name TEXT  the name shown in the newsroom (default: none)\n"
	"\n"
	"Names are 1-32 characters of a-z, 0-9, '.', '_' and '-'. The last\n"
	"admin cannot be removed or demoted.\n";

static const char user_roles_hint[] =
	"a role is admin, editor, writer or moderator";
static const char user_names_hint[] =
	"a name is 1-32 characters of a-z, 0-9, '.', '_' and '-'";

/* The audit log's actor: "cli:" and $USER, else "cli:root". */
static void
user_actor(char out[USER_ACTOR_MAX])
{
	const char *who = getenv("USER");
	int n;

	if (!who || !*who || !utf8_valid(who, strlen(who), NULL))
		who = "root";
	n = snprintf(out, USER_ACTOR_MAX, "cli:%s", who);
	if (n < 0 || (size_t)n >= USER_ACTOR_MAX)
		(void)snprintf(out, USER_ACTOR_MAX, "cli:root");
}

/* Reads one line of at most GZ_LIMIT_PASSWORD_BYTES bytes from stdin
 * into buf (GZ_LIMIT_PASSWORD_BYTES + 2 bytes), without its line break.
 * Returns 0, 1 at end of input with nothing read, or 2 when the line is
 * longer (the rest of it is read and dropped). */
static int
user_read_line(char *buf, size_t size)
{
	size_t len;
	int ch;

	if (!fgets(buf, (int)size, stdin))
		return 1;
	len = strlen(buf);
	if (len > 0 && buf[len - 1] == '\n') {
		buf[--len] = '\0';
		if (len > 0 && buf[len - 1] == '\r')
			buf[--len] = '\0';
		return 0;
	}
	if (len <= GZ_LIMIT_PASSWORD_BYTES)
		return 0; /* the last line, without a break */
	while ((ch = getchar()) != EOF && ch != '\n')
		;
	return 2;
}

/* Prompts on stderr and reads a line with echo off. Same returns. */
static int
user_prompt(const char *prompt, char *buf, size_t size)
{
	struct termios old, quiet;
	bool restore = false;
	int r;

	fputs(prompt, stderr);
	fflush(stderr);
	if (tcgetattr(STDIN_FILENO, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
	}
	r = user_read_line(buf, size);
	if (restore)
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	return r;
}

/* Gets a new password for name and hashes it into hash at cfg's cost.
 * Prints what is wrong. Returns CLI_OK or CLI_FAIL. */
static int
user_password_new(const struct config *cfg, const char *name,
		  char hash[ADMIN_HASH_MAX])
{
	char pw[GZ_LIMIT_PASSWORD_BYTES + 2], again[GZ_LIMIT_PASSWORD_BYTES + 2];
	char prompt[96];
	struct admin *a = NULL;
	const char *problem;
	int r, rc = CLI_FAIL;

	pw[0] = again[0] = '\0';
	if (isatty(STDIN_FILENO)) {
		(void)snprintf(prompt, sizeof(prompt), "New password for %s: ",
			       name);
		r = user_prompt(prompt, pw, sizeof(pw));
		/* Asked again only when the first would do. */
		if (r == 0 && !admin_password_problem(pw) &&
		    (user_prompt("The same again: ", again, sizeof(again)) != 0 ||
		     strcmp(pw, again) != 0)) {
			cli_error("the two passwords differ; nothing was "
				  "changed");
			goto out;
		}
	} else {
		r = user_read_line(pw, sizeof(pw));
	}
	if (r == 1) {
		cli_error("no password given (type it, or give it as one line "
			  "on stdin)");
		goto out;
	}
	problem = r == 2 ? "Use at most 1024 bytes."
			 : admin_password_problem(pw);
	if (problem) {
		cli_error("%s", problem);
		goto out;
	}
	if ((rc = admin_new(cfg->secret, (enum admin_hash_cost)cfg->admin_hash_cost,
			    &a)) != GZ_OK) {
		cli_error("cannot hash the password (%s)", gz_strerror(rc));
		rc = CLI_FAIL;
		goto out;
	}
	if ((rc = admin_password_hash(a, pw, hash)) != GZ_OK) {
		cli_error("cannot hash the password (%s)", gz_strerror(rc));
		rc = CLI_FAIL;
		goto out;
	}
	rc = CLI_OK;
out:
	sodium_memzero(pw, sizeof(pw));
	sodium_memzero(again, sizeof(again));
	admin_free(a);
	return rc;
}

/* Reads the user called name into *u (strings in pool). Prints what is
 * wrong. Returns CLI_OK or CLI_FAIL. */
static int
user_find(struct store *st, struct pool *pool, const char *name,
	  struct store_user *u)
{
	int rc = store_user_by_name(st, pool, name, u);

	if (rc == GZ_OK)
		return CLI_OK;
	if (rc == GZ_ENOTFOUND)
		cli_error("no user \"%s\" (gazette user list shows them)", name);
	else
		cli_error("cannot read user \"%s\" (%s)", name, gz_strerror(rc));
	return CLI_FAIL;
}

/* Commits the open transaction with an audit entry, or rolls it back
 * when rc (the change's result) failed. Returns the first error. */
static int
user_commit(struct store *st, int rc, const char *action, const char *name,
	    const char *detail)
{
	char actor[USER_ACTOR_MAX], object[64];

	if (rc == GZ_OK) {
		user_actor(actor);
		(void)snprintf(object, sizeof(object), "user:%s", name);
		rc = store_audit_add(st, actor, action, object,
				     detail ? detail : "", "",
				     (int64_t)time(NULL));
	}
	if (rc == GZ_OK)
		rc = store_tx_commit(st);
	if (rc != GZ_OK)
		store_tx_rollback(st);
	return rc;
}

static int
user_add(struct store *st, const struct config *cfg, const char *name,
	 enum store_role role, const char *display)
{
	struct store_user u;
	char hash[ADMIN_HASH_MAX], detail[64];
	int64_t id = 0;
	int rc;

	if ((rc = user_password_new(cfg, name, hash)) != CLI_OK)
		return rc;
	memset(&u, 0, sizeof(u));
	u.name = name;
	u.display_name = display ? display : "";
	u.role = role;
	u.password_hash = hash;
	u.must_change_password = false;
	(void)snprintf(detail, sizeof(detail), "role %s", store_role_name(role));
	if ((rc = store_tx_begin(st)) == GZ_OK)
		rc = user_commit(st, store_user_add(st, &u, &id), "user-add",
				 name, detail);
	sodium_memzero(hash, sizeof(hash));
	if (rc == GZ_EEXIST) {
		cli_error("there is a user \"%s\" already", name);
		return CLI_FAIL;
	}
	if (rc != GZ_OK) {
		cli_error("cannot add user \"%s\" (%s)", name, gz_strerror(rc));
		return CLI_FAIL;
	}
	printf("%s: added, role %s\n", name, store_role_name(role));
	return CLI_OK;
}

static int
user_passwd(struct store *st, struct pool *pool, const struct config *cfg,
	    const char *name)
{
	struct store_user u;
	char hash[ADMIN_HASH_MAX];
	int rc;

	if ((rc = user_find(st, pool, name, &u)) != CLI_OK)
		return rc;
	if ((rc = user_password_new(cfg, name, hash)) != CLI_OK)
		return rc;
	if ((rc = store_tx_begin(st)) == GZ_OK) {
		rc = store_user_password_set(st, u.id, hash, false);
		/* A new password signs the account out everywhere. */
		if (rc == GZ_OK)
			rc = store_session_delete_user(st, u.id, NULL);
		rc = user_commit(st, rc, "user-passwd", name, NULL);
	}
	sodium_memzero(hash, sizeof(hash));
	if (rc != GZ_OK) {
		cli_error("cannot set the password of \"%s\" (%s)", name,
			  gz_strerror(rc));
		return CLI_FAIL;
	}
	printf("%s: password set; signed out everywhere\n", name);
	return CLI_OK;
}

static int
user_role(struct store *st, struct pool *pool, const char *name,
	  enum store_role role)
{
	struct store_user u;
	char detail[64];
	int rc;

	if ((rc = user_find(st, pool, name, &u)) != CLI_OK)
		return rc;
	(void)snprintf(detail, sizeof(detail), "%s to %s",
		       store_role_name(u.role), store_role_name(role));
	if ((rc = store_tx_begin(st)) == GZ_OK)
		rc = user_commit(st, store_user_role_set(st, u.id, role),
				 "user-role", name, detail);
	if (rc == GZ_EFORBIDDEN) {
		cli_error("\"%s\" is the last admin: make another user admin "
			  "first", name);
		return CLI_FAIL;
	}
	if (rc != GZ_OK) {
		cli_error("cannot change the role of \"%s\" (%s)", name,
			  gz_strerror(rc));
		return CLI_FAIL;
	}
	printf("%s: role %s\n", name, store_role_name(role));
	return CLI_OK;
}

static int
user_remove(struct store *st, struct pool *pool, const char *name)
{
	struct store_user u;
	int rc;

	if ((rc = user_find(st, pool, name, &u)) != CLI_OK)
		return rc;
	if ((rc = store_tx_begin(st)) == GZ_OK)
		rc = user_commit(st, store_user_remove(st, u.id), "user-remove",
				 name, NULL);
	if (rc == GZ_EFORBIDDEN) {
		cli_error("\"%s\" is the last admin and cannot be removed: make "
			  "another user admin first", name);
		return CLI_FAIL;
	}
	if (rc != GZ_OK) {
		cli_error("cannot remove \"%s\" (%s)", name, gz_strerror(rc));
		return CLI_FAIL;
	}
	printf("%s: removed\n", name);
	return CLI_OK;
}

static int
user_reset_totp(struct store *st, struct pool *pool, const char *name)
{
	struct store_user u;
	int rc;

	if ((rc = user_find(st, pool, name, &u)) != CLI_OK)
		return rc;
	if ((rc = store_tx_begin(st)) == GZ_OK)
		rc = user_commit(st, store_user_totp_set(st, u.id, NULL, 0),
				 "user-totp-reset", name, NULL);
	if (rc != GZ_OK) {
		cli_error("cannot reset the second factor of \"%s\" (%s)", name,
			  gz_strerror(rc));
		return CLI_FAIL;
	}
	printf("%s: second factor and recovery codes removed\n", name);
	return CLI_OK;
}

static int
user_list(struct store *st, struct pool *pool)
{
	struct store_user *items = NULL;
	char when[64];
	size_t n = 0, i;
	int rc;

	if ((rc = store_user_list(st, pool, &items, &n)) != GZ_OK) {
		cli_error("cannot list the users (%s)", gz_strerror(rc));
		return CLI_FAIL;
	}
	if (n == 0) {
		printf("no users yet: gazette user add NAME --role admin\n");
		return CLI_OK;
	}
	printf("%-32s %-10s %-20s %s\n", "NAME", "ROLE", "LAST SIGN-IN",
	       "DISPLAY NAME");
	for (i = 0; i < n; i++) {
		char *display = pool_strdup(pool, items[i].display_name
							  ? items[i].display_name
							  : "");
		struct tm tm;
		time_t t = (time_t)items[i].last_signin_at;

		if (items[i].last_signin_at <= 0 || !gmtime_r(&t, &tm) ||
		    strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm) == 0)
			(void)snprintf(when, sizeof(when), "never");
		printf("%-32s %-10s %-20s %s\n", items[i].name,
		       store_role_name(items[i].role)
			       ? store_role_name(items[i].role)
			       : "?",
		       when, display ? utf8_clean_line(display) : "");
	}
	return CLI_OK;
}

int
cli_user_first_admin(struct store *st, const struct config *cfg)
{
	struct admin *a = NULL;
	struct store_user u;
	char pw[ADMIN_ONETIME_LEN + 1], hash[ADMIN_HASH_MAX];
	int64_t id = 0;
	int rc;

	hash[0] = '\0';
	if ((rc = admin_new(cfg->secret, (enum admin_hash_cost)cfg->admin_hash_cost,
			    &a)) != GZ_OK)
		goto out;
	admin_password_generate(pw);
	if ((rc = admin_password_hash(a, pw, hash)) != GZ_OK)
		goto out;
	memset(&u, 0, sizeof(u));
	u.name = "admin";
	u.display_name = "";
	u.role = STORE_ROLE_ADMIN;
	u.password_hash = hash;
	u.must_change_password = true;
	if ((rc = store_tx_begin(st)) != GZ_OK)
		goto out;
	if ((rc = user_commit(st, store_user_add(st, &u, &id), "user-add",
			      "admin", "role admin; first admin, made by init")) !=
	    GZ_OK)
		goto out;
	printf("\nThe first admin account is \"admin\", with this one-time "
	       "password:\n\n    %s\n\n"
	       "It is shown only this once: sign in at %s/admin/login,\n"
	       "where you must change it. (gazette user passwd admin sets "
	       "another.)\n",
	       pw, cfg->base_url);
out:
	sodium_memzero(pw, sizeof(pw));
	sodium_memzero(hash, sizeof(hash));
	admin_free(a);
	if (rc != GZ_OK) {
		cli_error("cannot make the first admin (%s)", gz_strerror(rc));
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* The subcommands and how many arguments each takes after its name. */
static const struct {
	const char *name;
	int args;
} user_subs[] = {
	{"add", 1}, {"passwd", 1}, {"role", 2}, {"list", 0}, {"remove", 1},
	{"reset-totp", 1},
};

int
cmd_user(int argc, char **argv)
{
	static const struct option opts[] = {
		{"site", required_argument, NULL, 's'},
		{"role", required_argument, NULL, 'r'},
		{"display-name", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct config cfg;
	struct store *st = NULL;
	struct pool *pool = NULL;
	const char *site = NULL, *sub, *role_s = NULL, *display = NULL;
	const char *name = NULL;
	enum store_role role = STORE_ROLE_WRITER;
	size_t i, k = sizeof(user_subs) / sizeof(user_subs[0]);
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': site = optarg; break;
		case 'r': role_s = optarg; break;
		case 'd': display = optarg; break;
		case 'h': fputs(user_usage, stdout); return CLI_OK;
		default: fputs(user_usage, stderr); return CLI_USAGE;
		}
	}
	if (optind == argc) {
		fputs(user_usage, stderr);
		return CLI_USAGE;
	}
	sub = argv[optind++];
	for (i = 0; i < sizeof(user_subs) / sizeof(user_subs[0]); i++)
		if (strcmp(sub, user_subs[i].name) == 0)
			k = i;
	if (k == sizeof(user_subs) / sizeof(user_subs[0])) {
		fprintf(stderr, "gazette user: no command \"%s\"\n", sub);
		fputs(user_usage, stderr);
		return CLI_USAGE;
	}
	if (argc - optind != user_subs[k].args) {
		fprintf(stderr, "gazette user %s: expected %d argument%s\n", sub,
			user_subs[k].args, user_subs[k].args == 1 ? "" : "s");
		fputs(user_usage, stderr);
		return CLI_USAGE;
	}
	if ((role_s || display) && strcmp(sub, "add") != 0) {
		fprintf(stderr, "gazette user %s: --role and --display-name go "
			"with add\n", sub);
		return CLI_USAGE;
	}
	if (user_subs[k].args > 0) {
		name = argv[optind];
		if (!store_user_name_ok(name)) {
			cli_error("\"%s\" is not a valid name: %s", name,
				  user_names_hint);
			return CLI_USAGE;
		}
	}
	if (strcmp(sub, "add") == 0) {
		if (!role_s) {
			cli_error("user add needs --role: %s", user_roles_hint);
			return CLI_USAGE;
		}
		if (store_role_parse(role_s, &role) != GZ_OK) {
			cli_error("no role \"%s\": %s", role_s, user_roles_hint);
			return CLI_USAGE;
		}
		if (display && (strlen(display) > USER_DISPLAY_MAX ||
				!utf8_valid(display, strlen(display), NULL))) {
			cli_error("the display name must be UTF-8 text of at "
				  "most %u bytes", USER_DISPLAY_MAX);
			return CLI_USAGE;
		}
	}
	if (strcmp(sub, "role") == 0 &&
	    store_role_parse(argv[optind + 1], &role) != GZ_OK) {
		cli_error("no role \"%s\": %s", argv[optind + 1],
			  user_roles_hint);
		return CLI_USAGE;
	}
	site = cli_site_dir(site);
	if ((rc = cli_config_open(site, &cfg)) != CLI_OK)
		return rc;
	if ((rc = cli_store_open(site, &cfg, &st)) != CLI_OK) {
		config_fini(&cfg);
		return rc;
	}
	if (!(pool = pool_new(USER_POOL_MAX))) {
		cli_error("out of memory");
		rc = CLI_FAIL;
	} else if (strcmp(sub, "add") == 0) {
		rc = user_add(st, &cfg, name, role, display);
	} else if (strcmp(sub, "passwd") == 0) {
		rc = user_passwd(st, pool, &cfg, name);
	} else if (strcmp(sub, "role") == 0) {
		rc = user_role(st, pool, name, role);
	} else if (strcmp(sub, "list") == 0) {
		rc = user_list(st, pool);
	} else if (strcmp(sub, "remove") == 0) {
		rc = user_remove(st, pool, name);
	} else {
		rc = user_reset_totp(st, pool, name);
	}
	pool_free(pool);
	store_close(st);
	config_fini(&cfg);
	return rc;
}
