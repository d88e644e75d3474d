/*
 * gitconfig.h: git-config syntax read from bytes in memory, and written.
 *
 * The one reader of git-config syntax that git-sandbox has: the project
 * file comes with the repository, so it is read once, hashed and parsed
 * from the very same bytes (the trust check and the parse see one
 * content; gitlayers.h), and a sandbox's state file is read and written
 * here too (state.h). Git's own configuration files are libgit2's to
 * find and read, includes and all. This reader follows git's own
 * config.c: sections, quoted subsections, the legacy [section.sub] form,
 * quoted values, escapes, continuation lines and comments; keys without
 * '=' are booleans. It follows no include: that is the caller's to refuse.
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

/*
 * The writer, as git's config.c writes (store_create_section, write_pair).
 * A header "[section]", or "[section "sub"]" with any '"' and backslash of
 * sub escaped; sub must hold no newline (git config cannot write one
 * either). A line "<tab>key = value": value in double quotes when it has a
 * blank at either end, a ';', a '#', or a blank the reader would fold
 * (CR, VT, FF); its '"' and backslashes escaped, its newlines and tabs
 * written as the escapes n and t. section and key must be names the
 * reader gives back as they are: see gitconfig_name().
 */
void gitconfig_add_section(struct strbuf *out, const char *section, const char *sub);
void gitconfig_add(struct strbuf *out, const char *key, const char *value);
/* A section or key name that reads back unchanged: [a-z][a-z0-9-]* */
int gitconfig_name(const char *s);

#endif
