/*
 * ingest_main.c - gazette-ingest, the helper process that decodes one
 * image (media.c starts it; the protocol is described there):
 *
 *     gazette-ingest [--avif] DIR    < image     variants into DIR
 *     gazette-ingest --probe-avif                 exit 0 if AVIF can be written
 *
 * Not a command for people: gazette runs it, one process per image.
 * It closes every descriptor but its three, bounds its own run with
 * GZ_LIMIT_INGEST_SECONDS, reads at most GZ_LIMIT_MEDIA_BYTES + 1 bytes,
 * and writes nothing outside DIR.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "media/ingest.h"
#include "util/err.h"
#include "util/limits.h"

/* Reads standard input to its end, up to GZ_LIMIT_MEDIA_BYTES + 1 bytes
 * (one more than allowed, so that ingest_image says how large is too
 * large). Returns the bytes (free them) with *len, or NULL. */
static void *
read_input(size_t *len)
{
	size_t cap = GZ_LIMIT_MEDIA_BYTES + 1, got = 0;
	char *buf = malloc(cap);

	if (!buf)
		return NULL;
	while (got < cap) {
		ssize_t n = read(STDIN_FILENO, buf + got, cap - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*len = got;
	return buf;
}

static const char *
code_name(int rc)
{
	switch (rc) {
	case GZ_EINVAL:
		return "einval";
	case GZ_ETOOBIG:
		return "etoobig";
	case GZ_ENOMEM:
		return "enomem";
	default:
		return "eio";
	}
}

/* The answer line: "ok ..." or "refused CODE SENTENCE" (a sentence has
 * no newline: ingest_image writes one sentence). */
static int
answer(int rc, const struct media_info *info, const char *why)
{
	size_t i;

	if (rc != GZ_OK) {
		printf("refused %s %s\n", code_name(rc),
		       why && *why && !strchr(why, '\n')
			       ? why
			       : "The image could not be processed.");
		return 1;
	}
	printf("ok %s %s %d %d %lld %d ", info->hash, info->format,
	       info->width, info->height, (long long)info->bytes,
	       info->avif ? 1 : 0);
	for (i = 0; i < info->nwidths; i++)
		printf(i ? ",%d" : "%d", info->widths[i]);
	printf("\n");
	return 0;
}

int
main(int argc, char **argv)
{
	struct rlimit cpu = {GZ_LIMIT_INGEST_SECONDS, GZ_LIMIT_INGEST_SECONDS};
	struct media_info info;
	char why[MEDIA_WHY_MAX];
	unsigned flags = 0;
	const char *dir;
	void *data;
	size_t len = 0;
	int i = 1, rc;

	/* Nothing of the parent's but the three standard descriptors
	 * (close_range needs Linux 5.9: before it, one close each). */
	if (close_range(3, ~0u, 0) != 0) {
		struct rlimit nofile;
		int fd, top = 1024;

		if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 &&
		    nofile.rlim_cur != RLIM_INFINITY && nofile.rlim_cur < 65536)
			top = (int)nofile.rlim_cur;
		for (fd = 3; fd < top; fd++)
			close(fd);
	}
	/* A decoder caught in a loop, or waiting on nothing, ends here:
	 * SIGALRM's and SIGXCPU's default actions kill the process, and
	 * media.c answers the image refused. */
	setrlimit(RLIMIT_CPU, &cpu);
	alarm(GZ_LIMIT_INGEST_SECONDS);

	if (argc == 2 && strcmp(argv[1], "--probe-avif") == 0) {
		if (ingest_start(argv[0]) != GZ_OK)
			return 1;
		rc = ingest_avif_supported() ? 0 : 1;
		ingest_stop();
		return rc;
	}
	if (i < argc && strcmp(argv[i], "--avif") == 0) {
		flags |= MEDIA_AVIF;
		i++;
	}
	if (argc - i != 1) {
		fprintf(stderr, "usage: gazette-ingest [--avif] DIR < IMAGE\n");
		return 2;
	}
	dir = argv[i];
	data = read_input(&len);
	if (!data)
		return answer(GZ_EIO, NULL, "The image could not be read.");
	if (ingest_start(argv[0]) != GZ_OK) {
		free(data);
		return answer(GZ_EIO, NULL,
			      "The server's image library would not start.");
	}
	rc = ingest_image(dir, data, len, flags, &info, why, sizeof(why));
	free(data);
	rc = answer(rc, &info, why);
	ingest_stop();
	if (fflush(stdout) != 0)
		return 3;
	return rc;
}
