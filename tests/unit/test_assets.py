"""zhifa-assets: npm ci only when node_modules is missing or stale, then a copy of what the pages load."""
from __future__ import annotations

import json
import os

import pytest

from webapp import assets


VERSIONS = {"bpmn-js": "18.0.0", "echarts": "6.0.0", "swagger-ui-dist": "5.35.0"}


def fake_checkout(root):
    root.mkdir()
    (root / "package-lock.json").write_text("{}", encoding="utf-8")
    for name, files in assets.ASSETS.items():
        package = root / "node_modules" / name
        for source, _ in files:
            path = package / source
            if source.endswith("bpmn-font"):
                (path / "css").mkdir(parents=True)
                (path / "css" / "bpmn.css").write_text("@font-face{}", encoding="utf-8")
                (path / "font").mkdir()
                (path / "font" / "bpmn.woff2").write_bytes(b"\0font")
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(f"/* {source} */", encoding="utf-8")
        (package / "package.json").write_text(json.dumps({"version": VERSIONS[name]}), encoding="utf-8")
    return root


def test_npm_ci_runs_when_node_modules_is_missing_or_older_than_the_lock(tmp_path):
    (tmp_path / "package-lock.json").write_text("{}", encoding="utf-8")
    assert assets.needs_npm_ci(tmp_path)  # no node_modules
    (tmp_path / "node_modules").mkdir()
    stamp = tmp_path / "node_modules" / assets.NPM_STAMP
    stamp.touch()
    lock_time = (tmp_path / "package-lock.json").stat().st_mtime
    os.utime(stamp, (lock_time + 10, lock_time + 10))
    assert not assets.needs_npm_ci(tmp_path)
    os.utime(stamp, (lock_time - 10, lock_time - 10))
    assert assets.needs_npm_ci(tmp_path)  # the lock changed since


def test_the_viewer_its_css_and_font_are_copied_and_stale_files_go(tmp_path):
    root = fake_checkout(tmp_path / "checkout")
    vendor = tmp_path / "vendor"
    (vendor / "bpmn-js").mkdir(parents=True)
    (vendor / "bpmn-js" / "old.js").write_text("stale", encoding="utf-8")
    folder, charts, reference = assets.copy_assets(root, vendor)
    copied = sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())
    assert copied == ["LICENSE", "VERSION", "bpmn-font/css/bpmn.css", "bpmn-font/font/bpmn.woff2", "bpmn-js.css",
                      "bpmn-modeler.production.min.js", "bpmn-navigated-viewer.production.min.js", "diagram-js.css"]
    assert (folder / "VERSION").read_text(encoding="utf-8") == "bpmn-js 18.0.0\n"
    assert sorted(path.name for path in charts.iterdir()) == ["LICENSE", "NOTICE", "VERSION", "echarts.common.min.js"]
    assert (charts / "VERSION").read_text(encoding="utf-8") == "echarts 6.0.0\n"
    assert sorted(path.name for path in reference.iterdir()) == ["LICENSE", "NOTICE", "VERSION", "swagger-ui-bundle.js",
                                                                   "swagger-ui.css"]


def test_a_missing_file_is_a_clear_error(tmp_path, capsys):
    root = fake_checkout(tmp_path / "checkout")
    (root / "node_modules" / "bpmn-js" / "dist" / "assets" / "bpmn-js.css").unlink()
    with pytest.raises(assets.AssetError, match="bpmn-js.css"):
        assets.copy_assets(root, tmp_path / "vendor")
    (root / "node_modules" / assets.NPM_STAMP).touch()
    assert assets.main(["--root", str(root), "--vendor", str(tmp_path / "vendor")]) == 1
    assert "bpmn-js.css" in capsys.readouterr().err


def test_front_end_packages_are_pinned_to_exact_versions():
    package = json.loads((assets.default_root() / "package.json").read_text(encoding="utf-8"))
    assert set(package["dependencies"]) >= {"bpmn-js", "echarts"}
    for name, version in package["dependencies"].items():
        assert version[0].isdigit() and all(part.isdigit() for part in version.split(".")), (name, version)


def test_assets_copied_after_the_lock_changed_are_current(tmp_path):
    root = fake_checkout(tmp_path / "checkout")
    vendor = tmp_path / "vendor"
    assert not assets.vendor_is_current(root, vendor)  # nothing copied yet
    assets.copy_assets(root, vendor)
    assert assets.vendor_is_current(root, vendor)
    later = (vendor / "echarts" / "VERSION").stat().st_mtime + 10
    os.utime(root / "package-lock.json", (later, later))
    assert not assets.vendor_is_current(root, vendor)  # a new lock: a wheel build copies again


def test_an_installed_package_without_a_checkout_says_its_assets_are_there(tmp_path, monkeypatch, capsys):
    vendor = tmp_path / "site-packages" / "vendor"
    assets.copy_assets(fake_checkout(tmp_path / "checkout"), vendor)
    monkeypatch.setattr(assets, "default_root", lambda: tmp_path / "elsewhere")  # no package.json there
    assert assets.main(["--vendor", str(vendor)]) == 0
    out = capsys.readouterr().out
    assert "已随安装包提供" in out and "bpmn-js 18.0.0" in out and "--root" in out
    assert assets.main(["--vendor", str(tmp_path / "empty")]) == 1  # nothing shipped and nothing to copy from
    assert "package-lock.json 不存在" in capsys.readouterr().err
