/*
 * cmd_comments.c - `gazette comments`: the moderation queue on the
 * command line. `list` prints comments as a table; `approve`, `reject`,
 * `spam` and `delete` act on comment ids, each id in its own transaction,
 * logged in moderation_log as "cli:" and the login name.
 *
 * Invariant: text that readers wrote reaches the terminal only through
 * term_text, which drops control and bidirectional-control characters,
 * so a comment cannot move the cursor, retitle the window, hide itself
 * or reorder the line it is printed on.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/config.h"
#include "store/store.h"
#include "util/date.h"
#include "util/err.h"
#include "util/pool.h"
#include "util/utf8.h"

/* Characters of a comment's body shown in `list`. */
#define BODY_CHARS 60
/* Characters of an author's name shown in `list`. */
#define AUTHOR_CHARS 24
/* Bytes for term_text's output of max characters: up to 4 bytes each,
 * the "..." of a cut, and the NUL. */
#define TERM_BYTES(max) ((max) * 4 + 4)
/* Memory for one `list`: up to LIST_LIMIT_MAX comments with their
 * bodies. */
#define LIST_POOL_MAX (64u * 1024u * 1024u)
/* Comments `list` shows without --limit, and at most with it (the most
 * store_comment_query returns). */
#define LIST_LIMIT_DEFAULT 100
#define LIST_LIMIT_MAX 1000

static const char comments_usage[] =
	"usage: gazette comments list [--site DIR] [--status STATUS]\n"
	"                             [--article ID] [--limit N]\n"
	"       gazette comments show [--site DIR] ID\n"
	"       gazette comments approve|reject|spam|delete [--site DIR] ID...\n"
	"\n"
	"Lists readers' comments and moderates them. Every action is logged\n"
	"with your login name.\n"
	"\n"
	"  list      comments, newest first, as a table\n"
	"  show      one comment in full: article, thread, status, hold reason\n"
	"  approve   publish the comments\n"
	"  reject    hide the comments\n"
	"  spam      hide the comments as spam\n"
	"  delete    remove the comments for good; their replies move up\n"
	"\n"
	"  --status STATUS   pending (default), approved, rejected, spam or all\n"
	"  --article ID      only the comments on article ID\n"
	"  --limit N         at most N comments (default 100, at most 1000)\n";

static const char *const status_names[] = {
	[STORE_COMMENT_PENDING] = "pending",
	[STORE_COMMENT_APPROVED] = "approved",
	[STORE_COMMENT_REJECTED] = "rejected",
	[STORE_COMMENT_SPAM] = "spam",
};

#define NSTATUS (sizeof(status_names) / sizeof(*status_names))

enum comments_action {
	ACTION_LIST,
	ACTION_APPROVE,
	ACTION_REJECT,
	ACTION_SPAM,
	ACTION_DELETE,
	ACTION_SHOW,
};

static const struct {
	const char *name;  /* the subcommand */
	const char *done;  /* printed before the id when it worked */
} actions[] = {
	[ACTION_LIST] = {"list", NULL},
	[ACTION_APPROVE] = {"approve", "approved"},
	[ACTION_REJECT] = {"reject", "rejected"},
	[ACTION_SPAM] = {"spam", "marked as spam"},
	[ACTION_DELETE] = {"delete", "deleted"},
	[ACTION_SHOW] = {"show", NULL},
};

/* Parents shown above a comment, at most; the thread's replies shown
 * under it, at most (store_comment_query's most). */
#define SHOW_PARENTS 64
#define SHOW_REPLIES 1000

/* Parses a positive decimal id (digits only, no sign, no spaces).
 * Returns GZ_OK or GZ_EINVAL. */
static int
id_parse(const char *s, int64_t *out)
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

/* True for the spacing that `list` shows as one space. */
static bool
term_space(unsigned cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' ||
	       cp == '\v' || cp == '\f' || cp == 0x85 || cp == 0x2028 ||
	       cp == 0x2029;
}

