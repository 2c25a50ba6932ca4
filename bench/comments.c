/*
 * comments.c - the load client for durable comments per second, and the
 * seeder of the bench article's comments (`make bench`).
 *
 *	comments -p PORT [-H HOST] [-c CONNS] [-d SECONDS] [-n COUNT] PATH
 *
 * Each of CONNS threads keeps one HTTP/1.1 keep-alive connection to
 * HOST:PORT (default 127.0.0.1) and loops: GET PATH (the article page),
 * read the comment form out of it (its action, the token hidden input and
 * the arithmetic question in the answer's label, as
 * themes/default/templates/comments.mustache writes them), answer the
 * question, and POST name, email, comment, answer and token as a reader's
 * browser would, each post from its own X-Forwarded-For address (the
 * bench site sets trust_proxy, so the per-address rate limit is not what
 * is measured). A 303 is an acknowledged, hence committed, comment and is
 * the only answer counted.
 *
 * It stops after SECONDS (default 10), or once COUNT comments were
 * acknowledged (-n; then threads stop at COUNT exactly). The last line of
 * its output is "comments/s: N" (acknowledged comments over the elapsed
 * time). Exit status 0 when at least one comment (with -n: COUNT) was
 * acknowledged, 1 otherwise, 2 on a usage error.
 *
 * Plain sockets and pthreads, no HTTP library; it reads Content-Length
 * and chunked bodies and reconnects when the server closes.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* A response larger than this is an error, not an article page. */
#define RESP_MAX (16u * 1024u * 1024u)
#define STATUS_SLOTS 600

static struct sockaddr_in server_addr;
static const char *opt_host = "127.0.0.1";
static const char *opt_path;
static double deadline; /* CLOCK_MONOTONIC seconds */
static long opt_count;  /* 0: run until the deadline */

static atomic_long acked;    /* 303s */
static atomic_long reserved; /* posts started, with -n */
static atomic_ulong next_addr;
static atomic_long get_fail, form_fail, net_fail;
static atomic_long post_status[STATUS_SLOTS];

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One connection and its receive buffer. */
struct conn {
	int fd;
	char *buf;  /* received bytes; body decoded in place */
	size_t cap; /* allocated */
	size_t len; /* bytes held */
};

struct resp {
	int status;
	char *body; /* NUL-terminated, inside conn.buf */
	size_t body_len;
	bool close;
};

static void
conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->len = 0;
}

