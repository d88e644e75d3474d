/*
 * configcheck.c: the checks on a loaded configuration (config.h): ports
 * in range, no port held twice across groups and slots (collisions),
 * variable names that nothing else reads and that no two groups share,
 * [env] references to the sandbox's own variables without a cycle, and
 * what a project file not trusted may name.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "derive.h"
#include "util.h"

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && !strcmp(s + n - k, suffix);
}

int config_port_var_shape(const char *var)
{
	return ends_with(var, "_PORT");
}

/*
 * a secret's default reaches compose's own environment under
 * --no-secrets, and compose and the credential helpers it starts read
 * many variables of their own
 */
int config_secret_var_shape(const char *var)
{
	return ends_with(var, "_PASSWORD") || ends_with(var, "_SECRET") ||
	       ends_with(var, "_KEY") || ends_with(var, "_TOKEN");
}

/*
 * From a project file you have not trusted, a port variable's name has a
 * shape no program gives meaning to: the value, a number, reaches `exec`,
 * the hooks and the caller's shell, and a name like OPENSSL_CONF or
 * PERL5LIB would make a program read a file of that number from the
 * worktree. No list of dangerous names is complete; a suffix is.
 */
int config_check_untrusted(const struct sb_config *cfg)
{
	size_t i;
	long total = 0;

	if (cfg->trusted)
		return 0;
	/* every leased port is kept from every other user of the machine */
	for (i = 0; i < cfg->nports; i++)
		total += cfg->ports[i].count;
	if (cfg->has_file && total > UNTRUSTED_MAX_PORTS)
		return config_set_error("bad config in '%s': %ld ports in all: a project file you have not "
				 "trusted may lease at most %d", cfg->file, total, UNTRUSTED_MAX_PORTS);
	for (i = 0; i < cfg->nports; i++) {
		const struct port_group *g = &cfg->ports[i];

		if (g->var_origin != ORIGIN_PROJECT)
			continue;
		if (!config_port_var_shape(g->var))
			return config_set_error("bad config in '%s': port.%s.var: %s: from a project file you have "
					 "not trusted, a port variable's name must end in _PORT",
					 cfg->file, g->name, g->var);
	}
	for (i = 0; i < cfg->nsecrets; i++) {
		const struct secret_def *d = &cfg->secrets[i];

		if (d->origin == ORIGIN_PROJECT && d->var && !config_secret_var_shape(d->var))
			return config_set_error("bad config in '%s': secret.%s.var: %s: from a project file you have "
					 "not trusted, a secret variable's name must end in _PASSWORD, _SECRET, "
					 "_KEY or _TOKEN",
					 cfg->file, d->name, d->var);
	}
	/*
	 * a derived value is text the file chooses, reaching exec, the hooks
	 * and the caller's shell: no shape of a name makes that safe (a
	 * package manager fetches code from the URL in UV_INDEX_URL)
	 */
	for (i = 0; i < cfg->nenvs; i++)
		if (cfg->envs[i].origin == ORIGIN_PROJECT)
			return config_set_error("bad config in '%s': env.%s.value: from a project file you have "
					 "not trusted, a derived variable is not used (its value reaches exec, "
					 "the hooks and your shell)", cfg->file, cfg->envs[i].name);
	return 0;
}

/* a port's first two holders */
struct port_use {
	size_t group;
	long slot;
};

/*
 * Names a sandbox's variables may not take, from any layer: the variables
 * reach compose, the hooks, `exec` and the caller's shell (env --export),
 * so one of these would change how a program runs (PATH finds another
 * docker-compose, BASH_ENV sources a file, LD_PRELOAD loads a library,
 * DOCKER_HOST picks another engine). A trailing '*' is a prefix.
 */
