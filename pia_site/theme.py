"""Theme: the ordered template and asset roots of a site, the site's overrides first.

The default theme is the repository's top-level ``templates/`` and ``assets/``.  A wheel ships
them inside the package as ``pia_site/templates`` and ``pia_site/assets`` (pyproject's
``package-dir`` mapping).  They are found by path, not by import: setuptools' editable finder
cannot import a mapped folder that has no ``__init__.py``, and a checkout has them at the top.

A site chooses its overrides explicitly with ``theme_dir`` in site.yaml (like mkdocs'
``custom_dir``): a folder holding ``templates/`` and/or ``assets/``.  A template there replaces
the default of the same name; an asset there replaces the default file of the same path.
Render, the asset copy, the watcher and the incremental builder all read these lists.
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .symlinks import inside

_PKG = Path(__file__).resolve().parent


def default_dir(name: str) -> Path:
    """``templates`` or ``assets`` of the default theme: inside the package when installed from
    a wheel, else at the top of the checkout (a source tree or an editable install)."""
    installed = _PKG / name
    return installed if installed.is_dir() else _PKG.parent / name


DEFAULT_TEMPLATES = default_dir("templates")
DEFAULT_ASSETS = default_dir("assets")


@dataclass(frozen=True)
class Theme:
    """``override``: the site's theme folder (site.yaml ``theme_dir``), or None.
    ``allow_unsafe``: site.yaml ``allow_unsafe_templates`` (overrides may use ``|safe``)."""

    override: Path | None = None
    allow_unsafe: bool = False

    @classmethod
    def for_config(cls, config) -> "Theme":
        """The theme a validated ``SiteConfig`` chooses."""
        theme_dir = getattr(config, "theme_dir", "") if config is not None else ""
        return cls(Path(theme_dir) if theme_dir else None, bool(getattr(config, "allow_unsafe_templates", False)))

    @property
    def override_templates(self) -> Path | None:
        return self.override / "templates" if self.override is not None else None

    @property
    def override_assets(self) -> Path | None:
        return self.override / "assets" if self.override is not None else None

    @property
    def override_roots(self) -> tuple[Path, ...]:
        """The site's own folders (templates/, assets/ of ``theme_dir``), where links are checked."""
        return tuple(r for r in (self.override_templates, self.override_assets) if r is not None)

    @property
    def template_roots(self) -> tuple[Path, ...]:
        """Where templates are looked up, first match wins."""
        return _roots(self.override_templates, DEFAULT_TEMPLATES)

    @property
    def asset_roots(self) -> tuple[Path, ...]:
        """Where assets come from, first match wins (file by file)."""
        return _roots(self.override_assets, DEFAULT_ASSETS)

    def asset_files(self) -> dict[str, Path]:
        """Every asset as written: output path (``assets/…``) -> the file it is copied from."""
        found: dict[str, Path] = {}
        for d in reversed(self.asset_roots):  # the defaults first, then the overrides replace them
            if not d.is_dir():
                continue
            real = d.resolve()
            for p in sorted(d.rglob("*")):
                # a link leaving its folder is never copied (``build`` and ``check`` report it as E013)
                if p.is_file() and not p.name.startswith(".") and inside(p.resolve(), real):
                    found["assets/" + p.relative_to(d).as_posix()] = p
        return dict(sorted(found.items()))

    def asset_path(self, name: str) -> Path | None:
        """The file written as ``assets/<name>`` (``name`` relative to the assets folder), or None."""
        parts = PurePosixPath(name).parts
        if not parts or any(part.startswith(".") for part in parts) or PurePosixPath(name).is_absolute():
            return None
        for root in self.asset_roots:
            p = root.joinpath(*parts)
            if p.is_file():
                return p
        return None

    def integrity(self, name: str) -> str:
        """The Subresource Integrity value (``sha384-…``) of the asset written as ``assets/<name>``."""
        p = self.asset_path(name)
        if p is None:
            raise FileNotFoundError(f"asset not found in {[str(r) for r in self.asset_roots]}: {name}")
        return sri(p.read_bytes())


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def _roots(override: Path | None, default: Path) -> tuple[Path, ...]:
    if override is None or override.resolve() == default.resolve():
        return (default,)
    return (override, default)
