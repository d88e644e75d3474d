/* strbuf.c: growable NUL-terminated strings (after git's strbuf) (strbuf.h) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "strbuf.h"
#include "util.h"

char strbuf_empty[1];

void strbuf_init(struct strbuf *sb)
{
	sb->buf = strbuf_empty;
	sb->len = sb->alloc = 0;
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb);
}

#ifdef SB_TEST_HOOKS
void (*strbuf_secret_free_hook)(const void *p, size_t len);
#endif

static void wipe_free(char *p, size_t len)
{
	sodium_memzero(p, len);
#ifdef SB_TEST_HOOKS
	if (strbuf_secret_free_hook)
		strbuf_secret_free_hook(p, len);
#endif
	free(p);
}

void strbuf_release_secret(struct strbuf *sb)
{
	if (sb->alloc)
		wipe_free(sb->buf, sb->alloc);
	strbuf_init(sb);
}

char *strbuf_detach(struct strbuf *sb)
{
	char *p = sb->alloc ? sb->buf : xstrdup("");

	strbuf_init(sb);
	return p;
}

/* the size sb must grow to for extra more bytes, or 0 if it has room */
static size_t grown_size(const struct strbuf *sb, size_t extra)
{
	size_t want = sb->len + extra + 1;

	if (want <= sb->alloc)
		return 0;
	if (want < sb->alloc * 2)
		want = sb->alloc * 2;
	return want < 64 ? 64 : want;
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t want = grown_size(sb, extra);

	if (!want)
		return;
	if (!sb->alloc) {
		sb->buf = xmalloc(want);
		sb->buf[0] = '\0';
	} else {
		sb->buf = xrealloc(sb->buf, want);
	}
	sb->alloc = want;
}

void strbuf_grow_secret(struct strbuf *sb, size_t extra)
{
	size_t want = grown_size(sb, extra);
	char *p;

	if (!want)
		return;
	p = xmalloc(want);
	/* the copy: wiped by the next growth or by strbuf_release_secret() */
	memcpy(p, sb->buf, sb->len + 1);
	if (sb->alloc)
		wipe_free(sb->buf, sb->alloc);
	sb->buf = p;
	sb->alloc = want;
}

void strbuf_add_secret(struct strbuf *sb, const void *data, size_t len)
{
	strbuf_grow_secret(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->alloc)
		sb->buf[0] = '\0';
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, int c)
{
	char ch = c;

	strbuf_add(sb, &ch, 1);
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		die("BUG: bad format");
	strbuf_grow(sb, n);
	vsnprintf(sb->buf + sb->len, n + 1, fmt, ap);
	sb->len += n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void strbuf_rtrim(struct strbuf *sb)
{
	while (sb->len && (sb->buf[sb->len - 1] == '\n' || sb->buf[sb->len - 1] == ' ' ||
			   sb->buf[sb->len - 1] == '\t' || sb->buf[sb->len - 1] == '\r'))
		sb->buf[--sb->len] = '\0';
}

void strbuf_addsq(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_addstr(sb, "'\\''");
		else
			strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '\'');
}

void strbuf_addjson(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '"');
	for (; *s; s++) {
		unsigned char c = *s;

		switch (c) {
		case '"': strbuf_addstr(sb, "\\\""); break;
		case '\\': strbuf_addstr(sb, "\\\\"); break;
		case '\n': strbuf_addstr(sb, "\\n"); break;
		case '\t': strbuf_addstr(sb, "\\t"); break;
		case '\r': strbuf_addstr(sb, "\\r"); break;
		default:
			if (c < 0x20)
				strbuf_addf(sb, "\\u%04x", c);
			else
				strbuf_addch(sb, c);
		}
	}
	strbuf_addch(sb, '"');
}

void strbuf_add_file_id(struct strbuf *sb, const char *path)
{
	struct stat st;

	if (!stat(path, &st))
		strbuf_addf(sb, "%s %lld %lld.%09ld ", path, (long long)st.st_size,
			    (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}
