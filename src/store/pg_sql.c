/*
 * pg_sql.c - PostgreSQL's text for the statements whose SQLite dialect
 * it does not take (placeholder: none yet; filled per statement as the
 * PostgreSQL engine grows).
 */
#include "store/store_int.h"

const char *
store_pg_sql(int id)
{
	(void)id;
	return NULL;
}
