/* err.c - descriptions for enum gz_err. */
#include "util/err.h"

const char *
gz_strerror(int err)
{
	switch (err) {
	case GZ_OK: return "success";
	case GZ_ENOMEM: return "out of memory";
	case GZ_EINVAL: return "invalid input";
	case GZ_ENOTFOUND: return "not found";
	case GZ_ETOOBIG: return "too large";
	case GZ_EDB: return "database error";
	case GZ_EIO: return "input/output error";
	case GZ_EPARSE: return "parse error";
	case GZ_EEXIST: return "already exists";
	case GZ_EBUSY: return "busy";
	case GZ_ESCHEMA: return "database is from a newer version of gazette";
	case GZ_EFORBIDDEN: return "forbidden";
	case GZ_EPENDING: return "pending";
	case GZ_ECONFLICT: return "changed by someone else since it was read";
	}
	return "unknown error";
}
