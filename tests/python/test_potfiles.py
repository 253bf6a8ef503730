# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check that po/POTFILES.in lists exactly the C sources with translatable strings.

xgettext reads only the files that POTFILES.in lists, so a source missing
there has its messages left out of po/rws.pot without any warning.
"""

import re
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parent.parent.parent
SOURCE_DIRS = ["lib", "tools", "plugins"]

# The gettext macros of glib/gi18n.h and glib/gi18n-lib.h, and the plural
# functions that xgettext's glib preset extracts.
TRANSLATABLE = re.compile(r"\b(?:_|N_|C_|NC_|Q_|g_dngettext|g_dpgettext2|ngettext)\s*\(")


def read_potfiles():
    lines = (SOURCE_ROOT / "po" / "POTFILES.in").read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def find_translatable_sources():
    sources = set()
    for directory in SOURCE_DIRS:
        for path in sorted((SOURCE_ROOT / directory).rglob("*.c")):
            if TRANSLATABLE.search(path.read_text(encoding="utf-8")):
                sources.add(path.relative_to(SOURCE_ROOT).as_posix())
    return sources


def test_potfiles_lists_translatable_sources():
    listed = read_potfiles()
    translatable = find_translatable_sources()

    assert translatable, "found no C source with translatable strings"
    missing = sorted(translatable - listed)
    assert not missing, f"sources with translatable strings missing from po/POTFILES.in: {missing}"
    unneeded = sorted(listed - translatable)
    assert not unneeded, f"po/POTFILES.in lists files without translatable strings: {unneeded}"


def test_potfiles_entries_exist():
    missing = sorted(path for path in read_potfiles() if not (SOURCE_ROOT / path).is_file())
    assert not missing, f"po/POTFILES.in lists files that do not exist: {missing}"