static int
conn_open(struct conn *c)
{
	struct timeval tv = {10, 0};
	int one = 1;

	conn_close(c);
	if ((c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(c->fd, (struct sockaddr *)&server_addr,
		    sizeof(server_addr)) != 0) {
		conn_close(c);
		return -1;
	}
	return 0;
}

static int
send_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads more bytes into c->buf, growing it. 0 on success, -1 on EOF or
 * error. */
static int
conn_fill(struct conn *c)
{
	ssize_t r;

	if (c->cap - c->len < 4096) {
		size_t ncap = c->cap ? c->cap * 2 : 65536;
		char *nb;

		if (ncap > RESP_MAX + 1)
			return -1;
		if (!(nb = realloc(c->buf, ncap)))
			return -1;
		c->buf = nb;
		c->cap = ncap;
	}
	do
		r = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return -1;
	c->len += (size_t)r;
	return 0;
}

/* True when header line [p, e) is named name (case-insensitive). Output:
 * *val, the value after the colon and blanks. */
static bool
header_is(const char *p, const char *e, const char *name, const char **val)
{
	size_t n = strlen(name);

	if ((size_t)(e - p) <= n || strncasecmp(p, name, n) != 0 || p[n] != ':')
		return false;
	p += n + 1;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	*val = p;
	return true;
}

/* Sends req and reads one whole response into c. The body is decoded
 * (chunked) and NUL-terminated; it lives until the next request on c.
 * 0 on success, -1 when the connection failed. */
static int
roundtrip(struct conn *c, const char *req, size_t req_len, struct resp *r)
{
	char *hend = NULL, *p, *e, *line_end;
	const char *v;
	size_t hlen, clen = 0, have;
	bool chunked = false, has_clen = false;

	memset(r, 0, sizeof(*r));
	c->len = 0;
	if (send_all(c->fd, req, req_len) != 0)
		return -1;
	for (;;) {
		if (c->len > 0) {
			c->buf[c->len] = '\0';
			if ((hend = memmem(c->buf, c->len, "\r\n\r\n", 4)))
				break;
		}
		if (conn_fill(c) != 0)
			return -1;
	}
	hlen = (size_t)(hend - c->buf) + 4;
	if (c->len < 12 || memcmp(c->buf, "HTTP/1.", 7) != 0)
		return -1;
	r->status = (int)strtol(c->buf + 9, NULL, 10); /* "HTTP/1.1 200" */
	for (p = strstr(c->buf, "\r\n") + 2; p < hend; p = line_end + 2) {
		line_end = memmem(p, (size_t)(hend + 2 - p), "\r\n", 2);
		e = line_end;
		if (header_is(p, e, "Content-Length", &v)) {
			clen = strtoul(v, NULL, 10);
			has_clen = true;
		} else if (header_is(p, e, "Transfer-Encoding", &v)) {
			chunked = memmem(v, (size_t)(e - v), "chunked", 7) != NULL;
		} else if (header_is(p, e, "Connection", &v)) {
			r->close = strncasecmp(v, "close", 5) == 0;
		}
	}
	if (chunked) {
		/* Decode in place: chunk data moves down over the sizes. */
		size_t in = hlen, out = hlen, sz;
		char *nl, *endp;

		for (;;) {
			while (!(nl = memmem(c->buf + in, c->len - in, "\r\n", 2)))
				if (conn_fill(c) != 0)
					return -1;
			sz = strtoul(c->buf + in, &endp, 16);
			in = (size_t)(nl - c->buf) + 2;
			while (c->len < in + sz + 2)
				if (conn_fill(c) != 0)
					return -1;
			if (sz == 0)
				break; /* no trailers from the servers we test */
			memmove(c->buf + out, c->buf + in, sz);
			out += sz;
			in += sz + 2;
		}
		r->body = c->buf + hlen;
		r->body_len = out - hlen;
	} else if (has_clen) {
		if (clen > RESP_MAX)
			return -1;
		while ((have = c->len - hlen) < clen)
			if (conn_fill(c) != 0)
				return -1;
		r->body = c->buf + hlen;
		r->body_len = clen;
	} else {
		/* No length: the body ends when the server closes. */
		while (conn_fill(c) == 0)
			;
		r->body = c->buf + hlen;
		r->body_len = c->len - hlen;
		r->close = true;
	}
	r->body[r->body_len] = '\0';
	return 0;
}

/* Copies the attribute value that starts at v (after its opening quote)
 * into out, up to the closing quote or a '#', decoding &amp;. Returns
 * false when it does not fit. */
static bool
copy_attr(const char *v, char *out, size_t cap)
{
	size_t n = 0;

	while (*v && *v != '"' && *v != '#') {
		if (n + 1 >= cap)
			return false;
		if (strncmp(v, "&amp;", 5) == 0) {
			out[n++] = '&';
			v += 5;
		} else {
			out[n++] = *v++;
		}
	}
	out[n] = '\0';
	return n > 0;
}

static const char *
skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	return s;
}

/* Reads "7 + 3 =", "9 x 2 =" or "8 - 5 =" (also × and U+2212 minus).
 * Output: *answer. */
static bool
solve(const char *q, long *answer)
{
	char *end;
	long a, b;
	int op;

	q = skip_blanks(q);
	a = strtol(q, &end, 10);
	if (end == q)
		return false;
	q = skip_blanks(end);
	if (*q == '+' || *q == '-' || *q == 'x' || *q == 'X' || *q == '*') {
		op = *q == 'X' || *q == '*' ? 'x' : *q;
		q++;
	} else if (strncmp(q, "\xC3\x97", 2) == 0) { /* × */
		op = 'x';
		q += 2;
	} else if (strncmp(q, "\xE2\x88\x92", 3) == 0) { /* − */
		op = '-';
		q += 3;
	} else {
		return false;
	}
	q = skip_blanks(q);
	b = strtol(q, &end, 10);
	if (end == q)
		return false;
	q = skip_blanks(end);
	if (*q != '=')
		return false;
	*answer = op == '+' ? a + b : op == '-' ? a - b : a * b;
	return true;
}

struct form {
	char action[512];
	char token[256];
	long answer;
};

