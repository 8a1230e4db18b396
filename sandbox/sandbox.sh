#!/usr/bin/env bash
# The Aegis sandbox "production host": everything the playbook's Sev 1 / Sev 2 first response
# touches, on this machine, with faults that can be switched on and off.
#
#   sshd      real OpenSSH on 127.0.0.1:42022, login user `olympus` (key only), whose `podman` is
#             the host's rootful podman through `sudo -n` (sudoers allows /usr/bin/podman only)
#   services  olympus-{ciam,iam}-{hera,athena,kratos,hydra}: `standin http` on 42101-42104 and
#             42111-42114, GET /health/alive; Kratos and Hydra also have an admin port (42123,
#             42124, 42133, 42134) and answer like real Ory: Kratos's admin port 307s every path
#             without the /admin prefix (so its health is /admin/health/alive there), Hydra answers
#             /health/alive on both
#   postgres  olympus-postgres: `standin postgres` on 42132, `pg_isready` inside the container;
#             TLS (SSLRequest -> S) with a certificate from the sandbox's own "Olympus Database CA"
#             ($STATE/pg-ca/ca.crt), kept in $STATE/pg-tls and re-read per connection
#   caddy     olympus-caddy: the host's real Caddy binary, https://{ciam,iam}.olympus.test:42443,
#             admin API on 127.0.0.1:42019; the site imports the block list
#             $STATE/caddy/etc/aegis/blocked.caddy (/etc/caddy/aegis/blocked.caddy inside)
#   secrets   per-service env generated once ($STATE/secrets): Kratos SECRETS_COOKIE,
#             SECRETS_CIPHER, DSN; Hydra SECRETS_SYSTEM, DSN; Athena ENCRYPTION_KEY,
#             SESSION_SIGNING_KEY (`podman exec olympus-ciam-kratos env` shows them)
#   ory data  Kratos's identities, sessions, recovery codes and courier queue, Hydra's clients,
#             consent and login sessions and tokens: $STATE/ory/<service> (/data inside),
#             seeded (2,400 ciam identities, 300 iam), kept across restarts, re-seeded by reset
#   actions   what the console's actions change as the olympus user: $STATE/flags/<service>.env
#             (non-secret NAME=VALUE toggles added to the container's env) and the redeploy
#             command `sudo -n /usr/local/sbin/aegis-sandbox-redeploy SERVICE`; the block list;
#             `podman exec olympus-postgres pg_dumpall -U postgres` into $STATE/snapshots (0700)
#
# Faults model what the playbook walkthroughs diagnose: a service down / failing / hanging,
# PostgreSQL rejecting or gone, sshd gone, and the causes behind them: PostgreSQL's certificate
# expired (Kratos and Hydra then fail their database TLS), a rotated Kratos cookie secret (CSRF
# errors at login), Athena started without its encryption key, Kratos's courier stuck behind a dead
# SMTP relay, Caddy serving a certificate its CA did not issue.
#
# Usage: sandbox.sh install | up | status | reset | down | purge | redeploy SERVICE | fault KIND [TARGET]
#   (see `usage` below; `cargo xtask sandbox ...` builds the stand-in binary and runs this).
#
# State lives in ${AEGIS_SANDBOX_DIR:-<repo>/.sandbox}: keys, sshd config and log, the olympus
# user's home, fault files, Caddy's data, the Ory stand-ins' data (ory/), the files the console's
# actions write (flags/, caddy/etc/aegis/, snapshots/), and aegis.toml (the gateway's config).
# `up` and `reset` both end with every component healthy and every fault cleared.
set -euo pipefail
shopt -s inherit_errexit

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$SCRIPT_DIR")
STATE=${AEGIS_SANDBOX_DIR:-$REPO/.sandbox}

IMAGE=localhost/olympus-standin:latest
# Bump when the image's layout (not the binary) changes: the image is rebuilt when this, the
# stand-in binary or busybox change. 2: pg_dumpall and printenv.
IMAGE_RECIPE=2
SSH_PORT=42022
SSH_USER=olympus
PG_PORT=42132
CADDY_HTTP_PORT=42080
CADDY_HTTPS_PORT=42443
CADDY_ADMIN_PORT=42019
EDGES=(ciam iam)
# service:health (public) port; container = olympus-<service>, scope = the part before the first '-'.
SERVICES=(
    ciam-hera:42101 ciam-athena:42102 ciam-kratos:42103 ciam-hydra:42104
    iam-hera:42111 iam-athena:42112 iam-kratos:42113 iam-hydra:42114
)
# service:admin port of the Ory services, which like the real ones (Kratos 4433/4434, Hydra
# 4444/4445) listen on a public and an admin port: public + 20.
ADMIN_PORTS=(ciam-kratos:42123 ciam-hydra:42124 iam-kratos:42133 iam-hydra:42134)
# The services that keep their data in olympus-postgres (and so fail with its certificate).
DB_SERVICES=(ciam-kratos ciam-hydra iam-kratos iam-hydra)
# What Kratos's courier would dial, and what the db-tls fault's clients report (see the stand-in).
PG_CA_CN="Olympus Database CA"
PG_CERT_CN=olympus-postgres
PG_CERT_SAN="DNS:olympus-postgres,DNS:localhost,IP:127.0.0.1"
FOREIGN_CA_CN="Foreign Test CA"
PACKAGES=(openssh-server openssh-client podman runc catatonit busybox-static caddy curl sudo openssl)
SUDOERS=/etc/sudoers.d/olympus-sandbox
# The one command besides podman the olympus user may run as root: recreate one service's
# container with its current env files (a "redeploy"), see write_redeploy_script.
REDEPLOY=/usr/local/sbin/aegis-sandbox-redeploy
# The Caddyfile imports this (its path inside the container; on the host under caddy/etc).
BLOCK_LIST_IN_CADDY=/etc/caddy/aegis/blocked.caddy
# What `up` and `reset` leave in the block list: comment lines only, nothing refused.
EMPTY_BLOCK_LIST='# Written by Aegis: source addresses refused at the edge.
# Empty: nothing is refused. The gateway (as the olympus user) writes, for example,
#   @aegis_blocked remote_ip 127.0.0.2/32 2001:db8::/32
#   error @aegis_blocked "Blocked" 403
# and reloads Caddy: podman exec olympus-caddy caddy reload --config /etc/caddy/Caddyfile
#   --adapter caddyfile --address 127.0.0.1:42019'

# podman forks conmon, which lives as long as the container: it must not inherit the lock fd (9).
podman() { command podman "$@" 9>&-; }

