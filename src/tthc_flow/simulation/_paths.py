"""Where the files a scenario names may lie.

A scenario names its catalog folder, a calendar overrides file and a replay database. A
scenario written by someone else must not make the loader read anywhere on the machine
(``catalog: /`` parsed every YAML file on it, for half a minute): by default every such path
must lie inside the scenario's folder. A caller that trusts the file widens the boundary
explicitly with ``root`` (``root="/"`` allows any path).

The check is on the path as written, made absolute and with ``..`` removed: a symbolic link
inside the boundary is followed, wherever it points (placing it is the folder owner's
choice, not the file's; the examples link their catalog into the scenarios' folder).
"""

from __future__ import annotations

import os
from pathlib import Path


class OutsideRoot(ValueError):
    """A path a scenario names lies outside the folder it may read."""


def confined(text: str, base: Path, root: Path | None) -> Path:
    """The file or folder ``text`` (relative to ``base``, the scenario's folder) names, or
    :class:`OutsideRoot` when it leaves ``root`` (default: ``base``)."""
    boundary = Path(os.path.abspath(base if root is None else root))
    path = Path(os.path.abspath(base / text))  # abspath also drops ".." without resolving links
    if path.is_relative_to(boundary):
        return path
    if root is None:
        raise OutsideRoot(
            f"{text!r} is not inside the scenario's folder; write a path relative to it "
            "without '..' (a caller that trusts the file may widen this with root=..., "
            "on the command line --root FOLDER)"
        )
    raise OutsideRoot(f"{text!r} is outside {root}, the folder this scenario may read")
