/*
 * err.h - the project's one error vocabulary.
 *
 * Every module returns these codes; store/ maps SQLite codes into them at its
 * edge, and only http/ turns them into HTTP statuses (http_status_of_err).
 */
#ifndef GZ_UTIL_ERR_H
#define GZ_UTIL_ERR_H

enum gz_err {
	GZ_OK = 0,
	GZ_ENOMEM,    /* an allocation failed */
	GZ_EINVAL,    /* input is malformed */
	GZ_ENOTFOUND, /* no such thing */
	GZ_ETOOBIG,   /* input exceeds a limit in limits.h */
	GZ_EDB,       /* the database failed */
	GZ_EIO,       /* a file or socket failed */
	GZ_EPARSE,    /* a file or template does not parse */
	GZ_EEXIST,    /* the thing already exists */
	GZ_EBUSY,     /* the resource is locked or in use */
	GZ_ESCHEMA,   /* the database is from a newer gazette */
	GZ_EFORBIDDEN, /* the request is refused (a cross-site form) */
	GZ_EPENDING,  /* not done yet: the answer comes later (a suspended
			 request, a queued write) */
	GZ_ECONFLICT, /* changed by someone else since it was read */
};

/* Returns a static, human-readable description of err. */
const char *gz_strerror(int err);

#endif