log() { printf 'sandbox: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage_error() { log "$*"; log "usage: sandbox.sh install|up|status|reset|down|purge|redeploy SERVICE|fault KIND [TARGET] (sandbox.sh help)"; exit 2; }

usage() {
    cat <<'EOF'
usage: sandbox.sh <command>
  install                  apt packages (only missing ones) and /etc/containers/containers.conf
  up                       install, build the image if the stand-in changed, start everything,
                           clear all faults, verify (ssh + podman, health, TLS), write aegis.toml
  status                   one line per component; exit 0 if all are up and healthy, else 1
  reset                    clear all faults, start what is stopped, restart sshd if dead;
                           re-seed the Kratos/Hydra data that changed, empty the flags files
                           and the block list, recreate or reload what that changes
  down                     remove the containers, stop sshd (keeps keys, user, image)
  purge                    down, then remove the image, the olympus user, sudoers, the
                           redeploy command, the state dir
  redeploy SERVICE         recreate olympus-SERVICE (one of the 8 HTTP services) with its
                           current env files and wait until it listens: what the olympus user
                           runs as `sudo -n /usr/local/sbin/aegis-sandbox-redeploy SERVICE`
  fault KIND [TARGET]
    stop|start SERVICE     podman stop/start olympus-SERVICE (SERVICE: ciam-hera ... iam-hydra,
                           postgres, caddy)
    ok|503|hang|refuse SVC health endpoint of one of the 8 HTTP stand-ins (ciam-hera ... iam-hydra;
                           for Kratos and Hydra both the public and the admin listener); `ok`
                           also clears the fault words below (db-tls, csrf, courier-stuck)
    pg-ok|pg-reject|pg-down|pg-hang
                           postgres: accepting / rejecting (exit 1) / listener closed (exit 2) /
                           pg_isready hangs (ignoring -t) until the fault is cleared
    sshd-stop|sshd-start   stop sshd (and drop open sessions) / start it again
    pg-cert-expired        PostgreSQL serves a certificate that expired 2 days ago (openssl s_client
                           -starttls postgres: "Verify return code: 10"); Kratos and Hydra (all 4)
                           get fault db-tls: health 503, "TLS handshake failed: certificate verify
                           failed" in their logs every second
    pg-cert-expiring DAYS  certificate valid for DAYS (1..365) days + 1 hour more; clears db-tls
    pg-cert-ok             a fresh certificate valid for 365 days; clears db-tls
    cookie-rotate KRATOS   ciam-kratos|iam-kratos: new SECRETS_COOKIE (container recreated), and
                           POST /self-service/login answers 400 security_csrf_violation (logged)
    athena-no-key ATHENA   ciam-athena|iam-athena recreated without ENCRYPTION_KEY: it logs that at
                           start and answers every request 500
    athena-key ATHENA      ENCRYPTION_KEY back (container recreated)
    courier-stuck KRATOS   the courier worker fails ("Failed to run courier worker."): queued
                           messages pile up (one more per read of ?status=queued), 2 abandoned;
                           `fault ok KRATOS` starts it again and the queue drains
    caddy-foreign-cert     Caddy serves the edges a certificate from "Foreign Test CA"
                           ($STATE/foreign-ca) instead of its internal CA's (container recreated)
    caddy-cert-ok          back to `tls internal`
  `reset` (and `up`) clear every fault above: certificate, secrets and Caddyfile restored.

What the console's actions change (issue 11), as the olympus user over ssh:
  Kratos admin API (ciam :42123, iam :42133; Kratos v1.3's routes, codes, JSON, pagination):
    GET /admin/identities (page_size 250, at most 1000; page_token; Link first/next;
    credentials_identifier=EMAIL), GET|PATCH /admin/identities/ID (JSON Patch on /state:
    active|inactive, others 400), GET|DELETE /admin/identities/ID/sessions (204; 404 when it
    has none), GET /admin/sessions?active=true (Link, X-Total-Count), GET|DELETE
    /admin/sessions/ID (204, also again), POST /admin/recovery/code {"identity_id",
    "expires_in"} -> 201 {recovery_link, recovery_code, expires_at}; the courier as before
  Hydra admin API (ciam :42124, iam :42134; Hydra v2.3): GET /admin/clients (Link,
    X-Total-Count), GET|DELETE /admin/oauth2/auth/sessions/consent?subject=S[&all=true] (204),
    DELETE /admin/oauth2/auth/sessions/login?subject=S, DELETE /admin/oauth2/tokens?client_id=C
    (204); its subjects are the same scope's Kratos identity ids
  their state, $STATE/ory/SERVICE/ (/data in the container; root's), with for tests:
    revoked-sessions.log  Kratos: each revoked session id on a line, once, when first revoked
    counts                Kratos: identities, identities_inactive, sessions_seeded, sessions
                          (rows left), sessions_active, sessions_revoked,
                          duplicate_revocation_attempts, recovery_codes; Hydra: clients,
                          subjects, subjects_with_consent, consent_sessions, access_tokens,
                          refresh_tokens, login_sessions
    tokens-by-client      Hydra: per client, the access and refresh tokens and consent left
    recovery-codes.log    Kratos (0600): each recovery code issued
    identity counts: AEGIS_SANDBOX_CIAM_IDENTITIES and AEGIS_SANDBOX_IAM_IDENTITIES (default
    2400 and 300) when running up or reset, kept in $STATE/identity-counts for the rest
  courier: a stopped worker (courier-stuck) is revived by restarting its container (podman
    restart olympus-ciam-kratos): the queue, kept in the data dir, goes out ten messages a
    second; abandoned messages stay abandoned
  flags: $STATE/flags/SERVICE.env (the olympus user's; empty after reset): NAME=VALUE lines,
    non-secret toggles such as TURNSTILE_DISABLED=true (blank and # lines ignored; the
    service's secret names refused), added to the container's env when it is (re)created, e.g.
    by: sudo -n /usr/local/sbin/aegis-sandbox-redeploy ciam-hera
  block list: $STATE/caddy/etc/aegis/blocked.caddy (the olympus user's), imported by the site:
      @aegis_blocked remote_ip 127.0.0.2/32 2001:db8::/32
      error @aegis_blocked "Blocked" 403
    then: podman exec olympus-caddy caddy reload --config /etc/caddy/Caddyfile --adapter
    caddyfile --address 127.0.0.1:42019 (curl http://127.0.0.1:42019/config/ shows what is
    loaded); a blocked source gets 403 with an empty body; reset empties it and reloads Caddy
  snapshots: podman exec olympus-postgres pg_dumpall -U postgres > $STATE/snapshots/FILE (the
    olympus user's, 0700): a plain-SQL dump of the seeded data (~1.2 MB, the same bytes each
    time); under pg-down or pg-reject it fails as the real one does (stderr, exit 1)
EOF
}

# ---------------------------------------------------------------------------------------------
# helpers

need_root() { [[ $EUID -eq 0 ]] || die "must run as root (podman is rootful, sshd and useradd need it)"; }

# Writes stdin to FILE atomically (temp file in the same directory + mv). Mode optional.
write_atomic() {
    local file=$1 mode=${2:-} tmp
    tmp=$(mktemp "$file.tmp.XXXXXX")
    cat >"$tmp"
    if [[ -n $mode ]]; then chmod "$mode" "$tmp"; fi
    mv -f "$tmp" "$file"
}

# Like write_atomic, but leaves FILE alone when the content is already the same. Sets WROTE to 1
# if it wrote, 0 if unchanged.
WROTE=0
write_if_changed() {
    local file=$1 mode=${2:-} content
    content=$(cat)
    WROTE=0
    if [[ -f $file ]] && [[ "$(cat "$file")" == "$content" ]]; then
        if [[ -n $mode ]]; then chmod "$mode" "$file"; fi
        return 0
    fi
    printf '%s\n' "$content" | write_atomic "$file" "$mode"
    WROTE=1
}

now_ms() { date +%s%3N; }

# Polls COMMAND... every 50 ms for up to SECS seconds.
wait_for() {
    local secs=$1
    shift
    local deadline=$(($(now_ms) + secs * 1000))
    while true; do
        "$@" && return 0
        (($(now_ms) < deadline)) || return 1
        sleep 0.05
    done
}

not() { ! "$@"; }
tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

http_code() { # PORT [PATH] [SECS] -> prints the status code (000 on failure); returns curl's exit code
    curl -sS -o /dev/null -w '%{http_code}' -m "${3:-2}" "http://127.0.0.1:$1${2:-/health/alive}" 2>/dev/null
}
http_ok() { [[ "$(http_code "$1" "${2:-/health/alive}" 1 || true)" == 200 ]]; }
http_code_is() { [[ "$(http_code "$1" "${3:-/health/alive}" 1 || true)" == "$2" ]]; } # PORT CODE [PATH]

edge_body() { # EDGE -> body of https://EDGE.olympus.test:42443/healthz via Caddy
    curl -sS -m 2 --resolve "$1.olympus.test:$CADDY_HTTPS_PORT:127.0.0.1" \
        --cacert "$STATE/caddy-root.crt" "https://$1.olympus.test:$CADDY_HTTPS_PORT/healthz" 2>/dev/null
}
edges_ok() {
    local e
    [[ -s $STATE/caddy-root.crt ]] || return 1
    for e in "${EDGES[@]}"; do [[ "$(edge_body "$e" || true)" == ok ]] || return 1; done
}

service_port() { # SERVICE -> port, fails for unknown services
    local s
    for s in "${SERVICES[@]}"; do [[ ${s%%:*} == "$1" ]] && { echo "${s##*:}"; return 0; }; done
    return 1
}

admin_port() { # SERVICE -> admin port, fails for services without one (Hera, Athena)
    local s
    for s in "${ADMIN_PORTS[@]}"; do [[ ${s%%:*} == "$1" ]] && { echo "${s##*:}"; return 0; }; done
    return 1
}

flavour_of() { # SERVICE -> the stand-in's --flavour: kratos, hydra, athena or app
    case $1 in
    *-kratos) echo kratos ;;
    *-hydra) echo hydra ;;
    *-athena) echo athena ;;
    *) echo app ;;
    esac
}

# SERVICE -> the health path on its admin port: Kratos's admin API is all under /admin (other
# paths are 307s to it), Hydra's health is not prefixed.
admin_health_path() {
    case $(flavour_of "$1") in
    kratos) echo /admin/health/alive ;;
    *) echo /health/alive ;;
    esac
}

# SERVICE -> true if its admin listener (if any) answers its health 200, and Kratos's also
# redirects the un-prefixed path as the real one does.
admin_ok() {
    local port
    port=$(admin_port "$1") || return 0
    http_ok "$port" "$(admin_health_path "$1")" || return 1
    [[ $(flavour_of "$1") != kratos ]] || [[ "$(http_code "$port" /health/alive 1 || true)" == 307 ]]
}

