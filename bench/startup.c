/*
 * startup.c - two small jobs of `make bench` that a shell does badly.
 *
 *	startup --free-port
 *
 * prints a TCP port that is free on 127.0.0.1 now (the kernel's pick).
 *
 *	startup -p PORT -o PIDFILE [-u PATH] [-t SECONDS] -- COMMAND [ARG...]
 *
 * runs COMMAND (the server), writes its pid to PIDFILE and asks
 * http://127.0.0.1:PORT/PATH (default /) for a page every millisecond
 * until the answer is
 * a 200, then prints "first 200 after: N ms" (from just before the exec)
 * and exits 0, leaving the server running: the caller stops it by the pid
 * in PIDFILE. Exits 1, with the server stopped, when the server dies or
 * gives no 200 within SECONDS (default 60).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		perror("startup: free port");
		return 1;
	}
	printf("%u\n", ntohs(a.sin_port));
	close(fd);
	return 0;
}

/* The status of GET path on 127.0.0.1:port, or -1 when there is none
 * yet. */
static int
probe(unsigned short port, const char *path)
{
	struct timeval tv = {5, 0};
	struct sockaddr_in a;
	char buf[64], req[1024];
	size_t got = 0;
	ssize_t r;
	int fd = -1, status = -1, n;

	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		     "Connection: close\r\n\r\n",
		     path);
	if (n < 0 || (size_t)n >= sizeof(req))
		return -1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		goto out;
	if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != (ssize_t)n)
		goto out;
	while (got < 12 && (r = recv(fd, buf + got, sizeof(buf) - 1 - got, 0)) > 0)
		got += (size_t)r;
	buf[got] = '\0';
	if (got >= 12 && memcmp(buf, "HTTP/1.", 7) == 0)
		status = (int)strtol(buf + 9, NULL, 10);
out:
	close(fd);
	return status;
}

int
main(int argc, char **argv)
{
	const char *pidfile = NULL, *path = "/";
	double timeout = 60, t0, t;
	long port = 0;
	int opt, st;
	pid_t pid;
	FILE *f;

	if (argc == 2 && strcmp(argv[1], "--free-port") == 0)
		return free_port();
	while ((opt = getopt(argc, argv, "+p:o:u:t:")) != -1) {
		switch (opt) {
		case 'p':
			port = strtol(optarg, NULL, 10);
			break;
		case 'o':
			pidfile = optarg;
			break;
		case 'u':
			path = optarg;
			break;
		case 't':
			timeout = strtod(optarg, NULL);
			break;
		default:
			goto usage;
		}
	}
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	if (!pidfile || port <= 0 || port > 65535 || optind >= argc ||
	    timeout <= 0)
		goto usage;

	t0 = now_ms();
	if ((pid = fork()) < 0) {
		perror("startup: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "startup: %s: %s\n", argv[optind],
			strerror(errno));
		_exit(127);
	}
	if (!(f = fopen(pidfile, "w")) || fprintf(f, "%ld\n", (long)pid) < 0 ||
	    fclose(f) != 0) {
		fprintf(stderr, "startup: cannot write %s\n", pidfile);
		kill(pid, SIGTERM);
		return 1;
	}
	for (;;) {
		if (probe((unsigned short)port, path) == 200)
			break;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			fprintf(stderr, "startup: %s exited before serving\n",
				argv[optind]);
			return 1;
		}
		if (now_ms() - t0 > timeout * 1e3) {
			fprintf(stderr, "startup: no 200 from port %ld within "
					"%.0f s\n",
				port, timeout);
			kill(pid, SIGTERM);
			return 1;
		}
		usleep(1000);
	}
	t = now_ms() - t0;
	printf("first 200 after: %.1f ms\n", t);
	return 0;
usage:
	fprintf(stderr, "usage: startup --free-port\n"
			"       startup -p PORT -o PIDFILE [-u PATH] [-t SECONDS] -- "
			"COMMAND [ARG...]\n");
	return 2;
}