static const struct {
	const char *name, *why;
} reserved_vars[] = {
	{ "SANDBOX_NAME", "set by git-sandbox itself" },
	{ "SANDBOX_SLOT", "set by git-sandbox itself" },
	{ "SANDBOX_PROJECT", "set by git-sandbox itself" },
	{ "SANDBOX_PATH", "set by git-sandbox itself" },
	{ "COMPOSE_*", "read by Docker Compose" },
	{ "DOCKER_*", "read by Docker" },
	{ "BUILDKIT_*", "read by Docker" },
	{ "GIT_*", "read by git (and by git-sandbox)" },
	{ "LD_*", "read by the dynamic loader" },
	{ "GCONV_PATH", "read by the C library" },
	{ "GLIBC_TUNABLES", "read by the C library" },
	{ "MALLOC_*", "read by the C library" },
	{ "NLSPATH", "read by the C library" },
	{ "HOSTALIASES", "read by the C library" },
	{ "LOCALDOMAIN", "read by the C library" },
	{ "RES_OPTIONS", "read by the C library" },
	{ "TZ", "read by the C library" },
	{ "TZDIR", "read by the C library" },
	{ "LANG", "read by every program (locale)" },
	{ "LANGUAGE", "read by every program (locale)" },
	{ "LC_*", "read by every program (locale)" },
	{ "PATH", "read by the shell and every program that runs another" },
	{ "HOME", "read by the shell and most programs" },
	{ "SHELL", "read by programs that start a shell" },
	{ "ENV", "read by the shell" },
	{ "BASH_ENV", "read by bash" },
	{ "BASH_*", "read by bash" },
	{ "BASHOPTS", "read by bash" },
	{ "SHELLOPTS", "read by bash" },
	{ "IFS", "read by the shell" },
	{ "CDPATH", "read by the shell" },
	{ "GLOBIGNORE", "read by bash" },
	{ "PS1", "read by the shell" },
	{ "PS2", "read by the shell" },
	{ "PS3", "read by the shell" },
	{ "PS4", "read by the shell" },
	{ "PROMPT_COMMAND", "read by bash" },
	{ "HISTFILE", "read by the shell" },
	{ "MAIL", "read by the shell" },
	{ "MAILPATH", "read by the shell" },
	{ "POSIXLY_CORRECT", "read by the shell and GNU tools" },
	{ "ZDOTDIR", "read by zsh" },
	{ "PWD", "read by the shell" },
	{ "OLDPWD", "read by the shell" },
	{ "USER", "read by many programs" },
	{ "LOGNAME", "read by many programs" },
	{ "TERM", "read by many programs" },
	{ "TMPDIR", "read by every program that makes a temporary file" },
	{ "XDG_*", "read by git-sandbox, git and most programs" },
	{ "SSH_*", "read by ssh (docker and git reach remotes with it)" },
	{ "OP_*", "read by the 1Password CLI" },
	{ "PYTHON*", "read by Python (docker-compose v1 is Python)" },
	{ "HTTP_PROXY", "read by docker, git and curl" },
	{ "HTTPS_PROXY", "read by docker, git and curl" },
	{ "ALL_PROXY", "read by docker, git and curl" },
	{ "NO_PROXY", "read by docker, git and curl" },
	{ "SSL_CERT_FILE", "read by TLS libraries" },
	{ "SSL_CERT_DIR", "read by TLS libraries" },
	{ "OPENSSL_*", "read by OpenSSL (a configuration can load a library)" },
	{ "SSLKEYLOGFILE", "read by TLS libraries" },
	{ "GNUTLS_*", "read by GnuTLS" },
	{ "CURL_*", "read by curl" },
	{ "WGETRC", "read by wget" },
	{ "GODEBUG", "read by Go programs (docker, compose v2)" },
	{ "GOTRACEBACK", "read by Go programs (docker, compose v2)" },
	{ "GOFLAGS", "read by Go" },
	{ "GOGC", "read by Go programs (docker, compose v2)" },
	{ "GOMEMLIMIT", "read by Go programs (docker, compose v2)" },
	{ "GOMAXPROCS", "read by Go programs (docker, compose v2)" },
	{ "PERL5LIB", "read by Perl" },
	{ "PERL5OPT", "read by Perl" },
	{ "PERLLIB", "read by Perl" },
	{ "PERL5DB", "read by Perl" },
	{ "PERLIO", "read by Perl" },
	{ "RUBYLIB", "read by Ruby" },
	{ "RUBYOPT", "read by Ruby" },
	{ "GEM_*", "read by Ruby" },
	{ "BUNDLE_*", "read by Ruby's bundler" },
	{ "NODE_OPTIONS", "read by Node.js" },
	{ "NODE_PATH", "read by Node.js" },
	{ "NODE_EXTRA_CA_CERTS", "read by Node.js" },
	{ "NPM_CONFIG_*", "read by npm" },
	{ "PIP_*", "read by pip" },
	{ "VIRTUAL_ENV", "read by Python tools" },
	{ "JAVA_TOOL_OPTIONS", "read by Java" },
	{ "_JAVA_OPTIONS", "read by Java" },
	{ "JDK_JAVA_OPTIONS", "read by Java" },
	{ "CLASSPATH", "read by Java" },
	{ "KUBECONFIG", "read by kubectl (it can name a program to run)" },
	{ "AWS_*", "read by the AWS tools (a profile can name a program to run)" },
	{ "BUILDX_*", "read by Docker buildx" },
	{ "INPUTRC", "read by readline" },
	{ "HISTSIZE", "read by the shell" },
	{ "HISTFILESIZE", "read by the shell" },
	{ "HISTCONTROL", "read by the shell" },
	{ "HISTIGNORE", "read by the shell" },
	{ "HISTTIMEFORMAT", "read by the shell" },
	{ "TMOUT", "read by the shell" },
	{ "HISTCHARS", "read by the shell" },
	{ "FPATH", "read by zsh" },
	{ "LOCPATH", "read by the C library" },
	{ "DYLD_*", "read by the dynamic loader" },
	{ "EDITOR", "read by git and many programs" },
	{ "VISUAL", "read by git and many programs" },
	{ "PAGER", "read by git and many programs" },
	{ "LESS", "read by less" },
	{ "LESSOPEN", "read by less (it runs a program)" },
	{ "LESSCLOSE", "read by less (it runs a program)" },
	{ "LESSKEY", "read by less" },
	{ "MANPATH", "read by man" },
	{ "MANPAGER", "read by man" },
	{ "BROWSER", "read by many programs" },
	{ "GNUPGHOME", "read by gpg (git signs with it)" },
	{ "GPG_*", "read by gpg" },
	{ "SUDO_*", "read by sudo" },
	{ "DISPLAY", "read by X11 programs" },
	{ "XAUTHORITY", "read by X11 programs" },
	{ "WAYLAND_*", "read by Wayland programs" },
	{ "DBUS_*", "read by D-Bus programs" },
	{ "KRB5*", "read by Kerberos (libgit2 loads it)" },
	{ "SHLVL", "read by the shell" },
	{ "ASAN_OPTIONS", "read by sanitizer builds" },
	{ "UBSAN_OPTIONS", "read by sanitizer builds" },
	{ "LSAN_OPTIONS", "read by sanitizer builds" },
};

