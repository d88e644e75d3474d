# bash completion for git-sandbox                          -*- shell-script -*-
# shellcheck shell=bash disable=SC2154,SC1090
# (cur, prev, words and cword are set by git's completion)
#
# Completes "git sandbox <TAB>" (and aliases of it) through git's own
# completion, which calls _git_sandbox for the external command, and the
# command "git-sandbox <TAB>" typed directly.
#
# Installed as $(PREFIX)/share/bash-completion/completions/git-sandbox,
# bash-completion loads it on demand: git's completion asks for
# "git-sandbox" when it first meets "git sandbox", and bash-completion
# itself when it first meets the command "git-sandbox". Without
# bash-completion, source it after git's completion from ~/.bashrc.
#
# It relies on git's completion helpers (__gitcomp, __gitcomp_nl,
# __git_complete_refs, ...); if they are not loaded yet, git's completion is
# loaded first.

# The subcommands of the installed git sandbox, from its command table
# (git sandbox --list-cmds), asked once; executables git-sandbox-<sub> on
# PATH are added to them.
__git_sandbox_subcommands=

# Runs git, honouring -C and --git-dir from the command line as git's
# completion does.
__git_sandbox_git ()
{
	if declare -F __git >/dev/null; then
		__git "$@"
	else
		git "$@" 2>/dev/null
	fi
}

# Prints the subcommands, one per word: the fixed ones and those found on PATH.
__git_sandbox_list_subcommands ()
{
	local c help extra=
	if [ -z "$__git_sandbox_subcommands" ]; then
		while IFS=$'\t' read -r c help; do
			__git_sandbox_subcommands="$__git_sandbox_subcommands${__git_sandbox_subcommands:+ }$c"
		done < <(git sandbox --list-cmds 2>/dev/null)
	fi
	for c in $(compgen -c git-sandbox- 2>/dev/null); do
		c=${c#git-sandbox-}
		case " $__git_sandbox_subcommands $extra " in
		*" $c "*) ;;
		*) extra="$extra $c" ;;
		esac
	done
	echo "$__git_sandbox_subcommands$extra"
}

# Prints the main worktree of the repository at hand (what "git sandbox
# list --json" calls "repo").
__git_sandbox_repo ()
{
	local d
	d=$(__git_sandbox_git rev-parse --path-format=absolute --git-common-dir) || return 1
	[ -n "$d" ] || return 1
	case "$d" in
	*/.git) d=${d%/.git} ;;
	esac
	echo "$d"
}

