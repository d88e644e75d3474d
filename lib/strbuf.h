/* strbuf.h: growable NUL-terminated strings (after git's strbuf) */
#ifndef SB_STRBUF_H
#define SB_STRBUF_H

#include <stddef.h>
#include <stdarg.h>

struct strbuf {
	char *buf;	/* always NUL-terminated, never NULL after init */
	size_t len;
	size_t alloc;
};

#define STRBUF_INIT { strbuf_empty, 0, 0 }
extern char strbuf_empty[];

void strbuf_init(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
/*
 * For secrets: strbuf_release_secret() zeroes the whole buffer before
 * freeing it; strbuf_grow_secret() and strbuf_add_secret() grow it by
 * copying into a new block and zeroing the old one, where realloc would
 * leave the old block on the heap as it was. Never use the other growing
 * functions (addf, addstr, ...) on a strbuf that holds a secret.
 */
void strbuf_release_secret(struct strbuf *sb);
void strbuf_grow_secret(struct strbuf *sb, size_t extra);
void strbuf_add_secret(struct strbuf *sb, const void *data, size_t len);
#ifdef SB_TEST_HOOKS
/* Test builds: called with each secret block, already zeroed, just before it is freed. */
extern void (*strbuf_secret_free_hook)(const void *p, size_t len);
#endif
/* Return the buffer (caller frees) and reset sb. */
char *strbuf_detach(struct strbuf *sb);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_reset(struct strbuf *sb);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void strbuf_rtrim(struct strbuf *sb);
/* Append s quoted for a POSIX shell ('...'). */
void strbuf_addsq(struct strbuf *sb, const char *s);
/* Append s as a JSON string literal with quotes. */
void strbuf_addjson(struct strbuf *sb, const char *s);

/*
 * Append "<path> <size> <mtime> " when path exists (following links): what
 * tells a file apart from its other versions, for a cache's key.
 */
void strbuf_add_file_id(struct strbuf *sb, const char *path);

#endif
