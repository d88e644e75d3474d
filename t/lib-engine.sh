# lib-engine.sh: a second Docker engine of the test script's own, the
# stand-in for a remote host. Source it after test-lib.sh:
#
#	. ./test-lib.sh
#	. "$TEST_DIRECTORY"/lib-engine.sh
#
# sb_engine_start [<image tag>]
#	Starts one dockerd in a network namespace of its own, reached from
#	the machine over a veth pair: a /30 of 10.0.0.0/8 chosen from the
#	script's pid, stepping past any address or route the machine has.
#	It listens on a unix socket, on <addr>:2375 in plain TCP (socat,
#	inside the namespace, in front of the socket) and on <addr>:2376
#	with TLS that verifies the client (a CA, a server certificate for
#	IP:<addr> and a client certificate, made with openssl). Then it
#	builds the busybox image (sb_build_image) on that engine, under the
#	tag given or git-sandbox-<script>:latest. Exports:
#	  SB_ENGINE_ADDR   the engine's address (inside its namespace)
#	  SB_ENGINE_TCP    tcp://<addr>:2375, plain
#	  SB_ENGINE_TLS    tcp://<addr>:2376, TLS with client certificates
#	  SB_ENGINE_CERTS  the client's ca.pem, cert.pem and key.pem
#	                   (DOCKER_CERT_PATH for DOCKER_TLS_VERIFY=1)
#	  SB_ENGINE_SOCK   the unix socket's path
#	  SB_ENGINE_IMAGE  the busybox image's tag on the engine
#	and registers sb_engine_stop to run when the script ends, passed,
#	failed or interrupted. Fails, saying why, when it cannot start the
#	engine (not root, a tool missing, the engine not answering within
#	60s) and then leaves nothing behind; it never skips.
#
# sb_engine_stop
#	Removes the engine's containers, stops socat and dockerd (by the
#	pids it started them as; dockerd stops its containerd), deletes the
#	namespace and the veth pair and removes the engine's directories.
#	Does nothing when no engine runs; fails, saying what is left, when
#	something cannot be undone.
#
# sb_engine_docker <arg>...
#	docker -H "$SB_ENGINE_TCP" <arg>..., whatever DOCKER_* says.
#
# The engine is apart from the machine's: its own configuration file,
# data root, exec root, pid file, identity (the ID `docker info` shows),
# containerd, and mount namespace (its mounts never show in the
# machine's). It has no default bridge and makes no iptables rules
# (--bridge=none --iptables=false): a container publishes ports only from
# a network made on the engine (as compose makes one for each project),
# and docker-proxy then listens inside the namespace: <addr>:<port>
# answers from the machine, 127.0.0.1:<port> does not. Images are the
# engine's own. The script's own files (the logs, the client's
# certificates) are in $TRASH_DIRECTORY/engine; the engine's, in a short
# directory of /tmp (a unix socket's path has at most 107 bytes).
# Needs root, iproute2, util-linux (nsenter, unshare, setsid), socat and
# openssl. lib-podman.sh starts and stops its service with the same
# helpers: the network namespace (sb_netns_up_, sb_netns_down_), the
# removal of the containers and of the directory.

sb_engine_pid_= sb_engine_socat_= sb_engine_ns_= sb_engine_veth_= sb_engine_dir_=
sb_engine_atexit_=

sb_engine_docker () {
	DOCKER_TLS_VERIFY= DOCKER_CERT_PATH= DOCKER_CONTEXT= docker -H "$SB_ENGINE_TCP" "$@"
}

# sb_engine_pick_ <index>: "<host address> <engine address>", the first
# free /30 of 10.0.0.0/8 from block <index> on (a pid is below 2^22, the
# number of /30 blocks, so two scripts running at once start apart); a
# block is free when no address or route of the machine overlaps it,
# catch-alls (prefixes shorter than /8, as a VPN's 0.0.0.0/1) aside
sb_engine_pick_ () {
	{ ip -4 -o addr show && ip -4 route show table all; } |
	awk -v start="$1" '
	function num(a,   p) { split(a, p, "."); return ((p[1] * 256 + p[2]) * 256 + p[3]) * 256 + p[4] }
	function dot(a) { return int(a / 16777216) "." int(a / 65536) % 256 "." int(a / 256) % 256 "." a % 256 }
	BEGIN { n = 0 }
	{
		for (i = 1; i <= NF; i++)
			if ($i ~ /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+(\/[0-9]+)?$/) {
				split($i, q, "/")
				l = q[2] == "" ? 32 : q[2] + 0
				if (l < 8)
					continue
				used[n] = num(q[1]); size[n] = 2 ^ (32 - (l < 30 ? l : 30)); n++
			}
	}
	END {
		base = num("10.0.0.0")
		first = b = base + (start % 4194304) * 4
		for (;;) {
			for (j = 0; j < n; j++)
				if (int(b / size[j]) == int(used[j] / size[j]))
					break
			if (j == n) {
				print dot(b + 1), dot(b + 2)
				exit 0
			}
			# past what it overlaps, round 10.0.0.0/8 once
			b = (int(used[j] / size[j]) + 1) * size[j]
			if (b >= base + 16777216) {
				b = base
				wrapped = 1
			}
			if (wrapped && b >= first)
				exit 1
		}
	}'
}

