/*
 * similar.h: which known names a mistyped one is closest to, by git's
 * rule (help.c: a weighted Damerau-Levenshtein distance, where swapping
 * two letters costs nothing and a deletion most), for "did you mean".
 */
#ifndef SB_SIMILAR_H
#define SB_SIMILAR_H

#include <stddef.h>

/*
 * The weighted edit distance from typed to name, as git's
 * levenshtein(typed, name, 0, 2, 1, 3): swap 0, substitution 2,
 * insertion 1, deletion 3.
 */
size_t similar_distance(const char *typed, const char *name);

/*
 * The names (n of them) most similar to typed, when similar enough (git's
 * SIMILARITY_FLOOR): a name typed is a prefix of scores best, unless every
 * one of several is. Writes up to n indexes into out, best first in names'
 * order; returns how many (0: nothing close).
 */
size_t similar_names(const char *typed, const char *const *names, size_t n, size_t *out);

#endif
