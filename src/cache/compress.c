/*
 * compress.c - the gzip and brotli variants of a cached page, each made
 * once, with every slot's bytes stored raw at a fixed offset so that a
 * response lays fresh bytes over them without recompressing; and gzip's
 * per-response trailer. cache.c calls in here (cache_int.h) on the first
 * request for an encoding. See docs/cache.md for the scheme and why it is
 * exact.
 *
 * gzip: a 10-byte header, then raw deflate. Each run of the body between
 * slots is deflated and ended with Z_FULL_FLUSH, which byte-aligns the
 * stream and forgets the history, so nothing after a slot refers to
 * anything before it; each slot (with no run before it: nothing to flush)
 * is a non-final stored block written here: 00, LEN, NLEN, raw bytes. The
 * last run ends with Z_FINISH. Exact by construction.
 *
 * brotli: one encoder for the page. A run is fed and flushed (the output
 * is then byte-aligned); a slot's region (its bytes, plus the next 2 page
 * bytes, so the literal context after it is the page's own) is fed with
 * placeholder bytes that occur nowhere else in the page, flushed, and its
 * output thrown away: in its place goes an uncompressed meta-block with
 * the region's raw bytes. The encoder cannot be told not to copy from the
 * region or not to change its distance cache there, so every brotli
 * variant is decoded once, with fills that differ from the placeholders in
 * every byte, and kept only when that gives the page back exactly.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <zlib.h>

#include "cache/cache.h"
#include "cache/cache_int.h"
#include "util/err.h"

/* Levels chosen by measuring a 40 KB article page (docs/cache.md): each
 * variant must build in a few milliseconds, on the first request after
 * every change. */
#define GZIP_LEVEL 6
#define BROTLI_QUALITY 5
/* The largest brotli window; smaller pages get the smallest window that
 * holds them, which is faster to set up. */
#define BROTLI_MAX_LGWIN 22
/* Page bytes after a slot fed with it to brotli: the literal context of
 * the next byte depends on the two before it. */
#define BR_TAIL 2u
/* Longest uncompressed region: all slots close together, with their tails. */
#define BR_REGION_MAX (CACHE_MAX_SLOTS * (CACHE_MAX_SLOT_BYTES + BR_TAIL))

/* Which placeholders brotli is fed (tests compare the two). */
enum br_ph {
	BR_PH_ABSENT, /* bytes absent from the page, no pair repeated */
	BR_PH_PAGE,   /* the page's own placeholder bytes */
};

static enum br_ph br_placeholders = BR_PH_ABSENT;
/* The levels in use: variables only so the tests can measure others. */
static int gzip_level = GZIP_LEVEL;
static uint32_t brotli_quality = BROTLI_QUALITY;

void
cache_var_fini(struct cache_var *v)
{
	free(v->data);
	v->data = NULL;
}

static void
le32(unsigned char *d, uint32_t v)
{
	d[0] = (unsigned char)v;
	d[1] = (unsigned char)(v >> 8);
	d[2] = (unsigned char)(v >> 16);
	d[3] = (unsigned char)(v >> 24);
}

