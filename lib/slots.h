/* slots.h: how a slot is chosen (SPEC §3) */
#ifndef SB_SLOTS_H
#define SB_SLOTS_H

#include <stddef.h>

#include "config.h"
#include "registry.h"

/*
 * Every host port of cfg in slot, in group order (newly allocated); names,
 * if not NULL, gets the group of each (pointers into cfg; free the array only).
 */
long *slot_ports(const struct sb_config *cfg, long slot, size_t *n, char ***names);

/* Can a TCP listener bind this port on all addresses right now? */
int port_is_free(long port);

/*
 * Choose a slot for a new sandbox of repo, with the registry locked. want
 * > 0 asks for exactly that slot. A slot is free when no sandbox of repo
 * has it, no registered sandbox of any repository holds one of its ports,
 * and every port binds right now. Returns the slot, or -1 after printing
 * why (naming the holder of each port that was in the way).
 */
long slot_choose(const struct registry *r, const struct sb_config *cfg, const char *repo, long want);

#endif
