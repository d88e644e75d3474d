/*
 * advice.h: the hints after lib's warnings that name a command or an
 * option. lib knows which advice applies, not what the program and its
 * commands are called: it names the advice (advise), and the routine the
 * program set words it, right where lib would have said it.
 */
#ifndef SB_ADVICE_H
#define SB_ADVICE_H

enum advice {
	ADVICE_TRUST,		/* arg: the project file, whose keys are not used until it is trusted */
	ADVICE_TRUST_COMMIT,	/* arg: "<commit>:.gitsandbox", the same, of a commit not checked out */
	ADVICE_NO_SLOT,		/* every slot is taken */
	ADVICE_REPAIR,		/* this sandbox's ports are someone else's: it needs others */
	ADVICE_REPAIR_OTHER,	/* arg: another sandbox whose ports are also someone else's */
	ADVICE_PROJECT_TAKEN,	/* the compose project's containers are another stack's */
	ADVICE_VOLUME_TAKEN,	/* a volume of the compose project is not one this stack made */
	ADVICE_PROJECT_LEASED,	/* another sandbox holds the compose project's lease on the engine */
};

/*
 * Say advice what (with its arg) through the program's routine: a "hint:"
 * line on stderr. Nothing without a routine.
 */
void advise(enum advice what, const char *arg);

/* The program's routine for advise(); NULL for none. */
void set_advise_routine(void (*fn)(enum advice what, const char *arg));

#endif
