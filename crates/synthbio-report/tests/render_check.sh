#!/usr/bin/env bash
# Screenshots HTML reports with headless Chromium and checks that each
# screenshot is not blank and shows coloured figures.
# Usage: tests/render_check.sh <out-dir> [report.html...]
# Without reports, renders and checks the crate's sample report.
# Installs Debian's `chromium` with apt-get when /usr/bin/chromium is missing.
set -euo pipefail

crate_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

if [ ! -x /usr/bin/chromium ]; then
    echo "installing chromium with apt-get" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
fi

shift || true
reports=("$@")
if [ ${#reports[@]} -eq 0 ]; then
    cd "$crate_dir"
    rm -rf "$out/report"
    reports=("$(cargo run -q -p synthbio-report --example sample_report -- "$out/report")")
fi

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
for html in "${reports[@]}"; do
html="$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
echo "report: $html"
png="$out/$(basename "$html" .html).png"
rm -f "$png"
/usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars \
    --screenshot="$png" --window-size=1280,4000 "file://$html" 2>/dev/null || true
test -s "$png" || { echo "FAIL: no screenshot written" >&2; exit 1; }

python3 - "$png" <<'PY'
"""Decodes the PNG with zlib only and checks that enough pixels are not white."""
import struct, sys, zlib

data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, width = 8, b"", 0
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        assert depth == 8 and colour in (2, 6), f"unsupported PNG: depth {depth}, colour type {colour}"
        bpp = 3 if colour == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
raw = zlib.decompress(idat)
stride = width * bpp
prev = bytearray(stride)
non_white = 0
coloured = 0
for row in range(height):
    f = raw[row * (stride + 1)]
    line = bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for i in range(0, stride, bpp):
        r, g, bl = line[i], line[i + 1], line[i + 2]
        if min(r, g, bl) < 235:
            non_white += 1
        if max(r, g, bl) - min(r, g, bl) > 60:
            coloured += 1
    prev = line
total = width * height
frac = non_white / total
print(f"screenshot {width}x{height}: {frac:.1%} non-white pixels, {coloured / total:.2%} strongly coloured")
if frac < 0.02:
    sys.exit("FAIL: the screenshot is (nearly) blank")
if coloured / total < 0.002:
    sys.exit("FAIL: no coloured figure pixels in the screenshot")
print("OK")
PY
echo "screenshot: $png"
done
