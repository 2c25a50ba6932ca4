/*
 * test_edge_purge.c - tests of src/edge/purge.c: the queue (escaping,
 * no key twice, overflow into "all"), the URL list, and real PURGE
 * requests to a one-connection HTTP server on loopback (the keys in
 * Surrogate-Key and xkey-purge; a failure counted and answered by a
 * purge of "all" at the next one). Includes the .c file to reach its
 * statics.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../src/edge/purge.c"
#include "util/buf.h"

/* A server that answers one request with status and records its head. */
struct one_server {
	int fd;
	unsigned port;
	int status;
	pthread_t thread;
	char head[8192];
};

static void *
one_main(void *arg)
{
	struct one_server *s = arg;
	char resp[128];
	size_t len = 0;
	ssize_t n;
	int c;

	if ((c = accept(s->fd, NULL, NULL)) < 0)
		return NULL;
	while (len + 1 < sizeof(s->head) &&
	       (n = read(c, s->head + len, sizeof(s->head) - 1 - len)) > 0) {
		len += (size_t)n;
		s->head[len] = '\0';
		if (strstr(s->head, "\r\n\r\n"))
			break;
	}
	n = snprintf(resp, sizeof(resp), "HTTP/1.1 %d X\r\nContent-Length: 2"
		     "\r\nConnection: close\r\n\r\nok", s->status);
	if (write(c, resp, (size_t)n) != n)
		fprintf(stderr, "short write\n");
	close(c);
	return NULL;
}

/* Listens on 127.0.0.1 (a free port); with serve, answers one request. */
static void
one_start(struct one_server *s, int status, bool serve)
{
	struct sockaddr_in a = {0};
	socklen_t alen = sizeof(a);

	memset(s, 0, sizeof(*s));
	s->status = status;
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((s->fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &alen), 0);
	s->port = ntohs(a.sin_port);
	assert_int_equal(listen(s->fd, 4), 0);
	if (serve)
		assert_int_equal(pthread_create(&s->thread, NULL, one_main, s), 0);
}

static void
one_join(struct one_server *s)
{
	pthread_join(s->thread, NULL);
	close(s->fd);
}

/* The count of purges with result in /metrics' text. */
static unsigned long
purges(const char *result)
{
	struct buf b;
	char want[96];
	const char *at;
	unsigned long n = 0;

	buf_init(&b, 1u << 20);
	assert_int_equal(metrics_render(&b), GZ_OK);
	assert_int_equal(buf_putc(&b, '\0'), GZ_OK);
	snprintf(want, sizeof(want), "gazette_edge_purges_total{result=\"%s\"} ",
		 result);
	at = strstr(b.data, want);
	assert_non_null(at);
	n = strtoul(at + strlen(want), NULL, 10);
	buf_fini(&b);
	return n;
}

static void
test_queue(void **state)
{
	struct edge_purge *p = calloc(1, sizeof(*p));
	size_t i;
	char key[32];

	(void)state;
	assert_non_null(p);
	purge_queue_locked(p, "article:12");
	purge_queue_locked(p, "front");
	purge_queue_locked(p, "article:12"); /* not twice */
	purge_queue_locked(p, "");           /* names nothing */
	purge_queue_locked(p, "section:a b,c%"); /* escaped, one token */
	assert_int_equal(p->nkeys, 3);
	assert_string_equal(p->queue[0], "article:12");
	assert_string_equal(p->queue[1], "front");
	assert_string_equal(p->queue[2], "section:a%20b%2Cc%25");
	purge_take_locked(p);
	assert_int_equal(p->nkeys, 0);
	assert_int_equal(p->nbatch, 3);
	assert_false(p->batch_all);
	/* A full queue turns into "all" and stays so until taken. */
	for (i = 0; i <= GZ_LIMIT_EDGE_QUEUE; i++) {
		snprintf(key, sizeof(key), "article:%zu", i);
		purge_queue_locked(p, key);
	}
	assert_true(p->all);
	assert_int_equal(p->nkeys, 0);
	purge_queue_locked(p, "front");
	assert_int_equal(p->nkeys, 0);
	purge_take_locked(p);
	assert_true(p->batch_all);
	assert_false(p->all);
	purge_queue_locked(p, "all");
	assert_true(p->all);
	free(p);
}