/* Builds the gzip variant; see the top of the file. */
static int
gzip_build(const struct cache_page *p, struct cache_var *v)
{
	static const unsigned char hdr[10] = {
		0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 /* Unix */
	};
	z_stream z;
	unsigned char *out = NULL;
	size_t cap, run = 0, i, end;
	int err = GZ_ENOTFOUND, zr;

	/* Worth keeping only if smaller than the page, trailer included. */
	if (p->len <= sizeof(hdr) + 8 + 2)
		return GZ_ENOTFOUND;
	cap = p->len - 8 - 1;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, gzip_level, Z_DEFLATED, -15, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return GZ_ENOMEM;
	if (!(out = malloc(cap))) {
		err = GZ_ENOMEM;
		goto out;
	}
	memcpy(out, hdr, sizeof(hdr));
	z.next_out = out + sizeof(hdr);
	z.avail_out = (uInt)(cap - sizeof(hdr) > UINT32_MAX
				     ? UINT32_MAX : cap - sizeof(hdr));
	for (i = 0; i <= p->nslots; i++) {
		end = i < p->nslots ? p->slots[i].offset : p->len;
		z.next_in = (unsigned char *)(uintptr_t)(p->body + run);
		z.avail_in = (uInt)(end - run);
		if (i == p->nslots) {
			zr = deflate(&z, Z_FINISH);
			if (zr != Z_STREAM_END)
				goto out; /* no room: it does not shrink */
			break;
		}
		/* An empty run needs no flush: the stream is aligned (at
		 * the start, or after a stored block). */
		if (end > run) {
			zr = deflate(&z, Z_FULL_FLUSH);
			if (zr != Z_OK || z.avail_in || !z.avail_out)
				goto out;
		}
		if (z.avail_out < 5 + p->slots[i].len)
			goto out;
		/* A stored block, not final: BFINAL 0, BTYPE 00, aligned. */
		z.next_out[0] = 0;
		z.next_out[1] = (unsigned char)p->slots[i].len;
		z.next_out[2] = (unsigned char)(p->slots[i].len >> 8);
		z.next_out[3] = (unsigned char)~p->slots[i].len;
		z.next_out[4] = (unsigned char)(~p->slots[i].len >> 8);
		v->hole[i] = (size_t)(z.next_out + 5 - out);
		memcpy(z.next_out + 5, p->body + end, p->slots[i].len);
		z.next_out += 5 + p->slots[i].len;
		z.avail_out -= (uInt)(5 + p->slots[i].len);
		run = end + p->slots[i].len;
	}
	v->len = (size_t)(z.next_out - out);
	v->crc_base = (uint32_t)crc32_z(0, p->body, p->len);
	for (i = 0; i < p->nslots; i++) {
		end = p->slots[i].offset + p->slots[i].len;
		v->crc_ph[i] = (uint32_t)crc32_z(0, p->body + p->slots[i].offset,
						 p->slots[i].len);
		v->op[i] = (uint32_t)crc32_combine_gen((z_off_t)(p->len - end));
	}
	/* Give back the unused part of the page-sized buffer (a failed
	 * shrink keeps the larger one). */
	{
		unsigned char *shrunk = realloc(out, v->len);

		v->data = shrunk ? shrunk : out;
	}
	out = NULL;
	err = GZ_OK;
out:
	deflateEnd(&z);
	free(out);
	return err;
}

void
cache_gzip_trailer(const struct cache_page *p, const struct cache_var *v,
		   const char *const *fill, unsigned char *trailer)
{
	uint32_t crc = v->crc_base, d;
	size_t i;

	/* CRC-32 is affine: for messages of one length, the CRCs differ by
	 * the linear CRC of their difference, here the fills' difference
	 * from the placeholders, each shifted past the bytes after it. */
	for (i = 0; i < p->nslots; i++) {
		d = (uint32_t)crc32_z(0, (const unsigned char *)fill[i],
				      p->slots[i].len) ^ v->crc_ph[i];
		crc ^= (uint32_t)crc32_combine_op(d, 0, v->op[i]);
	}
	le32(trailer, crc);
	le32(trailer + 4, (uint32_t)p->len);
}

/* Runs the encoder on in[0..n) with op until it has consumed it and said
 * everything; appends the output to out[*pos..cap), or throws it away
 * when out is NULL. Returns false when the encoder fails or out is full. */
static bool
br_run(BrotliEncoderState *e, BrotliEncoderOperation op,
       const unsigned char *in, size_t n, unsigned char *out, size_t cap,
       size_t *pos)
{
	unsigned char scratch[1024], *next_out;
	size_t avail_out;
	const uint8_t *next_in = in;

	for (;;) {
		if (out) {
			next_out = out + *pos;
			avail_out = cap - *pos;
		} else {
			next_out = scratch;
			avail_out = sizeof(scratch);
		}
		if (!BrotliEncoderCompressStream(e, op, &n, &next_in,
						 &avail_out, &next_out, NULL))
			return false;
		if (out)
			*pos = (size_t)(next_out - out);
		if (!n && !BrotliEncoderHasMoreOutput(e) &&
		    (op != BROTLI_OPERATION_FINISH ||
		     BrotliEncoderIsFinished(e)))
			return true;
		if (out && !avail_out)
			return false;
	}
}

