#!/usr/bin/env bash
# Real QGIS desktop under Xvfb, plugin installed from the zip into a fresh profile, then
# scripts/grab.py saves PNGs of the main window and each dialog into the output folder.
set -euo pipefail
zip=${1:-dist/school_detector.zip}
mkdir -p "${2:-docs/img}" && out=$(readlink -f "${2:-docs/img}")
root=$(cd "$(dirname "$0")/.." && pwd)
profiles=$(mktemp -d)
trap 'rm -rf "$profiles"' EXIT
prof="$profiles/profiles/default"
mkdir -p "$prof/python/plugins" "$prof/QGIS" "$out"
unzip -q "$zip" -d "$prof/python/plugins"
cat > "$prof/QGIS/QGIS3.ini" <<INI
[PythonPlugins]
school_detector=true

[qgis]
checkVersion=false
showTips322=false
allowVersionCheck=false

[core]
News\\disabled=true
INI
scene="$root/.cache/screenshot_scene"
"$root/.runtime/bin/python" -m school_detector.cli sample-scene --out "$scene" --tiles 10 --schools 24 --seed 2 >/dev/null
export SCHOOL_DETECTOR_PYTHON="$root/.runtime/bin/python" SD_SHOT_OUT="$out" SD_SCENE="$scene"
export XDG_RUNTIME_DIR="$root/.cache/xdg"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
timeout 300 xvfb-run -a -s "-screen 0 1366x768x24" \
  qgis --profiles-path "$profiles" --noversioncheck --nologo --code "$root/scripts/grab.py" \
  > "$root/.cache/screenshots.log" 2>&1 || { tail -40 "$root/.cache/screenshots.log"; exit 1; }
grep -q "SCREENSHOTS DONE" "$root/.cache/screenshots.log" || { tail -40 "$root/.cache/screenshots.log"; exit 1; }
ls -1 "$out"
