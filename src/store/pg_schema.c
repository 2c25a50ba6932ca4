/*
 * pg_schema.c - PostgreSQL's migration history (stand-in: none yet; the
 * tables of SQLite's schema 14 come as migration 1).
 */
#include "store/store_int.h"

#include <stddef.h>

size_t
store_pg_migration_count(void)
{
	return 0;
}

const char *
store_pg_migration(int64_t n)
{
	(void)n;
	return NULL;
}
