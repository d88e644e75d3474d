/*
 * A sandbox's state file through state_read() (from a file, as the tool
 * reads it): git-config syntax, or the first format's flat INI. What reads
 * must also survive state_write() and read back the same; the ports it
 * records (ports_from_state) too.
 */
#include "fuzz.h"
#include "ports.h"
#include "state.h"

static char *path, *copy;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *dir = fuzz_tmpdir();

	(void)argc;
	(void)argv;
	path = path_join(dir, "config");
	copy = path_join(dir, "config.again");
	free(dir);
	return 0;
}

static int same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_state st, again;
	struct port_set ps;
	size_t i;

	fuzz_write(path, data, size);
	if (state_read(path, &st) == 0) {
		if (state_write(copy, &st) < 0 || state_read(copy, &again) != 0)
			abort();	/* the tool cannot read what it wrote */
		if (!same(st.name, again.name) || st.slot != again.slot ||
		    !same(st.project, again.project) || st.created != again.created ||
		    st.nextra != again.nextra)
			abort();
		for (i = 0; i < st.nextra; i++)
			if (strcmp(st.extra[i].section, again.extra[i].section) ||
			    !same(st.extra[i].sub, again.extra[i].sub) ||
			    strcmp(st.extra[i].key, again.extra[i].key) ||
			    strcmp(st.extra[i].value, again.extra[i].value))
				abort();
		state_free(&again);
		/* the recorded lease: what parses is recorded again to the same */
		if (ports_from_state(&ps, &st) == 0) {
			struct port_set ps2;

			ports_to_state(&ps, &st);
			if (ports_from_state(&ps2, &st) != 0 || !port_set_same_ports(&ps, &ps2))
				abort();
			port_set_free(&ps2);
			port_set_free(&ps);
		}
	}
	state_free(&st);
	return 0;
}
