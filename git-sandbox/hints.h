/*
 * hints.h: the words of the advice lib asks for (advice.h), which name our
 * commands and options. A command that may be given advice sets the
 * routine before anything else: set_advise_routine(say_hint).
 */
#ifndef SB_HINTS_H
#define SB_HINTS_H

#include <stdio.h>

#include "advice.h"

static inline void say_hint(enum advice what, const char *arg)
{
	switch (what) {
	case ADVICE_TRUST:
		fprintf(stderr, "hint: read '%s', then run 'git sandbox trust' to let it choose "
			"programs, files and secrets\n", arg);
		break;
	case ADVICE_NO_SLOT:
		fprintf(stderr, "hint: destroy a sandbox, run 'git sandbox prune', or raise sandbox.slots\n");
		break;
	case ADVICE_REPAIR:
		fprintf(stderr, "hint: run 'git sandbox repair' to lease other ports\n");
		break;
	case ADVICE_REPAIR_OTHER:
		fprintf(stderr, "hint: run 'git sandbox repair %s' in its repository\n", arg);
		break;
	}
}

#endif