# `ciam-kratos`, `olympus-ciam-kratos`, `postgres`, `caddy` -> container name
container_for() {
    local s=${1#olympus-}
    if service_port "$s" >/dev/null || [[ $s == postgres || $s == caddy ]]; then
        echo "olympus-$s"
        return 0
    fi
    return 1
}

all_containers() {
    local s
    for s in "${SERVICES[@]}"; do echo "olympus-${s%%:*}"; done
    echo olympus-postgres
    echo olympus-caddy
}

lock_state() {
    mkdir -p "$STATE"
    exec 9>>"$STATE/.lock"
    flock -w 300 9 || die "another sandbox.sh holds $STATE/.lock"
}

prepare_state_dir() {
    mkdir -p "$STATE"
    STATE=$(cd "$STATE" && pwd -P)
    [[ $STATE != *[[:space:]\"\'\\]* ]] ||
        die "state dir path must not contain whitespace or quotes: $STATE"
    [[ -e $STATE/.aegis-sandbox ]] || echo "Aegis sandbox state; safe to delete after 'sandbox.sh down'." >"$STATE/.aegis-sandbox"
    mkdir -p "$STATE/ssh" "$STATE/faults" "$STATE/bin" "$STATE/caddy/etc" "$STATE/caddy/data" "$STATE/caddy/config" \
        "$STATE/secrets" "$STATE/pg-tls" "$STATE/ory" "$STATE/flags" "$STATE/snapshots" "$STATE/caddy/etc/aegis"
    chmod 755 "$STATE" "$STATE/bin" "$STATE/faults" "$STATE/pg-tls" "$STATE/ory" "$STATE/caddy" "$STATE/caddy/etc"
    chmod 700 "$STATE/ssh" "$STATE/secrets"
}

# ---------------------------------------------------------------------------------------------
# install

pkg_missing() { # prints the packages of PACKAGES that are not installed
    local p status
    for p in "${PACKAGES[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        [[ $status == "install ok installed" ]] || echo "$p"
    done
}

# True while some process holds an apt/dpkg lock (POSIX locks, listed in /proc/locks by inode).
apt_locked() {
    local f ino
    [[ -r /proc/locks ]] || return 1
    for f in /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock; do
        [[ -e $f ]] || continue
        ino=$(stat -c %i "$f")
        awk -v ino="$ino" '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9a-f]+:[0-9a-f]+:[0-9]+$/) { split($i, a, ":"); if (a[3] == ino) found = 1 } } END { exit !found }' /proc/locks && return 0
    done
    return 1
}

apt_get() {
    local attempt
    for attempt in 1 2 3 4 5; do
        if apt_locked; then
            log "waiting for another apt/dpkg process to finish ..."
            wait_for 900 bash -c "$(declare -f apt_locked); ! apt_locked" || die "apt/dpkg lock still held after 15 min"
        fi
        if DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600 "$@"; then
            return 0
        fi
        log "apt-get $1 failed (attempt $attempt); retrying in 5 s"
        sleep 5
    done
    die "apt-get $* kept failing"
}

ensure_containers_conf() {
    local conf=/etc/containers/containers.conf hard
    hard=$(ulimit -Hn)
    [[ $hard == unlimited ]] && hard=1048576
    if [[ -f $conf ]] && grep -qF "\"nofile=$hard:$hard\"" "$conf" &&
        grep -qE '^[[:space:]]*runtime[[:space:]]*=[[:space:]]*"runc"' "$conf"; then
        return 0
    fi
    mkdir -p /etc/containers
    if [[ -f $conf ]]; then
        cp -p "$conf" "$conf.aegis-backup.$(date +%Y%m%d%H%M%S)"
        log "replacing $conf (backup kept next to it)"
    fi
    # crun (podman's default) fails here on rlimits and hybrid cgroups; runc works. nofile must not
    # exceed this machine's hard limit.
    write_atomic "$conf" 644 <<EOF
# Written by Aegis sandbox/sandbox.sh.
[containers]
default_ulimits = ["nofile=$hard:$hard", "nproc=32768:32768"]

[engine]
runtime = "runc"
EOF
    log "wrote $conf (runtime runc, nofile=$hard)"
}

cmd_install() {
    need_root
    local missing
    missing=$(pkg_missing)
    if [[ -n $missing ]]; then
        log "installing: ${missing//$'\n'/ }"
        apt_get update
        # shellcheck disable=SC2086
        apt_get install -y $missing
    fi
    ensure_containers_conf
}

# ---------------------------------------------------------------------------------------------
# ssh: keys, login user, podman access, sshd

ensure_keypair() { # FILE COMMENT
    local key=$1 comment=$2
    if [[ ! -f $key ]]; then
        rm -f "$key.pub"
        ssh-keygen -q -t ed25519 -N '' -C "$comment" -f "$key"
    fi
    chmod 600 "$key"
    [[ -s $key.pub ]] || ssh-keygen -y -f "$key" >"$key.pub"
    chmod 644 "$key.pub"
}

ensure_keys() {
    ensure_keypair "$STATE/ssh/host_ed25519" "olympus-sandbox-host"
    ensure_keypair "$STATE/id_ed25519" "aegis-gateway@sandbox"
    local hostkey
    hostkey=$(cut -d' ' -f1,2 "$STATE/ssh/host_ed25519.pub")
    write_if_changed "$STATE/known_hosts" 644 <<<"[127.0.0.1]:$SSH_PORT $hostkey"
}

ensure_user() {
    local home=$STATE/home entry
    if ! id -u "$SSH_USER" >/dev/null 2>&1; then
        useradd -M -d "$home" -s /bin/bash -c "Olympus sandbox login (Aegis)" "$SSH_USER"
        log "created user $SSH_USER"
    fi
    entry=$(getent passwd "$SSH_USER")
    if [[ $(cut -d: -f6 <<<"$entry") != "$home" ]]; then
        # A sandbox from another checkout may still have sessions open as this dedicated user.
        pkill -KILL -u "$SSH_USER" 2>/dev/null || true
        usermod -d "$home" "$SSH_USER"
    fi
    [[ $(cut -d: -f7 <<<"$entry") == /bin/bash ]] || usermod -s /bin/bash "$SSH_USER"
    # useradd leaves the account locked ('!'), and sshd refuses locked accounts even for keys.
    [[ $(getent shadow "$SSH_USER" | cut -d: -f2) == '*' ]] || usermod -p '*' "$SSH_USER"
    # A clean home: no dotfiles that could change PATH. StrictModes: owned by the user, not
    # group/world-writable; .ssh 700; authorized_keys 600.
    mkdir -p "$home/.ssh"
    chown "$SSH_USER:$SSH_USER" "$home" "$home/.ssh"
    chmod 755 "$home"
    chmod 700 "$home/.ssh"
    write_if_changed "$home/.ssh/authorized_keys" 600 \
        <<<"no-port-forwarding,no-agent-forwarding,no-X11-forwarding $(cat "$STATE/id_ed25519.pub")"
    chown "$SSH_USER:$SSH_USER" "$home/.ssh/authorized_keys"
    runuser -u "$SSH_USER" -- test -r "$home/.ssh/authorized_keys" ||
        die "user $SSH_USER cannot reach $home (a parent of $STATE is not world-searchable?)"
}

# The olympus user runs the host's rootful podman: sudo, for /usr/bin/podman (and the redeploy
# command) only, no password; `podman` first in its PATH is a wrapper around `sudo -n
# /usr/bin/podman`, so commands and their output are exactly podman's.
ensure_podman_access() {
    local tmp
    write_redeploy_script
    tmp=$(mktemp)
    cat >"$tmp" <<EOF
# Written by Aegis sandbox/sandbox.sh: the sandbox's login user drives the rootful podman and
# redeploys one service with its env files (a root-owned script that checks its argument).
Defaults:$SSH_USER !lecture, !pam_session, !syslog
$SSH_USER ALL=(root) NOPASSWD: /usr/bin/podman, $REDEPLOY
EOF
    if [[ -f $SUDOERS ]] && cmp -s "$tmp" "$SUDOERS"; then
        rm -f "$tmp"
    else
        visudo -cqf "$tmp" || { rm -f "$tmp"; die "generated sudoers file does not validate"; }
        chmod 440 "$tmp"
        mv -f "$tmp" "$SUDOERS"
        visudo -cq || die "sudoers no longer validates after writing $SUDOERS"
    fi
    write_if_changed "$STATE/bin/podman" 755 <<'EOF'
#!/bin/sh
# Aegis sandbox: the olympus user's podman is the host's rootful podman (sudoers allows only this).
exec sudo -n /usr/bin/podman "$@"
EOF
}

# The root-owned command the olympus user may run through sudo to redeploy one service: it
# accepts exactly one of the 8 service names and hands over to `sandbox.sh redeploy`, with this
# checkout's state dir (sudo drops the caller's environment).
write_redeploy_script() {
    local names=() s
    for s in "${SERVICES[@]}"; do names+=("${s%%:*}"); done
    mkdir -p "$(dirname "$REDEPLOY")"
    write_if_changed "$REDEPLOY" 755 <<EOF
#!/bin/bash
# Written by Aegis sandbox/sandbox.sh: redeploy one service of the Olympus sandbox host, i.e.
# recreate its container with its current env files (secrets and $STATE/flags/SERVICE.env).
# The olympus user runs it as: sudo -n $REDEPLOY SERVICE
set -euo pipefail
usage() {
    echo "usage: $(basename "$REDEPLOY") SERVICE   (SERVICE: ${names[*]})" >&2
    exit 2
}
[[ \$# -eq 1 ]] || usage
case \$1 in
$(IFS='|'; echo "${names[*]}")) ;;
*)
    echo "$(basename "$REDEPLOY"): unknown service '\${1//[^A-Za-z0-9._-]/?}'" >&2
    usage
    ;;
esac
export AEGIS_SANDBOX_DIR=$(printf '%q' "$STATE")
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
exec /bin/bash $(printf '%q' "$SCRIPT_DIR/sandbox.sh") redeploy "\$1"
EOF
    chown root:root "$REDEPLOY"
}

# The files the olympus user writes for the console's actions, in directories it owns: the
# flags env files, Caddy's block list, the snapshots directory (0700, left as it is). `up` and
# `reset` call it: the flags files are emptied and the block list is back to comments only; sets
# BLOCK_LIST_CHANGED to 1 when the block list had entries (Caddy then needs a reload). Files
# are replaced, never written through: a symlink the user left there is replaced, not followed.
BLOCK_LIST_CHANGED=0
ensure_action_files() {
    local s f list=$STATE/caddy/etc/aegis/blocked.caddy
    chown "$SSH_USER:$SSH_USER" "$STATE/flags" "$STATE/caddy/etc/aegis" "$STATE/snapshots"
    chmod 755 "$STATE/flags" "$STATE/caddy/etc/aegis"
    chmod 700 "$STATE/snapshots"
    for s in "${SERVICES[@]}"; do
        f=$STATE/flags/${s%%:*}.env
        if [[ -L $f || ! -f $f || -s $f ]]; then
            : | write_atomic "$f" 644
        fi
        chown -h "$SSH_USER:$SSH_USER" "$f"
    done
    BLOCK_LIST_CHANGED=0
    if [[ -L $list || ! -f $list || "$(cat "$list")" != "$EMPTY_BLOCK_LIST" ]]; then
        [[ ! -f $list ]] || BLOCK_LIST_CHANGED=1
        printf '%s\n' "$EMPTY_BLOCK_LIST" | write_atomic "$list" 644
    fi
    chown -h "$SSH_USER:$SSH_USER" "$list"
}

# Reloads Caddy's config from its Caddyfile (and the block list it imports) through its admin
# API, as the gateway does.
caddy_reload() {
    podman exec olympus-caddy caddy reload --config /etc/caddy/Caddyfile --adapter caddyfile \
        --address "127.0.0.1:$CADDY_ADMIN_PORT" >/dev/null 2>&1
}
caddy_admin_ok() { curl -sf -m 2 -o /dev/null "http://127.0.0.1:$CADDY_ADMIN_PORT/config/"; }

# True if PID runs and is not a zombie (a killed daemon stays one until init reaps it).
pid_alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != Z ]]
}

sshd_pid() { # prints the pid of our sshd if it is running
    local pid
    pid=$(cat "$STATE/ssh/sshd.pid" 2>/dev/null) || return 1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    pid_alive "$pid" || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-f $STATE/ssh/sshd_config" || return 1
    echo "$pid"
}

write_sshd_config() {
    write_if_changed "$STATE/ssh/sshd_config" 600 <<EOF
# Written by Aegis sandbox/sandbox.sh: the sandbox production host's sshd.
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $STATE/ssh/host_ed25519
PidFile $STATE/ssh/sshd.pid
AuthorizedKeysFile .ssh/authorized_keys
StrictModes yes
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $SSH_USER
# The default kex (sntrup761 hybrid) doubles a fresh handshake's time.
KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org
AllowTcpForwarding no
AllowAgentForwarding no
X11Forwarding no
PrintMotd no
PrintLastLog no
# Default 10 sessions per connection: the gateway must keep its concurrency per connection below.
MaxSessions 10
SetEnv PATH=$STATE/bin:/usr/local/bin:/usr/bin:/bin
EOF
}

start_sshd() {
    local log_file=$STATE/ssh/sshd.log pid
    mkdir -p /run/sshd
    chmod 0755 /run/sshd
    /usr/sbin/sshd -t -f "$STATE/ssh/sshd_config" || die "sshd rejects $STATE/ssh/sshd_config"
    [[ -f $log_file ]] && mv -f "$log_file" "$log_file.prev"
    : >"$log_file"
    # Own session, no inherited stdio: it outlives this script and its caller's terminal/pipes.
    setsid /usr/sbin/sshd -D -f "$STATE/ssh/sshd_config" -E "$log_file" </dev/null >/dev/null 2>&1 9>&- &
    pid=$!
    if ! wait_for 5 grep -q "Server listening" "$log_file"; then
        die "sshd did not start: $(tail -5 "$log_file" | tr '\n' ' ')"
    fi
    sleep 0.02
    pid_alive "$pid" || die "sshd exited right away: $(tail -5 "$log_file" | tr '\n' ' ')"
    wait_for 2 test -s "$STATE/ssh/sshd.pid" || echo "$pid" >"$STATE/ssh/sshd.pid"
    log "sshd started (pid $pid) on 127.0.0.1:$SSH_PORT"
}

ensure_sshd() {
    local changed pid
    write_sshd_config
    changed=$WROTE
    if pid=$(sshd_pid); then
        if ((changed)); then
            log "sshd config changed: restarting sshd"
            stop_sshd
        elif tcp_open "$SSH_PORT"; then
            return 0
        else
            log "sshd (pid $pid) is not listening: restarting it"
            stop_sshd
        fi
    fi
    if tcp_open "$SSH_PORT"; then
        # A sandbox sshd of another checkout (started with this script's -f .../ssh/sshd_config -E .../ssh/sshd.log) may hold the port:
        # there is one sandbox host per machine, so this checkout takes it over.
        local other
        for other in $(pgrep -x sshd 2>/dev/null); do
            if tr '\0' ' ' <"/proc/$other/cmdline" 2>/dev/null | grep -q -- "-f [^ ]*/ssh/sshd_config -E [^ ]*/ssh/sshd.log"; then
                log "stopping the sandbox sshd of another checkout (pid $other)"
                kill "$other" 2>/dev/null || true
            fi
        done
        wait_for 5 not tcp_open "$SSH_PORT" || true
    fi
    not tcp_open "$SSH_PORT" || die "127.0.0.1:$SSH_PORT is taken by another process"
    start_sshd
}

# Stops the listening sshd and the per-connection sshd processes it forked (open sessions, such as
# the gateway's multiplexed master connection), so "sshd down" is observable at once.
stop_sshd() {
    local pid children
    pid=$(sshd_pid) || { rm -f "$STATE/ssh/sshd.pid"; return 0; }
    children=$(pgrep -P "$pid" || true)
    # shellcheck disable=SC2086
    kill "$pid" $children 2>/dev/null || true
    if ! wait_for 3 not pid_alive "$pid"; then
        # shellcheck disable=SC2086
        kill -KILL "$pid" $children 2>/dev/null || true
    fi
    rm -f "$STATE/ssh/sshd.pid"
    log "sshd stopped (pid $pid${children:+, sessions ${children//$'\n'/ }})"
}

ssh_olympus() { # runs a command on the sandbox host as the gateway would
    ssh -F none -i "$STATE/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes \
        -o UserKnownHostsFile="$STATE/known_hosts" -o GlobalKnownHostsFile=/dev/null \
        -o StrictHostKeyChecking=yes -o ConnectTimeout=5 -o LogLevel=ERROR \
        -p "$SSH_PORT" "$SSH_USER@127.0.0.1" "$@"
}

write_ssh_helper() {
    write_if_changed "$STATE/ssh-olympus" 755 <<EOF
#!/bin/sh
# Written by Aegis sandbox/sandbox.sh: ssh to the sandbox host as the gateway does.
exec ssh -F none -i $STATE/id_ed25519 -o IdentitiesOnly=yes -o BatchMode=yes \\
    -o UserKnownHostsFile=$STATE/known_hosts -o GlobalKnownHostsFile=/dev/null \\
    -o StrictHostKeyChecking=yes -p $SSH_PORT $SSH_USER@127.0.0.1 "\$@"
EOF
}

# ---------------------------------------------------------------------------------------------
# image

standin_bin() { # prints the stand-in binary's path (may not exist)
    if [[ -n ${STANDIN_BIN:-} ]]; then
        echo "$STANDIN_BIN"
    else
        echo "${CARGO_TARGET_DIR:-$REPO/target}/x86_64-unknown-linux-gnu/release/standin"
    fi
}

# When run directly (not through `cargo xtask sandbox up`, which builds it and sets STANDIN_BIN):
# build the static stand-in. Cargo makes this a no-op when it is up to date.
build_standin() {
    [[ -z ${STANDIN_BIN:-} ]] || return 0
    command -v cargo >/dev/null || return 0
    local bin
    bin=$(standin_bin)
    # Up to date: skip cargo, which would otherwise wait for the shared target dir's lock.
    if [[ -x $bin && -z $(find "$REPO/sandbox/standin" "$REPO/Cargo.toml" "$REPO/rust-toolchain.toml" \
        -newer "$bin" -print -quit 2>/dev/null) ]]; then
        return 0
    fi
    log "building the stand-in (static)"
    (cd "$REPO" && CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS="-C target-feature=+crt-static" \
        cargo build -q -p standin --release --target x86_64-unknown-linux-gnu)
}

image_hash() {
    { echo "recipe $IMAGE_RECIPE"; sha256sum "$(standin_bin)" /bin/busybox | cut -d' ' -f1; } |
        sha256sum | cut -c1-32
}

image_label() {
    podman image inspect --format '{{index .Labels "aegis.standin.hash"}}' "$IMAGE" 2>/dev/null
}

build_image() { # HASH
    local hash=$1 bin dir applet
    bin=$(standin_bin)
    [[ -x $bin ]] || die "stand-in binary not found at $bin (run 'cargo xtask sandbox up', or set STANDIN_BIN)"
    file -b "$bin" 2>/dev/null | grep -q 'static' ||
        ldd "$bin" 2>&1 | grep -q 'not a dynamic executable\|statically linked' ||
        die "$bin is not statically linked (build with -C target-feature=+crt-static)"
    dir=$(mktemp -d)
    mkdir -p "$dir/rootfs"/{bin,usr/local/bin,etc,tmp,root,state,data,config,proc,sys,dev,run,var}
    chmod 1777 "$dir/rootfs/tmp"
    ln -s ../run "$dir/rootfs/var/run"
    cp /bin/busybox "$dir/rootfs/bin/busybox"
    for applet in $(/bin/busybox --list); do
        [[ $applet == busybox ]] || ln -sf busybox "$dir/rootfs/bin/$applet"
    done
    cp "$bin" "$dir/rootfs/usr/local/bin/standin"
    chmod 755 "$dir/rootfs/usr/local/bin/standin"
    ln -s standin "$dir/rootfs/usr/local/bin/pg_isready"
    ln -s standin "$dir/rootfs/usr/local/bin/pg_dumpall"
    # busybox-static has no printenv applet; the stand-in's is coreutils-like.
    ln -s standin "$dir/rootfs/usr/local/bin/printenv"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dir/rootfs/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/rootfs/etc/group"
    tar -C "$dir/rootfs" --numeric-owner --owner=0 --group=0 -cf "$dir/rootfs.tar" .
    podman import -q \
        --change 'ENV PATH=/usr/local/bin:/bin' \
        --change 'CMD ["/bin/sh"]' \
        --change "LABEL aegis.standin.hash=$hash" \
        "$dir/rootfs.tar" "$IMAGE" >/dev/null
    rm -rf "$dir"
    log "image $IMAGE built (stand-in hash $hash)"
}

# MODE up: rebuild when the stand-in changed. MODE reset: only when the image is missing.
ensure_image() {
    local mode=$1 have want
    have=$(image_label || true)
    if [[ -n $have && $mode == reset ]]; then
        return 0
    fi
    if [[ -n $have && ! -e $(standin_bin) ]]; then
        log "stand-in binary not found at $(standin_bin): keeping the existing image"
        return 0
    fi
    want=$(image_hash 2>/dev/null || true)
    [[ -n $have && $have == "$want" ]] && return 0
    if [[ -n $have ]]; then
        OLD_IMAGE=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
    fi
    build_image "$want"
}

# After the containers moved to a rebuilt image: drop the previous one (now untagged).
OLD_IMAGE=
remove_old_image() {
    [[ -n $OLD_IMAGE ]] || return 0
    podman rmi "$OLD_IMAGE" >/dev/null 2>&1 || log "note: could not remove the previous image $OLD_IMAGE (still in use?)"
    OLD_IMAGE=
}

# ---------------------------------------------------------------------------------------------
# secrets: the services' environment

random_hex() { openssl rand -hex "$1"; } # BYTES -> 2*BYTES hex characters

# Generates each service's secrets once per state dir ($STATE/secrets/SERVICE.env, NAME=VALUE
# lines): they go into the container's env, so they are stable across `up` (no recreate) and a
# fault that changes one changes the container's spec. Kratos's cipher secret must be exactly 32
# characters (XChaCha20-Poly1305).
ensure_secrets() {
    local s svc file
    mkdir -p "$STATE/secrets"
    chmod 700 "$STATE/secrets"
    for s in "${SERVICES[@]}"; do
        svc=${s%%:*} file=$STATE/secrets/${s%%:*}.env
        [[ -s $file || $(flavour_of "$svc") == app ]] && continue
        case $(flavour_of "$svc") in
        kratos)
            printf '%s\n' "SECRETS_COOKIE=$(random_hex 32)" "SECRETS_CIPHER=$(random_hex 16)" \
                "DSN=postgres://kratos:$(random_hex 16)@olympus-postgres:5432/kratos?sslmode=verify-full"
            ;;
        hydra)
            printf '%s\n' "SECRETS_SYSTEM=$(random_hex 32)" \
                "DSN=postgres://hydra:$(random_hex 16)@olympus-postgres:5432/hydra?sslmode=verify-full"
            ;;
        athena)
            printf '%s\n' "ENCRYPTION_KEY=$(random_hex 32)" "SESSION_SIGNING_KEY=$(random_hex 32)"
            ;;
        esac | write_atomic "$file" 600
    done
}

