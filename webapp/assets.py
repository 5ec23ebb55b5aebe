"""Front-end assets: installed from npm at set-up time and served by the app itself.

Government intranets are offline, so a page never loads anything from a CDN. `zhifa-assets` (run by
`make install`, and by setup.py when a wheel is built) runs `npm ci` when node_modules is missing or older than
package-lock.json, then copies what the pages use into webapp/static/vendor/ (git-ignored):

- bpmn-js: the NavigatedViewer bundle and its CSS and font, for the case page's 流程图;
- echarts: the "common" build (bar, line, pie; tooltip, legend, grid, aria), for the admin console's charts;
- swagger-ui-dist: the Swagger UI bundle and its CSS, for the API reference page (/api/v1/reference).

An installed wheel carries the copied assets and no checkout; `zhifa-assets` there says so and changes nothing.
This module imports nothing but the standard library: setup.py loads it by path in a build environment where
the product's dependencies are not installed.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_VENDOR = PACKAGE_DIR / "static" / "vendor"

# npm package → files and folders of the package to copy, relative to the package, and where they go under vendor/
ASSETS: dict[str, tuple[tuple[str, str], ...]] = {
    "bpmn-js": (
        ("dist/bpmn-navigated-viewer.production.min.js", "bpmn-js/bpmn-navigated-viewer.production.min.js"),
        ("dist/bpmn-modeler.production.min.js", "bpmn-js/bpmn-modeler.production.min.js"),  # the designer
        ("dist/assets/diagram-js.css", "bpmn-js/diagram-js.css"),
        ("dist/assets/bpmn-js.css", "bpmn-js/bpmn-js.css"),
        ("dist/assets/bpmn-font", "bpmn-js/bpmn-font"),
        ("LICENSE", "bpmn-js/LICENSE"),
    ),
    "echarts": (
        ("dist/echarts.common.min.js", "echarts/echarts.common.min.js"),
        ("LICENSE", "echarts/LICENSE"),
        ("NOTICE", "echarts/NOTICE"),
    ),
    "swagger-ui-dist": (
        ("swagger-ui-bundle.js", "swagger-ui-dist/swagger-ui-bundle.js"),
        ("swagger-ui.css", "swagger-ui-dist/swagger-ui.css"),
        ("LICENSE", "swagger-ui-dist/LICENSE"),
        ("NOTICE", "swagger-ui-dist/NOTICE"),
    ),
}
NPM_STAMP = ".zhifa-npm-ci"  # inside node_modules: when `npm ci` last finished
INPUTS = ("package.json", "package-lock.json", "webapp/assets.py")  # vendor/ older than these is copied again


class AssetError(RuntimeError):
    pass


def default_root() -> Path:
    """The checkout holding package.json: the one this package lives in (editable install), else the cwd."""
    return PACKAGE_DIR.parent if (PACKAGE_DIR.parent / "package.json").is_file() else Path.cwd()


def installed_versions(vendor: Path = STATIC_VENDOR) -> list[str] | None:
    """'bpmn-js 18.0.0'… for every package in `vendor`, or None when one is missing."""
    stamps = [vendor / package / "VERSION" for package in ASSETS]
    if not all(stamp.is_file() for stamp in stamps):
        return None
    return [stamp.read_text(encoding="utf-8").strip() for stamp in stamps]


def vendor_is_current(root: Path, vendor: Path = STATIC_VENDOR) -> bool:
    """Every package is in `vendor`, copied after the checkout's package.json, lock and this file last changed
    (what make's rule for vendor/ says too)."""
    if installed_versions(vendor) is None:
        return False
    copied = min((vendor / package / "VERSION").stat().st_mtime for package in ASSETS)
    return all(copied >= (root / name).stat().st_mtime for name in INPUTS if (root / name).is_file())


def needs_npm_ci(root: Path) -> bool:
    lock = root / "package-lock.json"
    stamp = root / "node_modules" / NPM_STAMP
    if not lock.is_file():
        raise AssetError(f"{lock} 不存在：请在仓库根目录运行（或用 --root 指定）。")
    return not stamp.is_file() or stamp.stat().st_mtime < lock.stat().st_mtime


def npm_ci(root: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError("找不到 npm：请先安装 Node.js 与 npm（前端组件在安装时从 npm 获取，运行时不访问外网）。")
    print("zhifa-assets: npm ci --no-audit --no-fund", flush=True)
    result = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=root)
    if result.returncode != 0:
        raise AssetError(f"npm ci 失败（退出码 {result.returncode}）。")
    (root / "node_modules" / NPM_STAMP).touch()


def copy_assets(root: Path, vendor: Path = STATIC_VENDOR) -> list[Path]:
    """Copy every asset into `vendor`, replacing each package's folder whole. Returns the package folders."""
    written = []
    for package, files in ASSETS.items():
        source_dir = root / "node_modules" / package
        if not source_dir.is_dir():
            raise AssetError(f"{source_dir} 不存在：package.json 是否缺少依赖 {package}？")
        target_dir = vendor / package
        staging = vendor / f".{package}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        for source, target in files:
            source_path, target_path = source_dir / source, staging / Path(target).relative_to(package)
            if not source_path.exists():
                raise AssetError(f"{source_path} 不存在：{package} 的版本是否变了？")
            target_path.parent.mkdir(parents=True, exist_ok=True)
            if source_path.is_dir():
                shutil.copytree(source_path, target_path, copy_function=shutil.copyfile)
            else:
                shutil.copyfile(source_path, target_path)
        version = json.loads((source_dir / "package.json").read_text(encoding="utf-8"))["version"]
        (staging / "VERSION").write_text(f"{package} {version}\n", encoding="utf-8")  # written last: make's target
        shutil.rmtree(target_dir, ignore_errors=True)
        staging.rename(target_dir)
        written.append(target_dir)
    return written


def build(root: Path, vendor: Path = STATIC_VENDOR) -> list[Path]:
    """`npm ci` if needed, then the copy; what `zhifa-assets` and a wheel build do."""
    if needs_npm_ci(root):
        npm_ci(root)
    return copy_assets(root, vendor)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="zhifa-assets", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=None, help="the checkout with package.json (default: found)")
    parser.add_argument("--vendor", type=Path, default=STATIC_VENDOR, help="where to copy (default: %(default)s)")
    args = parser.parse_args(argv)
    root = (args.root or default_root()).resolve()
    shipped = installed_versions(args.vendor)
    if args.root is None and not (root / "package.json").is_file() and shipped:
        # an installed wheel: the assets were copied when it was built, and there is no checkout to copy from
        print(f"zhifa-assets: 前端组件已随安装包提供（{'，'.join(shipped)}，位于 {args.vendor}），无需再构建。"
              "要从源码重新复制，请用 --root 指定含 package.json 的仓库根目录。")
        return 0
    try:
        for folder in build(root, args.vendor):
            print(f"zhifa-assets: {(folder / 'VERSION').read_text(encoding='utf-8').strip()} → {folder}")
    except AssetError as exc:
        print(f"zhifa-assets: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
