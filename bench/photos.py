"""Benchmark of the photo ingest: CPU per photo against a naive pipeline, and peak memory.

Run from the repository root:  python bench/photos.py  [--reps N] [--skip-200mp]

* CPU: ``time.process_time`` (all threads, libheif decodes tiles on several), median of N runs, for
  the whole ingest of one photo: SHA-256 of the bytes, EXIF, display copy, thumbnail and
  perceptual hash. "ours" is the caller's streaming SHA-256 plus `media.photo.process_photo`;
  "naive" reads the file, hashes it, decodes it at full size, turns it upright at full size,
  and makes each derivative and the hash from that full image. For HEIC, both must decode the
  whole image with libheif, so the bench also prints that decode alone and the speed-up ours
  would have if everything but the decode cost nothing: the most any ingest could reach.
* Memory: each case runs in a fresh subprocess and reports its peak RSS (Linux VmHWM, reset
  after imports) above the RSS it had after imports, plus tracemalloc's peak for the SHA-256 streaming helper.
  A 5 MB and a 25 MB JPEG of the same 4000 x 3000 pixels show that neither hashing nor
  processing grows with the file size.

Inputs are made deterministically (seeded numpy noise over gradients) in a temporary directory;
the real phone HEICs (a 12 MP iPhone 11 Pro, a 5 MP Xiaomi) are test fixtures.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import imagehash  # noqa: E402
import numpy as np  # noqa: E402
import pillow_heif  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402
from PIL.TiffImagePlugin import IFDRational  # noqa: E402

from media.exif import read_metadata  # noqa: E402
from media.photo import process_photo  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
FIXTURES = ROOT / "tests" / "fixtures" / "photos"
CHUNK = 1024 * 1024


def sha256_file(path: Path, chunk: int = CHUNK) -> tuple[str, int]:
    """SHA-256 and size of a file read in fixed chunks: memory stays at one chunk, whatever the size."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while block := f.read(chunk):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


# --- inputs -------------------------------------------------------------------------------------


def synthetic_pixels(sigma: float, width: int = 4000, height: int = 3000, seed: int = 2026) -> Image.Image:
    """A photo-like picture: smooth colour gradients and waves, plus Gaussian sensor noise."""
    rng = np.random.default_rng(seed)
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    x = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    base = np.stack(np.broadcast_arrays(40 + 150 * x + 30 * np.sin(12 * y + 3 * x),
                                        60 + 120 * y + 25 * np.sin(20 * x * y),
                                        90 + 80 * (1 - x) * y), -1)
    noisy = base + rng.normal(0, sigma, (height, width, 3)).astype(np.float32)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


def phone_exif() -> bytes:
    """EXIF as a phone writes it: camera, time with offset, GPS with altitude."""
    tags = Image.Exif()
    tags[0x010F], tags[0x0110], tags[0x0112] = "Xiaomi", "23127PN0CC", 1
    tags[0x8769] = {0x9003: "2026:06:16 10:24:31", 0x9011: "+08:00"}
    tags[0x8825] = {1: "N", 2: (IFDRational(31, 1), IFDRational(13, 1), IFDRational(4523, 100)),
                    3: "E", 4: (IFDRational(121, 1), IFDRational(28, 1), IFDRational(3012, 100)),
                    5: b"\x00", 6: IFDRational(1250, 100)}
    return tags.tobytes()


def make_inputs(directory: Path) -> dict[str, Path]:
    exif = phone_exif()
    files = {}
    headline = synthetic_pixels(sigma=8)
    files["jpeg12"] = directory / "12mp.jpg"
    headline.save(files["jpeg12"], "JPEG", quality=90, exif=exif)
    files["heic12"] = directory / "12mp.heic"
    pillow_heif.from_pillow(headline).save(files["heic12"], quality=80, exif=exif)
    files["jpeg5mb"] = directory / "5mb.jpg"
    synthetic_pixels(sigma=12, seed=5).save(files["jpeg5mb"], "JPEG", quality=92, exif=exif)
    files["jpeg25mb"] = directory / "25mb.jpg"
    synthetic_pixels(sigma=30, seed=25).save(files["jpeg25mb"], "JPEG", quality=97, subsampling=0, exif=exif)
    return files


# --- the two pipelines ----------------------------------------------------------------------------


def ours(path: Path) -> None:
    sha256_file(path)
    process_photo(path, default_tz=TZ)


def naive(path: Path) -> None:
    data = path.read_bytes()
    hashlib.sha256(data).hexdigest()
    if data[4:8] == b"ftyp":
        heif = pillow_heif.open_heif(data)
        full = heif[heif.primary_index].to_pillow()
    else:
        full = Image.open(io.BytesIO(data))
        full.load()  # full-size decode
    read_metadata(full.info.get("exif"), default_tz=TZ, stored_size=full.size)
    upright = ImageOps.exif_transpose(full)
    for longest in (1600, 320):
        scale = min(1.0, longest / max(upright.size))
        size = (max(1, round(upright.width * scale)), max(1, round(upright.height * scale)))
        copy = upright.resize(size, Image.Resampling.LANCZOS)
        copy.save(io.BytesIO(), "JPEG", quality=85, optimize=True)
    str(imagehash.phash(upright))


def heif_decode_only(path: Path) -> None:
    heif = pillow_heif.open_heif(path.read_bytes())
    heif[heif.primary_index].data  # noqa: B018  (decodes)