int config_reserved_var(const char *name, const char **why)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(reserved_vars); i++) {
		const char *r = reserved_vars[i].name;
		size_t n = strlen(r);
		/* case-blind: http_proxy is read as much as HTTP_PROXY */
		int hit = r[n - 1] == '*' ? !strncasecmp(name, r, n - 1) : !strcasecmp(name, r);

		if (hit) {
			*why = reserved_vars[i].why;
			return 1;
		}
	}
	return 0;
}

/* var, and VAR_1 .. VAR_<count> for a group of several ports */
static int check_var_name(const char *where, const char *key, const char *var, long count)
{
	const char *why;
	long k;

	if (config_reserved_var(var, &why))
		return config_set_error("bad config in '%s': %s: %s is %s; choose another name",
				 where, key, var, why);
	for (k = 1; count > 1 && k <= count; k++) {
		char *v = xasprintf("%s_%ld", var, k);
		int hit = config_reserved_var(v, &why);

		if (hit)
			config_set_error("bad config in '%s': %s: %s (port %ld of %s) is %s; choose another name",
				  where, key, v, k, var, why);
		free(v);
		if (hit)
			return -1;
	}
	return 0;
}

/* the variables git-sandbox sets that an [env] value may refer to, besides ports and secrets */
static const char *const builtin_vars[] = { "SANDBOX_NAME", "SANDBOX_SLOT", "COMPOSE_PROJECT_NAME", NULL };

/* The port group whose variable name is (VAR, or VAR_<k> of a group of k or more ports), or NULL. */
static const struct port_group *port_var_of(const struct sb_config *cfg, const char *name, size_t len)
{
	size_t i, vl, k;

	for (i = 0; i < cfg->nports; i++) {
		const struct port_group *g = &cfg->ports[i];
		long num = 0;

		vl = strlen(g->var);
		if (g->count == 1) {
			if (vl == len && !strncmp(name, g->var, len))
				return g;
			continue;
		}
		if (len < vl + 2 || strncmp(name, g->var, vl) || name[vl] != '_' || name[vl + 1] == '0')
			continue;
		for (k = vl + 1; k < len && isdigit((unsigned char)name[k]) && num <= g->count; k++)
			num = num * 10 + (name[k] - '0');
		if (k == len && num >= 1 && num <= g->count)
			return g;
	}
	return NULL;
}

static const struct secret_def *secret_var_of(const struct sb_config *cfg, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < cfg->nsecrets; i++)
		if (strlen(cfg->secrets[i].var) == len && !strncmp(cfg->secrets[i].var, name, len))
			return &cfg->secrets[i];
	return NULL;
}