# SERVICE -> its env, NAME=VALUE per line: the generated secrets with the faults' overrides
# ($STATE/secrets/SERVICE.override: `NAME=VALUE` replaces a value, a bare `NAME` drops it).
service_env() {
    local base=$STATE/secrets/$1.env over=$STATE/secrets/$1.override line name
    local -A repl=()
    [[ -f $base ]] || return 0
    if [[ -f $over ]]; then
        while IFS= read -r line; do [[ -z $line ]] || repl[${line%%=*}]=$line; done <"$over"
    fi
    while IFS= read -r line; do
        name=${line%%=*}
        if [[ -v repl[$name] ]]; then
            [[ ${repl[$name]} != *=* ]] || echo "${repl[$name]}"
        else
            echo "$line"
        fi
    done <"$base"
}

override_env() { # SERVICE LINE...: the service's env overrides (see service_env)
    local svc=$1
    shift
    printf '%s\n' "$@" | write_atomic "$STATE/secrets/$svc.override" 600
}

env_fault_of() { # SERVICE -> "SECRETS_COOKIE rotated", "ENCRYPTION_KEY unset", ... or nothing
    local line out=()
    [[ -f $STATE/secrets/$1.override ]] || return 0
    while IFS= read -r line; do
        [[ -n $line ]] || continue
        if [[ $line == *=* ]]; then out+=("${line%%=*} rotated"); else out+=("$line unset"); fi
    done <"$STATE/secrets/$1.override"
    (IFS=,; echo "${out[*]}")
}

# ---------------------------------------------------------------------------------------------
# certificates: PostgreSQL's own CA and server certificate, the foreign CA of caddy-foreign-cert

# DIR CN: a CA (P-256, 10 years) in DIR/ca.crt (0644) and DIR/ca.key (0600), generated once.
ensure_ca() {
    local dir=$1 cn=$2 tmp
    mkdir -p "$dir"
    chmod 755 "$dir"
    if [[ ! -s $dir/ca.key || ! -s $dir/ca.crt ]]; then
        tmp=$(mktemp -d)
        printf '%s\n' "[req]" "distinguished_name = dn" "prompt = no" "[dn]" "CN = $cn" "[ext]" \
            "basicConstraints = critical,CA:TRUE" "keyUsage = critical,keyCertSign,cRLSign" \
            "subjectKeyIdentifier = hash" >"$tmp/ca.cnf"
        if ! openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/ca.key" 2>"$tmp/log" ||
            ! openssl req -x509 -new -key "$tmp/ca.key" -config "$tmp/ca.cnf" -extensions ext \
                -days 3650 -sha256 -out "$tmp/ca.crt" 2>>"$tmp/log"; then
            log "openssl: $(tail -3 "$tmp/log" | tr '\n' ' ')"
            rm -rf "$tmp"
            die "cannot create the CA \"$cn\""
        fi
        install -m 600 "$tmp/ca.key" "$dir/ca.key"
        install -m 644 "$tmp/ca.crt" "$dir/ca.crt"
        rm -rf "$tmp"
        log "created the CA \"$cn\" in $dir"
    fi
    chmod 600 "$dir/ca.key"
    chmod 644 "$dir/ca.crt"
}

utc_stamp() { date -u -d "@$1" +%Y%m%d%H%M%SZ; } # UNIX_SECONDS -> openssl ca's date form

