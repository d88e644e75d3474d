# lib-podman.sh: a podman engine of the test script's own, serving the
# Docker API on a unix socket. Source it after test-lib.sh:
#
#	. ./test-lib.sh
#	. "$TEST_DIRECTORY"/lib-podman.sh
#
# sb_podman_start [<image tag>]
#	Starts `podman system service` as root, its API on a unix socket,
#	in a network namespace of its own reached from the machine over a
#	veth pair (lib-engine.sh's sb_netns_up_, as its engine's), and in a
#	mount namespace of its own. Then it builds the busybox image of
#	sb_build_image through the socket (with no RUN step: see below),
#	under the tag given or git-sandbox-<script>:latest.
#	Exports:
#	  SB_PODMAN_SOCK   the socket's path
#	  SB_PODMAN_URL    unix://<the socket's path>
#	  SB_PODMAN_ADDR   the address its published ports answer on
#	  SB_PODMAN_IMAGE  the busybox image's tag there
#	and registers sb_podman_stop to run when the script ends, passed,
#	failed or interrupted. Fails, saying why, when it cannot start the
#	service (not root, a tool missing, the API not answering within 60s)
#	and then leaves nothing behind; it never skips.
#
# sb_podman_stop
#	Removes the containers, stops the service (by the pid it started it
#	as), ends what it left in its network namespace (conmon,
#	aardvark-dns), deletes the namespace and the veth pair and removes
#	the directory. Does nothing when no service runs; fails, saying what
#	is left, when something cannot be undone.
#
# sb_podman_docker <arg>...
#	docker -H "$SB_PODMAN_URL" <arg>..., whatever DOCKER_* says.
#
# The service is apart from the machine and from the machine's own podman
# and dockerd: its storage (graph root, run root, volumes, static and
# temporary directories, networks' configuration, events log, locks),
# under its directory, through a containers.conf and a storage.conf of its
# own (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF); a fresh /run and
# /var/lib in its mount namespace, so that what podman keeps there
# whatever it is told (netavark's IPAM database in /run/containers, the
# containers' network namespaces in /run/netns, runc's state, the blob
# cache in /var/lib/containers) is its own and goes with it; netavark's
# bridges and firewall rules in its network namespace, with subnets apart
# from the veth pair's. It uses runc (crun 1.8 refuses hybrid cgroups, v1
# and v2 mixed), cgroupfs and the file events backend (no systemd). It
# gives containers the service's own limits on open files and processes
# (podman 4.3 lowers its own on processes to 32768): podman's default of
# 1048576 cannot be set where root lacks CAP_SYS_RESOURCE, as in some
# container sandboxes, and neither can a build's RUN step, whose limits
# buildah sets whatever containers.conf says (and docker's --ulimit is
# refused by podman's API), so the image's applet links are made here.
# Without systemd, podman 4.3 never runs a container's healthcheck (it
# would through a systemd timer): its status stays "starting".
# Needs root, podman, runc, conmon, netavark, aardvark-dns, catatonit,
# iproute2, util-linux (nsenter, unshare, setsid) and the docker CLI (to
# build the image and to remove the containers at the end).

. "$TEST_DIRECTORY"/lib-engine.sh

sb_podman_pid_= sb_podman_ns_= sb_podman_veth_= sb_podman_dir_= sb_podman_atexit_=

sb_podman_docker () {
	DOCKER_TLS_VERIFY= DOCKER_CERT_PATH= DOCKER_CONTEXT= docker -H "$SB_PODMAN_URL" "$@"
}

