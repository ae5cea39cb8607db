#!/usr/bin/env bash
# End-to-end test of a server installation, as root on a throw-away or CI machine:
#   - scripts/install-server builds a real PostgreSQL (own datadir, port and socket, no
#     systemd), TLS, pg_hba, the package in a venv, the sshd drop-in; a second run changes nothing;
#   - a real sshd on 127.0.0.1 (own config, host key and port) includes that drop-in;
#   - demo data, two teachers as OS users (ejournal_tui.system.create_os_user) with SSH keys,
#     mapped to the demo staff logins o1_teacher01 / o1_teacher02, and an outsider;
#   - tests/e2e/checks.py then logs in over SSH through tmux, drives the journal, checks the
#     database, marks typed while PostgreSQL is stopped surviving the close of the tmux window
#     (saved once at the next login), the isolation of the teachers, the refusals, LAN access
#     over TLS, and a backup → restore round trip with corrupted dumps.
# Everything lives in one temporary directory; the OS users and group are removed at the end.
# Last line: "N passed, M failed". Exit status 0 only if nothing failed.
#   tests/e2e/run.sh [--keep]     (--keep: leave everything running for a look; clean up by hand)
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
export LANG=C.UTF-8 LC_ALL=C.UTF-8
KEEP=no
[ "${1:-}" = --keep ] && KEEP=yes
started=$(date +%s)

if [ "$(id -u)" != 0 ]; then
    echo "tests/e2e/run.sh: needs root (it creates OS users, runs sshd and PostgreSQL)"
    echo "0 passed, 1 failed"
    exit 1
fi

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $*"; }
finish() {
    echo "e2e: $(($(date +%s) - started)) s"
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" = 0 ]
    exit $?
}
abort() { fail "$*"; cleanup; finish; }

PG_BIN=/usr/lib/postgresql/15/bin
E2E=$(mktemp -d /tmp/ejournal-e2e.XXXXXX)
chmod 755 "$E2E"
GROUP=ejournal_e2e
T1=o1_teacher01
T2=o1_teacher02
OUTSIDER=ejt_outsider
NEWT=ejt_newteacher
MARKER=.ejournal-e2e  # in the home of every OS user this test made
TMUX_SOCKET=ejournal-e2e-$$

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

remove_our_users() {
    for u in "$T1" "$T2" "$OUTSIDER" "$NEWT"; do
        home=$(getent passwd "$u" | cut -d: -f6)
        if [ -n "$home" ] && [ -e "$home/$MARKER" ]; then
            pkill -u "$u" 2>/dev/null || true
            sleep 0.2
            pkill -9 -u "$u" 2>/dev/null || true
            userdel -r "$u" >/dev/null 2>&1 || userdel "$u" >/dev/null 2>&1 || true
        fi
    done
    if getent group "$GROUP" >/dev/null && [ -z "$(getent group "$GROUP" | cut -d: -f4)" ]; then
        groupdel "$GROUP" 2>/dev/null || true
    fi
}

