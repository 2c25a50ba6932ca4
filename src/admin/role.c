/*
 * role.c - what each role may do: one static table, roles x actions.
 *
 * Data flow: every admin handler asks admin_role_can before it acts (and
 * the dashboard before it shows a link); docs/admin.md prints the same
 * table, and tests/unit/test_admin_role.c checks every cell.
 *
 * Invariants: the table is constant; a role or action outside its enum
 * may do nothing.
 */
#include <stddef.h>

#include "admin/admin.h"

#define ROLE_COUNT 4

/* [role][action]: 1 where allowed. */
static const unsigned char role_table[ROLE_COUNT][ADMIN_ACTION_COUNT] = {
	[STORE_ROLE_ADMIN] = {
		[ADMIN_DASHBOARD] = 1, [ADMIN_ARTICLE_READ] = 1,
		[ADMIN_ARTICLE_WRITE_OWN] = 1, [ADMIN_ARTICLE_EDIT_ANY] = 1,
		[ADMIN_ARTICLE_PUBLISH] = 1, [ADMIN_ARTICLE_DELETE] = 1,
		[ADMIN_CORRECTION_ADD] = 1, [ADMIN_COMMENT_MODERATE] = 1,
		[ADMIN_USER_MANAGE] = 1, [ADMIN_SETTINGS_EDIT] = 1,
		[ADMIN_AUDIT_READ] = 1, [ADMIN_MEDIA_UPLOAD] = 1,
		[ADMIN_MEDIA_EDIT_ANY] = 1,
	},
	[STORE_ROLE_EDITOR] = {
		[ADMIN_DASHBOARD] = 1, [ADMIN_ARTICLE_READ] = 1,
		[ADMIN_ARTICLE_WRITE_OWN] = 1, [ADMIN_ARTICLE_EDIT_ANY] = 1,
		[ADMIN_ARTICLE_PUBLISH] = 1, [ADMIN_ARTICLE_DELETE] = 1,
		[ADMIN_CORRECTION_ADD] = 1, [ADMIN_COMMENT_MODERATE] = 1,
		[ADMIN_MEDIA_UPLOAD] = 1, [ADMIN_MEDIA_EDIT_ANY] = 1,
	},
	/* A reporter brings back photos as well as words; what a writer
	 * uploads is decoded and re-encoded, so no file of theirs reaches
	 * a reader as sent. Deleting, and changing others' words, is an
	 * editor's. */
	[STORE_ROLE_WRITER] = {
		[ADMIN_DASHBOARD] = 1, [ADMIN_ARTICLE_READ] = 1,
		[ADMIN_ARTICLE_WRITE_OWN] = 1, [ADMIN_MEDIA_UPLOAD] = 1,
	},
	[STORE_ROLE_MODERATOR] = {
		[ADMIN_DASHBOARD] = 1, [ADMIN_COMMENT_MODERATE] = 1,
	},
};

_Static_assert(STORE_ROLE_MODERATOR + 1 == ROLE_COUNT, "one row per role");

static const char *const action_names[ADMIN_ACTION_COUNT] = {
	[ADMIN_DASHBOARD] = "dashboard",
	[ADMIN_ARTICLE_READ] = "article-read",
	[ADMIN_ARTICLE_WRITE_OWN] = "article-write-own",
	[ADMIN_ARTICLE_EDIT_ANY] = "article-edit-any",
	[ADMIN_ARTICLE_PUBLISH] = "article-publish",
	[ADMIN_ARTICLE_DELETE] = "article-delete",
	[ADMIN_CORRECTION_ADD] = "correction-add",
	[ADMIN_COMMENT_MODERATE] = "comment-moderate",
	[ADMIN_USER_MANAGE] = "user-manage",
	[ADMIN_SETTINGS_EDIT] = "settings-edit",
	[ADMIN_AUDIT_READ] = "audit-read",
	[ADMIN_MEDIA_UPLOAD] = "media-upload",
	[ADMIN_MEDIA_EDIT_ANY] = "media-edit-any",
};

bool
admin_role_can(enum store_role role, enum admin_action action)
{
	if ((unsigned)role >= ROLE_COUNT ||
	    (unsigned)action >= (unsigned)ADMIN_ACTION_COUNT)
		return false;
	return role_table[role][action] != 0;
}

const char *
admin_action_name(enum admin_action action)
{
	if ((unsigned)action >= (unsigned)ADMIN_ACTION_COUNT)
		return NULL;
	return action_names[action];
}
