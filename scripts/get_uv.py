"""Fetch the pinned `uv` installer from PyPI into DEST (standard library only).

uv installs the dependencies in seconds where pip takes over a minute; scripts/setup falls
back to pip when this fails (no network to PyPI, an unknown platform).
Usage: python3 scripts/get_uv.py DEST_DIR
"""

import hashlib
import io
import json
import platform
import stat
import sys
import urllib.request
import zipfile
from pathlib import Path

VERSION = "0.13.9"
INDEX = "https://pypi.org/simple/uv/"


def wheel_tags() -> tuple[str, ...]:
    machine = platform.machine().lower()
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)
    if sys.platform.startswith("linux"):
        libc = "musllinux" if platform.libc_ver()[0] != "glibc" else "manylinux"
        return (libc, machine)
    if sys.platform == "darwin":
        return ("macosx", "arm64" if machine == "aarch64" else "x86_64")
    raise SystemExit(f"uv: платформа {sys.platform}/{machine} не поддерживается")


def main(dest: Path) -> None:
    request = urllib.request.Request(INDEX, headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        files = json.load(response)["files"]
    tags = wheel_tags()
    wanted = [f for f in files if f["filename"].startswith(f"uv-{VERSION}-") and f["filename"].endswith(".whl")
              and all(tag in f["filename"] for tag in tags)]
    if not wanted:
        raise SystemExit(f"uv {VERSION}: нет сборки для {tags}")
    with urllib.request.urlopen(wanted[0]["url"], timeout=120) as response:
        data = response.read()
    if hashlib.sha256(data).hexdigest() != wanted[0]["hashes"]["sha256"]:
        raise SystemExit("uv: контрольная сумма не совпала")
    with zipfile.ZipFile(io.BytesIO(data)) as wheel:
        binary = next(n for n in wheel.namelist() if n.endswith(".data/scripts/uv"))
        dest.mkdir(parents=True, exist_ok=True)
        target = dest / "uv"
        target.write_bytes(wheel.read(binary))
    target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