static const struct env_def *env_var_of(const struct sb_config *cfg, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < cfg->nenvs; i++)
		if (strlen(cfg->envs[i].name) == len && !strncmp(cfg->envs[i].name, name, len))
			return &cfg->envs[i];
	return NULL;
}

struct env_ref {
	const struct sb_config *cfg;
	const struct env_def *d;
	const char *src;
	int secret, host;	/* what the references bring */
};

static int check_ref(const char *name, size_t len, void *data)
{
	struct env_ref *r = data;
	size_t i;

	for (i = 0; builtin_vars[i]; i++)
		if (strlen(builtin_vars[i]) == len && !strncmp(builtin_vars[i], name, len))
			return 0;
	if (port_var_of(r->cfg, name, len) || secret_var_of(r->cfg, name, len) ||
	    env_var_of(r->cfg, name, len))
		return 0;
	return config_set_error("bad config in %s: env.%s.value: ${%.*s} is not one of the sandbox's variables "
			 "(its ports', SANDBOX_NAME, SANDBOX_SLOT, COMPOSE_PROJECT_NAME, its secrets' "
			 "and the other [env] variables)", r->src, r->d->name, (int)len, name);
}

/* what a reference brings to the variable that makes it: a secret, {host} */
static int inherit(const char *name, size_t len, void *data)
{
	struct env_ref *r = data;
	const struct env_def *o = env_var_of(r->cfg, name, len);

	if (secret_var_of(r->cfg, name, len))
		r->secret = 1;
	if (o) {
		r->secret |= o->secret;
		r->host |= o->host;
	}
	return 0;
}

/*
 * The [env] variables: names no other variable has and nothing reads,
 * references to the sandbox's own variables only, and no cycle. Sets
 * env_order and each one's secret and host.
 */
static int validate_envs(struct sb_config *cfg)
{
	char *where = xasprintf("'%s'", cfg->file);
	struct strbuf why = STRBUF_INIT;
	size_t i, at;
	int ret = 0;

	free(cfg->env_order);
	cfg->env_order = NULL;
	for (i = 0; i < cfg->nenvs && !ret; i++) {
		struct env_def *d = &cfg->envs[i];
		struct env_ref r = { cfg, d, d->src ? d->src : where, 0, 0 };
		const struct port_group *g;
		const struct secret_def *s;
		const char *what;

		if (!d->value)
			ret = config_set_error("bad config in %s: env.%s.value is missing", r.src, d->name);
		else if (config_reserved_var(d->name, &what))
			ret = config_set_error("bad config in %s: env.%s: %s is %s; choose another name",
					r.src, d->name, d->name, what);
		else if ((g = port_var_of(cfg, d->name, strlen(d->name))))
			ret = config_set_error("bad config in %s: env.%s: port.%s.var already gives %s",
					r.src, d->name, g->name, d->name);
		else if ((s = secret_var_of(cfg, d->name, strlen(d->name))))
			ret = config_set_error("bad config in %s: env.%s: secret.%s.var already gives %s",
					r.src, d->name, s->name, d->name);
		else
			ret = template_refs(d->value, check_ref, &r);
	}
	if (!ret && cfg->nenvs) {
		cfg->env_order = xcalloc(cfg->nenvs, sizeof(*cfg->env_order));
		if (template_order(cfg->envs, cfg->nenvs, cfg->env_order, &at, &why) < 0) {
			const struct env_def *d = &cfg->envs[at];

			ret = config_set_error("bad config in %s: env.%s.value: the variables refer to each "
					"other in a cycle: %s", d->src ? d->src : where, d->name, why.buf);
		}
	}
	for (i = 0; !ret && i < cfg->nenvs; i++) {
		struct env_def *d = &cfg->envs[cfg->env_order[i]];
		struct env_ref r = { cfg, d, NULL, 0, 0 };

		template_refs(d->value, inherit, &r);
		d->secret = r.secret;
		d->host = r.host || template_uses(d->value, "host");
	}
	strbuf_release(&why);
	free(where);
	return ret;
}


/* a group's own keys: its variable and base set, its ports in 1-65535 in every slot */
static int check_group(const struct sb_config *cfg, struct port_group *g)
{
	const char *where = cfg->file;

	if (!g->var)
		return config_set_error("bad config in '%s': port.%s.var is missing", where, g->name);
	if (g->base < 0)
		return config_set_error("bad config in '%s': port.%s.base is missing", where, g->name);
	if (g->main < 0)
		g->main = g->base;
	if (g->main + g->count - 1 > 65535)
		return config_set_error("bad config in '%s': port.%s: slot 0 reaches port %ld, above 65535",
				 where, g->name, g->main + g->count - 1);
	if (g->base + g->step * cfg->slots + g->count - 1 > 65535)
		return config_set_error("bad config in '%s': port.%s: slot %ld reaches port %ld, above 65535",
				 where, g->name, cfg->slots,
				 g->base + g->step * cfg->slots + g->count - 1);
	if (g->count > 1 && g->step < g->count)
		return config_set_error("bad config in '%s': port.%s: step %ld is less than count %ld, so slots %d and %d overlap",
				 where, g->name, g->step, g->count, 1, 2);
	return 0;
}

