/*
 * gitconfig.h: git-config syntax read from bytes in memory.
 *
 * The project file comes with the repository, so it is read once, hashed
 * and parsed from the very same bytes (the trust check and the parse see
 * one content). This reader follows git's own config.c: sections,
 * quoted subsections, the legacy [section.sub] form, quoted values,
 * escapes, continuation lines and comments; keys without '=' are booleans.
 * It follows no include: that is the caller's to refuse.
 */
#ifndef SB_GITCONFIG_H
#define SB_GITCONFIG_H

#include <stddef.h>

#include "strbuf.h"

/*
 * Called for each value in order: key is "section[.subsection].name" with
 * section and name lower-cased, value NULL for a bare key, line its line.
 * Return 0 to go on, -1 to stop (gitconfig_parse then returns -1).
 */
typedef int (*gitconfig_fn)(const char *key, const char *value, int line, void *data);

/*
 * Parse len bytes of text. Returns 0; -1 when fn stopped; -2 on a syntax
 * error, with why set to "line N: ..." (why may be NULL).
 */
int gitconfig_parse(const char *text, size_t len, gitconfig_fn fn, void *data,
		    struct strbuf *why);

#endif
