"""Lighthouse from npm, run on Debian's chromium, with the CPU slowdown calibrated per device class.

The package is pinned in ``scripts/lighthouse/`` (package.json and its package-lock.json) and
installed with ``npm ci`` into ``.cache/lighthouse/``.

Device classes. Lighthouse's mobile preset slows the CPU down 4x, calibrated for a high-end
desktop (its benchmark index 1500-2000, docs/throttling.md in the Lighthouse repository): on a
slower or busier machine the same 4x emulates a slower phone. Chrome DevTools instead calibrates
its CPU presets to target devices by Lighthouse's own BenchmarkIndex: a mid-tier phone scores 1000
and a low-tier phone 264 (``midScore`` and ``lowScore`` in DevTools'
front_end/panels/mobile_throttling/CalibrationController.ts, "like a Pixel 5" and "like a Moto G
Power 2022"). Throttling the CPU r times divides the index by about r, so the slowdown that makes
this host score like the device is

    cpu slowdown = host benchmark index / device benchmark index

(DevTools takes this ratio as its first guess and then bisects the rate, since the index is not
exactly linear in it; it reports a device faster than the host as "device too weak" to emulate,
here a ratio below 1: no such row is run). The host's index is the one Lighthouse measures before
it throttles (``environment.benchmarkIndex`` of a report), read from a first run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from scripts.harness.browser import CHROMIUM, CHROMIUM_ARGS
from scripts.harness.site import ROOT

PACKAGE_DIR = ROOT / "scripts" / "lighthouse"
PACKAGE_FILES = ("package.json", "package-lock.json")
TOOL_DIR = ROOT / ".cache" / "lighthouse"
PRESET_CPU_SLOWDOWN = 4  # Lighthouse's mobile preset
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = {
    "first-contentful-paint": ("FCP", "ms"),
    "largest-contentful-paint": ("LCP", "ms"),
    "total-blocking-time": ("TBT", "ms"),
    "cumulative-layout-shift": ("CLS", ""),
    "speed-index": ("SI", "ms"),
    "dom-size": ("DOM", ""),
}


@dataclass(frozen=True)
class DeviceClass:
    name: str
    benchmark_index: float | None  # the device's Lighthouse BenchmarkIndex; None: the preset's fixed slowdown


PRESET = DeviceClass("preset", None)
MID_TIER = DeviceClass("mid-tier", 1000)  # DevTools' midScore
LOW_TIER = DeviceClass("low-tier", 264)  # DevTools' lowScore
DEVICE_CLASSES = (PRESET, MID_TIER, LOW_TIER)


def cpu_slowdown(host_index: float, device: DeviceClass, preset: float = PRESET_CPU_SLOWDOWN) -> float | None:
    """The CPU slowdown that emulates `device` on a host whose benchmark index is `host_index`:
    host / device (see the module's docstring), to the hundredth as Chromium's throttling takes it;
    the preset's fixed slowdown for the preset class; None when the host is slower than the device."""
    if device.benchmark_index is None:
        return preset
    ratio = round(host_index / device.benchmark_index, 2)
    return ratio if ratio >= 1 else None


def slowdowns(
    host_index: float,
    devices: list[DeviceClass],
    preset: float = PRESET_CPU_SLOWDOWN,
) -> dict[str, float | None]:
    """cpu_slowdown of each device class on this host, by name."""
    return {device.name: cpu_slowdown(host_index, device, preset) for device in devices}


def device_classes(names: str) -> list[DeviceClass]:
    """ "preset,mid-tier" (the --devices option of `make bench-web`) -> those classes, in that order."""
    known = {device.name: device for device in DEVICE_CLASSES}
    unknown = [name for name in names.split(",") if name not in known]
    if unknown:
        raise ValueError(f"unknown device class {', '.join(unknown)} (known: {', '.join(known)})")
    return [known[name] for name in names.split(",")]


def ensure_lighthouse(tool_dir: Path = TOOL_DIR) -> Path:
    """`npm ci` of scripts/lighthouse's lockfile into `tool_dir`, again whenever the lockfile changed."""
    binary = tool_dir / "node_modules" / ".bin" / "lighthouse"
    tool_dir.mkdir(parents=True, exist_ok=True)
    if any(
        not (tool_dir / name).exists() or (tool_dir / name).read_bytes() != (PACKAGE_DIR / name).read_bytes()
        for name in PACKAGE_FILES
    ):
        binary.unlink(missing_ok=True)
    if not binary.exists():
        if not shutil.which("npm"):
            raise SystemExit("npm not found: install Node.js 20 (apt-get install nodejs npm)")
        for name in PACKAGE_FILES:
            shutil.copyfile(PACKAGE_DIR / name, tool_dir / name)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=tool_dir, check=True)
    return binary


def lighthouse_command(binary: Path, url: str, out: Path, cpu_slowdown: float = PRESET_CPU_SLOWDOWN) -> list[str]:
    command = [
        str(binary),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-path={CHROMIUM}",
        f"--chrome-flags={' '.join(CHROMIUM_ARGS)}",
    ]
    if cpu_slowdown != PRESET_CPU_SLOWDOWN:
        command.append(f"--throttling.cpuSlowdownMultiplier={cpu_slowdown:g}")
    return command


def run_lighthouse(binary: Path, url: str, out: Path, cpu_slowdown: float = PRESET_CPU_SLOWDOWN) -> dict:
    subprocess.run(
        lighthouse_command(binary, url, out, cpu_slowdown), check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}
    )
    report = json.loads(out.read_text(encoding="utf-8"))
    for warning in report.get("runWarnings", []):
        print(f"  lighthouse: {warning}", file=sys.stderr)
    return report


def summarize(report: dict) -> dict:
    """Scores (0-100) per category, the main metrics and the host's benchmark index ("CPU")."""
    row = {cat: round(report["categories"][cat]["score"] * 100) for cat in CATEGORIES}
    for audit, (label, _) in METRICS.items():
        row[label] = report["audits"][audit].get("numericValue")
    row["CPU"] = report["environment"]["benchmarkIndex"]
    return row
