/*
 * pg_sql.c - PostgreSQL's text for the statements whose SQLite dialect
 * it does not take, by statement id (store_int.h's enum store_stmt_id);
 * every other statement runs as the query file wrote it, with ?N as $N.
 */
#include "store/store_int.h"

const char *
store_pg_sql(int id)
{
	switch (id) {
	/* SQLite's BEGIN IMMEDIATE takes the write lock; PostgreSQL's
	 * writers take the engine's advisory lock after BEGIN. */
	case STMT_TX_BEGIN:
		return "BEGIN";
	/* One snapshot for every query of a read, and no write. */
	case STMT_READ_BEGIN:
		return "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
	case STMT_PING:
		return "SELECT 1";
	default:
		return NULL;
	}
}