# Prints the names of this repository's sandboxes, one per line, from
# "git sandbox list --json" (read with grep only: no jq needed): the
# objects of its "sandboxes" array, but the main worktree's ("main":true).
__git_sandbox_names ()
{
	local repo tok key='' depth=0 name='' srepo='' main=''
	repo=$(__git_sandbox_repo) || return 0
	# tokens: strings (keys end in ':'), braces and true, in document order
	while IFS= read -r tok; do
		case "$tok" in
		'{')
			depth=$((depth + 1))
			[ $depth = 2 ] && name='' srepo='' main=''
			key=
			;;
		'}')
			if [ $depth = 2 ] && [ -n "$name" ] && [ "$srepo" = "$repo" ] && [ -z "$main" ]; then
				echo "$name"
			fi
			depth=$((depth - 1))
			key=
			;;
		*:)
			key=$tok
			;;
		true)
			[ $depth = 2 ] && [ "$key" = '"main":' ] && main=t
			key=
			;;
		*)
			if [ $depth = 2 ]; then
				tok=${tok#\"}
				tok=${tok%\"}
				tok=${tok//\\\//\/}
				tok=${tok//\\\"/\"}
				tok=${tok//\\\\/\\}
				case "$key" in
				'"name":') name=$tok ;;
				'"repo":') srepo=$tok ;;
				esac
			fi
			key=
			;;
		esac
	done < <(__git_sandbox_git sandbox list --json |
		grep -oE '"([^"\\]|\\.)*"[[:space:]]*:?|[{}]|true' |
		sed 's/"[[:space:]]*:$/":/')
}

# Prints the service names: the port groups of .gitsandbox and of git's
# configuration.
__git_sandbox_services ()
{
	local top k
	top=$(__git_sandbox_git rev-parse --show-toplevel)
	{
		if [ -n "$top" ] && [ -f "$top/.gitsandbox" ]; then
			__git_sandbox_git config -f "$top/.gitsandbox" --name-only \
				--get-regexp '^port\..*\.var$'
		fi
		__git_sandbox_git config --name-only --get-regexp '^port\.'
	} | while IFS= read -r k; do
		k=${k#port.}
		k=${k%.*}
		[ -n "$k" ] && echo "$k"
	done | sort -u
}

# Completes branch names (local, and remote ones "create -b" would track).
__git_sandbox_complete_branches ()
{
	local cur_="${1-$cur}"
	if declare -F __git_complete_refs >/dev/null; then
		__git_complete_refs --mode=heads --dwim --cur="$cur_" 2>/dev/null ||
			__git_complete_refs --cur="$cur_"
	else
		__gitcomp_nl "$(__git_refs)" "" "$cur_"
	fi
}

# Completes any commit-ish.
__git_sandbox_complete_commits ()
{
	local cur_="${1-$cur}"
	if declare -F __git_complete_refs >/dev/null; then
		__git_complete_refs --cur="$cur_"
	else
		__gitcomp_nl "$(__git_refs)" "" "$cur_"
	fi
}

# docker contexts (an engine may also be a URL, typed out)
__git_sandbox_complete_engines ()
{
	local cur_="${1-$cur}"
	__gitcomp_nl "$(docker context ls -q 2>/dev/null)" "" "$cur_"
}

_git_sandbox ()
{
	local subcommands sub='' sub_idx='' c i
	local cmd_idx=${__git_cmd_idx:-}

	if [ -z "$cmd_idx" ]; then
		# older git: find the word that named us
		cmd_idx=0
		for ((i = 1; i < cword; i++)); do
			case "${words[i]}" in
			sandbox|git-sandbox) cmd_idx=$i; break ;;
			esac
		done
	fi

	# the subcommand is the first word after us that is not an option
	for ((c = cmd_idx + 1; c < cword; c++)); do
		case "${words[c]}" in
		-*) ;;
		*) sub=${words[c]} sub_idx=$c; break ;;
		esac
	done

	if [ -z "$sub" ]; then
		case "$cur" in
		-*) __gitcomp "--version --help" ;;
		*)
			subcommands=$(__git_sandbox_list_subcommands)
			__gitcomp "$subcommands"
			;;
		esac
		return
	fi

	# options that take a separate argument, and the positional words so far
	local opts='' argopts='' npos=0 after_dd='' sandbox=''
	case "$sub" in
	create)  opts="-b --branch= --base= --slot= --engine="; argopts="-b --branch --base --slot --engine" ;;
	init)    opts="--name= --slot= --engine="; argopts="--name --slot --engine" ;;
	up)      opts="--build --recreate --profile= --no-secrets --refresh-secrets --no-wait --timeout="; argopts="--profile --timeout" ;;
	down)    opts="--all -v --volumes" ;;
	destroy) opts="-f --force --keep-worktree --delete-branch" ;;
	list)    opts="--all --json" ;;
	status)  opts="--json" ;;
	env)     opts="--export" ;;
	exec)    opts="--secrets" ;;
	port)    opts="-l --list" ;;
	logs)    opts="-f --follow --tail="; argopts="--tail" ;;
	prune)   opts="-n --dry-run" ;;
	trust)   opts="--show --revoke" ;;
	setup)   opts="--write" ;;
	path|secrets|repair|mcp|doctor) ;;
	esac
	# every command that acts on one sandbox takes it by name
	case "$sub" in
	up|down|destroy|status|env|port|exec|logs|path|secrets|repair)
		opts="-s --sandbox= $opts"
		argopts="-s --sandbox $argopts"
		;;
	esac

	for ((c = sub_idx + 1; c < cword; c++)); do
		case "${words[c]}" in
		--) after_dd=y; break ;;
		--sandbox=*) sandbox=${words[c]#--sandbox=} ;;
		-*) ;;
		*)
			case " $argopts " in
			*" ${words[c-1]} "*)
				if [ $((c - 1)) -gt "$sub_idx" ]; then
					case "${words[c-1]}" in
					-s|--sandbox) sandbox=${words[c]} ;;
					esac
					continue
				fi
				;;
			esac
			npos=$((npos + 1))
			;;
		esac
	done

	# the argument of an option, separate or stuck
	case "$sub,$prev" in
	create,-b|create,--branch)
		__git_sandbox_complete_branches
		return
		;;
	create,--base)
		__git_sandbox_complete_commits
		return
		;;
	create,--engine|init,--engine)
		__git_sandbox_complete_engines
		return
		;;
	*,-s|*,--sandbox)
		case " $argopts " in
		*" $prev "*) __gitcomp_nl "$(__git_sandbox_names)" ;;
		*) COMPREPLY=() ;;
		esac
		return
		;;
	*,--slot|*,--timeout|*,--tail|init,--name|up,--profile)
		COMPREPLY=()
		return
		;;
	esac
	case "$sub,$cur" in
	create,--branch=*)
		__git_sandbox_complete_branches "${cur#--branch=}"
		return
		;;
	create,--base=*)
		__git_sandbox_complete_commits "${cur#--base=}"
		return
		;;
	create,--engine=*|init,--engine=*)
		__git_sandbox_complete_engines "${cur#--engine=}"
		return
		;;
	*,--sandbox=*)
		case " $argopts " in
		*" --sandbox "*) __gitcomp_nl "$(__git_sandbox_names)" "" "${cur#--sandbox=}" ;;
		*) COMPREPLY=() ;;
		esac
		return
		;;
	*,--*=*)
		COMPREPLY=()
		return
		;;
	esac

	if [ -n "$after_dd" ]; then
		# exec -- <command>: leave it to the default completion
		COMPREPLY=()
		return
	fi

	case "$cur" in
	-*)
		__gitcomp "$opts"
		if [ "$sub" = exec ]; then
			# "--" is a marker to __gitcomp: add it by hand
			__gitcompappend "--" "" "$cur" " "
		fi
		return
		;;
	esac

	case "$sub" in
	destroy|status|repair|path)
		if [ $npos = 0 ] && [ -z "$sandbox" ]; then
			__gitcomp_nl "$(__git_sandbox_names)"
		fi
		;;
	port)
		if [ $npos = 0 ]; then
			# the groups the sandbox leased; the configuration's outside one
			__gitcomp_nl "$(__git_sandbox_git sandbox port ${sandbox:+--sandbox="$sandbox"} --list ||
				__git_sandbox_services)"
		fi
		;;
	logs)
		if [ $npos = 0 ]; then
			__gitcomp_nl "$(__git_sandbox_services)"
		fi
		;;
	secrets)
		if [ $npos = 0 ]; then
			__gitcomp "status refresh clear"
		fi
		;;
	exec)
		if [ $npos = 0 ]; then
			COMPREPLY=()
			__gitcompappend "--" "" "$cur" " "
		fi
		;;
	setup)
		# compose files
		local IFS=$'\n'
		COMPREPLY=($(compgen -f -- "$cur"))
		;;
	*)
		COMPREPLY=()
		;;
	esac
}

