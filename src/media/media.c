/*
 * media.c - photos, the server's half: each image goes to a
 * gazette-ingest helper process of its own (ingest_main.c), which
 * decodes it with libvips and writes its variants; this file starts the
 * helper, hands it the bytes, and reads back its one-line answer.
 *
 * Why a process, not a call (docs/media.md, "One process per image"):
 * an image is the most complex input a reader-facing server parses, and
 * its decoders are the libraries with the longest record of memory
 * bugs; in a helper such a bug meets a process that holds no database,
 * no session key and no other request, and that GZ_LIMIT_INGEST_SECONDS
 * ends. The server's binary links none of libvips's hundred libraries.
 *
 * The helper's protocol (ingest_main.c writes it): the image on standard
 * input (a memfd, so no pipe can fill or break), one line on standard
 * output, then exit status 0 (made) or 1 (refused):
 *
 *     ok HASH FORMAT WIDTH HEIGHT BYTES AVIF W1,W2,...
 *     refused CODE SENTENCE
 *
 * where CODE is einval, etoobig, eio or enomem. Anything else, a signal
 * or another status is the helper's failure: GZ_EIO.
 *
 * Invariants: the caller's bytes are only read; the helper inherits no
 * descriptor but its three (every other is close-on-exec, and the
 * helper closes the rest); no state but the helper's path and the AVIF
 * answer, both written once.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "media/media.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/log.h"

#ifndef GZ_LIBEXECDIR
#define GZ_LIBEXECDIR "/usr/local/libexec"
#endif

extern char **environ;

/* The helper's answer line is short: a hash, a format, eight widths. */
#define MEDIA_ANSWER_MAX 1024u

static char media_helper[PATH_MAX] = GZ_LIBEXECDIR "/gazette-ingest";
static bool media_avif_ok;
static pthread_once_t media_avif_once = PTHREAD_ONCE_INIT;

static const char media_failed[] =
	"The server could not process this image. Try again, or tell the "
	"site's administrator.";

void
media_init(void)
{
	const char *env = getenv("GAZETTE_INGEST");
	char self[PATH_MAX], beside[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env) {
		/* A path too long for PATH_MAX is left unused (the default
		 * stays, whole): a cut one would name another file. */
		if (strlen(env) < sizeof(media_helper))
			memcpy(media_helper, env, strlen(env) + 1);
		return;
	}
	/* Beside the binary: a build directory, or an install that keeps
	 * its helper with it; else the install's libexec directory. */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return;
	*slash = '\0';
	if (snprintf(beside, sizeof(beside), "%s/gazette-ingest", self) <
		    (int)sizeof(beside) &&
	    access(beside, X_OK) == 0)
		memcpy(media_helper, beside, sizeof(beside));
}

static void
media_why(char *why, size_t why_size, const char *s)
{
	if (why && why_size > 0)
		snprintf(why, why_size, "%s", s);
}

/* A memfd holding data[0..len) at offset 0, close-on-exec (the helper
 * gets it as its standard input through dup2); -1 on failure. */
static int
media_input_fd(const void *data, size_t len)
{
	const char *p = data;
	int fd = memfd_create("gazette-image", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Runs the helper with argv, data[0..len) as its standard input; reads
 * its standard output into out[0..out_size) (NUL-terminated, cut short
 * when longer) and waits for it. Returns its wait status in *status, or
 * -1 when it could not be started. The helper gets the signal mask and
 * dispositions of a fresh process, not this thread's (the server blocks
 * and ignores signals its helper must die of), and its own process
 * group, so that a terminal's Ctrl-C reaches the server, which stops
 * its helper by finishing, not the helper mid-file.
 */
static int
media_run(char *const argv[], const void *data, size_t len, char *out,
	  size_t out_size, int *status)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dflt;
	int in, pipefd[2], rc;
	size_t got = 0;
	pid_t pid;

	out[0] = '\0';
	in = media_input_fd(data, len);
	if (in < 0)
		return -1;
	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		close(in);
		return -1;
	}
	rc = posix_spawn_file_actions_init(&fa);
	if (rc == 0 && (rc = posix_spawnattr_init(&attr)) != 0)
		posix_spawn_file_actions_destroy(&fa);
	if (rc == 0) {
		sigemptyset(&none);
		sigfillset(&dflt);
		/* Each must hold, or the helper would get this process's
		 * standard input and output, or its signal mask. */
		rc = posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
		if (rc == 0)
			rc = posix_spawn_file_actions_adddup2(&fa, pipefd[1],
							      STDOUT_FILENO);
		if (rc == 0)
			rc = posix_spawnattr_setsigmask(&attr, &none);
		if (rc == 0)
			rc = posix_spawnattr_setsigdefault(&attr, &dflt);
		if (rc == 0)
			rc = posix_spawnattr_setpgroup(&attr, 0);
		if (rc == 0)
			rc = posix_spawnattr_setflags(&attr,
				POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
				POSIX_SPAWN_SETPGROUP);
		if (rc == 0)
			rc = posix_spawn(&pid, media_helper, &fa, &attr, argv,
					 environ);
		posix_spawnattr_destroy(&attr);
		posix_spawn_file_actions_destroy(&fa);
	}
	close(in);
	close(pipefd[1]);
	if (rc != 0) {
		/* The reader sees "could not process"; the log says why. */
		log_error("media: cannot run %s: %s", media_helper, strerror(rc));
		close(pipefd[0]);
		return -1;
	}
	for (;;) {
		char sink[256];
		char *dst = got + 1 < out_size ? out + got : sink;
		size_t room = got + 1 < out_size ? out_size - 1 - got
						  : sizeof(sink);
		ssize_t n = read(pipefd[0], dst, room);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (dst != sink)
			got += (size_t)n;
	}
	out[got] = '\0';
	close(pipefd[0]);
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR) {
			*status = -1;
			break;
		}
	return 0;
}