/*
 * Copies s into out (TERM_BYTES(max) bytes) for a terminal, on one line:
 * runs of white space and line breaks become one space (none at the ends),
 * unsafe characters (utf8_is_invisible_control) are dropped, bytes that are not UTF-8
 * become '?', and past max characters the text is cut at a character
 * boundary and ends in "...". Returns the number of characters written,
 * the width a column needs (one column per character: near enough for
 * a table).
 */
static size_t
term_text(const char *s, size_t max, char *out)
{
	size_t len = strlen(s), i = 0, o = 0, nchars = 0, valid_end, bad, n;
	bool space = false, invalid;
	unsigned cp;

	valid_end = utf8_valid(s, len, &bad) ? len : bad;
	while (i < len) {
		invalid = i == valid_end;
		if (invalid) {
			/* One bad byte, shown as '?'; then find the next bad
			 * one from after it. */
			cp = '?';
			n = 1;
			valid_end = utf8_valid(s + i + 1, len - i - 1, &bad)
					    ? len
					    : i + 1 + bad;
		} else {
			n = utf8_decode(s + i, valid_end - i, &cp);
		}
		if (term_space(cp)) {
			space = nchars > 0;
			i += n;
			continue;
		}
		if (utf8_is_invisible_control(cp)) {
			i += n;
			continue;
		}
		if (nchars + (space ? 1 : 0) >= max) {
			memcpy(out + o, "...", 3);
			o += 3;
			nchars += 3;
			break;
		}
		if (space) {
			out[o++] = ' ';
			nchars++;
			space = false;
		}
		if (invalid) {
			out[o++] = '?';
		} else {
			memcpy(out + o, s + i, n);
			o += n;
		}
		nchars++;
		i += n;
	}
	out[o] = '\0';
	return nchars;
}

/* Prints s (already made safe) and pads it with spaces to width. */
static void
print_cell(const char *s, size_t nchars, size_t width)
{
	fputs(s, stdout);
	for (; nchars < width; nchars++)
		putchar(' ');
}

