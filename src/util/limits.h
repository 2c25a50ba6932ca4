/*
 * limits.h - every size limit in gazette, in one place.
 *
 * Sizes that come from outside are capped before anything is allocated.
 * Each limit says what it bounds and why it has the value it has.
 */
#ifndef GZ_UTIL_LIMITS_H
#define GZ_UTIL_LIMITS_H

/* Request headers and URL together; libmicrohttpd answers 431 past it. */
#define GZ_LIMIT_HEADER_BYTES (32u * 1024u)
/* A request body; nothing gazette accepts today is larger. */
#define GZ_LIMIT_BODY_BYTES (64u * 1024u)
/* A refused request's body is read and dropped up to this much, so the
 * client sees the refusal instead of a reset connection; past it the
 * connection is cut. */
#define GZ_LIMIT_DRAIN_BYTES (16u * 1024u * 1024u)
/* Fields in a POSTed form; gazette's forms have about ten. */
#define GZ_LIMIT_FORM_FIELDS 32u
/* Simultaneous connections; past it new ones wait in the kernel backlog. */
#define GZ_LIMIT_CONNECTIONS 1024u
/* Simultaneous connections from one address, so that one client trickling
 * headers cannot hold every slot (off behind a trusted proxy, where every
 * reader has the proxy's address: the proxy must guard slow clients). */
#define GZ_LIMIT_CONNECTIONS_PER_IP 64u
/* Seconds a connection may stay idle before it is closed. */
#define GZ_LIMIT_IDLE_SECONDS 15u
/* Per-request memory pool: rendering a page never needs more. */
#define GZ_LIMIT_REQUEST_POOL (8u * 1024u * 1024u)
/* A rendered page; a template loop cannot grow a response past this. */
#define GZ_LIMIT_PAGE_BYTES (4u * 1024u * 1024u)
/* Highest ?page=N accepted; deeper pages answer 404. */
#define GZ_LIMIT_PAGE_NUMBER 10000u

/* One imported file; a news article is rarely over 100 KB. */
#define GZ_LIMIT_IMPORT_FILE_BYTES (4u * 1024u * 1024u)
/* Headline, in bytes. */
#define GZ_LIMIT_HEADLINE_BYTES 512u
/* Tags on one article. */
#define GZ_LIMIT_TAGS 32u
/* One template source file. */
#define GZ_LIMIT_TEMPLATE_BYTES (1024u * 1024u)
/* Nesting of template sections and partials; deeper is a theme bug. */
#define GZ_LIMIT_TEMPLATE_DEPTH 32u
/* Markdown nesting is bounded by cmark itself; this bounds the output. */
#define GZ_LIMIT_MARKDOWN_BYTES (4u * 1024u * 1024u)

/* Config file. */
#define GZ_LIMIT_CONFIG_BYTES (64u * 1024u)

#endif