/* Placeholders for brotli: a sequence over the byte values absent from
 * the page outside its slots, in which no pair of bytes comes twice (a
 * de Bruijn sequence of order 2: the concatenated Lyndon words "a" and
 * "ab", a < b), so the encoder finds nothing to copy in or from them.
 * Writes the sequence for total bytes into ph; returns false when the
 * page uses every byte value. */
static bool
br_absent(const struct cache_page *p, unsigned char *ph, size_t total)
{
	unsigned char absent[256];
	bool seen[256] = {false};
	size_t i, j, k = 0, n = 0, from = 0, a, b;

	for (i = 0; i <= p->nslots; i++) {
		size_t to = i < p->nslots ? p->slots[i].offset : p->len;

		for (j = from; j < to; j++)
			seen[p->body[j]] = true;
		if (i < p->nslots)
			from = to + p->slots[i].len;
	}
	for (i = 0; i < 256; i++)
		if (!seen[i])
			absent[k++] = (unsigned char)i;
	if (!k)
		return false;
	while (n < total) {
		for (a = 0; a < k && n < total; a++) {
			ph[n++] = absent[a];
			for (b = a + 1; b < k && n < total; b++) {
				ph[n++] = absent[a];
				if (n < total)
					ph[n++] = absent[b];
			}
		}
	}
	return true;
}

/* Decodes v with slot i filled by the complement of the bytes the encoder
 * saw (ph), which differs in every byte, and compares with the page so
 * filled. Any copy from a slot, or a distance the encoder and the decoder
 * disagree on, shows. */
static int
br_verify(const struct cache_page *p, const struct cache_var *v,
	  const unsigned char *ph)
{
	unsigned char *enc = NULL, *dec = NULL;
	size_t dlen = p->len, i, j, pos = 0, at = 0;
	int err = GZ_ENOMEM;

	if (!(enc = malloc(v->len)) || !(dec = malloc(p->len + 1)))
		goto out;
	memcpy(enc, v->data, v->len);
	for (i = 0; i < p->nslots; i++) {
		for (j = 0; j < p->slots[i].len; j++)
			enc[v->hole[i] + j] = (unsigned char)~ph[at + j];
		at += p->slots[i].len;
	}
	/* One byte more than the page: a longer output fails too. */
	dlen = p->len + 1;
	err = GZ_ENOTFOUND;
	if (BrotliDecoderDecompress(v->len, enc, &dlen, dec) !=
	    BROTLI_DECODER_RESULT_SUCCESS || dlen != p->len)
		goto out;
	at = 0;
	for (i = 0; i <= p->nslots; i++) {
		size_t to = i < p->nslots ? p->slots[i].offset : p->len;

		if (memcmp(dec + pos, p->body + pos, to - pos))
			goto out;
		if (i == p->nslots)
			break;
		for (j = 0; j < p->slots[i].len; j++)
			if (dec[to + j] != (unsigned char)~ph[at + j])
				goto out;
		at += p->slots[i].len;
		pos = to + p->slots[i].len;
	}
	err = GZ_OK;
out:
	free(enc);
	free(dec);
	return err;
}

