/* git sandbox repair: lease again what the configuration asks for, follow a moved worktree */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envfile.h"
#include "hints.h"
#include "lease.h"
#include "lock.h"
#include "opts.h"
#include "registry.h"
#include "sandbox.h"
#include "stack.h"
#include "util.h"

static const char *const usage[] = {
	"git sandbox repair [[-s] <name>]",
	NULL
};

static void show_change(const struct port_set *old, const struct port_set *new)
{
	struct strbuf why = STRBUF_INIT;

	if (ports_diff(old, new, &why))
		printf("  ports    %s\n", why.buf);
	strbuf_release(&why);
}

int main(int argc, char **argv)
{
	const char *name = NULL;
	const struct opt opts[] = {
		OPT_SANDBOX_(&name),
		OPT_END_(),
	};
	struct strbuf drift = STRBUF_INIT;
	struct registry reg;
	struct reg_entry *e;
	struct port_set ps, old;
	struct stack_ident si;
	struct sandbox sb;
	char **names;
	long slot;
	int n, moved, changed, running;

	progname = "git sandbox repair";
	set_advise_routine(say_hint);
	n = parse_options(argc, argv, opts, usage, "git-sandbox-repair", 0);
	if (n > 1)
		usage_msg(usage, "too many arguments");
	name = opt_sandbox(name, n ? argv[0] : NULL, usage);
	sandbox_open(&sb, name, SB_NEED_SLOT);
	if (!sb.has_state)
		die(sb.missing ? "the worktree of sandbox '%s' is gone; 'git sandbox prune' releases its slot" :
		    "'%s' is the main worktree without a sandbox: it uses its configuration's ports "
		    "as they are, with nothing leased to repair", sb.missing ? sb.name : sb.path);
	stack_lock(&sb);
	if (stack_ident_load(&sb, &si) < 0)
		die("the sandbox was not repaired");
	running = stack_count(&sb, &si, 1);	/* on its old ports */
	stack_ident_free(&si);

	if (registry_lock(&reg) < 0)
		die("the sandbox was not repaired");
	e = registry_find_gitdir(&reg, sb.repo.commondir, sb.is_main ? sb.repo.commondir : sb.gitdir);
	if (!e)
		die("sandbox '%s' is not in the registry; 'git sandbox destroy --keep-worktree' then "
		    "'git sandbox init' makes it a sandbox again", sb.name);
	moved = strcmp(e->path, sb.path) != 0;
	if (moved) {
		printf("Sandbox '%s' moved: %s -> %s\n", sb.name, e->path, sb.path);
		free(e->path);
		e->path = xstrdup(sb.path);
	}
	/* the lease is what the configuration asks for now; its own slot if it can */
	ports_from_flat(&old, e->ports, e->port_names, e->nports, &sb.cfg);
	slot = lease_rechoose(&reg, e, &sb.cfg, &ps);
	if (slot < 0)
		die("the sandbox was not repaired");
	crash_point("repair-claimed");
	changed = slot != e->slot || !port_set_same_ports(&old, &ps);
	/* a running stack would keep publishing the old ports: change nothing under it */
	if (changed && running) {
		lease_drop_unheld(&reg, &ps);
		registry_release(&reg);
		if (running > 0)
			die("the stack of sandbox '%s' runs on its old ports; take it down first with "
			    "'git sandbox down', then repair and 'git sandbox up'", sb.name);
		die("cannot tell whether the stack of '%s' runs on its old ports; nothing was changed",
		    sb.name);
	}
	e->slot = slot;
	free(e->ports);
	free_strings(e->port_names, e->nports);
	e->nports = port_set_flat(&ps, &e->ports, &names);
	e->port_names = xcalloc(e->nports + 1, sizeof(char *));
	for (n = 0; n < (int)e->nports; n++)
		e->port_names[n] = xstrdup(names[n]);
	free(names);
	if (registry_write(&reg) < 0) {
		lease_drop_unheld(&reg, &ps);
		die("the sandbox was not repaired");
	}
	/* the old ports, no longer held by any entry, go back to the machine */
	lease_drop_unheld(&reg, &old);
	registry_release(&reg);
	crash_point("repair-registered");

	if (ports_diff(&sb.ports, &ps, &drift) || sb.slot != slot || !sb.ports_recorded)
		changed = 1;
	if (changed) {
		printf("Sandbox '%s' %s slot %ld", sb.name, slot == sb.slot ? "keeps" : "moves to", slot);
		if (slot != sb.slot)
			printf(" (was %ld)", sb.slot);
		putchar('\n');
		show_change(&sb.ports, &ps);
	}
	sb.st.slot = sb.slot = slot;
	ports_to_state(&ps, &sb.st);
	port_set_free(&sb.ports);
	sb.ports = ps;
	sb.ports_recorded = 1;
	if (state_write(sb.state_file, &sb.st) < 0 || envfile_write(&sb) < 0)
		die("the sandbox was not repaired");
	if (!changed && !moved)
		printf("Sandbox '%s' is in order (slot %ld)\n", sb.name, slot);
	else
		printf("Next: git sandbox up\n");
	port_set_free(&old);
	strbuf_release(&drift);
	sandbox_close(&sb);
	return 0;
}
