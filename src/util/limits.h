/*
 * limits.h - every size limit in gazette, in one place.
 *
 * Sizes that come from outside are capped before anything is allocated.
 * Each limit says what it bounds and why it has the value it has.
 */
#ifndef GZ_UTIL_LIMITS_H
#define GZ_UTIL_LIMITS_H

/* Request headers and URL together; libmicrohttpd answers 431 past it. */
#define GZ_LIMIT_HEADER_BYTES (16u * 1024u)
/* A request body; nothing gazette accepts today is larger. */
#define GZ_LIMIT_BODY_BYTES (64u * 1024u)
/* A refused request's body is read and dropped up to this much, so the
 * client sees the refusal instead of a reset connection; past it the
 * connection is cut. */
#define GZ_LIMIT_DRAIN_BYTES (16u * 1024u * 1024u)
/* A newsroom page's Markdown (about, privacy...): a few screens. */
#define GZ_LIMIT_PAGE_SOURCE_BYTES (64u * 1024u)
/* Authors one article may name, and an author's bio. */
#define GZ_LIMIT_AUTHORS 16u
#define GZ_LIMIT_BIO_BYTES (4u * 1024u)
/* A search: the text read from the box (a longer one is cut there, and
 * the reader told), and the words or phrases kept of it. */
#define GZ_LIMIT_SEARCH_BYTES 256u
#define GZ_LIMIT_SEARCH_TERMS 16u
/* Result pages a search goes to: a deep page costs the most (every match
 * ranked to find it) and no reader reads that far. */
#define GZ_LIMIT_SEARCH_PAGES 50u
/* Fields in a POSTed form, each value of a repeated name counted: most
 * forms have about ten; bulk moderation sends up to GZ_LIMIT_FORM_VALUES
 * ids with a few more fields. */
#define GZ_LIMIT_FORM_FIELDS 256u
/* A multipart field's name; gazette's are a word. */
#define GZ_LIMIT_FORM_NAME_BYTES 64u
/* A multipart boundary: RFC 2046 allows 1 to 70 characters. */
#define GZ_LIMIT_FORM_BOUNDARY 70u
/* Simultaneous connections, at most; the server takes fewer when the
 * process's file descriptor limit (raised to its hard limit at start) is
 * lower, less GZ_LIMIT_FD_RESERVE. Past it new ones wait in the kernel
 * backlog. Each costs up to GZ_LIMIT_HEADER_BYTES of headers plus, for a
 * POST, its body: 4096 slow clients hold at most about 330 MB. */
#define GZ_LIMIT_CONNECTIONS 4096u
/* File descriptors kept back from connections: the database and its
 * WAL files per thread, the listening sockets, logs, the theme. */
#define GZ_LIMIT_FD_RESERVE 128u
/* Simultaneous connections from one address, so that one client trickling
 * headers cannot hold every slot (off behind a trusted proxy, where every
 * reader has the proxy's address: the proxy must guard slow clients). */
#define GZ_LIMIT_CONNECTIONS_PER_IP 64u
/* Seconds a connection may stay idle before it is closed. */
#define GZ_LIMIT_IDLE_SECONDS 15u
/*
 * Whole-request deadlines (server.c): the idle timeout above resets on
 * every byte, so a client trickling a byte at a time would keep its
 * connection for ever. These bound each phase of a request however the
 * bytes come; a connection past its deadline is shut down. Honest
 * clients send their headers in one packet and their bodies at network
 * speed, far inside them.
 */
/* Seconds from a connection's start, or from the end of its previous
 * request (keep-alive), to the end of the next request's headers. An
 * idle kept-alive connection is closed after this too. */
#define GZ_LIMIT_HEADER_SECONDS 10u
/* Seconds a body may take before GZ_LIMIT_MIN_RATE applies: a body of n
 * bytes (declared, at most GZ_LIMIT_BODY_BYTES, or received so far) must
 * be in within BODY_SECONDS + n / MIN_RATE of the end of the headers; a
 * body, refused and drained ones included, holds its connection 141 s at
 * most. */
#define GZ_LIMIT_BODY_SECONDS 10u
/* Bytes a second a slow but honest client sends or reads at the least (a
 * poor mobile link does several KB a second): a 64 KB comment gets 2 min
 * 20 s, a 4 MB page 2 h 20 min. Apache's mod_reqtimeout uses 500 too. */
#define GZ_LIMIT_MIN_RATE 500u
/* Seconds a response may take before GZ_LIMIT_MIN_RATE applies to its
 * size: a reader that stops reading is cut after SEND_SECONDS + size /
 * MIN_RATE (and after GZ_LIMIT_IDLE_SECONDS without any progress). */
#define GZ_LIMIT_SEND_SECONDS 30u
/* How often, in milliseconds, connections are checked against their
 * deadlines: a deadline is kept to within this. */
