"""What pyproject.toml cannot say: which packages, and the two build steps a working wheel needs.

- `processes/` stays at the top of the repository and is installed as the package `zhifa_processes`, so a wheel
  carries the process library (`webapp.config.processes_dir()` finds it by that name, editable install or not).
- build_py copies the front-end assets from npm into webapp/static/vendor/ when they are missing or older than
  package.json, package-lock.json or webapp/assets.py (with webapp/assets.py, as `zhifa-assets` does; needs npm
  then), and compiles the translation catalogs (.po → .mo) into the build. Editable installs skip both:
  `make install` runs `zhifa-assets`, and the app compiles its catalogs at start-up.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py
from setuptools.errors import SetupError

ROOT = Path(__file__).resolve().parent
PROCESS_LIBRARY = "zhifa_processes"
TRANSLATIONS = Path("webapp") / "translations"


def _assets_module():
    """webapp/assets.py by path: the build environment has setuptools and babel, not Flask."""
    spec = importlib.util.spec_from_file_location("zhifa_build_assets", ROOT / "webapp" / "assets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPy(build_py):
    def run(self):
        if not self.editable_mode:
            self._front_end_assets()
            self.__dict__.pop("data_files", None)  # list the package data again: vendor/ may be new
        super().run()
        if not self.editable_mode:
            self._compile_catalogs()

    def _front_end_assets(self) -> None:
        assets = _assets_module()
        vendor = ROOT / "webapp" / "static" / "vendor"
        if assets.vendor_is_current(ROOT, vendor):
            print(f"front-end assets are current: {', '.join(assets.installed_versions(vendor))}")
            return
        try:
            for folder in assets.build(ROOT, vendor):
                print(f"zhifa-assets: {(folder / 'VERSION').read_text(encoding='utf-8').strip()} → {folder}")
        except assets.AssetError as exc:
            raise SetupError(f"front-end assets for the wheel: {exc}") from None

    def _compile_catalogs(self) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po_path in sorted((ROOT / TRANSLATIONS).glob("*/LC_MESSAGES/messages.po")):
            mo_path = Path(self.build_lib) / po_path.relative_to(ROOT).with_suffix(".mo")
            mo_path.parent.mkdir(parents=True, exist_ok=True)
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=po_path.parts[-3])
            with mo_path.open("wb") as handle:
                write_mo(handle, catalog)
            print(f"compiled {po_path.relative_to(ROOT)} → {mo_path}")

    def get_outputs(self, include_bytecode=True):
        if self.editable_mode:
            return super().get_outputs(include_bytecode)
        compiled = [str(Path(self.build_lib) / path.relative_to(ROOT).with_suffix(".mo"))
                    for path in sorted((ROOT / TRANSLATIONS).glob("*/LC_MESSAGES/messages.po"))]
        return sorted({*super().get_outputs(include_bytecode), *compiled})


setup(
    packages=[*find_namespace_packages(include=["engine*", "webapp*", "forms*"]), PROCESS_LIBRARY],
    package_dir={PROCESS_LIBRARY: "processes"},
    cmdclass={"build_py": BuildPy},
)
