/*
 * color.h: whether git-sandbox colours its output, as git decides it:
 * color.sandbox, else color.ui, each always, never, auto or a boolean.
 * Whether a terminal is there is show.h's (want_color).
 */
#ifndef SB_COLOR_H
#define SB_COLOR_H

/*
 * Fold one color.<name> value into *color (1 always, 0 never, -1 auto):
 * name "ui" or "sandbox", value NULL for a bare key (true). color.sandbox
 * wins over color.ui whatever their order; *sandbox_set remembers it was
 * seen. Other names are ignored.
 */
void color_set(int *color, int *sandbox_set, const char *name, const char *value);

/* color.sandbox / color.ui outside any repository: 1 always, 0 never, -1 auto. */
int config_color(void);

#endif