# CA_DIR KEY OUT CN SAN NOT_BEFORE NOT_AFTER (Unix seconds): a server certificate for KEY (a P-256
# key, created if missing, kept otherwise so a swap never pairs a new certificate with an old key)
# issued by the CA with explicit dates, past ones included, written to OUT atomically (the
# PostgreSQL stand-in reads it per connection). `openssl ca` because OpenSSL 3.0's `x509`/`req`
# cannot set notBefore.
issue_cert() {
    local ca=$1 key=$2 out=$3 cn=$4 san=$5 from=$6 until=$7 tmp
    if [[ ! -s $key ]]; then
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$key.tmp" 2>/dev/null ||
            die "cannot create the key $key"
        chmod 600 "$key.tmp"
        mv -f "$key.tmp" "$key"
    fi
    tmp=$(mktemp -d)
    : >"$tmp/index.txt"
    openssl rand -hex 16 >"$tmp/serial"
    printf '%s\n' "[ca]" "default_ca = sandbox" "[sandbox]" "database = $tmp/index.txt" \
        "new_certs_dir = $tmp" "serial = $tmp/serial" "default_md = sha256" "policy = policy_cn" \
        "unique_subject = no" "email_in_dn = no" "copy_extensions = none" \
        "[policy_cn]" "commonName = supplied" \
        "[ext]" "basicConstraints = critical,CA:FALSE" "keyUsage = critical,digitalSignature" \
        "extendedKeyUsage = serverAuth" "subjectAltName = $san" "subjectKeyIdentifier = hash" \
        "authorityKeyIdentifier = keyid" >"$tmp/ca.cnf"
    if ! openssl req -new -key "$key" -subj "/CN=$cn" -out "$tmp/req.csr" 2>"$tmp/log" ||
        ! openssl ca -batch -notext -config "$tmp/ca.cnf" -extensions ext -cert "$ca/ca.crt" \
            -keyfile "$ca/ca.key" -in "$tmp/req.csr" -out "$tmp/cert.pem" \
            -startdate "$(utc_stamp "$from")" -enddate "$(utc_stamp "$until")" >>"$tmp/log" 2>&1; then
        log "openssl: $(tail -3 "$tmp/log" | tr '\n' ' ')"
        rm -rf "$tmp"
        die "cannot issue a certificate for $cn"
    fi
    chmod 644 "$tmp/cert.pem"
    mv -f "$tmp/cert.pem" "$out.tmp"
    mv -f "$out.tmp" "$out"
    rm -rf "$tmp"
}

# MODE [DAYS]: valid (365 days), expired (2 days ago, issued 400 days ago), expiring DAYS (DAYS
# days and an hour from now, issued so that it lives 365 days). Records MODE in pg-tls/mode.
issue_pg_cert() {
    local mode=$1 days=${2:-} now from until
    now=$(date +%s)
    case $mode in
    valid) from=$((now - 3600)) until=$((now + 365 * 86400)) ;;
    expired) from=$((now - 400 * 86400)) until=$((now - 2 * 86400)) ;;
    expiring)
        until=$((now + days * 86400 + 3600))
        from=$((until - 365 * 86400))
        ((from < now - 3600)) || from=$((now - 3600))
        ;;
    *) die "issue_pg_cert: unknown mode $mode" ;;
    esac
    ensure_ca "$STATE/pg-ca" "$PG_CA_CN"
    mkdir -p "$STATE/pg-tls"
    chmod 755 "$STATE/pg-tls"
    issue_cert "$STATE/pg-ca" "$STATE/pg-tls/server.key" "$STATE/pg-tls/server.crt" \
        "$PG_CERT_CN" "$PG_CERT_SAN" "$from" "$until"
    echo "$mode${days:+ $days}" | write_atomic "$STATE/pg-tls/mode" 644
}

pg_cert_mode() { cat "$STATE/pg-tls/mode" 2>/dev/null || echo none; }
pg_cert_enddate() { openssl x509 -noout -enddate -in "$STATE/pg-tls/server.crt" 2>/dev/null | cut -d= -f2; }

# A valid certificate from the current CA with 30 days left at least: re-issued only otherwise,
# so `up` twice changes nothing.
ensure_pg_cert_valid() {
    ensure_ca "$STATE/pg-ca" "$PG_CA_CN"
    if [[ $(pg_cert_mode) == valid && -s $STATE/pg-tls/server.key ]] &&
        openssl x509 -noout -checkend $((30 * 86400)) -in "$STATE/pg-tls/server.crt" >/dev/null 2>&1 &&
        openssl verify -CAfile "$STATE/pg-ca/ca.crt" "$STATE/pg-tls/server.crt" >/dev/null 2>&1; then
        return 0
    fi
    issue_pg_cert valid
    log "postgres: certificate valid until $(pg_cert_enddate)"
}

# The certificate olympus-postgres serves now (PEM), as a client doing STARTTLS sees it.
served_pg_cert() {
    echo | timeout 5 openssl s_client -connect "127.0.0.1:$PG_PORT" -starttls postgres 2>/dev/null |
        openssl x509 2>/dev/null
}
pg_serves_current_cert() { [[ "$(served_pg_cert || true)" == "$(openssl x509 -in "$STATE/pg-tls/server.crt")" ]]; }

# The foreign CA's certificate for both edges (caddy/etc/foreign, seen as /etc/caddy/foreign).
ensure_foreign_edge_cert() {
    local dir=$STATE/caddy/etc/foreign now san="" e
    ensure_ca "$STATE/foreign-ca" "$FOREIGN_CA_CN"
    mkdir -p "$dir"
    chmod 755 "$dir"
    if openssl x509 -noout -checkend $((30 * 86400)) -in "$dir/edge.crt" >/dev/null 2>&1 &&
        openssl verify -CAfile "$STATE/foreign-ca/ca.crt" "$dir/edge.crt" >/dev/null 2>&1; then
        return 0
    fi
    for e in "${EDGES[@]}"; do san+="${san:+,}DNS:$e.olympus.test"; done
    now=$(date +%s)
    issue_cert "$STATE/foreign-ca" "$dir/edge.key" "$dir/edge.crt" "${EDGES[0]}.olympus.test" \
        "$san" $((now - 3600)) $((now + 365 * 86400))
}

edge_issuer() { # EDGE -> the issuer of the certificate Caddy serves for EDGE.olympus.test
    echo | timeout 5 openssl s_client -connect "127.0.0.1:$CADDY_HTTPS_PORT" \
        -servername "$1.olympus.test" 2>/dev/null | openssl x509 -noout -issuer 2>/dev/null
}
edges_foreign() {
    local e
    for e in "${EDGES[@]}"; do [[ "$(edge_issuer "$e" || true)" == *"$FOREIGN_CA_CN"* ]] || return 1; done
}

# ---------------------------------------------------------------------------------------------
# containers

# The edges' certificate: Caddy's internal CA, or under the caddy-foreign-cert fault one from
# another CA (files under caddy/etc, which the container sees as /etc/caddy).
write_caddyfile() {
    local sites=() e tls=internal
    for e in "${EDGES[@]}"; do sites+=("https://$e.olympus.test:$CADDY_HTTPS_PORT"); done
    if [[ $(fault_of caddy) == foreign-cert ]]; then
        tls="/etc/caddy/foreign/edge.crt /etc/caddy/foreign/edge.key"
    fi
    write_if_changed "$STATE/caddy/etc/Caddyfile" 644 <<EOF
# Written by Aegis sandbox/sandbox.sh: the sandbox's edge proxy.
{
	# The gateway reloads the block list through it (caddy reload --address ...).
	admin 127.0.0.1:$CADDY_ADMIN_PORT
	skip_install_trust
	storage file_system /data/caddy
	http_port $CADDY_HTTP_PORT
	https_port $CADDY_HTTPS_PORT
	# The internal CA needs no HTTP challenge; no HTTP->HTTPS redirect listener either.
	auto_https disable_redirects
}

$(IFS=,; s="${sites[*]}"; echo "${s//,/, }") {
	bind 127.0.0.1
	tls $tls
	# Source addresses the console blocks (the olympus user's file; reset empties it).
	import $BLOCK_LIST_IN_CADDY
	respond /healthz "ok" 200
}
EOF
}