/* Reads the comment form out of an article page. */
static bool
form_parse(const char *html, struct form *f)
{
	const char *p, *tag_end, *v;

	/* The comment form is the one that posts: the header's search box
	 * is a form too. */
	for (p = html; (p = strstr(p, "<form")); p++) {
		if (!(tag_end = strchr(p, '>')))
			return false;
		v = strstr(p, "method=\"post\"");
		if (v && v < tag_end)
			break;
	}
	if (!p)
		return false;
	if (!(v = strstr(p, "action=\"")) || v > tag_end ||
	    !copy_attr(v + 8, f->action, sizeof(f->action)))
		return false;
	if (!(p = strstr(p, "name=\"token\"")))
		return false;
	tag_end = strchr(p, '>');
	if (!(v = strstr(p, "value=\"")) || !tag_end || v > tag_end ||
	    !copy_attr(v + 7, f->token, sizeof(f->token)))
		return false;
	if (!(p = strstr(html, "for=\"c-answer\"")) ||
	    !(p = strstr(p, "aria-hidden=\"true\">")))
		return false;
	return solve(p + 19, &f->answer);
}

/* Appends s to out, form-urlencoded. Returns the new length, or cap on
 * overflow. */
static size_t
urlencode(char *out, size_t n, size_t cap, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s && n + 3 < cap; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
		    ch == '.' || ch == '~') {
			out[n++] = (char)ch;
		} else if (ch == ' ') {
			out[n++] = '+';
		} else {
			out[n++] = '%';
			out[n++] = hex[ch >> 4];
			out[n++] = hex[ch & 15];
		}
	}
	if (*s)
		return cap;
	out[n] = '\0';
	return n;
}

/* Builds the POST of one comment into req. Returns its length, or 0 when
 * it does not fit. */
static size_t
build_post(char *req, size_t cap, const struct form *f, unsigned long k,
	   unsigned id)
{
	char body[2048], text[512], xff[32], num[32];
	size_t n = 0;
	int w;

	w = snprintf(text, sizeof(text),
		     "Comment %lu from thread %u of the benchmark. The bridge "
		     "has been argued over for twenty years, and the vote "
		     "settles it at last.",
		     k, id);
	if (w < 0 || (size_t)w >= sizeof(text))
		return 0;
	w = snprintf(body, sizeof(body), "name=Bench+reader+%lu&email=&comment=",
		     k);
	if (w < 0 || (size_t)w >= sizeof(body))
		return 0;
	n = urlencode(body, (size_t)w, sizeof(body), text);
	w = snprintf(num, sizeof(num), "%ld", f->answer);
	if (n >= sizeof(body) || w < 0 || (size_t)w >= sizeof(num))
		return 0;
	if ((w = snprintf(body + n, sizeof(body) - n, "&answer=%s&token=", num)) < 0 ||
	    (size_t)w >= sizeof(body) - n)
		return 0;
	n = urlencode(body, n + (size_t)w, sizeof(body), f->token);
	if (n >= sizeof(body) ||
	    (w = snprintf(body + n, sizeof(body) - n, "&website=")) < 0 ||
	    (size_t)w >= sizeof(body) - n)
		return 0;
	n += (size_t)w;
	/* A private address of its own for every post: 10.0.0.0/8. */
	k = k % 0xFFFFFEul + 1;
	w = snprintf(xff, sizeof(xff), "10.%lu.%lu.%lu", (k >> 16) & 255,
		     (k >> 8) & 255, k & 255);
	if (w < 0 || (size_t)w >= sizeof(xff))
		return 0;
	w = snprintf(req, cap,
		     "POST %s HTTP/1.1\r\nHost: %s\r\n"
		     "Content-Type: application/x-www-form-urlencoded\r\n"
		     "Content-Length: %zu\r\nX-Forwarded-For: %s\r\n"
		     "User-Agent: gazette-bench\r\n\r\n%s",
		     f->action, opt_host, n, xff, body);
	if (w < 0 || (size_t)w >= cap)
		return 0;
	return (size_t)w;
}

/* Reconnects when needed and does one round trip; retries once on a
 * connection the server closed while idle. */
static int
request(struct conn *c, const char *req, size_t len, struct resp *r)
{
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (c->fd < 0 && conn_open(c) != 0)
			return -1;
		if (roundtrip(c, req, len, r) == 0) {
			if (r->close)
				conn_close(c);
			return 0;
		}
		conn_close(c);
	}
	return -1;
}

