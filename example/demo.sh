#!/bin/sh
# The git-sandbox demo: two sandboxes of one project, side by side.
# Run from the source tree after 'make install': sh example/demo.sh
set -e
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/git-sandbox-demo.XXXXXX")
if [ -t 1 ] && [ -z "$NO_COLOR" ]; then bold=$(printf '\033[1m') off=$(printf '\033[0m'); else bold= off=; fi
step() { printf '\n%s$ %s%s\n' "$bold" "$*" "$off"; "$@"; }
cleanup() {
	cd "$work/demo" 2>/dev/null || return 0
	git sandbox destroy --force alpha >/dev/null 2>&1 || true
	git sandbox destroy --force beta >/dev/null 2>&1 || true
	git sandbox trust --revoke >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

# A project repository made from example/, with a static busybox for its
# image (ignored by git, carried into each sandbox by sandbox.copy).
mkdir "$work/demo"
cp -R "$here/." "$work/demo/"
rm -f "$work/demo/demo.sh"
cp /bin/busybox "$work/demo/busybox"
cd "$work/demo"
git init -q -b main
git add -A
git -c user.name=demo -c user.email=demo@example.com commit -q -m "demo project"

# its sandbox.copy comes with the repository: honoured once trusted
step git sandbox trust
step git sandbox create alpha
step git sandbox create beta
(cd ../demo--alpha && step git sandbox up --no-secrets)
(cd ../demo--beta && step git sandbox up --no-secrets)
step git sandbox list
for s in alpha beta; do
	port=$(git -C "../demo--$s" sandbox port api)
	printf '\n%s$ curl -s localhost:%s%s   # %s\n' "$bold" "$port" "$off" "$s"
	curl -s "localhost:$port"
done
(cd ../demo--alpha && step git sandbox down)
step git sandbox destroy alpha
step git sandbox destroy beta
printf '\nThat was the whole idea: one worktree, one slot of ports and one stack per branch.\n'