/* key's variable var (of count ports) is free: not reserved, not another's */
static int check_var(const char *where, const char *fmt, const char *name, const char *var,
		     long count)
{
	char *key = xasprintf(fmt, name);
	int ret = check_var_name(where, key, var, count);

	free(key);
	return ret;
}

static int check_ports(struct sb_config *cfg)
{
	size_t i, j;

	for (i = 0; i < cfg->nports; i++) {
		struct port_group *g = &cfg->ports[i];

		if (check_group(cfg, g) < 0 ||
		    check_var(cfg->file, "port.%s.var", g->name, g->var, g->count) < 0)
			return -1;
		for (j = 0; j < i; j++)
			if (!strcmp(cfg->ports[j].var, g->var))
				return config_set_error("bad config in '%s': port.%s.var and port.%s.var are both %s",
						 cfg->file, cfg->ports[j].name, g->name, g->var);
	}
	return 0;
}

static int check_secrets(const struct sb_config *cfg)
{
	size_t i, j;

	for (i = 0; i < cfg->nsecrets; i++) {
		const struct secret_def *s = &cfg->secrets[i];

		if (!s->var)
			return config_set_error("bad config in '%s': secret.%s.var is missing", cfg->file, s->name);
		if (check_var(cfg->file, "secret.%s.var", s->name, s->var, 1) < 0)
			return -1;
		for (j = 0; j < cfg->nports; j++)
			if (!strcmp(cfg->ports[j].var, s->var))
				return config_set_error("bad config in '%s': secret.%s.var and port.%s.var are both %s",
						 cfg->file, s->name, cfg->ports[j].name, s->var);
	}
	if (cfg->nsecrets && !cfg->secrets_item)
		return config_set_error("bad config in '%s': [secret] fields are set but secrets.item is missing",
				 cfg->file);
	return 0;
}

/*
 * Every port of every group in every slot, in group then slot order: the
 * lowest port with a second holder is the clash to report. No sort,
 * however many groups the file has: one pass marks the ports in a bitmap
 * and finds the lowest one seen twice, a second finds its first two
 * holders. A command that loads the configuration of each of a hundred
 * sandboxes (list) clears 8 KiB for each, not a table of the whole range.
 */
static int check_collisions(const struct sb_config *cfg)
{
	unsigned char *seen = xcalloc(65536 / 8, 1);
	struct port_use use[2];
	const char *where = cfg->file;
	size_t i, n = 0;
	long s, k, port, clash = 0;

	for (i = 0; i < cfg->nports; i++)
		for (s = 0; s <= cfg->slots; s++)
			for (k = 0; k < cfg->ports[i].count; k++) {
				port = port_of(&cfg->ports[i], s, k);
				if (!(seen[port / 8] & 1 << port % 8))
					seen[port / 8] |= 1 << port % 8;
				else if (!clash || port < clash)
					clash = port;
			}
	free(seen);
	if (!clash)	/* ports start at 1 */
		return 0;
	for (i = 0; i < cfg->nports && n < 2; i++)
		for (s = 0; s <= cfg->slots && n < 2; s++)
			for (k = 0; k < cfg->ports[i].count && n < 2; k++)
				if (port_of(&cfg->ports[i], s, k) == clash)
					use[n++] = (struct port_use){ i, s };
	if (use[0].group == use[1].group)
		return config_set_error("bad config in '%s': port.%s: slot %ld and slot %ld both get port %ld",
				where, cfg->ports[use[0].group].name, use[0].slot, use[1].slot, clash);
	return config_set_error("bad config in '%s': port groups '%s' and '%s' collide: port %ld is '%s' in slot %ld and '%s' in slot %ld",
			where, cfg->ports[use[0].group].name, cfg->ports[use[1].group].name, clash,
			cfg->ports[use[0].group].name, use[0].slot, cfg->ports[use[1].group].name,
			use[1].slot);
}

int config_validate(struct sb_config *cfg)
{
	if (check_ports(cfg) < 0 || check_secrets(cfg) < 0 || validate_envs(cfg) < 0)
		return -1;
	return check_collisions(cfg);
}