def cpu_median(function, path: Path, reps: int) -> float:
    function(path)  # warm up: imports, caches, first-touch allocations
    times = []
    for _ in range(reps):
        start = time.process_time()
        function(path)
        times.append(time.process_time() - start)
    return statistics.median(times)


# --- memory, one subprocess per case ----------------------------------------------------------------


def _status_mib(field: str) -> float | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return None


def _reset_peak() -> None:
    # ru_maxrss is no good here: a child forked from this big parent starts with the parent's
    # high-water mark. Linux lets a process reset its own (VmHWM) by writing 5 to clear_refs.
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _peak_mib() -> float:
    return _status_mib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, path: str) -> None:
    """Run one case in this fresh process and print its memory figures as JSON."""
    Image.MAX_IMAGE_PIXELS = None  # the naive 200 MP case would refuse; this process is ours alone
    _reset_peak()
    before = _status_mib("VmRSS") or _peak_mib()
    traced = 0.0
    if mode == "sha256":
        tracemalloc.start()
        sha256_file(Path(path))
        traced = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    elif mode == "ours":
        process_photo(path, default_tz=TZ)
    elif mode == "naive":
        naive(Path(path))
    print(json.dumps({"peak_mib": _peak_mib() - before, "traced_mib": traced}))


def measure_memory(mode: str, path: Path) -> dict:
    result = subprocess.run([sys.executable, __file__, "--child", mode, str(path)],
                            check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- report -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--skip-200mp", action="store_true", help="skip the slow 200 MP HEIC memory case")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    with tempfile.TemporaryDirectory(prefix="photo-bench-") as tmp:
        print("making inputs ...", flush=True)
        files = make_inputs(Path(tmp))
        cases = [("12 MP JPEG (4000x3000, q90, EXIF+GPS)", files["jpeg12"]),
                 ("12 MP HEIC (4000x3000, pillow-heif q80)", files["heic12"]),
                 ("12 MP HEIC, real phone (iPhone 11 Pro, fixture)", FIXTURES / "drew_exif-at-eof.heic"),
                 ("5 MP HEIC, real phone (Xiaomi, fixture)", FIXTURES / "pillowheif_xiaomi.heic")]
        print(f"\nCPU per photo, median of {args.reps} (time.process_time, whole ingest incl. SHA-256)")
        print(f"  {'input':44} {'size':>8} {'ours':>9} {'naive':>9} {'speed-up':>9}")
        speedups, ceilings = {}, {}
        for label, path in cases:
            mine, theirs = cpu_median(ours, path, args.reps), cpu_median(naive, path, args.reps)
            speedups[label] = theirs / mine
            print(f"  {label:44} {path.stat().st_size / 1e6:6.1f}MB {mine * 1000:7.0f}ms {theirs * 1000:7.0f}ms"
                  f" {theirs / mine:8.1f}x", flush=True)
            if path.suffix == ".heic":
                floor = cpu_median(heif_decode_only, path, args.reps)
                ceilings[label] = theirs / floor
                print(f"  {'  of which HEIC decode alone (both pay it)':44} {'':8} {floor * 1000:7.0f}ms"
                      f" {'':9} {theirs / floor:8.1f}x at most", flush=True)

        print("\nPeak memory above the process's idle RSS (fresh subprocess per case)")
        memory = {}
        rows = [("SHA-256 streaming, 5 MB file", "sha256", files["jpeg5mb"]),
                ("SHA-256 streaming, 25 MB file", "sha256", files["jpeg25mb"]),
                ("process_photo, 5 MB 12 MP JPEG", "ours", files["jpeg5mb"]),
                ("process_photo, 25 MB 12 MP JPEG", "ours", files["jpeg25mb"]),
                ("naive, 25 MB 12 MP JPEG", "naive", files["jpeg25mb"])]
        if not args.skip_200mp:
            big = FIXTURES / "pillowheif_200MP.heic"
            rows += [("process_photo, 200 MP HEIC (2.4 MB)", "ours", big), ("naive, 200 MP HEIC", "naive", big)]
        for label, mode, path in rows:
            memory[label] = figures = measure_memory(mode, path)
            traced = f"  (tracemalloc peak {figures['traced_mib']:.2f} MiB)" if mode == "sha256" else ""
            print(f"  {label:40} {path.stat().st_size / 1e6:6.1f}MB  peak +{figures['peak_mib']:7.1f} MiB{traced}",
                  flush=True)

    small = memory["process_photo, 5 MB 12 MP JPEG"]["peak_mib"]
    large = memory["process_photo, 25 MB 12 MP JPEG"]["peak_mib"]

    def verdict(label: str) -> str:
        speedup = speedups[label]
        ceiling = f"; decoding alone allows at most {ceilings[label]:.1f}x" if label in ceilings else ""
        return f"{speedup:.1f}x ({'OK' if speedup >= 1.5 else 'BELOW TARGET'}{ceiling})"

    labels = [label for label, _ in cases]
    print(f"\nSUMMARY (target 1.5x): 12 MP JPEG ingest {verdict(labels[0])} faster than naive; "
          f"12 MP HEIC from an iPhone {verdict(labels[2])}; 12 MP synthetic noisy HEIC {verdict(labels[1])}; "
          f"5 MP Xiaomi HEIC {verdict(labels[3])}; "
          f"processing peak +{small:.0f} MiB for a 5 MB file vs +{large:.0f} MiB for 25 MB; "
          f"SHA-256 streaming holds {CHUNK // 2**20} MiB chunks")


if __name__ == "__main__":
    main()