static void
test_urls(void **state)
{
	struct edge_purge *p = calloc(1, sizeof(*p)), *none = NULL;
	char many[1024] = "";
	size_t i;

	(void)state;
	assert_non_null(p);
	assert_int_equal(purge_urls_parse(p, " http://a:1/ ,, https://b/x,"),
			 GZ_OK);
	assert_int_equal(p->nurls, 2);
	assert_string_equal(p->urls[0].url, "http://a:1/");
	assert_string_equal(p->urls[1].url, "https://b/x");
	assert_string_equal(p->urls[0].shown, "http://a:1/");
	/* A user and password in a URL never reach the log. */
	memset(p, 0, sizeof(*p));
	assert_int_equal(purge_urls_parse(p, "http://ann:s3cret@edge:6081/,"
					     "http://@x/a@b,https://u:p@w@h/"),
			 GZ_OK);
	assert_string_equal(p->urls[0].url, "http://ann:s3cret@edge:6081/");
	assert_string_equal(p->urls[0].shown, "http://***@edge:6081/");
	assert_string_equal(p->urls[1].shown, "http://@x/a@b");
	assert_string_equal(p->urls[2].shown, "https://***@h/");
	memset(p, 0, sizeof(*p));
	for (i = 0; i <= GZ_LIMIT_EDGE_URLS; i++)
		memcpy(many + i * 10, "http://a/,", 11);
	assert_int_equal(purge_urls_parse(p, many), GZ_EINVAL);
	free(p);
	/* No URL: no purger, and every call on NULL does nothing. */
	assert_int_equal(edge_purge_new(" , ", &none), GZ_OK);
	assert_null(none);
	edge_purge_keys(NULL, (const char *const[]){"front"}, 1);
	edge_purge_all(NULL);
	edge_purge_free(NULL);
}

/* The thread sends one event's keys in one PURGE; free sends what is
 * queued before it joins. */
static void
test_send(void **state)
{
	struct one_server s;
	struct edge_purge *p = NULL;
	const char *keys[] = {"article:12", "section:world", "front"};
	char url[64];
	unsigned long ok = purges("ok");

	(void)state;
	one_start(&s, 200, true);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", s.port);
	assert_int_equal(edge_purge_new(url, &p), GZ_OK);
	assert_non_null(p);
	edge_purge_keys(p, keys, 3);
	edge_purge_free(p);
	one_join(&s);
	assert_non_null(strstr(s.head, "PURGE / HTTP/1.1\r\n"));
	assert_non_null(strstr(s.head,
		"\r\nSurrogate-Key: article:12 section:world front\r\n"));
	assert_non_null(strstr(s.head,
		"\r\nxkey-purge: article:12 section:world front\r\n"));
	assert_int_equal(purges("ok"), ok + 1);
}

/* A purge that fails is counted, and the next purge there is of "all". */
static void
test_failure(void **state)
{
	struct one_server dead, live;
	struct edge_purge *p = calloc(1, sizeof(*p));
	unsigned long failed = purges("failed");

	(void)state;
	assert_non_null(p);
	assert_int_equal(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	assert_non_null(p->curl = curl_easy_init());
	p->nbatch = 1;
	memcpy(p->batch[0], "article:1", 10);
	/* Nothing listens there once closed: connection refused. */
	one_start(&dead, 200, false);
	close(dead.fd);
	snprintf(p->urls[0].url, sizeof(p->urls[0].url),
		 "http://127.0.0.1:%u/", dead.port);
	purge_url(p, &p->urls[0]);
	assert_true(p->urls[0].owe_all);
	assert_true(p->urls[0].failing);
	assert_int_equal(purges("failed"), failed + 1);
	/* A 500 is a failure too. */
	one_start(&live, 500, true);
	p->urls[0].owe_all = false;
	snprintf(p->urls[0].url, sizeof(p->urls[0].url),
		 "http://127.0.0.1:%u/", live.port);
	purge_url(p, &p->urls[0]);
	one_join(&live);
	assert_true(p->urls[0].owe_all);
	assert_int_equal(purges("failed"), failed + 2);
	/* Owed: the keys go out as "all". */
	one_start(&live, 200, true);
	snprintf(p->urls[0].url, sizeof(p->urls[0].url),
		 "http://127.0.0.1:%u/", live.port);
	purge_url(p, &p->urls[0]);
	one_join(&live);
	assert_non_null(strstr(live.head, "\r\nSurrogate-Key: all\r\n"));
	assert_false(p->urls[0].owe_all);
	assert_false(p->urls[0].failing);
	curl_easy_cleanup(p->curl);
	curl_global_cleanup();
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_send),
		cmocka_unit_test(test_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