/* Counts the decimal digits of v (v >= 0). */
static size_t
digits(int64_t v)
{
	size_t n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* One row of the table, made safe before widths are measured. */
struct list_row {
	char when[DATE_MAX];
	char author[TERM_BYTES(AUTHOR_CHARS)];
	size_t author_chars;
	char body[TERM_BYTES(BODY_CHARS)];
};

/* `gazette comments list`: prints the comments f selects as a table, or a
 * sentence when there are none. Returns an exit status. */
static int
comments_list(struct store *st, const struct store_comment_filter *f)
{
	struct pool *pool = NULL;
	struct store_comment *items = NULL;
	struct list_row *rows = NULL;
	size_t n = 0, i, w_id = 2, w_article = 7, w_when = 4, w_author = 6;
	int rc = CLI_FAIL, err;

	if (!(pool = pool_new(LIST_POOL_MAX))) {
		cli_error("out of memory");
		goto out;
	}
	err = store_comment_query(st, pool, f, &items, &n);
	if (err == GZ_ENOMEM) {
		cli_error("the comments do not fit in memory; list fewer with "
			  "--limit");
		goto out;
	}
	if (err != GZ_OK) {
		cli_error("cannot read the comments (%s)", gz_strerror(err));
		goto out;
	}
	if (n == 0) {
		if (f->status < 0 && !f->article_id)
			printf("no comments\n");
		else if (f->status < 0)
			printf("no comments on article %lld\n",
			       (long long)f->article_id);
		else if (!f->article_id)
			printf("no comments (%s)\n", status_names[f->status]);
		else
			printf("no comments (%s) on article %lld\n",
			       status_names[f->status],
			       (long long)f->article_id);
		rc = CLI_OK;
		goto out;
	}
	if (!(rows = pool_calloc(pool, n, sizeof(*rows)))) {
		cli_error("out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		date_format_human(items[i].created_at, rows[i].when);
		rows[i].author_chars = term_text(items[i].author, AUTHOR_CHARS,
						 rows[i].author);
		(void)term_text(items[i].body, BODY_CHARS, rows[i].body);
		if (digits(items[i].id) > w_id)
			w_id = digits(items[i].id);
		if (digits(items[i].article_id) > w_article)
			w_article = digits(items[i].article_id);
		/* Dates are ASCII: bytes are characters. */
		if (strlen(rows[i].when) > w_when)
			w_when = strlen(rows[i].when);
		if (rows[i].author_chars > w_author)
			w_author = rows[i].author_chars;
	}
	printf("%*s  %-8s  %*s  %-*s  %-*s  %s\n", (int)w_id, "ID", "STATUS",
	       (int)w_article, "ARTICLE", (int)w_when, "WHEN", (int)w_author,
	       "AUTHOR", "COMMENT");
	for (i = 0; i < n; i++) {
		printf("%*lld  %-8s  %*lld  %-*s  ", (int)w_id,
		       (long long)items[i].id, status_names[items[i].status],
		       (int)w_article, (long long)items[i].article_id,
		       (int)w_when, rows[i].when);
		print_cell(rows[i].author, rows[i].author_chars, w_author);
		printf("  %s\n", rows[i].body);
	}
	if (n == f->limit && n < LIST_LIMIT_MAX)
		fprintf(stderr, "showing the newest %zu; there may be more "
				"(--limit N shows up to %d)\n", n,
			LIST_LIMIT_MAX);
	rc = CLI_OK;
out:
	pool_free(pool);
	return rc;
}

void
cli_term_block(FILE *f, const char *s)
{
	size_t len = strlen(s), i = 0, n, valid_end, bad;
	unsigned cp;

	valid_end = utf8_valid(s, len, &bad) ? len : bad;
	while (i < len) {
		if (i == valid_end) {
			fputc('?', f);
			i++;
			valid_end = utf8_valid(s + i, len - i, &bad) ? len
								   : i + bad;
			continue;
		}
		n = utf8_decode(s + i, valid_end - i, &cp);
		if (cp == '\n' || cp == '\t' || !utf8_is_invisible_control(cp))
			fwrite(s + i, 1, n, f);
		i += n;
	}
}

size_t
cli_term_text(const char *s, size_t max, char *out)
{
	return term_text(s, max, out);
}

/* One comment as `show` prints it: a heading line, then its text. */
static void
show_one(const struct store_comment *c, const char *indent)
{
	char author[TERM_BYTES(AUTHOR_CHARS)], when[DATE_MAX];

	date_format_human(c->created_at, when);
	(void)term_text(c->author, AUTHOR_CHARS, author);
	printf("%s#%lld %s, %s (%s)\n", indent, (long long)c->id, author, when,
	       status_names[c->status]);
}

/* `gazette comments show ID`. Returns an exit status. */
static int
comments_show(struct store *st, int64_t id)
{
	struct pool *pool = NULL;
	struct store_comment c, up, *all = NULL;
	struct store_comment_filter f = {.status = -1, .limit = SHOW_REPLIES};
	struct store_article a;
	struct store_comment chain[SHOW_PARENTS];
	char line[TERM_BYTES(256)];
	size_t n = 0, i, nchain = 0;
	int64_t parent;
	int rc = CLI_FAIL, err;

	if (!(pool = pool_new(LIST_POOL_MAX))) {
		cli_error("out of memory");
		goto out;
	}
	if ((err = store_comment_get(st, pool, id, &c)) != GZ_OK) {
		if (err == GZ_ENOTFOUND)
			cli_error("no comment %lld", (long long)id);
		else
			cli_error("cannot read comment %lld (%s)",
				  (long long)id, gz_strerror(err));
		goto out;
	}
	printf("comment     %lld\n", (long long)c.id);
	printf("status      %s\n", status_names[c.status]);
	(void)term_text(c.hold_reason ? c.hold_reason : "", 256, line);
	printf("held for    %s\n", *line ? line : "-");
	(void)term_text(c.author, 256, line);
	printf("author      %s\n", line);
	(void)term_text(c.email, 256, line);
	printf("email       %s\n", *line ? line : "-");
	(void)term_text(c.ip, 256, line);
	printf("address     %s\n", *line ? line : "-");
	if (store_article_get(st, pool, c.article_id, 0, &a) == GZ_OK) {
		(void)term_text(a.headline, 256, line);
		printf("article     %lld %s\n", (long long)a.id, line);
	} else {
		printf("article     %lld\n", (long long)c.article_id);
	}
	/* The thread above it, from the top. */
	for (parent = c.parent_id; parent && nchain < SHOW_PARENTS;
	     parent = up.parent_id) {
		if (store_comment_get(st, pool, parent, &up) != GZ_OK)
			break;
		chain[nchain++] = up;
	}
	if (nchain) {
		printf("\nin reply to:\n");
		for (i = nchain; i-- > 0;) {
			show_one(&chain[i], "  ");
			(void)term_text(chain[i].body, 200, line);
			printf("    %s\n", line);
		}
	}
	printf("\n");
	show_one(&c, "");
	cli_term_block(stdout, c.body);
	printf("\n");
	f.article_id = c.article_id;
	if ((err = store_comment_query(st, pool, &f, &all, &n)) != GZ_OK) {
		cli_error("cannot read the replies (%s)", gz_strerror(err));
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (all[i].parent_id != c.id)
			continue;
		printf("\nreply:\n");
		show_one(&all[i], "  ");
		(void)term_text(all[i].body, 200, line);
		printf("    %s\n", line);
	}
	rc = CLI_OK;
out:
	pool_free(pool);
	return rc;
}

/* Makes the actor for moderation_log: "cli:" and the login name (from
 * getlogin_r, else $USER, else the password entry of the uid), else
 * "cli:" and the uid. */
static void
actor_make(char *out, size_t outlen)
{
	char login[256], pwbuf[4096];
	struct passwd pw, *found = NULL;
	const char *name = NULL, *env;
	int n = -1;

	if (getlogin_r(login, sizeof(login)) == 0 && *login)
		name = login;
	else if ((env = getenv("USER")) != NULL && *env)
		name = env;
	else if (getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &found) ==
		 0 && found && *found->pw_name)
		name = found->pw_name;
	if (name && utf8_valid(name, strlen(name), NULL))
		n = snprintf(out, outlen, "cli:%s", name);
	if (n < 0 || (size_t)n >= outlen)
		(void)snprintf(out, outlen, "cli:%lu",
			       (unsigned long)getuid());
}

/* The actor, made once per process: getlogin_r reads utmp, and an import
 * of 10,000 files asked for it once per new article (a quarter of the
 * import's system time). */
static char actor_cached[96];
static pthread_once_t actor_once = PTHREAD_ONCE_INIT;

static void
actor_cache(void)
{
	actor_make(actor_cached, sizeof(actor_cached));
}

void
cli_actor(char *out, size_t outlen)
{
	int n;

	pthread_once(&actor_once, actor_cache);
	n = snprintf(out, outlen, "%s", actor_cached);
	if (n < 0 || (size_t)n >= outlen)
		actor_make(out, outlen);
}

/* Applies action to comment id in its own transaction and says what
 * happened. Returns GZ_OK or the error, already reported. */
static int
comments_act(struct store *st, enum comments_action action, int64_t id,
	     const char *actor)
{
	static const enum store_comment_status to[] = {
		[ACTION_APPROVE] = STORE_COMMENT_APPROVED,
		[ACTION_REJECT] = STORE_COMMENT_REJECTED,
		[ACTION_SPAM] = STORE_COMMENT_SPAM,
	};
	int64_t now = (int64_t)time(NULL);
	int err;

	if ((err = store_tx_begin(st)) != GZ_OK) {
		cli_error("comment %lld: the database is busy (%s)",
			  (long long)id, gz_strerror(err));
		return err;
	}
	if (action == ACTION_DELETE)
		err = store_comment_delete(st, id, actor, now);
	else
		err = store_comment_set_status(st, id, to[action], actor, now);
	if (err != GZ_OK) {
		store_tx_rollback(st);
		if (err == GZ_ENOTFOUND)
			cli_error("no comment %lld", (long long)id);
		else
			cli_error("comment %lld: %s", (long long)id,
				  gz_strerror(err));
		return err;
	}
	if ((err = store_tx_commit(st)) != GZ_OK) {
		cli_error("comment %lld: cannot commit (%s)", (long long)id,
			  gz_strerror(err));
		return err;
	}
	printf("%s %lld\n", actions[action].done, (long long)id);
	return GZ_OK;
}

/* Prints the usage on stderr; returns CLI_USAGE. */
static int
usage_only(void)
{
	fputs(comments_usage, stderr);
	return CLI_USAGE;
}

/* Prints "gazette: " and the message, then the usage, on stderr; returns
 * CLI_USAGE. */
static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("gazette: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return usage_only();
}

int
cmd_comments(int argc, char **argv)
{
	static const struct option opts[] = {
		{"site", required_argument, NULL, 's'},
		{"status", required_argument, NULL, 't'},
		{"article", required_argument, NULL, 'a'},
		{"limit", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct store_comment_filter f = {
		.status = STORE_COMMENT_PENDING,
		.limit = LIST_LIMIT_DEFAULT,
	};
	struct config cfg;
	struct store *st = NULL;
	const char *site = NULL, *sub;
	enum comments_action action = ACTION_LIST;
	bool filtered = false, found = false;
	char actor[300];
	int64_t id = 0, limit = 0;
	size_t k;
	int c, i, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			site = optarg;
			break;
		case 't':
			filtered = true;
			if (strcmp(optarg, "all") == 0) {
				f.status = -1;
				break;
			}
			for (k = 0; k < NSTATUS; k++)
				if (strcmp(optarg, status_names[k]) == 0)
					break;
			if (k == NSTATUS)
				return usage_error("--status: \"%s\" is not "
						   "pending, approved, rejected, "
						   "spam or all", optarg);
			f.status = (int)k;
			break;
		case 'a':
			filtered = true;
			if (id_parse(optarg, &f.article_id) != GZ_OK)
				return usage_error("--article: \"%s\" is not an "
						   "article id", optarg);
			break;
		case 'l':
			filtered = true;
			if (id_parse(optarg, &limit) != GZ_OK ||
			    limit > LIST_LIMIT_MAX)
				return usage_error("--limit: \"%s\" is not a "
						   "number from 1 to %d",
						   optarg, LIST_LIMIT_MAX);
			f.limit = (size_t)limit;
			break;
		case 'h':
			fputs(comments_usage, stdout);
			return CLI_OK;
		default:
			return usage_only();
		}
	}
	if (optind == argc)
		return usage_only();
	sub = argv[optind++];
	for (k = 0; k < sizeof(actions) / sizeof(*actions); k++) {
		if (strcmp(sub, actions[k].name) == 0) {
			action = (enum comments_action)k;
			found = true;
			break;
		}
	}
	if (!found)
		return usage_error("unknown comments command \"%s\"", sub);
	if (action == ACTION_LIST && optind < argc)
		return usage_error("list takes no ids (\"%s\")", argv[optind]);
	if (action == ACTION_SHOW &&
	    (filtered || optind + 1 != argc ||
	     id_parse(argv[optind], &id) != GZ_OK))
		return usage_error("show: give one comment id");
	if (action != ACTION_LIST && action != ACTION_SHOW) {
		if (filtered)
			return usage_error("--status, --article and --limit "
					   "go with list, not %s", sub);
		if (optind == argc)
			return usage_error("%s: which comments? give their ids",
					   sub);
		/* Every id is checked before any is acted on. */
		for (i = optind; i < argc; i++)
			if (id_parse(argv[i], &id) != GZ_OK)
				return usage_error("\"%s\" is not a comment id",
						   argv[i]);
	}

	site = cli_site_dir(site);
	if ((rc = cli_config_open(site, &cfg)) != CLI_OK)
		return rc;
	if ((rc = cli_store_open(site, &cfg, &st)) != CLI_OK) {
		config_fini(&cfg);
		return rc;
	}
	if (action == ACTION_LIST) {
		rc = comments_list(st, &f);
	} else if (action == ACTION_SHOW) {
		rc = comments_show(st, id);
	} else {
		actor_make(actor, sizeof(actor));
		rc = CLI_OK;
		for (i = optind; i < argc; i++) {
			(void)id_parse(argv[i], &id);
			if (comments_act(st, action, id, actor) != GZ_OK)
				rc = CLI_FAIL;
		}
	}
	store_close(st);
	config_fini(&cfg);
	return rc;
}