#define GZ_LIMIT_SWEEP_MS 500u
/* On SIGTERM, requests under way get this long to finish before their
 * connections are closed (systemd's TimeoutStopSec is 40 s). */
#define GZ_LIMIT_STOP_SECONDS 30u
/* Per-request memory pool: rendering a page never needs more. */
#define GZ_LIMIT_REQUEST_POOL (8u * 1024u * 1024u)
/* A rendered page; a template loop cannot grow a response past this. */
#define GZ_LIMIT_PAGE_BYTES (4u * 1024u * 1024u)
/* Per-response slots of one page (the article page uses three: the
 * CAPTCHA question, its spoken form, its token), and the longest slot. */
#define GZ_LIMIT_PAGE_SLOTS 4u
#define GZ_LIMIT_SLOT_BYTES 256u
/* Cache keys one page may depend on (the front page: its cards, their
 * sections, the navigation); a page naming more is not cached. */
#define GZ_LIMIT_PAGE_KEYS 64u
/* Longest page-cache key (path and query, re-encoded); a longer URL is
 * answered but not cached. */
#define GZ_LIMIT_CACHE_URL_BYTES 2048u
/* One access-log line, and the request target (path and query, escaped)
 * in it: enough for any URL gazette makes, short enough that a 16 KB URL
 * cannot flood the log. Longer targets end in "...". */
#define GZ_LIMIT_LOG_LINE_BYTES 3072u
#define GZ_LIMIT_LOG_TARGET_BYTES 2048u
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
/* The HTML one Markdown body may render to. */
#define GZ_LIMIT_MARKDOWN_BYTES (4u * 1024u * 1024u)

/*
 * What a Markdown body may hold, checked when it is imported
 * (render_markdown_check). cmark-gfm 0.29.0.gfm.6 is linear on most input
 * but not on all of it; each limit below bounds one input it is slow on,
 * measured on this project's machines (docs/import.md has the numbers),
 * and is far above anything a news article holds.
 */
/* Block quotes and list items open on one line (">", "-", "1." and every
 * 2 columns of indentation). Parsing takes nesting x open brackets: 20,000
 * ">" then 20,000 "[" (40 KB) take 1.3 s; at 32 deep the same brackets
 * cost what they cost at the top level. */
#define GZ_LIMIT_MD_NESTING 32u
/* "[" or "![" not yet closed by "]" in one paragraph; real text closes
 * what it opens. Bounds the other factor of the product above. */
#define GZ_LIMIT_MD_OPEN_BRACKETS 256u
/* Cells in a table's header or delimiter row, or in any of its rows:
 * cmark-gfm's header parsing is quadratic in them (10,000 columns: 0.5 s,
 * 100,000: 6.7 s). */
#define GZ_LIMIT_MD_TABLE_COLUMNS 64u
/* Table cells (columns x rows, header included) in one body: every row is
 * padded to the header's width, so 2,000 columns over 2,000 one-letter
 * rows (12 KB) made 40 MB of HTML in 12 s. 20,000 cells render in about
 * 30 ms. */
#define GZ_LIMIT_MD_TABLE_CELLS 20000u
/* ")" in one word (a run without white space): the autolink extension
 * strips unmatched ")" from a link's end one at a time, rescanning the
 * link each time (www.a and 16,000 ")": 0.1 s). */
#define GZ_LIMIT_MD_WORD_PARENS 16u
/* "@" right after a letter, digit or . + - _ on one line (a possible
 * email address): the autolink extension copies the rest of the line for
 * each one it considers ("a@" 400,000 times: 2.0 s). */
#define GZ_LIMIT_MD_LINE_EMAILS 64u
/* Lines in one body: each is a node or two, and 2 million one-letter
 * lines took 1.1 s. 100,000 lines of 40 bytes fill the 4 MB file. */
#define GZ_LIMIT_MD_LINES 100000u
/* Inline markup in one body: runs of * _ ` and each ~ < & : [ ] @ "www."
 * and backslash escape. Each can become a node of its own, and such text
 * parses at up to 1 us a byte against 0.012 us for prose ("*_~" a million
 * times: 3.1 s, 4 million "<": 0.7 s). */
#define GZ_LIMIT_MD_MARKS 100000u

/* Config file. */
#define GZ_LIMIT_CONFIG_BYTES (64u * 1024u)

/* The newsroom (admin). */
/* A POST to /admin/articles and below: the editor's form carries a whole
 * article, sent as multipart/form-data so that it is not tripled by
 * percent-encoding. Only these paths get more than GZ_LIMIT_BODY_BYTES
 * (the rest of the admin, sign-in included, has that). */
