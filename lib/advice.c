/* advice.c: advice said through the program's routine (advice.h). */
#include <stdio.h>

#include "advice.h"

static void (*routine)(enum advice, const char *);

void set_advise_routine(void (*fn)(enum advice what, const char *arg))
{
	routine = fn;
}

void advise(enum advice what, const char *arg)
{
	if (!routine)
		return;
	fflush(stdout);
	routine(what, arg);
}
