"""Where the page checkers are, and why a test must skip when one is missing."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
ARTEFACTS = ROOT / "build" / "test-artefacts"


def missing_html_checker() -> str:
    if not shutil.which("java"):
        return "no java on this machine: the Nu Html Checker (vnu.jar) needs one"
    if not VNU_JAR.exists():
        return f"{VNU_JAR.relative_to(ROOT)} is missing: `make checkers` installs it with npm"
    return ""


def missing_browser() -> str:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: install Debian's chromium (apt install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed: `make test` installs it"
    return ""


def missing_page_font() -> str:
    """Why the layout checks cannot measure text as readers see it, or "": the pages ask for
    Georgia or Times New Roman, and without Liberation Serif (Times New Roman's metrics)
    Chromium here falls back to the wider DejaVu Serif."""
    try:
        listed = subprocess.run(
            ["fc-list", ":family=Liberation Serif"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        listed = ""
    if not listed.strip():
        return "Liberation Serif is missing: install Debian's fonts-liberation"
    return ""


def missing_axe() -> str:
    if not AXE_JS.exists():
        return f"{AXE_JS.relative_to(ROOT)} is missing: `make checkers` installs it with npm"
    return ""


# As the machine's own check starts it: headless, as root, and with none of Chromium's
# calls home, which this machine's closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