# Load git's completion if it is not there yet: _git_sandbox needs its
# helpers, and "git-sandbox" typed as a command is wrapped by it.
if ! declare -F __gitcomp >/dev/null; then
	if declare -F _comp_load >/dev/null; then
		_comp_load git >/dev/null 2>&1	# bash-completion >= 2.12
	elif declare -F _completion_loader >/dev/null; then
		_completion_loader git >/dev/null 2>&1
	fi
	if ! declare -F __gitcomp >/dev/null; then
		for __git_sandbox_f in \
			/usr/share/bash-completion/completions/git \
			/usr/local/share/bash-completion/completions/git \
			/opt/homebrew/etc/bash_completion.d/git-completion.bash \
			/usr/local/etc/bash_completion.d/git-completion.bash \
			/etc/bash_completion.d/git \
			/usr/share/git/completion/git-completion.bash
		do
			if [ -f "$__git_sandbox_f" ]; then
				. "$__git_sandbox_f"
				break
			fi
		done
		unset __git_sandbox_f
	fi
fi

if declare -F __git_complete >/dev/null; then
	__git_complete git-sandbox _git_sandbox
fi

# git-sandbox-cd <name>: go to the worktree of a sandbox of this
# repository (a program cannot change its caller's directory). Source this
# file from ~/.bashrc to have it before the first completion.
git-sandbox-cd ()
{
	local dir
	dir=$(git sandbox path "$@") && cd -- "$dir"
}

__git_sandbox_cd_complete ()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	COMPREPLY=()
	if [ "$COMP_CWORD" = 1 ]; then
		# sandbox names never hold blanks or glob characters
		mapfile -t COMPREPLY < <(compgen -W "$(__git_sandbox_names)" -- "$cur")
	fi
}
complete -F __git_sandbox_cd_complete git-sandbox-cd