/* Reads "W1,W2,..." into out->widths; false unless 1 to
 * MEDIA_MAX_VARIANTS positive widths, narrowest first. */
static bool
media_parse_widths(char *s, struct media_info *out)
{
	char *save = NULL, *tok, *end;

	out->nwidths = 0;
	for (tok = strtok_r(s, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		long w;

		errno = 0;
		w = strtol(tok, &end, 10);
		if (errno || *end || w <= 0 || w > INT_MAX ||
		    out->nwidths == MEDIA_MAX_VARIANTS ||
		    (out->nwidths > 0 &&
		     w <= out->widths[out->nwidths - 1]))
			return false;
		out->widths[out->nwidths++] = (int)w;
	}
	return out->nwidths > 0;
}

static bool
media_parse_int(const char *s, long long max, long long *v)
{
	char *end;

	if (!s)
		return false;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return !errno && !*end && *v > 0 && *v <= max;
}

/* Reads the fields after "ok " into *out; false when any is missing or
 * out of shape. */
static bool
media_parse_ok(char *s, struct media_info *out)
{
	char *save = NULL, *f[7];
	long long w, h, bytes;
	size_t i;

	for (i = 0; i < 7; i++) {
		f[i] = strtok_r(i ? NULL : s, " ", &save);
		if (!f[i])
			return false;
	}
	if (strtok_r(NULL, " ", &save))
		return false;
	if (strlen(f[0]) != MEDIA_HASH_HEX ||
	    strspn(f[0], "0123456789abcdef") != MEDIA_HASH_HEX)
		return false;
	if (strcmp(f[1], "jpeg") != 0 && strcmp(f[1], "png") != 0 &&
	    strcmp(f[1], "webp") != 0 && strcmp(f[1], "avif") != 0)
		return false;
	if (!media_parse_int(f[2], INT_MAX, &w) ||
	    !media_parse_int(f[3], INT_MAX, &h) ||
	    !media_parse_int(f[4], GZ_LIMIT_MEDIA_BYTES, &bytes) ||
	    (strcmp(f[5], "0") != 0 && strcmp(f[5], "1") != 0))
		return false;
	memcpy(out->hash, f[0], MEDIA_HASH_HEX + 1);
	memcpy(out->format, f[1], strlen(f[1]) + 1);
	out->width = (int)w;
	out->height = (int)h;
	out->bytes = bytes;
	out->avif = f[5][0] == '1';
	return media_parse_widths(f[6], out);
}

/* Reads "CODE SENTENCE" after "refused " into why; returns the code's
 * GZ_ value, or GZ_OK when the line is out of shape. */
static int
media_parse_refused(const char *s, char *why, size_t why_size)
{
	static const struct {
		const char *name;
		int rc;
	} codes[] = {
		{"einval ", GZ_EINVAL},
		{"etoobig ", GZ_ETOOBIG},
		{"eio ", GZ_EIO},
		{"enomem ", GZ_ENOMEM},
	};
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		size_t n = strlen(codes[i].name);

		if (strncmp(s, codes[i].name, n) == 0 && s[n]) {
			media_why(why, why_size, s + n);
			return codes[i].rc;
		}
	}
	return GZ_OK;
}

int
media_ingest(const char *dir, const void *data, size_t len, unsigned flags,
	     struct media_info *out, char *why, size_t why_size)
{
	char answer[MEDIA_ANSWER_MAX], *nl;
	char *argv[4];
	int status = 0, rc, n = 0;