sb_podman_start () {
	if test -n "$sb_podman_dir_"
	then
		echo "sb_podman_start: a service already runs ($SB_PODMAN_URL); one per script" >&2
		return 1
	fi
	if test "$(exec sh -c 'echo $PPID')" != "$$"
	then
		echo "sb_podman_start: called in a subshell (a pipe, \$(...)); the service would outlive it" >&2
		return 1
	fi
	if test "$(id -u)" != 0
	then
		echo "sb_podman_start: needs root (it makes a network namespace and runs rootful podman)" >&2
		return 1
	fi
	for c_ in podman runc conmon catatonit ip nsenter unshare setsid docker timeout
	do
		command -v "$c_" >/dev/null && continue
		echo "sb_podman_start: '$c_' is missing (.ci/deps installs what the tests need)" >&2
		return 1
	done
	for c_ in netavark aardvark-dns
	do
		test -x "/usr/lib/podman/$c_" && continue
		echo "sb_podman_start: '/usr/lib/podman/$c_' is missing (.ci/deps installs what the tests need)" >&2
		return 1
	done
	if test -z "$sb_podman_atexit_"
	then
		test_atexit sb_podman_stop
		sb_podman_atexit_=t
	fi
	sb_podman_start_ "${1:-git-sandbox-$TEST_NAME:latest}" && return 0
	sb_podman_stop
	return 1
}

# sb_podman_limits_ <limits file>: "<open files> <processes>", the hard
# limits podman has when started with those of <limits file> (a
# /proc/<pid>/limits): podman 4.3 lowers its limit on processes to 32768
sb_podman_limits_ () {
	awk '
		/^Max open files / { f = $5 }
		/^Max processes / { p = $4 }
		END {
			if (p == "unlimited" || p > 32768)
				p = 32768
			if (f == "" || p == "")
				exit 1
			print f, p
		}' "$1"
}

# sb_podman_conf_ <dir>: the service's containers.conf and storage.conf
sb_podman_conf_ () {
	l_=$(sb_podman_limits_ /proc/self/limits) || return 1
	cat >"$1/containers.conf" <<-EOF &&
	[containers]
	default_ulimits = ["nofile=${l_% *}:${l_% *}", "nproc=${l_#* }:${l_#* }"]
	init_path = "$(command -v catatonit)"

	[engine]
	cgroup_manager = "cgroupfs"
	events_logger = "file"
	events_logfile_path = "$1/events.log"
	lock_type = "file"
	runtime = "runc"
	static_dir = "$1/root/libpod"
	tmp_dir = "$1/tmp"
	volume_path = "$1/root/volumes"

	[network]
	network_backend = "netavark"
	network_config_dir = "$1/networks"
	default_subnet = "172.31.255.0/24"
	default_subnet_pools = [{"base" = "172.30.0.0/16", "size" = 24}]
	EOF
	cat >"$1/storage.conf" <<-EOF
	[storage]
	driver = "vfs"
	graphroot = "$1/root"
	runroot = "$1/run"
	EOF
}

# sb_podman_image_ <tag>: the busybox image of sb_build_image, with the
# applets' links made here: a RUN step fails under podman 4.3 where root
# lacks CAP_SYS_RESOURCE (buildah sets limits of its own, over
# containers.conf's; docker's --ulimit is refused by its API)
sb_podman_image_ () {
	c_="$TRASH_DIRECTORY/podman/img"
	rm -rf "$c_" && mkdir -p "$c_/bin" &&
	cp /bin/busybox "$c_/bin/" &&
	for a_ in $(busybox --list)
	do
		test "$a_" = busybox || ln -s busybox "$c_/bin/$a_" || return 1
	done &&
	printf '%s\n' 'FROM scratch' 'COPY bin /bin' >"$c_/Dockerfile" &&
	sb_podman_docker build -q -t "$1" "$c_" >/dev/null
}

