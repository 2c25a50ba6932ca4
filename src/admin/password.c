/*
 * password.c - staff passwords: what is acceptable, Argon2id hashes
 * (libsodium's crypto_pwhash_str), verification, rehash decisions, the
 * dummy hash and one-time passwords.
 *
 * Data flow: gazette user checks a new password with
 * admin_password_problem and hashes it with admin_password_hash on its
 * own thread; the server's handlers (sign-in, a password change, a
 * reset, a rehash) verify and hash on a hashing thread (admin.c queues
 * admin_job_run's work), never on a server thread.
 *
 * Invariants: passwords are never logged or kept: a job's copy is wiped
 * with sodium_memzero once hashed; a password over GZ_LIMIT_PASSWORD_BYTES
 * is never hashed, so hashing costs the same whatever is typed.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "admin/admin_int.h"
#include "util/err.h"
#include "util/utf8.h"

static const char admin_alphabet[] = ADMIN_ALPHABET;

const char *
admin_password_problem(const char *password)
{
	size_t len, i, chars = 0;
	bool blank = true;

	if (!password)
		return "Type a password.";
	len = strnlen(password, GZ_LIMIT_PASSWORD_BYTES + 1);
	if (len > GZ_LIMIT_PASSWORD_BYTES)
		return "Use at most 1024 bytes.";
	if (!utf8_valid(password, len, NULL))
		return "The password is not valid text.";
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)password[i];

		/* Count code points: every byte but continuation bytes. */
		if ((c & 0xC0) != 0x80)
			chars++;
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r' &&
		    c != '\v' && c != '\f')
			blank = false;
	}
	if (chars < GZ_LIMIT_PASSWORD_MIN_CHARS)
		return "Use at least 12 characters.";
	if (blank)
		return "Use something other than spaces.";
	return NULL;
}

_Static_assert(GZ_LIMIT_PASSWORD_MIN_CHARS == 12 &&
		       GZ_LIMIT_PASSWORD_BYTES == 1024,
	       "admin_password_problem's sentences name these limits");

int
admin_password_hash(const struct admin *a, const char *password,
		    char out[ADMIN_HASH_MAX])
{
	assert(a != NULL && out != NULL);
	out[0] = '\0';
	if (admin_password_problem(password))
		return GZ_EINVAL;
	if (crypto_pwhash_str(out, password, strlen(password), a->opslimit,
			      a->memlimit) != 0) {
		out[0] = '\0';
		return GZ_ENOMEM;
	}
	return GZ_OK;
}

int
admin_password_verify(const char *hash, const char *password)
{
	size_t pw_len;

	if (!hash || !password || strnlen(hash, ADMIN_HASH_MAX) >= ADMIN_HASH_MAX)
		return GZ_EFORBIDDEN;
	pw_len = strnlen(password, GZ_LIMIT_PASSWORD_BYTES + 1);
	if (pw_len > GZ_LIMIT_PASSWORD_BYTES)
		return GZ_EFORBIDDEN;
	errno = 0;
	if (crypto_pwhash_str_verify(hash, password, pw_len) == 0)
		return GZ_OK;
	/* libsodium answers -1 for a mismatch, a malformed hash and a
	 * failed allocation alike; only the last leaves ENOMEM. */
	return errno == ENOMEM ? GZ_ENOMEM : GZ_EFORBIDDEN;
}

/* Reads m= (KiB) and t= from an Argon2 hash's text
 * ("$argon2id$v=19$m=65536,t=2,p=1$..."). Returns true when found. */
static bool
admin_hash_params(const char *hash, unsigned long *m, unsigned long *t)
{
	const char *p = strstr(hash, "$m=");

	if (!p)
		return false;
	return sscanf(p, "$m=%lu,t=%lu,", m, t) == 2;
}

bool
admin_password_needs_rehash(const struct admin *a, const char *hash)
{
	unsigned long m, t;
	int r;

	assert(a != NULL);
	if (!hash || strnlen(hash, ADMIN_HASH_MAX) >= ADMIN_HASH_MAX)
		return true;
	r = crypto_pwhash_str_needs_rehash(hash, a->opslimit, a->memlimit);
	if (r == 0)
		return false;
	if (r < 0 || strncmp(hash, "$argon2id$", 10) != 0 ||
	    !admin_hash_params(hash, &m, &t))
		return true;
	/* Different limits: rehash only when the old ones are weaker (a
	 * site that lowered hash_cost keeps its stronger hashes). */
	return m < a->memlimit / 1024u || t < a->opslimit;
}

const char *
admin_password_dummy(const struct admin *a)
{
	struct admin_dummy *d;
	char password[ADMIN_ONETIME_LEN + 1];

	assert(a != NULL && a->dummy != NULL);
	d = a->dummy;
	pthread_mutex_lock(&d->lock);
	if (!d->made) {
		admin_password_generate(password);
		/* A random password of the right shape always hashes, unless
		 * Argon2's memory is refused: then a malformed "hash", which
		 * verifies as fast as a mismatch, is the best there is, and
		 * the next call tries again. */
		d->made = admin_password_hash(a, password, d->hash) == GZ_OK;
		sodium_memzero(password, sizeof(password));
	}
	pthread_mutex_unlock(&d->lock);
	return d->hash;
}

void
admin_password_generate(char out[ADMIN_ONETIME_LEN + 1])
{
	size_t i;

	assert(out != NULL);
	for (i = 0; i < ADMIN_ONETIME_LEN; i++) {
		if (i % 5 == 4) {
			out[i] = '-';
			continue;
		}
		out[i] = admin_alphabet[randombytes_uniform(
			(uint32_t)(sizeof(admin_alphabet) - 1))];
	}
	out[ADMIN_ONETIME_LEN] = '\0';
}

void
admin_job_run(const struct admin *a, struct admin_job *job)
{
	assert(a != NULL && job != NULL);
	job->result = GZ_OK;
	if (job->verify) {
		job->result = admin_password_verify(job->hash, job->password);
		job->verified = job->result == GZ_OK;
	}
	/* A new hash only for a verified old password: a wrong one costs
	 * one Argon2, not two. */
	if (job->make && job->result == GZ_OK)
		job->result = admin_password_hash(a, job->new_password,
						  job->made);
	sodium_memzero(job->password, sizeof(job->password));
	sodium_memzero(job->new_password, sizeof(job->new_password));
}