static void *
worker(void *arg)
{
	unsigned id = (unsigned)(size_t)arg;
	struct conn c = {-1, NULL, 0, 0};
	char get[1024], post[4096];
	struct form f;
	struct resp r;
	size_t get_len, post_len;
	unsigned long k;
	int w;

	w = snprintf(get, sizeof(get),
		     "GET %s HTTP/1.1\r\nHost: %s\r\n"
		     "User-Agent: gazette-bench\r\n\r\n",
		     opt_path, opt_host);
	if (w < 0 || (size_t)w >= sizeof(get))
		return NULL;
	get_len = (size_t)w;
	while (now_s() < deadline) {
		if (opt_count > 0 && atomic_load(&acked) >= opt_count)
			break;
		if (request(&c, get, get_len, &r) != 0) {
			atomic_fetch_add(&net_fail, 1);
			usleep(10000);
			continue;
		}
		if (r.status != 200) {
			atomic_fetch_add(&get_fail, 1);
			continue;
		}
		if (!form_parse(r.body, &f)) {
			atomic_fetch_add(&form_fail, 1);
			usleep(10000); /* comments closed? do not spin */
			continue;
		}
		/* With -n, never post more than the count. */
		if (opt_count > 0 && atomic_fetch_add(&reserved, 1) >= opt_count)
			break;
		k = atomic_fetch_add(&next_addr, 1);
		if (!(post_len = build_post(post, sizeof(post), &f, k, id))) {
			atomic_fetch_add(&form_fail, 1);
			continue;
		}
		if (request(&c, post, post_len, &r) != 0) {
			atomic_fetch_add(&net_fail, 1);
			if (opt_count > 0)
				atomic_fetch_sub(&reserved, 1);
			continue;
		}
		if (r.status >= 0 && r.status < STATUS_SLOTS)
			atomic_fetch_add(&post_status[r.status], 1);
		if (r.status == 303) {
			if (now_s() <= deadline || opt_count > 0)
				atomic_fetch_add(&acked, 1);
		} else if (opt_count > 0) {
			atomic_fetch_sub(&reserved, 1);
		}
	}
	conn_close(&c);
	free(c.buf);
	return NULL;
}

static void
usage(void)
{
	fprintf(stderr, "usage: comments -p PORT [-H HOST] [-c CONNS] "
			"[-d SECONDS] [-n COUNT] PATH\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	pthread_t *th;
	long conns = 32, port = 0, i;
	double secs = 10, start, elapsed;
	int opt;

	while ((opt = getopt(argc, argv, "p:H:c:d:n:")) != -1) {
		switch (opt) {
		case 'p':
			port = strtol(optarg, NULL, 10);
			break;
		case 'H':
			opt_host = optarg;
			break;
		case 'c':
			conns = strtol(optarg, NULL, 10);
			break;
		case 'd':
			secs = strtod(optarg, NULL);
			break;
		case 'n':
			opt_count = strtol(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1 || port <= 0 || port > 65535 || conns < 1 ||
	    conns > 4096 || secs <= 0 || opt_count < 0)
		usage();
	opt_path = argv[optind];
	memset(&server_addr, 0, sizeof(server_addr));
	server_addr.sin_family = AF_INET;
	server_addr.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, opt_host, &server_addr.sin_addr) != 1) {
		fprintf(stderr, "comments: HOST must be an IPv4 address\n");
		return 2;
	}
	/* Addresses differ from one run to the next, so that a second run
	 * within the rate-limit period is not limited either. */
	atomic_store(&next_addr, (unsigned long)getpid() * 40503ul);
	signal(SIGPIPE, SIG_IGN);

	if (!(th = calloc((size_t)conns, sizeof(*th))))
		return 1;
	start = now_s();
	deadline = start + secs;
	for (i = 0; i < conns; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)(size_t)i) != 0) {
			fprintf(stderr, "comments: cannot start thread %ld\n", i);
			return 1;
		}
	for (i = 0; i < conns; i++)
		pthread_join(th[i], NULL);
	/* Posts answered after the deadline were not counted. */
	elapsed = now_s() - start;
	if (elapsed > secs)
		elapsed = secs;
	free(th);

	printf("acknowledged (303): %ld in %.2f s with %ld connections\n",
	       atomic_load(&acked), elapsed, conns);
	for (i = 0; i < STATUS_SLOTS; i++)
		if (i != 303 && atomic_load(&post_status[i]))
			printf("  posts answered %ld: %ld\n", i,
			       atomic_load(&post_status[i]));
	if (atomic_load(&get_fail) || atomic_load(&form_fail) ||
	    atomic_load(&net_fail))
		printf("  failed pages: %ld, unreadable forms: %ld, "
		       "connection errors: %ld\n",
		       atomic_load(&get_fail), atomic_load(&form_fail),
		       atomic_load(&net_fail));
	printf("comments/s: %.1f\n", (double)atomic_load(&acked) / elapsed);
	if (opt_count > 0)
		return atomic_load(&acked) == opt_count ? 0 : 1;
	return atomic_load(&acked) > 0 ? 0 : 1;
}