#define GZ_LIMIT_ADMIN_BODY_BYTES (2u * 1024u * 1024u)
/* An article body typed in the editor (Markdown). */
#define GZ_LIMIT_EDITOR_BODY_BYTES (1024u * 1024u)
/* A one-line field of the editor (dateline, byline, authors, section,
 * tags, slug, language); the headline has GZ_LIMIT_HEADLINE_BYTES. */
#define GZ_LIMIT_EDITOR_FIELD_BYTES 512u
/* An article's summary, as typed in the editor. */
#define GZ_LIMIT_SUMMARY_BYTES (2u * 1024u)
/* Revisions kept per article, newest first (revision.c). */
#define GZ_LIMIT_REVISIONS 200u
/* A correction's text. */
#define GZ_LIMIT_CORRECTION_BYTES (4u * 1024u)
/* A staff member's display name. */
#define GZ_LIMIT_DISPLAY_NAME_BYTES 128u
/* A stored password hash (crypto_pwhash_str's text is under 128 bytes). */
#define GZ_LIMIT_PASSWORD_HASH_BYTES 256u
/* Each string of an audit entry (longer ones are cut at a character), and
 * the address a session signed in from. */
#define GZ_LIMIT_AUDIT_FIELD_BYTES 512u
/* A site setting's key ("site.title"); its value is capped by
 * GZ_LIMIT_CONFIG_BYTES, as a whole gazette.conf is. */
#define GZ_LIMIT_SETTING_KEY_BYTES 64u
/* A password: long enough for any passphrase, short enough that hashing
 * it costs what hashing any other does. */
#define GZ_LIMIT_PASSWORD_BYTES 1024u
#define GZ_LIMIT_PASSWORD_MIN_CHARS 12u
/* A session's life: idle (no request for this long signs out) and
 * absolute (signed out this long after signing in, whatever). */
#define GZ_LIMIT_SESSION_IDLE_SECONDS (2u * 3600u)
#define GZ_LIMIT_SESSION_SECONDS (12u * 3600u)
/* How often a server forgets expired and idle sessions. */
#define GZ_LIMIT_SESSION_PURGE_SECONDS 600u
/* Sign-in between password and second factor. */
#define GZ_LIMIT_SIGNIN_STEP_SECONDS 300u
/* The sign-in form's token (the gz_login cookie) is good this long, and
 * signs in once: up to this many spent tokens are remembered until they
 * expire (24 bytes each); past that a sign-in is answered 503. */
#define GZ_LIMIT_LOGIN_SECONDS 1800u
#define GZ_LIMIT_LOGIN_SPENT 8192u
/* Argon2id hashes running at once (each takes a core and 64 MiB for
 * about 50 ms), and sign-ins waiting for one; past that a sign-in is
 * answered 503 at once, so a flood cannot take readers' threads. */
#define GZ_LIMIT_HASH_THREADS 1u
#define GZ_LIMIT_HASH_QUEUE 16u
/* Failed sign-ins before an account, or an address, must wait: at most
 * this many in GZ_LIMIT_SIGNIN_WINDOW_SECONDS. Entries kept for
 * throttling, per kind (the oldest is forgotten past it). */
#define GZ_LIMIT_SIGNIN_FAILS_ACCOUNT 5u
#define GZ_LIMIT_SIGNIN_FAILS_ADDRESS 20u
#define GZ_LIMIT_SIGNIN_WINDOW_SECONDS 900u
#define GZ_LIMIT_SIGNIN_TABLE 4096u
/* Recovery codes given at TOTP enrolment. */
#define GZ_LIMIT_RECOVERY_CODES 10u
/* Values of one repeated form field (bulk moderation's id=...). */
#define GZ_LIMIT_FORM_VALUES 200u

/* A revision compared with the current article (util/diff.c): more
 * lines than this on either side is "too long to compare"; */
#define GZ_LIMIT_DIFF_LINES 20000u
/* and so is a body that needs more than this many added or removed
 * lines, which bounds the comparison's work and memory (the square of
 * it, in ints: 4 MiB at most, freed at once). */
#define GZ_LIMIT_DIFF_EDITS 1000u

/* Photos (media/, docs/media.md). */
/* An image file uploaded in the admin or named by an import. */
#define GZ_LIMIT_MEDIA_BYTES (20u * 1024u * 1024u)
/* The most pixels (width x height, read from the header before any
 * pixel is decoded) an image may have: a decompression bomb stops here.
 * 50 Mpx is a full-frame camera's largest. */
#define GZ_LIMIT_MEDIA_PIXELS (50u * 1000u * 1000u)
/* Seconds one image's gazette-ingest helper may run before it is killed
 * and the image refused: the helper sets them as its own alarm and CPU
 * limit (ingest_main.c), and media.c answers its death GZ_EIO. A 50 Mpx
 * photo with AVIF variants takes about a minute; a decoder caught in a
 * loop stops here. */