# sb_netns_up_ <who> <var> <name>: a network namespace <name> reached
# from the machine over a veth pair, <name>h on the machine's side and
# <name>n in the namespace, on the first free /30 from block $$ on
# (sb_engine_pick_); the namespace's address in sb_netns_addr_. Each is
# recorded as soon as it exists, the namespace in ${var}_ns_ and the pair
# in ${var}_veth_, for sb_netns_down_ <var> to undo. Errors name <who>.
sb_netns_up_ () {
	nu_addrs_=$(sb_engine_pick_ $$) || {
		echo "$1: no free /30 in 10.0.0.0/8 near block $$" >&2
		return 1
	}
	nu_host_=${nu_addrs_% *} sb_netns_addr_=${nu_addrs_#* }
	if ! ip netns add "$3"
	then
		echo "$1: cannot make network namespace '$3' (left by an earlier run?)" >&2
		return 1
	fi
	eval "${2}_ns_=\$3"
	if ! ip link add "${3}h" type veth peer name "${3}n"
	then
		echo "$1: cannot make veth pair '${3}h'" >&2
		return 1
	fi
	eval "${2}_veth_=\${3}h"
	ip link set "${3}n" netns "$3" &&
	ip addr add "$nu_host_/30" dev "${3}h" &&
	ip link set "${3}h" up &&
	ip -n "$3" addr add "$sb_netns_addr_/30" dev "${3}n" &&
	ip -n "$3" link set "${3}n" up &&
	ip -n "$3" link set lo up || {
		echo "$1: cannot set up the veth pair '${3}h'" >&2
		return 1
	}
}

# sb_netns_down_ <var>: delete the veth pair and the namespace that
# sb_netns_up_ recorded in ${var}_veth_ and ${var}_ns_, if any; fails if
# either cannot be deleted
sb_netns_down_ () {
	nd_ret_=0
	eval "nd_veth_=\${${1}_veth_} nd_ns_=\${${1}_ns_}"
	if test -n "$nd_veth_"
	then
		ip link del "$nd_veth_" || nd_ret_=1
		eval "${1}_veth_="
	fi
	if test -n "$nd_ns_"
	then
		ip netns del "$nd_ns_" || nd_ret_=1
		eval "${1}_ns_="
	fi
	return "$nd_ret_"
}

# sb_engine_rm_containers_ <who> <socket>: remove every container of the
# engine at unix://<socket> (through the socket: nothing else need run)
sb_engine_rm_containers_ () {
	if ! rc_ids_=$(timeout 30 docker -H "unix://$2" ps -aq)
	then
		echo "$1: cannot list the containers" >&2
		return 1
	fi
	test -z "$rc_ids_" && return 0
	timeout 60 docker -H "unix://$2" rm -f $rc_ids_ >/dev/null && return 0
	echo "$1: cannot remove the containers:" $rc_ids_ >&2
	return 1
}

# sb_engine_rmdir_ <dir>: remove the directory of an engine; nothing is
# mounted there (the engine's mounts were in its own namespace) unless
# something went wrong, and then it is unmounted first
sb_engine_rmdir_ () {
	awk -v d="$1/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
	while read -r m_
	do
		umount "$m_" || umount -l "$m_"
	done
	rm -rf "$1"
}

# sb_engine_certs_ <dir> <addr>: a CA, a server certificate for IP:<addr>
# in <dir>/server, a client certificate in <dir>/client (ca.pem, cert.pem,
# key.pem, as the docker CLI reads them from DOCKER_CERT_PATH)
sb_engine_certs_ () {
	(
		umask 077 &&
		cd "$1" && mkdir server client &&
		cat >openssl.cnf <<-EOF &&
		[req]
		distinguished_name = dn
		[dn]
		[ca]
		basicConstraints = critical, CA:TRUE
		keyUsage = critical, keyCertSign, cRLSign
		subjectKeyIdentifier = hash
		[server]
		basicConstraints = critical, CA:FALSE
		keyUsage = critical, digitalSignature
		extendedKeyUsage = serverAuth
		subjectAltName = IP:$2
		[client]
		basicConstraints = critical, CA:FALSE
		keyUsage = critical, digitalSignature
		extendedKeyUsage = clientAuth
		EOF
		set -- -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes &&
		openssl req -config openssl.cnf -x509 -new "$@" -days 2 -subj "/CN=git-sandbox test CA" \
			-extensions ca -keyout ca-key.pem -out server/ca.pem &&
		cp server/ca.pem client/ca.pem &&
		serial=1 &&
		for who in server client
		do
			serial=$((serial + 1)) &&
			openssl req -config openssl.cnf -new "$@" -subj "/CN=git-sandbox test $who" \
				-keyout $who/key.pem -out $who.csr &&
			openssl x509 -req -in $who.csr -CA server/ca.pem -CAkey ca-key.pem \
				-set_serial $serial -days 2 \
				-extfile openssl.cnf -extensions $who -out $who/cert.pem || exit 1
		done
	) >"$1/openssl.log" 2>&1 || {
		echo "sb_engine_start: openssl could not make the certificates:" >&2
		cat "$1/openssl.log" >&2
		return 1
	}
}

# sb_engine_gone_ <pid>: the process has exited (a zombie counts: it is
# our child until the shell waits for it)
sb_engine_gone_ () {
	kill -0 "$1" 2>/dev/null || return 0
	test "$(sed -e 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" = Z
}

# sb_engine_kill_ <pid> <seconds>: TERM, KILL after <seconds>, then reap
sb_engine_kill_ () {
	kill "$1" 2>/dev/null
	i_=0
	while ! sb_engine_gone_ "$1"
	do
		i_=$((i_ + 1))
		if test $i_ -gt $(($2 * 10))
		then
			echo "sb_engine_stop: pid $1 still runs after ${2}s; killing it" >&2
			kill -9 "$1" 2>/dev/null
			break
		fi
		sleep 0.1
	done
	wait "$1" 2>/dev/null
	:
}

sb_engine_start () {
	if test -n "$sb_engine_dir_"
	then
		echo "sb_engine_start: an engine already runs ($SB_ENGINE_TCP); one per script" >&2
		return 1
	fi
	# the stop at exit is the script's: a subshell's engine would outlive it
	if test "$(exec sh -c 'echo $PPID')" != "$$"
	then
		echo "sb_engine_start: called in a subshell (a pipe, \$(...)); the engine would outlive it" >&2
		return 1
	fi
	if test "$(id -u)" != 0
	then
		echo "sb_engine_start: needs root (it makes a network namespace and starts dockerd)" >&2
		return 1
	fi
	for c_ in ip nsenter unshare setsid dockerd docker socat openssl timeout
	do
		command -v "$c_" >/dev/null && continue
		echo "sb_engine_start: '$c_' is missing (.ci/deps installs what the tests need)" >&2
		return 1
	done
	if test -z "$sb_engine_atexit_"
	then
		test_atexit sb_engine_stop
		sb_engine_atexit_=t
	fi
	sb_engine_start_ "${1:-git-sandbox-$TEST_NAME:latest}" && return 0
	sb_engine_stop
	return 1
}

sb_engine_start_ () {
	# unix socket paths must stay below 108 bytes: a short directory
	sb_engine_dir_=$(mktemp -d /tmp/sbe.XXXXXX) || return 1
	d_=$sb_engine_dir_
	log_="$TRASH_DIRECTORY/engine"
	mkdir -p "$log_" "$d_/tls" || return 1
	# the ID `docker info` shows: before 23.0, the key in /etc/docker (the
	# machine's engine's, unless the engine has a key of its own); from
	# 23.0 on, a file in the data root, and the key is an unknown option
	v_=$(dockerd --version | sed -n 's/^Docker version \([0-9]*\)\..*/\1/p')
	if test -n "$v_" && test "$v_" -lt 23
	then
		printf '{ "deprecated-key-path": "%s" }\n' "$d_/key.json"
	else
		echo "{}"
	fi >"$d_/daemon.json" || return 1

	sb_netns_up_ sb_engine_start sb_engine gsbe$$ || return 1
	addr_=$sb_netns_addr_

	sb_engine_certs_ "$d_/tls" "$addr_" &&
	rm -rf "$log_/certs" &&
	cp -R "$d_/tls/client" "$log_/certs" || return 1

	# setsid: a ^C at the terminal reaches the test script, which stops
	# the engine in order, and not the engine itself. nsenter, setsid
	# (not a group leader here) and unshare exec: $! is dockerd's pid.
	# The mount namespace keeps the engine's mounts from the machine's
	# (ip netns exec would remount /sys, and hide the cgroups).
	test_hold_signals_
	nsenter --net="/var/run/netns/$sb_engine_ns_" setsid unshare --mount --propagation private \
		dockerd --config-file "$d_/daemon.json" --data-root "$d_/data" --exec-root "$d_/x" \
		--pidfile "$d_/dockerd.pid" \
		--containerd-namespace sbengine --containerd-plugins-namespace sbengine-plugins \
		--bridge=none --iptables=false --ip-forward=false --ip-masq=false \
		--tlsverify --tlscacert "$d_/tls/server/ca.pem" --tlscert "$d_/tls/server/cert.pem" \
		--tlskey "$d_/tls/server/key.pem" \
		-H "unix://$d_/x/d.sock" -H "tcp://$addr_:2376" \
		</dev/null >"$log_/dockerd.log" 2>&1 &
	sb_engine_pid_=$!
	nsenter --net="/var/run/netns/$sb_engine_ns_" setsid \
		socat "TCP-LISTEN:2375,bind=$addr_,fork,reuseaddr" "UNIX-CONNECT:$d_/x/d.sock" \
		</dev/null >"$log_/socat.log" 2>&1 &
	sb_engine_socat_=$!
	test_release_signals_

	SB_ENGINE_ADDR=$addr_
	SB_ENGINE_TCP=tcp://$addr_:2375
	SB_ENGINE_TLS=tcp://$addr_:2376
	SB_ENGINE_CERTS=$log_/certs
	SB_ENGINE_SOCK=$d_/x/d.sock
	SB_ENGINE_IMAGE=$1
	export SB_ENGINE_ADDR SB_ENGINE_TCP SB_ENGINE_TLS SB_ENGINE_CERTS SB_ENGINE_SOCK SB_ENGINE_IMAGE

	i_=0
	until sb_engine_docker version --format "{{.Server.Version}}" >/dev/null 2>&1
	do
		for p_ in "$sb_engine_pid_ dockerd" "$sb_engine_socat_ socat"
		do
			sb_engine_gone_ "${p_% *}" || continue
			echo "sb_engine_start: ${p_#* } exited; the end of its log:" >&2
			tail -n 20 "$log_/${p_#* }.log" >&2
			return 1
		done
		i_=$((i_ + 1))
		if test $i_ -gt 600
		then
			echo "sb_engine_start: the engine does not answer at $SB_ENGINE_TCP after 60s;" \
				"the end of its log:" >&2
			tail -n 20 "$log_/dockerd.log" >&2
			return 1
		fi
		sleep 0.1
	done
	# what the killing will aim at
	for p_ in "$sb_engine_pid_ dockerd" "$sb_engine_socat_ socat"
	do
		test "$(cat "/proc/${p_% *}/comm" 2>/dev/null)" = "${p_#* }" && continue
		echo "sb_engine_start: pid ${p_% *} is not ${p_#* }" >&2
		return 1
	done

	(
		DOCKER_HOST=$SB_ENGINE_TCP DOCKER_TLS_VERIFY= DOCKER_CERT_PATH= DOCKER_CONTEXT= &&
		export DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_CONTEXT &&
		sb_build_image "$1"
	) || {
		echo "sb_engine_start: cannot build image '$1' on the engine" >&2
		return 1
	}
}

sb_engine_stop () {
	ret_=0
	d_=$sb_engine_dir_
	if test -n "$sb_engine_pid_"
	then
		# containers first, so that no shim outlives the engine; through
		# the socket, which needs no socat
		sb_engine_gone_ "$sb_engine_pid_" ||
		sb_engine_rm_containers_ sb_engine_stop "$d_/x/d.sock" || ret_=1
		sb_engine_kill_ "$sb_engine_pid_" 30
		# dockerd stops its containerd; if dockerd had to be killed, it did not
		c_=$(cat "$d_/x/containerd/containerd.pid" 2>/dev/null)
		if test -n "$c_" && tr '\0' ' ' <"/proc/$c_/cmdline" 2>/dev/null | grep -qF "$d_/x/"
		then
			echo "sb_engine_stop: containerd (pid $c_) outlived dockerd; killing it" >&2
			kill -9 "$c_"
			ret_=1
		fi
		sb_engine_pid_=
	fi
	if test -n "$sb_engine_socat_"
	then
		# the listener and the children it forked for each connection
		kill -- "-$sb_engine_socat_" 2>/dev/null
		sb_engine_kill_ "$sb_engine_socat_" 10
		sb_engine_socat_=
	fi
	sb_netns_down_ sb_engine || ret_=1
	if test -n "$d_"
	then
		sb_engine_rmdir_ "$d_" || ret_=1
		sb_engine_dir_=
	fi
	unset SB_ENGINE_ADDR SB_ENGINE_TCP SB_ENGINE_TLS SB_ENGINE_CERTS SB_ENGINE_SOCK SB_ENGINE_IMAGE
	test "$ret_" = 0 || echo "sb_engine_stop: the engine was not torn down cleanly" >&2
	return "$ret_"
}