	memset(out, 0, sizeof(*out));
	media_why(why, why_size, "");
	if (!data || len == 0) {
		media_why(why, why_size,
			  "The file is not a JPEG, PNG, WebP, GIF or AVIF "
			  "image.");
		return GZ_EINVAL;
	}
	argv[n++] = (char *)"gazette-ingest";
	if (flags & MEDIA_AVIF)
		argv[n++] = (char *)"--avif";
	argv[n++] = (char *)(uintptr_t)dir;
	argv[n] = NULL;
	if (media_run(argv, data, len, answer, sizeof(answer), &status) != 0) {
		media_why(why, why_size, media_failed);
		return GZ_EIO;
	}
	nl = strchr(answer, '\n');
	if (nl && nl[1] == '\0')
		*nl = '\0';
	else
		nl = NULL;
	if (nl && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    strncmp(answer, "ok ", 3) == 0 && media_parse_ok(answer + 3, out))
		return GZ_OK;
	memset(out, 0, sizeof(*out));
	if (nl && WIFEXITED(status) && WEXITSTATUS(status) == 1 &&
	    strncmp(answer, "refused ", 8) == 0) {
		rc = media_parse_refused(answer + 8, why, why_size);
		if (rc != GZ_OK)
			return rc;
	}
	if (WIFSIGNALED(status))
		log_error("media: %s killed by signal %d", media_helper,
			  WTERMSIG(status));
	else if (WIFEXITED(status) && WEXITSTATUS(status) > 1)
		log_error("media: %s exited with status %d", media_helper,
			  WEXITSTATUS(status));
	media_why(why, why_size, media_failed);
	return GZ_EIO;
}

static void
media_probe_avif(void)
{
	char answer[64];
	char *argv[] = {(char *)"gazette-ingest", (char *)"--probe-avif",
			NULL};
	int status = 0;

	media_avif_ok = media_run(argv, "", 0, answer, sizeof(answer),
				  &status) == 0 &&
			WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool
media_avif_supported(void)
{
	pthread_once(&media_avif_once, media_probe_avif);
	return media_avif_ok;
}

int
media_width_nearest(const int *widths, size_t n, int want)
{
	int best = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		long d = labs((long)widths[i] - want);
		long bd = labs((long)best - want);

		if (!best || d < bd || (d == bd && widths[i] > best))
			best = widths[i];
	}
	return best;
}

int
media_width_at_most(const int *widths, size_t n, int max)
{
	int best = 0, narrowest = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (widths[i] <= max && widths[i] > best)
			best = widths[i];
		if (!narrowest || widths[i] < narrowest)
			narrowest = widths[i];
	}
	return best ? best : narrowest;
}

void
media_variant_name(const char *hash, int width, const char *ext, char *out)
{
	int n;

	n = snprintf(out, MEDIA_NAME_MAX, "%.2s/%.32s-%d.%s", hash, hash,
		     width, ext);
	if (n < 0 || (size_t)n >= MEDIA_NAME_MAX)
		out[0] = '\0';
}

const char *
media_mime_of_ext(const char *ext)
{
	if (!ext)
		return NULL;
	if (strcmp(ext, "webp") == 0)
		return "image/webp";
	if (strcmp(ext, "jpeg") == 0)
		return "image/jpeg";
	if (strcmp(ext, "png") == 0)
		return "image/png";
	if (strcmp(ext, "avif") == 0)
		return "image/avif";
	return NULL;
}

/* True when name is one of hash's variant files: <hash>-<width>.<ext>,
 * width digits, ext one media_mime_of_ext knows (a ".tmp-XXXXXX" an
 * ingest is writing is not). */
static bool
media_is_variant_of(const char *name, const char *hash)
{
	const char *p = name + MEDIA_HASH_HEX + 1;

	if (strncmp(name, hash, MEDIA_HASH_HEX) != 0 ||
	    name[MEDIA_HASH_HEX] != '-' || *p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '.' && media_mime_of_ext(p + 1) != NULL;
}

int
media_variants_remove(const char *dir, const char *hash)
{
	char sub[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int n, fd, err = GZ_OK;

	if (!hash || strlen(hash) != MEDIA_HASH_HEX ||
	    strspn(hash, "0123456789abcdef") != MEDIA_HASH_HEX)
		return GZ_EINVAL;
	n = snprintf(sub, sizeof(sub), "%s/%.2s", dir, hash);
	if (n < 0 || (size_t)n >= sizeof(sub))
		return GZ_EIO;
	if (!(d = opendir(sub)))
		return errno == ENOENT ? GZ_OK : GZ_EIO;
	fd = dirfd(d);
	/* Entries removed while reading are ones already read. */
	while ((e = readdir(d)) != NULL) {
		if (!media_is_variant_of(e->d_name, hash))
			continue;
		if (unlinkat(fd, e->d_name, 0) != 0 && errno != ENOENT)
			err = GZ_EIO;
	}
	closedir(d);
	return err;
}