#define GZ_LIMIT_INGEST_SECONDS 300u
/* An image's alt text, caption and credit (each). */
#define GZ_LIMIT_MEDIA_TEXT_BYTES 1024u
/* A POST to /admin/media (an upload): the file and a few fields. */
#define GZ_LIMIT_UPLOAD_BODY_BYTES (GZ_LIMIT_MEDIA_BYTES + 64u * 1024u)
/* A refused POST to /admin/media (over the upload limit, or refused by
 * the route's gate) is read and dropped up to this much instead of
 * GZ_LIMIT_DRAIN_BYTES: a browser sends the whole file before it reads
 * an answer, so an editor's 25 MB photo must be drained for the page
 * saying it is over the limit to be seen rather than a reset. Twice the
 * upload limit covers any photo someone means to send; past it the
 * connection is cut. */
#define GZ_LIMIT_UPLOAD_DRAIN_BYTES (2u * GZ_LIMIT_UPLOAD_BODY_BYTES)
/* Uploads being read at once may hold at most this much memory together;
 * only uploads the route's gate let in (a signed-in session that may
 * upload photos, judged on the headers) reserve it, so strangers cannot
 * use it up. Past it an upload is answered 503 (http/server.c). */
#define GZ_LIMIT_UPLOAD_INFLIGHT_BYTES (64u * 1024u * 1024u)
/* Uploads decoded and resized at once (media_ingest, on threads of
 * their own: site/admin_upload.c): libvips takes a core and up to a few
 * hundred MiB for a large photo, so one at a time; */
#define GZ_LIMIT_UPLOAD_THREADS 1u
/* and at most this many waiting behind it. Past that an upload is
 * answered 503 at once: each waiting one holds its file in memory. */
#define GZ_LIMIT_UPLOAD_QUEUE 4u
/* Photos on a page of the newsroom's library (/admin/media), and the
 * recent ones the editor's lead image list offers. */
#define GZ_LIMIT_MEDIA_PAGE 24u
#define GZ_LIMIT_MEDIA_PICK 50u
/* File parts one form may carry (http/form.c). */
#define GZ_LIMIT_FORM_FILES 4u
/* A file part's filename, as the browser sent it. */
#define GZ_LIMIT_FORM_FILENAME_BYTES 255u
/* The Surrogate-Key header of one page: its cache keys joined by spaces
 * (an article page names about seven). Varnish refuses a response
 * header line over 8 KiB (http_resp_hdr_len), so this stays under it. */
#define GZ_LIMIT_SURROGATE_KEY_BYTES 4096u

/* [edge] purge: purge URLs (one per caching proxy or CDN endpoint; a
 * newsroom has one or two, a few regions at most), and the longest. */
#define GZ_LIMIT_EDGE_URLS 8u
#define GZ_LIMIT_EDGE_URL_BYTES 512u
/* [edge] s_maxage and stale_while_revalidate: at most a day. Purges make
 * a long edge lifetime safe, but past a day a lost purge (the proxy was
 * restarting) would show a correction too late for a newsroom. */
#define GZ_LIMIT_EDGE_MAX_SECONDS 86400u
/* Keys waiting to be purged (src/edge/purge.c). A store event names a
 * handful (an article, its section, "front", "feeds", "nav"); 256 holds
 * the events of a busy second many times over while a slow proxy is
 * asked. Past it the queue turns into one purge of everything ("all"),
 * never a lost invalidation. */
#define GZ_LIMIT_EDGE_QUEUE 256u
/* One purge request's Surrogate-Key header: keys are at most 128 bytes;
 * 4 KiB stays under every proxy's header limit (Varnish: 8 KiB). Keys
 * that do not fit go in the next request. */
#define GZ_LIMIT_EDGE_HEADER_BYTES 4096u
/* A purge's connect and total timeouts, in milliseconds: the proxy is
 * on the same network; one that does not answer within a second is
 * down, and waiting longer only delays the purges behind it. */
#define GZ_LIMIT_EDGE_CONNECT_MS 1000u
#define GZ_LIMIT_EDGE_TOTAL_MS 3000u
/* Extra headers a cached page keeps and sends with every response
 * (Surrogate-Key, Cache-Tag and, for a page the edge assembles,
 * Surrogate-Control: http/server.c). */
#define GZ_LIMIT_PAGE_HEADERS 4u
/* The longest such header value: GZ_LIMIT_PAGE_KEYS keys of 128 bytes,
 * each escaped to at most three times its length, with separators, fit
 * in 32 KiB; real pages carry a few hundred bytes. */
#define GZ_LIMIT_PAGE_HEADER_BYTES (32u * 1024u)

#endif
