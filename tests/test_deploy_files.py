"""deploy/ holds the files install-server installs: its functions that render pg_hba, pg_ident
and the sshd drop-in read them (run here on their own, with bash; the installer itself runs in
tests/e2e)."""

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# each function of install-server, from its "name() {" line to its closing "}"
EXTRACT = r"""awk -v name="$f" '$0 ~ "^" name "\\(\\) \\{" {p=1} p {print} p && /^}/ {exit}' scripts/install-server"""
PRELUDE = f"""set -euo pipefail
shopt -s lastpipe
SRC={REPO}
die() {{ echo "$*" >&2; exit 1; }}
for f in deploy_body deploy_rules pg_hba_lines pg_ident_lines sshd_dropin; do eval "$({EXTRACT})"; done
DBNAME=ejournal GROUP=ejournal BIN_DIR=/usr/local/bin SSH_ALLOW_GROUPS="" LAN=()
"""


def render(call: str, **variables: str) -> str:
    """Run `call` after the functions, with shell variables (LAN: space-separated networks)."""
    lan = variables.pop("LAN", "")
    assign = "".join(f'{k}="{v}"\n' for k, v in variables.items())
    script = PRELUDE + assign + f'read -ra LAN <<<"{lan}"\n' + call + "\n"
    done = subprocess.run(["bash", "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_pg_hba_comes_from_deploy():
    out = render("pg_hba_lines", DBNAME="journal2", LAN="10.0.0.0/8 fd00::/8")
    assert out.splitlines() == [
        "local    journal2   postgres                      peer map=ejournal_admin",
        "local    journal2   all                           peer",
        "hostssl  journal2   all        10.0.0.0/8         scram-sha-256",
        "hostssl  journal2   all        fd00::/8           scram-sha-256",
        "host     journal2   all        all                reject",
    ]
    assert "hostssl" not in render("pg_hba_lines")  # no --lan: no LAN rule
    assert render("pg_ident_lines").splitlines() == ["ejournal_admin   root       postgres",
                                                      "ejournal_admin   postgres   postgres"]


def test_sshd_drop_in_comes_from_deploy():
    deploy = (REPO / "deploy/ssh/sshd-ejournal.conf").read_text(encoding="utf-8")
    body = deploy.split("\n\n", 1)[1]
    out = render("sshd_dropin", GROUP="teachers", BIN_DIR="/opt/bin", SSH_ALLOW_GROUPS="teachers wheel")
    expected = (body.replace("AllowGroups ejournal sudo", "AllowGroups teachers wheel")
                .replace("Match Group ejournal", "Match Group teachers")
                .replace("/usr/local/bin/ejournal-ssh", "/opt/bin/ejournal-ssh"))
    assert out.split("\n", 2)[2] == expected
    assert "AllowGroups" not in render("sshd_dropin").replace("# --ssh-allow-groups", "")