cleanup() {
    [ "$KEEP" = yes ] && { echo "e2e: --keep: everything left in $E2E (tmux -L $TMUX_SOCKET)"; return; }
    tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null || true
    if [ -s "$E2E/sshd/sshd.pid" ]; then kill "$(cat "$E2E/sshd/sshd.pid")" 2>/dev/null || true; fi
    for d in "$E2E"/pgdata-pitr-*; do  # a point-in-time copy a failed check left running
        [ -s "$d/postmaster.pid" ] && (cd / && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$d" -m immediate stop >/dev/null 2>&1)
    done
    if [ -s "$E2E/pgdata/postmaster.pid" ]; then
        (cd / && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$E2E/pgdata" -m immediate stop >/dev/null 2>&1) || true
    fi
    remove_our_users
    rm -rf "$E2E"
}
trap 'cleanup' EXIT
trap 'echo "e2e: interrupted"; exit 130' INT TERM

# Leftovers of an earlier run that was killed (only accounts this test marked as its own).
remove_our_users
for u in "$T1" "$T2" "$OUTSIDER" "$NEWT"; do
    getent passwd "$u" >/dev/null && abort "the OS user $u exists and is not this test's: run on a clean machine"
done

# --------------------------------------------------------------- prerequisites
need=()
command -v tmux >/dev/null || need+=(tmux)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh >/dev/null || need+=(openssh-client)
command -v pgrep >/dev/null || need+=(procps)
if [ ${#need[@]} -gt 0 ]; then
    echo "e2e: installing ${need[*]}"
    (DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
     || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null; }) \
     || abort "could not install ${need[*]}"
fi
[ -x .venv/bin/python ] || scripts/setup || abort "scripts/setup failed"

PGPORT=$(free_port)
SSHPORT=$(free_port)
SOCKET=$E2E/run
mkdir -p "$E2E/sshd" "$E2E/keys" "$E2E/lan"
chmod 700 "$E2E/keys"
# A snapshot of the source: what is installed cannot change under the test's feet.
mkdir -p "$E2E/src"
cp -a pyproject.toml README.md ejournal_tui sql scripts deploy "$E2E/src/"
find "$E2E/src" -name __pycache__ -prune -exec rm -rf {} +
INSTALL=("$E2E/src/scripts/install-server" --datadir "$E2E/pgdata" --port "$PGPORT" --socket-dir "$SOCKET"
         --prefix "$E2E/opt" --bin-dir "$E2E/bin" --sbin-dir "$E2E/sbin" --etc-dir "$E2E/etc"
         --sshd-dropin "$E2E/sshd/ejournal.conf" --group "$GROUP" --ssh-allow-groups "$GROUP"
         --lan 127.0.0.1/32 --listen 127.0.0.1 --tls-name localhost --tls-name 127.0.0.1
         --backup-dir "$E2E/backups" --keep-daily 3 --keep-monthly 2 --backup-schedule none --no-systemd
         --pgbackrest-repo "$E2E/pgbackrest" --pgbackrest-conf "$E2E/etc/pgbackrest.conf"
         --pgbackrest-log "$E2E/pgbackrest-log" --sessions 300)

# --------------------------------------------------------------- install, twice
echo "e2e: scripts/install-server (first run)"
if "${INSTALL[@]}" >"$E2E/install1.log" 2>&1; then
    pass "install-server: first run succeeds ($(grep -c 'changed:' "$E2E/install1.log") changes)"
else
    tail -30 "$E2E/install1.log"
    abort "install-server: first run failed"
fi
PG_BIN=$(sed -n "s/^PG_BINDIR='\(.*\)'$/\1/p" "$E2E/etc/ejournal.conf")
if "${INSTALL[@]}" >"$E2E/install2.log" 2>&1 && grep -q 'install-server: no changes' "$E2E/install2.log" \
    && ! grep -q 'changed:' "$E2E/install2.log"; then
    pass "install-server: a second run changes nothing"
else
    cat "$E2E/install2.log"
    fail "install-server: the second run changed something or failed"
fi

psql_su() { (cd / && runuser -u postgres -- "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$SOCKET" -p "$PGPORT" "$@"); }

# --------------------------------------------------------------- data, accounts, keys
echo "e2e: demo data and accounts"
SU_DSN="host=$SOCKET port=$PGPORT dbname=ejournal user=postgres"
.venv/bin/ejournal --dsn "$SU_DSN" demo-data --size small >"$E2E/demo.log" 2>&1 \
    || { cat "$E2E/demo.log"; abort "loading the demo data failed"; }
LAN_PASSWORD="e2e-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
psql_su -d ejournal -c "CREATE ROLE $T1 LOGIN IN ROLE ej_teacher PASSWORD '$LAN_PASSWORD'" \
        -c "CREATE ROLE $T2 LOGIN IN ROLE ej_teacher" >/dev/null || abort "could not create the teachers' logins"
for who in "$T1" "$T2" "$OUTSIDER" "$NEWT"; do
    ssh-keygen -q -t ed25519 -N '' -C "$who@e2e" -f "$E2E/keys/$who" || abort "ssh-keygen"
done
for who in "$T1" "$T2"; do
    if "$E2E/opt/bin/python" - "$who" "$GROUP" "$E2E/keys/$who.pub" "$E2E/bin/ejournal-ssh" "$MARKER" <<'EOF'
import sys
from pathlib import Path
from ejournal_tui.system import create_os_user
login, group, key, shell, marker = sys.argv[1:]
r = create_os_user(login, group, Path(key).read_text(), full_name="Педагог e2e", shell=shell)
(r.home / marker).touch()
assert r.created and r.key_added, r
print("\n".join(r.changes))
EOF
    then pass "create_os_user made $who (group $GROUP, key, shell ejournal-ssh)"
    else abort "create_os_user $who failed"
    fi
done
# The outsider: an ordinary account with a real shell and a key, not in the group.
useradd --create-home --shell /bin/bash --password '*' "$OUTSIDER" && touch "/home/$OUTSIDER/$MARKER" \
    && install -d -m 700 -o "$OUTSIDER" -g "$OUTSIDER" "/home/$OUTSIDER/.ssh" \
    && install -m 600 -o "$OUTSIDER" -g "$OUTSIDER" "$E2E/keys/$OUTSIDER.pub" "/home/$OUTSIDER/.ssh/authorized_keys" \
    || abort "could not create the outsider account"
# A third teacher issued with the administrator's wrapper: database login + staff row in one step.
if "$E2E/sbin/ejournal-admin" admin add-user "$NEWT" --role teacher --name "Новикова Вера Ивановна" >"$E2E/admin.log" 2>&1 \
    && "$E2E/sbin/ejournal-admin" admin list-users >"$E2E/users.log" 2>&1 && grep -q "$NEWT" "$E2E/users.log"; then
    pass "ejournal-admin admin add-user issues a login (root mapped to postgres on the socket)"
else
    cat "$E2E/admin.log" "$E2E/users.log" 2>/dev/null
    fail "ejournal-admin admin add-user"
fi

# --------------------------------------------------------------- sshd
echo "e2e: sshd on 127.0.0.1:$SSHPORT"
ssh-keygen -q -t ed25519 -N '' -f "$E2E/sshd/host_ed25519" || abort "host key"
mkdir -p /run/sshd && chmod 755 /run/sshd
cat >"$E2E/sshd/sshd_config" <<EOF
# The test's own sshd: Debian's defaults that matter, then the drop-in install-server wrote.
Port $SSHPORT
ListenAddress 127.0.0.1
HostKey $E2E/sshd/host_ed25519
PidFile $E2E/sshd/sshd.pid
AuthorizedKeysFile .ssh/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM yes
X11Forwarding yes
AllowTcpForwarding yes
PrintMotd no
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
LogLevel VERBOSE
Include $E2E/sshd/ejournal.conf
EOF
/usr/sbin/sshd -t -f "$E2E/sshd/sshd_config" || abort "sshd rejects the configuration with the drop-in"
/usr/sbin/sshd -f "$E2E/sshd/sshd_config" -E "$E2E/sshd/sshd.log" || abort "sshd did not start"
for _ in $(seq 50); do [ -s "$E2E/sshd/sshd.pid" ] && break; sleep 0.1; done
printf '[127.0.0.1]:%s %s\n' "$SSHPORT" "$(cut -d' ' -f1,2 "$E2E/sshd/host_ed25519.pub")" >"$E2E/keys/known_hosts"

# --------------------------------------------------------------- the checks
echo "e2e: checks (tests/e2e/checks.py)"
export E2E_DIR=$E2E E2E_PGPORT=$PGPORT E2E_SSHPORT=$SSHPORT E2E_SOCKET=$SOCKET E2E_GROUP=$GROUP
export E2E_T1=$T1 E2E_T2=$T2 E2E_OUTSIDER=$OUTSIDER E2E_PG_BIN=$PG_BIN E2E_TMUX=$TMUX_SOCKET
export E2E_LAN_PASSWORD=$LAN_PASSWORD E2E_REPO=$E2E/src
.venv/bin/python -m pytest tests/e2e/checks.py -p no:cacheprovider --confcutdir=tests/e2e -o addopts="" \
    -q -rfE --junitxml="$E2E/junit.xml" 2>&1 | tee "$E2E/pytest.log"
if [ -s "$E2E/junit.xml" ]; then
    read -r tests failures errors skipped < <(python3 -c '
import sys, xml.etree.ElementTree as ET
s = ET.parse(sys.argv[1]).getroot()
s = s if s.tag == "testsuite" else s.find("testsuite")
print(*(s.get(k, "0") for k in ("tests", "failures", "errors", "skipped")))' "$E2E/junit.xml")
    PASSED=$((PASSED + tests - failures - errors - skipped))
    FAILED=$((FAILED + failures + errors))
else
    fail "pytest did not run (see above)"
fi
# --------------------------------------------------------------- the --ha profile, configuration only
# (the cluster itself is exercised by tests/e2e/failover.py): every file written, a second
# run changes nothing, Patroni accepts the configuration. Without systemd nothing is started.
echo "e2e: install-server --ha (configuration, twice)"
HA_INSTALL=("$E2E/src/scripts/install-server" --ha --ha-node db1=192.0.2.11 --ha-node db2=192.0.2.12 --ha-self db1
            --datadir "$E2E/ha-data" --port "$(free_port)" --socket-dir "$E2E/ha-run"
            --prefix "$E2E/opt" --bin-dir "$E2E/ha-bin" --sbin-dir "$E2E/ha-sbin" --etc-dir "$E2E/ha-etc"
            --sshd-dropin "$E2E/ha-sshd.conf" --group "$GROUP" --lan 192.0.2.0/24
            --tls-name db1 --backup-dir "$E2E/ha-backups" --backup-schedule none --no-systemd
            --pgbackrest-repo "$E2E/ha-pgbackrest" --pgbackrest-conf "$E2E/ha-etc/pgbackrest.conf"
            --pgbackrest-log "$E2E/ha-pgbackrest-log" --patroni-conf "$E2E/ha-etc/patroni.yml" --etcd-conf "$E2E/ha-etc/etcd")
if "${HA_INSTALL[@]}" >"$E2E/ha1.log" 2>&1 && grep -q 'synchronous_mode: true' "$E2E/ha-etc/patroni.yml" \
    && grep -q 'target_session_attrs=read-write' "$E2E/ha-etc/pg_service.conf" \
    && grep -q 'target_session_attrs=prefer-standby' "$E2E/ha-etc/pg_service.conf"; then
    pass "install-server --ha writes etcd, Patroni and the multi-host service file"
else
    tail -30 "$E2E/ha1.log"
    fail "install-server --ha: first run"
fi
if "${HA_INSTALL[@]}" >"$E2E/ha2.log" 2>&1 && grep -q 'install-server: no changes' "$E2E/ha2.log"; then
    pass "install-server --ha: a second run changes nothing"
else
    cat "$E2E/ha2.log"
    fail "install-server --ha: the second run changed something or failed"
fi
# Patroni's own validator; only its complaints about unreachable etcd hosts are expected here.
if (cd / && runuser -u postgres -- patroni --validate-config "$E2E/ha-etc/patroni.yml" >"$E2E/ha-validate.log" 2>&1) \
    || ! grep -v -e 'is not reachable' -e 'bootstrap.pg_hba' "$E2E/ha-validate.log" | grep -q .; then
    pass "Patroni accepts the configuration install-server --ha wrote"
else
    cat "$E2E/ha-validate.log"
    fail "Patroni rejects the configuration install-server --ha wrote"
fi

if [ "$FAILED" != 0 ] && [ -s "$E2E/sshd/sshd.log" ]; then
    echo "--- sshd log (last 30 lines)"
    tail -30 "$E2E/sshd/sshd.log"
fi
cleanup
trap - EXIT
finish