sb_podman_start_ () {
	# unix socket paths must stay below 108 bytes: a short directory
	sb_podman_dir_=$(mktemp -d /tmp/sbp.XXXXXX) || return 1
	d_=$sb_podman_dir_
	log_="$TRASH_DIRECTORY/podman"
	mkdir -p "$log_" "$d_/tmp" "$d_/vartmp" "$d_/networks" &&
	sb_podman_conf_ "$d_" || return 1

	sb_netns_up_ sb_podman_start sb_podman gsbp$$ || return 1
	addr_=$sb_netns_addr_

	# setsid: a ^C at the terminal reaches the test script, which stops
	# the service in order. nsenter, setsid (not a group leader here),
	# unshare and sh exec: $! is podman's pid. The mounts are made in the
	# new mount namespace only.
	test_hold_signals_
	TMPDIR=$d_/vartmp CONTAINERS_CONF=$d_/containers.conf \
	CONTAINERS_STORAGE_CONF=$d_/storage.conf \
	nsenter --net="/var/run/netns/$sb_podman_ns_" setsid unshare --mount --propagation private \
		sh -c 'mount -t tmpfs -o mode=755,nosuid,nodev sbpodman /run &&
			mount -t tmpfs -o mode=755,nosuid,nodev sbpodman /var/lib &&
			exec podman system service --time=0 "unix://$0"' "$d_/podman.sock" \
		</dev/null >"$log_/service.log" 2>&1 &
	sb_podman_pid_=$!
	test_release_signals_
	echo "$sb_podman_pid_" >"$d_/podman.pid"

	SB_PODMAN_SOCK=$d_/podman.sock
	SB_PODMAN_URL=unix://$d_/podman.sock
	SB_PODMAN_ADDR=$addr_
	SB_PODMAN_IMAGE=$1
	export SB_PODMAN_SOCK SB_PODMAN_URL SB_PODMAN_ADDR SB_PODMAN_IMAGE

	i_=0
	until sb_podman_docker version --format "{{.Server.Version}}" >/dev/null 2>&1
	do
		if sb_engine_gone_ "$sb_podman_pid_"
		then
			echo "sb_podman_start: podman exited; the end of its log:" >&2
			tail -n 20 "$log_/service.log" >&2
			return 1
		fi
		i_=$((i_ + 1))
		if test $i_ -gt 600
		then
			echo "sb_podman_start: the service does not answer at $SB_PODMAN_URL after 60s;" \
				"the end of its log:" >&2
			tail -n 20 "$log_/service.log" >&2
			return 1
		fi
		sleep 0.1
	done
	# what the killing will aim at
	if test "$(cat "/proc/$sb_podman_pid_/comm" 2>/dev/null)" != podman
	then
		echo "sb_podman_start: pid $sb_podman_pid_ is not podman" >&2
		return 1
	fi
	# the containers' limits, which runc sets, are at most the service's
	if test "$(sb_podman_limits_ /proc/self/limits)" != "$(sb_podman_limits_ "/proc/$sb_podman_pid_/limits")"
	then
		echo "sb_podman_start: podman's limits are not those of containers.conf:" >&2
		grep "^Max \(open files\|processes\) " "/proc/$sb_podman_pid_/limits" >&2
		return 1
	fi

	sb_podman_image_ "$1" || {
		echo "sb_podman_start: cannot build image '$1' through podman; the end of its log:" >&2
		tail -n 20 "$log_/service.log" >&2
		return 1
	}
}

sb_podman_stop () {
	ret_=0
	d_=$sb_podman_dir_
	if test -n "$sb_podman_pid_"
	then
		# containers first: conmon and the container outlive the service
		sb_engine_gone_ "$sb_podman_pid_" ||
		sb_engine_rm_containers_ sb_podman_stop "$d_/podman.sock" || ret_=1
		sb_engine_kill_ "$sb_podman_pid_" 30
		sb_podman_pid_=
	fi
	if test -n "$sb_podman_ns_"
	then
		# what podman started in its network namespace and left there
		# (conmon of a container not removed, aardvark-dns): nothing
		# else runs there
		left_=$(ip netns pids "$sb_podman_ns_" 2>/dev/null)
		if test -n "$left_"
		then
			echo "sb_podman_stop: left in the namespace, killed:" \
				$(for p_ in $left_; do cat "/proc/$p_/comm" 2>/dev/null; done) >&2
			kill -9 $left_ 2>/dev/null
			i_=0
			while test -n "$(ip netns pids "$sb_podman_ns_" 2>/dev/null)" && test $i_ -lt 100
			do
				i_=$((i_ + 1))
				sleep 0.1
			done
		fi
	fi
	sb_netns_down_ sb_podman || ret_=1
	if test -n "$d_"
	then
		sb_engine_rmdir_ "$d_" || ret_=1
		sb_podman_dir_=
	fi
	unset SB_PODMAN_SOCK SB_PODMAN_URL SB_PODMAN_ADDR SB_PODMAN_IMAGE
	test "$ret_" = 0 || echo "sb_podman_stop: the service was not torn down cleanly" >&2
	return "$ret_"
}