static int
brotli_build(const struct cache_page *p, struct cache_var *v)
{
	BrotliEncoderState *e = NULL;
	unsigned char *out = NULL, ph[CACHE_MAX_SLOTS * CACHE_MAX_SLOT_BYTES];
	unsigned char region[BR_REGION_MAX];
	size_t cap, pos = 0, run = 0, i, k, r, start, stop, at, phat = 0;
	size_t total = 0;
	uint32_t lgwin = 10, hdr;
	int err = GZ_ENOTFOUND;

	if (p->len <= 8)
		return GZ_ENOTFOUND;
	cap = p->len - 1;
	for (i = 0; i < p->nslots; i++)
		total += p->slots[i].len;
	if (!p->nslots) {
		/* Nothing to splice: no placeholders needed. */
	} else if (br_placeholders == BR_PH_ABSENT) {
		if (!br_absent(p, ph, total))
			return GZ_ENOTFOUND;
	} else {
		for (i = 0; i < p->nslots; i++) {
			memcpy(ph + phat, p->body + p->slots[i].offset,
			       p->slots[i].len);
			phat += p->slots[i].len;
		}
		phat = 0;
	}
	while (lgwin < BROTLI_MAX_LGWIN && ((size_t)1 << lgwin) - 16 < p->len)
		lgwin++;
	if (!(e = BrotliEncoderCreateInstance(NULL, NULL, NULL)) ||
	    !(out = malloc(cap))) {
		err = GZ_ENOMEM;
		goto out;
	}
	BrotliEncoderSetParameter(e, BROTLI_PARAM_QUALITY, brotli_quality);
	BrotliEncoderSetParameter(e, BROTLI_PARAM_LGWIN, lgwin);
	BrotliEncoderSetParameter(e, BROTLI_PARAM_SIZE_HINT,
				  p->len > (1u << 30) ? (1u << 30)
						      : (uint32_t)p->len);
	if (!strncmp(p->content_type, "text/", 5))
		BrotliEncoderSetParameter(e, BROTLI_PARAM_MODE,
					  BROTLI_MODE_TEXT);

	for (i = 0; i < p->nslots; i = k) {
		/* The region: slots i..k-1, each within BR_TAIL of the one
		 * before, with BR_TAIL page bytes after the last. */
		start = p->slots[i].offset;
		stop = start;
		for (k = i; k < p->nslots && p->slots[k].offset <= stop; k++)
			stop = p->slots[k].offset + p->slots[k].len + BR_TAIL;
		if (stop > p->len)
			stop = p->len;
		/* The run before it, flushed: the output is then aligned.
		 * At the start this writes the stream header too. */
		if (!br_run(e, BROTLI_OPERATION_FLUSH, p->body + run,
			    start - run, out, cap, &pos))
			goto out;
		if (!pos)
			goto out; /* no stream header yet: cannot splice */
		/* The region with the placeholders, thrown away. */
		memcpy(region, p->body + start, stop - start);
		for (r = i; r < k; r++) {
			memcpy(region + (p->slots[r].offset - start),
			       ph + phat, p->slots[r].len);
			phat += p->slots[r].len;
		}
		if (!br_run(e, BROTLI_OPERATION_FLUSH, region, stop - start,
			    NULL, 0, NULL))
			goto out;
		/* In its place, an uncompressed meta-block: ISLAST 0,
		 * MNIBBLES 4 (coded 0), MLEN - 1 in 16 bits, ISUNCOMPRESSED
		 * 1, then zero bits to the byte: 24 bits, then the bytes. */
		if (cap - pos < 3 + (stop - start))
			goto out;
		hdr = ((uint32_t)(stop - start - 1) << 3) | (1u << 19);
		out[pos++] = (unsigned char)hdr;
		out[pos++] = (unsigned char)(hdr >> 8);
		out[pos++] = (unsigned char)(hdr >> 16);
		at = pos;
		memcpy(out + pos, region, stop - start);
		pos += stop - start;
		for (r = i; r < k; r++)
			v->hole[r] = at + (p->slots[r].offset - start);
		run = stop;
	}
	if (!br_run(e, BROTLI_OPERATION_FINISH, p->body + run, p->len - run,
		    out, cap, &pos))
		goto out;
	v->data = out;
	v->len = pos;
	if ((err = p->nslots ? br_verify(p, v, ph) : GZ_OK) != GZ_OK)
		goto out;
	{
		unsigned char *shrunk = realloc(out, pos);

		v->data = shrunk ? shrunk : out;
	}
	out = NULL;
out:
	if (err != GZ_OK)
		v->data = NULL;
	BrotliEncoderDestroyInstance(e);
	free(out);
	return err;
}

int
cache_var_build(const struct cache_page *p, enum cache_enc enc,
		struct cache_var *out)
{
	assert(p && out && (enc == CACHE_GZIP || enc == CACHE_BROTLI));
	memset(out, 0, sizeof(*out));
	return enc == CACHE_GZIP ? gzip_build(p, out) : brotli_build(p, out);
}