# The identity counts of the scopes (scope=N lines), from AEGIS_SANDBOX_<SCOPE>_IDENTITIES when
# `up` or `reset` runs (else the defaults), kept in $STATE/identity-counts so that the faults and
# redeploys, which run without that environment, define the containers the same way.
IDENTITY_DEFAULTS=(ciam:2400 iam:300)
write_identity_counts() {
    local e var n lines=""
    for e in "${IDENTITY_DEFAULTS[@]}"; do
        var=AEGIS_SANDBOX_${e%%:*}_IDENTITIES
        var=${var^^}
        n=${!var:-${e##*:}}
        if ! [[ $n =~ ^[0-9]+$ ]] || ((10#$n > 200000)); then die "$var must be a count, 0..200000 (got '$n')"; fi
        lines+="${e%%:*}=$((10#$n))"$'\n'
    done
    printf '%s' "$lines" | write_if_changed "$STATE/identity-counts" 644
}
identity_default() { # SCOPE -> the stand-in's default count (300 for scopes not listed)
    local e
    for e in "${IDENTITY_DEFAULTS[@]}"; do [[ ${e%%:*} != "$1" ]] || { echo "${e##*:}"; return 0; }; done
    echo 300
}
identity_count() { # SCOPE -> its identity count
    local n
    n=$(awk -F= -v s="$1" '$1 == s { print $2 }' "$STATE/identity-counts" 2>/dev/null || true)
    echo "${n:-$(identity_default "$1")}"
}

# SERVICE -> the NAME=VALUE lines of its flags file ($STATE/flags/SERVICE.env), checked: blank
# lines and comments are skipped; anything else must be NAME=VALUE with a shell-style name that
# is not one of the service's secrets (or PATH, HOME). Dies naming the file and line otherwise.
flags_env() {
    local svc=$1 file=$STATE/flags/$1.env line n=0 name
    local -A secret=([PATH]=1 [HOME]=1)
    [[ -e $file ]] || return 0
    [[ -f $file && ! -L $file ]] || die "$file is not a regular file"
    while IFS= read -r line; do secret[${line%%=*}]=1; done < <(service_env "$svc")
    while IFS= read -r line || [[ -n $line ]]; do
        n=$((n + 1))
        line=${line%$'\r'}
        [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
        [[ $line =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "$file line $n: not NAME=VALUE"
        name=${line%%=*}
        [[ ! -v secret[$name] ]] || die "$file line $n: $name is not a flag (a secret or reserved name)"
        echo "$line"
    done <"$file"
}

# Prints the `podman run` arguments (after the name) for CONTAINER, one per line.
container_spec() {
    local name=$1 svc=${1#olympus-} port
    local common=(--network host --init --stop-timeout 3 --pull never --label aegis.sandbox=1)
    case $svc in
    postgres)
        # pg_dumpall dumps the same people as the Kratos stand-ins (default counts unless changed).
        local counts=() e scope
        for e in "${IDENTITY_DEFAULTS[@]}"; do
            scope=${e%%:*}
            [[ $(identity_count "$scope") == "${e##*:}" ]] ||
                counts+=(-e "STANDIN_IDENTITIES_${scope^^}=$(identity_count "$scope")")
        done
        printf '%s\n' "${common[@]}" -v "$STATE/faults:/state:ro" -v "$STATE/pg-tls:/tls:ro" \
            -e "PGPORT=$PG_PORT" -e PGHOST=127.0.0.1 "${counts[@]}" \
            "$IMAGE" standin postgres --port "$PG_PORT" --state-dir /state --tls-dir /tls
        ;;
    caddy)
        # Debian's caddy is dynamically linked: borrow the host's binary and libraries.
        printf '%s\n' "${common[@]}" \
            -v /usr/bin/caddy:/usr/bin/caddy:ro \
            -v /lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu:ro -v /lib64:/lib64:ro \
            -v "$STATE/caddy/etc:/etc/caddy:ro" -v "$STATE/caddy/data:/data" \
            -v "$STATE/caddy/config:/config" \
            -e HOME=/data -e XDG_DATA_HOME=/data -e XDG_CONFIG_HOME=/config \
            -e PATH=/usr/local/bin:/usr/bin:/bin \
            --label "aegis.caddyfile=$(sha256sum "$STATE/caddy/etc/Caddyfile" | cut -c1-16)" \
            "$IMAGE" /usr/bin/caddy run --config /etc/caddy/Caddyfile --adapter caddyfile
        ;;
    *)
        port=$(service_port "$svc") || die "unknown service $svc"
        local extra=() admin_at env=() line flavour
        flavour=$(flavour_of "$svc")
        if admin_at=$(admin_port "$svc"); then extra=(--admin-port "$admin_at"); fi
        # Athena refuses to work without its keys (the athena-no-key fault takes one away).
        [[ $flavour != athena ]] || extra=(--requires-env ENCRYPTION_KEY,SESSION_SIGNING_KEY)
        while IFS= read -r line; do env+=(-e "$line"); done < <(service_env "$svc")
        # The flags file's toggles (TURNSTILE_DISABLED=true ...), checked (flags_env dies on a
        # bad line, so it runs first rather than in a process substitution).
        local flags
        flags=$(flags_env "$svc")
        while IFS= read -r line; do [[ -z $line ]] || env+=(-e "$line"); done <<<"$flags"
        if [[ $flavour == kratos || $flavour == hydra ]]; then
            # Their admin API's state (seed, journal, counts), kept across restarts.
            mkdir -p "$STATE/ory/$svc"
            extra+=(--data-dir /data)
            env+=(-v "$STATE/ory/$svc:/data")
            local n
            n=$(identity_count "${svc%%-*}")
            [[ $n == "$(identity_default "${svc%%-*}")" ]] || env+=(-e "STANDIN_IDENTITIES=$n")
        fi
        printf '%s\n' "${common[@]}" -v "$STATE/faults:/state:ro" "${env[@]}" \
            "$IMAGE" standin http --name "$svc" --flavour "$flavour" \
            --port "$port" "${extra[@]}" --state-dir /state
        ;;
    esac
}

# name<TAB>state<TAB>image id<TAB>spec label, for every sandbox container. State is "running" or
# podman's status text ("Exited (0) 3 seconds ago", "Created"): in podman 4 `{{.State}}` of
# `ps --format` is the human status too, so it is derived from `{{.Status}}` ("Up ...").
container_table() {
    podman ps -a --filter label=aegis.sandbox=1 \
        --format '{{.Names}}	{{.Status}}	{{.ImageID}}	{{index .Labels "aegis.spec"}}' |
        awk -F'\t' 'BEGIN { OFS = "\t" } { if ($2 ~ /^Up /) $2 = "running"; else { split($2, w, " "); $2 = tolower(w[1]) } print }'
}

# Creates, recreates (spec or image changed) or starts each container as needed. Prints the names
# it (re)started.
ensure_containers() {
    local table image_id name
    table=$(container_table)
    image_id=$(podman image inspect --format '{{.Id}}' "$IMAGE")
    while read -r name; do
        ensure_container "$name" "$table" "$image_id"
    done < <(all_containers)
}

# NAME [TABLE IMAGE_ID]: creates, recreates (spec or image changed) or starts one container as
# needed (the faults that change a container's env or Caddyfile use it alone). Prints NAME if it
# (re)started it.
ensure_container() {
    local name=$1 table image_id spec spec_hash row state cid label args
    if (($# >= 3)); then
        table=$2 image_id=$3
    else
        table=$(container_table)
        image_id=$(podman image inspect --format '{{.Id}}' "$IMAGE")
    fi
    spec=$(container_spec "$name")
    spec_hash=$(sha256sum <<<"$spec" | cut -c1-16)
    row=$(awk -F'\t' -v n="$name" '$1 == n' <<<"$table")
    if [[ -n $row ]]; then
        IFS=$'\t' read -r _ state cid label <<<"$row"
        if [[ $label != "$spec_hash" || $image_id != "$cid"* ]]; then
            log "$name: definition or image changed, recreating"
            podman rm -f -t 3 "$name" >/dev/null
        elif [[ $state != running ]]; then
            podman start "$name" >/dev/null
            echo "$name"
            return 0
        else
            return 0
        fi
    fi
    mapfile -t args <<<"$spec"
    podman run -d --name "$name" --label "aegis.spec=$spec_hash" "${args[@]}" >/dev/null
    echo "$name"
}

wait_healthy() {
    local s port e
    for s in "${SERVICES[@]}"; do
        port=${s##*:}
        wait_for 15 http_ok "$port" || die "olympus-${s%%:*} does not answer 200 on :$port ($(podman logs --tail 3 "olympus-${s%%:*}" 2>&1 | tr '\n' ' '))"
        wait_for 5 admin_ok "${s%%:*}" ||
            die "olympus-${s%%:*}'s admin port :$(admin_port "${s%%:*}") does not answer like Ory's (health $(admin_health_path "${s%%:*}") 200, Kratos: /health/alive 307)"
    done
    wait_for 15 tcp_open "$PG_PORT" || die "olympus-postgres is not listening on :$PG_PORT"
    local root=$STATE/caddy/data/caddy/pki/authorities/local/root.crt
    wait_for 20 test -s "$root" || die "Caddy did not create its root CA ($(podman logs --tail 3 olympus-caddy 2>&1 | tr '\n' ' '))"
    cmp -s "$root" "$STATE/caddy-root.crt" || cp "$root" "$STATE/caddy-root.crt"
    chmod 644 "$STATE/caddy-root.crt"
    wait_for 20 edges_ok || {
        for e in "${EDGES[@]}"; do edge_body "$e" >&2 || true; done
        die "Caddy does not serve https://{${EDGES[*]}}.olympus.test:$CADDY_HTTPS_PORT/healthz"
    }
    wait_for 10 caddy_admin_ok || die "Caddy's admin API does not answer on 127.0.0.1:$CADDY_ADMIN_PORT"
}

# ---------------------------------------------------------------------------------------------
# faults

write_fault() { # NAME WORD
    printf '%s\n' "$2" | write_atomic "$STATE/faults/$1" 644
}

# Every fault cleared, in the files that define them: fault words, env overrides, the Caddyfile's
# mode, PostgreSQL's certificate. The containers follow in ensure_containers (a changed env or
# Caddyfile recreates one).
clear_faults() {
    local s
    for s in "${SERVICES[@]}"; do write_fault "${s%%:*}" ok; done
    write_fault postgres ok
    write_fault caddy ok
    rm -f "$STATE"/secrets/*.override
    ensure_pg_cert_valid
}

is_kratos() { [[ $(flavour_of "$1") == kratos ]] && service_port "$1" >/dev/null; }
is_athena() { [[ $(flavour_of "$1") == athena ]] && service_port "$1" >/dev/null; }

# Reads Kratos's abandoned messages (which, unlike the queued list, a read does not grow): the
# stand-in then follows its fault word at once, and logs a change of its courier worker.
poke_courier() {
    curl -sS -o /dev/null -m 2 "http://127.0.0.1:$(admin_port "$1")/admin/courier/messages?status=abandoned" 2>/dev/null || true
}
courier_total() { # KRATOS STATUS -> X-Total-Count of that list
    curl -sS -D - -o /dev/null -m 2 "http://127.0.0.1:$(admin_port "$1")/admin/courier/messages?status=$2" 2>/dev/null |
        tr -d '\r' | awk -F': ' 'tolower($1) == "x-total-count" { print $2 }'
}
courier_has() { # KRATOS STATUS N -> true when that list holds N messages or more
    local n
    n=$(courier_total "$1" "$2" || true)
    [[ $n =~ ^[0-9]+$ ]] && ((n >= $3))
}

# A reset host's Kratos and Hydra start from their seed again: the data directory of each that
# changed since it was seeded (the stand-in leaves a `dirty` file) is emptied with its container
# stopped; ensure_containers starts it again and it seeds afresh (identities, sessions, consent,
# tokens, and Kratos's courier: no abandoned messages from an earlier courier-stuck).
reseed_ory_data() {
    local svc dir
    for svc in "${DB_SERVICES[@]}"; do
        dir=$STATE/ory/$svc
        mkdir -p "$dir"
        chmod 755 "$dir"
        [[ -e $dir/dirty ]] || continue
        if container_running "olympus-$svc"; then podman stop -t 3 "olympus-$svc" >/dev/null; fi
        find "$dir" -mindepth 1 -delete
        log "olympus-$svc: data re-seeded ($dir)"
    done
}

# SERVICE: recreates olympus-SERVICE if its definition changed (env), then waits until it answers
# its health (and, for Kratos and Hydra, its admin health) 200.
recreate_and_wait_healthy() {
    local port
    port=$(service_port "$1")
    ensure_container "olympus-$1" >/dev/null
    wait_for 15 http_ok "$port" || die "olympus-$1 does not answer 200 on :$port after the change ($(podman logs --tail 3 "olympus-$1" 2>&1 | tr '\n' ' '))"
    wait_for 5 admin_ok "$1" || die "olympus-$1's admin port does not answer after the change"
}

# The Ory services' db-tls word follows PostgreSQL's certificate: set by pg-cert-expired, cleared
# (where it is still the word) by the other pg-cert faults.
set_db_tls() { # on|off
    local svc port changed=()
    for svc in "${DB_SERVICES[@]}"; do
        if [[ $1 == on ]]; then
            write_fault "$svc" db-tls
            changed+=("$svc")
        elif [[ $(fault_of "$svc") == db-tls ]]; then
            write_fault "$svc" ok
            changed+=("$svc")
        fi
    done
    for svc in "${changed[@]}"; do
        container_running "olympus-$svc" || continue
        port=$(service_port "$svc")
        if [[ $1 == on ]]; then
            wait_for 3 http_code_is "$port" 503 || log "warning: $svc does not answer 503 yet"
        else
            wait_for 3 http_ok "$port" || log "warning: $svc does not answer 200 yet"
        fi
    done
    ((${#changed[@]} == 0)) || log "${changed[*]}: $([[ $1 == on ]] && echo db-tls || echo ok)"
}

# PostgreSQL's certificate: MODE [DAYS] as issue_pg_cert; returns once the server hands it out.
pg_cert_fault() {
    issue_pg_cert "$@"
    if container_running olympus-postgres && [[ $(fault_of postgres) == ok || $(fault_of postgres) == reject ]]; then
        wait_for 5 pg_serves_current_cert || log "warning: olympus-postgres does not serve the new certificate"
    fi
    log "postgres: certificate ${*} (notAfter $(pg_cert_enddate))"
}

# Caddy's certificate mode: foreign-cert or ok. Rewrites the Caddyfile, recreates the container
# and waits until the edges show it.
caddy_cert_fault() {
    local e
    write_fault caddy "$1"
    [[ $1 != foreign-cert ]] || ensure_foreign_edge_cert
    write_caddyfile
    ensure_container olympus-caddy >/dev/null
    if [[ $1 == foreign-cert ]]; then
        wait_for 20 edges_foreign || die "Caddy does not serve the foreign certificate ($(podman logs --tail 3 olympus-caddy 2>&1 | tr '\n' ' '))"
        log "caddy: edges served with a certificate issued by \"$FOREIGN_CA_CN\""
    else
        wait_for 20 edges_ok || {
            for e in "${EDGES[@]}"; do edge_body "$e" >&2 || true; done
            die "Caddy does not serve the edges with its internal CA again"
        }
        log "caddy: tls internal"
    fi
}

fault_of() { # NAME -> the word in its fault file, "ok" when missing
    local w
    w=$(tr -d '[:space:]' <"$STATE/faults/$1" 2>/dev/null || true)
    echo "${w:-ok}"
}

container_running() {
    [[ "$(podman container inspect --format '{{.State.Status}}' "$1" 2>/dev/null || true)" == running ]]
}

cmd_fault() {
    local kind=${1:-} target=${2:-} name port
    [[ -n $kind ]] || usage_error "fault: missing KIND"
    case $kind in
    stop | start)
        [[ -n $target && $# -eq 2 ]] || usage_error "fault $kind: expected one SERVICE"
        name=$(container_for "$target") || usage_error "fault $kind: unknown service '$target'"
        lock_state
        if [[ $kind == stop ]]; then
            podman stop -t 3 "$name" >/dev/null
            log "$name stopped"
        else
            podman start "$name" >/dev/null
            case ${name#olympus-} in
            postgres) wait_for 10 tcp_open "$PG_PORT" || true ;;
            caddy) wait_for 10 edges_ok || true ;;
            *) wait_for 10 tcp_open "$(service_port "${name#olympus-}")" || true ;;
            esac
            log "$name started"
        fi
        ;;
    ok | 503 | hang | refuse)
        [[ -n $target && $# -eq 2 ]] || usage_error "fault $kind: expected one SERVICE"
        port=$(service_port "${target#olympus-}") ||
            usage_error "fault $kind: '$target' is not one of the 8 HTTP stand-ins (postgres: pg-ok|pg-reject|pg-down|pg-hang; caddy: stop|start)"
        target=${target#olympus-}
        lock_state
        write_fault "$target" "$kind"
        # The stand-in polls its fault file every 100 ms to close or reopen its listener: wait
        # until the change is observable, so callers can test right after.
        if container_running "olympus-$target"; then
            # One fault file per service: the admin listener (Kratos, Hydra) follows it too.
            for port in "$port" $(admin_port "$target" || true); do
                case $kind in
                refuse) wait_for 3 not tcp_open "$port" || log "warning: :$port still accepts connections" ;;
                *) wait_for 3 tcp_open "$port" || log "warning: :$port does not accept connections" ;;
                esac
            done
            # `ok` restarts a stuck courier worker: make its drained queue visible now.
            if [[ $kind == ok ]] && is_kratos "$target"; then poke_courier "$target"; fi
        fi
        log "$target: $kind"
        ;;
    pg-cert-expired | pg-cert-ok)
        [[ $# -eq 1 ]] || usage_error "fault $kind takes no TARGET"
        lock_state
        if [[ $kind == pg-cert-expired ]]; then
            pg_cert_fault expired
            set_db_tls on
        else
            pg_cert_fault valid
            set_db_tls off
        fi
        ;;
    pg-cert-expiring)
        [[ $# -eq 2 && $target =~ ^[0-9]+$ ]] && ((10#$target >= 1 && 10#$target <= 365)) ||
            usage_error "fault pg-cert-expiring: expected DAYS, 1..365"
        lock_state
        pg_cert_fault expiring $((10#$target))
        set_db_tls off
        ;;
    cookie-rotate | courier-stuck)
        [[ $# -eq 2 ]] && is_kratos "${target#olympus-}" ||
            usage_error "fault $kind: expected a Kratos (ciam-kratos or iam-kratos)"
        target=${target#olympus-}
        lock_state
        if [[ $kind == cookie-rotate ]]; then
            # Kratos's sessions and CSRF cookies were signed with the old secret.
            override_env "$target" "SECRETS_COOKIE=$(random_hex 32)"
            write_fault "$target" csrf
            recreate_and_wait_healthy "$target"
            log "$target: SECRETS_COOKIE rotated, login answers security_csrf_violation"
        else
            write_fault "$target" courier-stuck
            if container_running "olympus-$target"; then
                wait_for 3 courier_has "$target" abandoned 2 ||
                    log "warning: $target's courier does not show abandoned messages"
            fi
            log "$target: courier worker failing, queue growing"
        fi
        ;;
    athena-no-key | athena-key)
        [[ $# -eq 2 ]] && is_athena "${target#olympus-}" ||
            usage_error "fault $kind: expected an Athena (ciam-athena or iam-athena)"
        target=${target#olympus-}
        lock_state
        port=$(service_port "$target")
        if [[ $kind == athena-no-key ]]; then
            override_env "$target" ENCRYPTION_KEY
            ensure_container "olympus-$target" >/dev/null
            wait_for 15 http_code_is "$port" 500 ||
                die "olympus-$target does not answer 500 without ENCRYPTION_KEY"
            log "$target: ENCRYPTION_KEY unset, every request 500"
        else
            rm -f "$STATE/secrets/$target.override"
            recreate_and_wait_healthy "$target"
            log "$target: ENCRYPTION_KEY restored"
        fi
        ;;
    caddy-foreign-cert | caddy-cert-ok)
        [[ $# -eq 1 ]] || usage_error "fault $kind takes no TARGET"
        lock_state
        if [[ $kind == caddy-foreign-cert ]]; then caddy_cert_fault foreign-cert; else caddy_cert_fault ok; fi
        ;;
    pg-ok | pg-reject | pg-down | pg-hang)
        [[ $# -eq 1 ]] || usage_error "fault $kind takes no TARGET"
        lock_state
        write_fault postgres "${kind#pg-}"
        if container_running olympus-postgres; then
            case $kind in
            pg-down) wait_for 3 not tcp_open "$PG_PORT" || log "warning: :$PG_PORT still accepts connections" ;;
            *) wait_for 3 tcp_open "$PG_PORT" || log "warning: :$PG_PORT does not accept connections" ;;
            esac
        fi
        log "postgres: ${kind#pg-}"
        ;;
    sshd-stop | sshd-start)
        [[ $# -eq 1 ]] || usage_error "fault $kind takes no TARGET"
        lock_state
        if [[ $kind == sshd-stop ]]; then
            stop_sshd
        else
            ensure_sshd
        fi
        ;;
    *)
        usage_error "fault: unknown KIND '$kind'"
        ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# aegis.toml

toml_str() { # quotes a TOML basic string
    local s=${1//\\/\\\\}
    printf '"%s"' "${s//\"/\\\"}"
}

write_aegis_toml() {
    local s svc e admin
    {
        echo "# Written by Aegis sandbox/sandbox.sh: the gateway's config for this sandbox."
        echo "listen = \"127.0.0.1:8080\""
        echo "data_dir = $(toml_str "$REPO/.data")"
        echo "site_dir = $(toml_str "$REPO/target/site")"
        echo
        echo "[sweep]"
        echo "interval_secs = 10"
        echo
        echo "# The sandbox console is served over plain HTTP on loopback: a Secure cookie would never be sent."
        echo "[auth]"
        echo "secure_cookies = false"
        echo
        echo "[ssh]"
        echo "host = \"127.0.0.1\""
        echo "port = $SSH_PORT"
        echo "user = \"$SSH_USER\""
        echo "identity = $(toml_str "$STATE/id_ed25519")"
        echo "known_hosts = $(toml_str "$STATE/known_hosts")"
        echo
        echo "[host]"
        echo "extra_containers = [\"olympus-caddy\"]"
        for s in "${SERVICES[@]}"; do
            svc=${s%%:*}
            echo
            echo "[[service]]"
            echo "name = \"$svc\""
            echo "scope = \"${svc%%-*}\""
            echo "container = \"olympus-$svc\""
            if [[ $(flavour_of "$svc") == kratos ]]; then
                echo "# The public port: Kratos's admin port (:$(admin_port "$svc")) answers 307 to /admin/... for un-prefixed paths."
            fi
            echo "health_url = \"http://127.0.0.1:${s##*:}/health/alive\""
            if admin=$(admin_port "$svc"); then
                echo "admin_url = \"http://127.0.0.1:$admin\""
            fi
            echo "# Non-secret NAME=VALUE toggles added to the container's env at its next (re)deploy."
            echo "flags_env_file = $(toml_str "$STATE/flags/$svc.env")"
            echo "redeploy = [\"sudo\", \"-n\", $(toml_str "$REDEPLOY"), \"$svc\"]"
        done
        echo
        echo "[database]"
        echo "container = \"olympus-postgres\""
        echo "# STARTTLS (SSLRequest) on the PostgreSQL port; its certificate is from this CA."
        echo "tls_address = \"127.0.0.1:$PG_PORT\""
        echo "ca_bundle = $(toml_str "$STATE/pg-ca/ca.crt")"
        echo "# Forensic snapshots: podman exec <container> pg_dumpall -U <dump_user> > <snapshot_dir>/FILE"
        echo "snapshot_dir = $(toml_str "$STATE/snapshots")"
        echo "dump_user = \"postgres\""
        echo
        echo "# The edge's block list (imported by the Caddyfile) and how to reload it."
        echo "[caddy]"
        echo "container = \"olympus-caddy\""
        echo "block_list = $(toml_str "$STATE/caddy/etc/aegis/blocked.caddy")"
        echo "caddyfile = \"/etc/caddy/Caddyfile\""
        echo "admin_address = \"127.0.0.1:$CADDY_ADMIN_PORT\""
        for e in "${EDGES[@]}"; do
            echo
            echo "[[edge]]"
            echo "name = \"$e\""
            echo "url = \"https://$e.olympus.test:$CADDY_HTTPS_PORT/healthz\""
            echo "resolve = \"127.0.0.1\""
            echo "ca_bundle = $(toml_str "$STATE/caddy-root.crt")"
            echo "container = \"olympus-caddy\""
        done
    } | write_if_changed "$STATE/aegis.toml" 644
}

# ---------------------------------------------------------------------------------------------
# commands

# Everything up, all faults cleared. MODE up (image rebuilt if the stand-in changed, podman
# checked over ssh) or reset (image reused if present).
bring_up() {
    local mode=$1 started s
    prepare_state_dir
    lock_state
    clear_faults
    ensure_secrets
    ensure_keys
    ensure_user
    ensure_podman_access
    write_ssh_helper
    ensure_sshd
    ensure_image "$mode"
    write_identity_counts
    ensure_action_files
    write_caddyfile
    reseed_ory_data
    started=$(ensure_containers)
    [[ -z $started ]] || log "started: ${started//$'\n'/ }"
    remove_old_image
    wait_healthy
    # A block list emptied under a running Caddy: reload it (a (re)started Caddy read it already).
    if ((BLOCK_LIST_CHANGED)) && ! grep -qx olympus-caddy <<<"$started"; then
        caddy_reload || die "caddy reload failed after emptying the block list ($(podman logs --tail 3 olympus-caddy 2>&1 | tr '\n' ' '))"
        log "caddy: block list emptied and reloaded"
    fi
    # A courier that was stuck starts again (and logs it) now, not at the next request.
    for s in "${SERVICES[@]}"; do
        if is_kratos "${s%%:*}"; then poke_courier "${s%%:*}"; fi
    done
    if [[ $mode == up ]]; then
        verify_over_ssh
        podman exec olympus-postgres pg_isready -q -t 3 || die "pg_isready in olympus-postgres fails"
    fi
    write_aegis_toml
}

verify_over_ssh() {
    local out name missing=()
    out=$(ssh_olympus podman ps -a --format json) || die "ssh olympus@127.0.0.1:$SSH_PORT 'podman ps' failed"
    while read -r name; do
        grep -q "\"$name\"" <<<"$out" || missing+=("$name")
    done < <(all_containers)
    ((${#missing[@]} == 0)) || die "over ssh, podman ps does not list: ${missing[*]}"
}

summary() {
    local s line="" admins=""
    for s in "${SERVICES[@]}"; do line+=" ${s%%:*}:${s##*:}"; done
    for s in "${ADMIN_PORTS[@]}"; do admins+=" ${s%%:*}:${s##*:}"; done
    cat <<EOF
Aegis sandbox is up and healthy (state: $STATE)
  sshd       olympus@127.0.0.1:$SSH_PORT (pid $(sshd_pid || echo '?')), key $STATE/id_ed25519, known_hosts $STATE/known_hosts
  services  $line  (GET /health/alive)
  admin     $admins  (Kratos: /admin/health/alive, un-prefixed paths 307; Hydra: /health/alive)
  postgres   olympus-postgres :$PG_PORT (podman exec olympus-postgres pg_isready), STARTTLS with CA $STATE/pg-ca/ca.crt
  courier    Kratos admin /admin/courier/messages?status=queued|processing|sent|abandoned
  ory        Kratos /admin/identities, /admin/sessions ...; Hydra /admin/clients, consent, tokens
             ($(identity_count ciam) ciam, $(identity_count iam) iam identities; state and counts in $STATE/ory/<service>)
  caddy      olympus-caddy https://{$(IFS=,; echo "${EDGES[*]}")}.olympus.test:$CADDY_HTTPS_PORT/healthz (CA $STATE/caddy-root.crt),
             admin 127.0.0.1:$CADDY_ADMIN_PORT, block list $STATE/caddy/etc/aegis/blocked.caddy
  actions    flags $STATE/flags/<service>.env, redeploy: sudo -n $REDEPLOY <service>,
             snapshots $STATE/snapshots (podman exec olympus-postgres pg_dumpall -U postgres)
  secrets    $STATE/secrets (podman exec olympus-ciam-kratos env)
  gateway    $STATE/aegis.toml
  try        $STATE/ssh-olympus podman ps
EOF
}

# Recreates one service's container with its current env files (secrets, overrides, flags),
# whatever changed, and waits until it listens again (its health is reported, not required: a
# service under a fault still counts as redeployed). What the olympus user's sudo command runs.
cmd_redeploy() {
    need_root
    local svc=${1#olympus-} port name health admin started_at flags
    port=$(service_port "$svc") || die "redeploy: unknown service '$1' (one of the 8: ciam-hera ... iam-hydra)"
    [[ -d $STATE ]] || die "no sandbox state in $STATE: run 'sandbox.sh up' first"
    STATE=$(cd "$STATE" && pwd -P)
    lock_state
    name=olympus-$svc
    podman image exists "$IMAGE" || die "redeploy: the image $IMAGE is missing (run 'sandbox.sh up')"
    # Check the env files before the old container goes.
    flags=$(flags_env "$svc")
    container_spec "$name" >/dev/null
    podman rm -f -i -t 3 "$name" >/dev/null
    ensure_container "$name" >/dev/null
    started_at=$(now_ms)
    wait_for 15 container_running "$name" ||
        die "redeploy: $name did not start ($(podman logs --tail 3 "$name" 2>&1 | tr '\n' ' '))"
    wait_for 15 tcp_open "$port" ||
        die "redeploy: $name does not listen on :$port ($(podman logs --tail 3 "$name" 2>&1 | tr '\n' ' '))"
    if admin=$(admin_port "$svc"); then
        wait_for 5 tcp_open "$admin" || die "redeploy: $name's admin port :$admin does not listen"
    fi
    health=$(http_code "$port" /health/alive 2) || true
    log "redeploy: $name recreated in $(($(now_ms) - started_at)) ms with flags: $(cut -d= -f1 <<<"$flags" | paste -sd, - | sed 's/^$/none/'); health $health"
}

cmd_up() {
    need_root
    cmd_install
    build_standin
    bring_up up
    summary
}

cmd_reset() {
    need_root
    bring_up reset
    log "reset: all faults cleared, everything running"
}

status_line() { printf '%-22s %-5s %s\n' "$1" "$2" "${3:-}"; }

cmd_status() {
    need_root
    [[ -d $STATE ]] && STATE=$(cd "$STATE" && pwd -P)
    local all=0 pid table s svc port admin admin_code state code fault detail out="" env_fault mode
    if pid=$(sshd_pid) && tcp_open "$SSH_PORT"; then
        status_line sshd up "pid $pid, 127.0.0.1:$SSH_PORT"
    else
        status_line sshd down "127.0.0.1:$SSH_PORT"
        all=1
    fi
    table=$(container_table 2>/dev/null || true)
    state_of() { awk -F'\t' -v n="$1" '$1 == n { print $2 }' <<<"$table"; }
    for s in "${SERVICES[@]}"; do
        svc=${s%%:*} port=${s##*:}
        state=$(state_of "olympus-$svc")
        fault=$(fault_of "$svc")
        detail="${state:-missing}"
        [[ $fault == ok ]] || detail+=", fault $fault"
        env_fault=$(env_fault_of "$svc")
        [[ -z $env_fault ]] || detail+=", env $env_fault"
        if [[ -s $STATE/flags/$svc.env ]]; then
            detail+=", flags $(grep -v '^[[:space:]]*\(#\|$\)' "$STATE/flags/$svc.env" | cut -d= -f1 | paste -sd, - || true)"
        fi
        if [[ $state == running ]]; then
            code=$(http_code "$port" /health/alive 1) && true
            detail+=", health $code"
            if admin=$(admin_port "$svc"); then
                admin_code=$(http_code "$admin" "$(admin_health_path "$svc")" 1) && true
                detail+=", admin :$admin $admin_code"
                [[ $admin_code == 200 ]] || code="admin $admin_code"
            fi
            [[ $code == 200 ]] && { status_line "olympus-$svc" up "$detail"; continue; }
        fi
        status_line "olympus-$svc" down "$detail"
        all=1
    done
    state=$(state_of olympus-postgres)
    fault=$(fault_of postgres)
    detail="${state:-missing}"
    [[ $fault == ok ]] || detail+=", fault $fault"
    mode=$(pg_cert_mode)
    detail+=", tls cert $mode"
    [[ $mode == valid ]] || detail+=" (fault pg-cert-${mode%% *})"
    detail+=" until $(pg_cert_enddate || true)"
    if [[ $state == running && $fault == hang ]]; then
        status_line olympus-postgres down "$detail (pg_isready would hang)"
        all=1
    elif [[ $state == running ]] && out=$(timeout -k 1 5 podman exec olympus-postgres pg_isready -t 2); then
        status_line olympus-postgres up "$detail, $out"
    else
        status_line olympus-postgres down "$detail${out:+, $out}"
        all=1
    fi
    state=$(state_of olympus-caddy)
    fault=$(fault_of caddy)
    detail="${state:-missing}"
    if [[ $fault != ok ]]; then
        detail+=", fault $fault"
        [[ $state != running ]] || detail+=" ($(edge_issuer "${EDGES[0]}" || true))"
    fi
    local blocked
    blocked=$(grep -cv '^[[:space:]]*\(#\|$\)' "$STATE/caddy/etc/aegis/blocked.caddy" 2>/dev/null || true)
    ((${blocked:-0} == 0)) || detail+=", block list: ${blocked} lines"
    if [[ $state == running ]] && edges_ok; then
        detail+=", https ${EDGES[*]} ok"
        caddy_admin_ok && detail+=", admin :$CADDY_ADMIN_PORT" || detail+=", admin :$CADDY_ADMIN_PORT not answering"
        status_line olympus-caddy up "$detail"
    else
        status_line olympus-caddy down "$detail"
        all=1
    fi
    return $all
}

cmd_down() {
    need_root
    prepare_state_dir
    lock_state
    local names
    mapfile -t names < <(all_containers)
    podman rm -f -i -t 3 "${names[@]}" >/dev/null
    stop_sshd
    log "down: containers removed, sshd stopped (keys, user, image and state dir kept)"
}

cmd_purge() {
    need_root
    cmd_down
    podman rmi -i "$IMAGE" >/dev/null 2>&1 || true
    rm -f "$SUDOERS" "$REDEPLOY"
    if id -u "$SSH_USER" >/dev/null 2>&1; then userdel "$SSH_USER" || true; fi
    if [[ -e $STATE/.aegis-sandbox ]]; then
        rm -rf "$STATE"
    fi
    log "purge: image, user $SSH_USER, $SUDOERS, $REDEPLOY and $STATE removed (packages and containers.conf kept)"
}

main() {
    local cmd=${1:-}
    [[ $# -gt 0 ]] && shift
    case $cmd in
    install) [[ $# -eq 0 ]] || usage_error "install takes no arguments"; cmd_install ;;
    up) [[ $# -eq 0 ]] || usage_error "up takes no arguments"; cmd_up ;;
    status) [[ $# -eq 0 ]] || usage_error "status takes no arguments"; cmd_status ;;
    reset) [[ $# -eq 0 ]] || usage_error "reset takes no arguments"; cmd_reset ;;
    down) [[ $# -eq 0 ]] || usage_error "down takes no arguments"; cmd_down ;;
    purge) [[ $# -eq 0 ]] || usage_error "purge takes no arguments"; cmd_purge ;;
    redeploy) [[ $# -eq 1 ]] || usage_error "redeploy takes one SERVICE"; cmd_redeploy "$1" ;;
    fault)
        need_root
        [[ -d $STATE ]] || die "no sandbox state in $STATE: run 'sandbox.sh up' first"
        STATE=$(cd "$STATE" && pwd -P)
        cmd_fault "$@"
        ;;
    -h | --help | help) usage ;;
    "") usage_error "missing command" ;;
    *) usage_error "unknown command '$cmd'" ;;
    esac
}

main "$@"
