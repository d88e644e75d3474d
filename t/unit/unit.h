/* unit.h: what every unit test program shares */
#ifndef SB_UNIT_H
#define SB_UNIT_H

#include <check.h>

/* Run the suite; the exit status of the test program. */
static inline int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

#endif
