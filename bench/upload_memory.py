"""Peak memory of a whole photo upload through the API: for growing file sizes, and for the worst photo of each
format that is accepted, one at a time and three at once, against the decode budget.

Run from the repository root:  python bench/upload_memory.py  [--sizes 5,15,25] [--worst jpeg,heic,png,webp]

Each size runs in a fresh subprocess against a bundled SeaweedFS and a SQLite file: sign in, report a
hazard, then POST one multipart photo (the same 12-megapixel JPEG, padded after its end-of-image marker
to the size; decoders ignore the padding, so only the byte-handling work grows). The request body is
streamed from disk by the test client, so what is measured is the server side: Werkzeug's spooling,
the SHA-256, the decode and copies, the object store puts and the row. Reported: the peak RSS during
the request (Linux VmHWM, reset just before it) above the RSS before it.

The worst accepted case of each format is the costliest photo the limits let through (``media/pixel_limits.py``,
``media/decode_cost.py``): a progressive 4:2:0 JPEG of 210 MP (coefficients buffered whole), the real 200 MP
Galaxy S24 Ultra HEIC, an all-zero RGBA PNG of 40 MP (issue 12's bomb, at the PNG limit) and a flat lossy WebP of
40 MP, each as few bytes as the floors allow. Three at once run in three threads of one process, as gunicorn's
threads would; the decode gate (``PHOTO_DECODE_MEMORY_MB``, 1024 by default) makes them take turns as soon as
their estimates would not fit together.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MB = 1024 * 1024


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def _photo(path: Path, size: int) -> None:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(7)
    pixels = (rng.random((3000, 4000, 3)) * 64 + np.linspace(0, 180, 4000)[None, :, None]).astype("uint8")
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=90)
    data = out.getvalue()
    with path.open("wb") as file:
        file.write(data)
        remaining = max(0, size - len(data))
        while remaining:  # padding after EOI, written in chunks so the bench itself stays small
            chunk = min(remaining, MB)
            file.write(b"\0" * chunk)
            remaining -= chunk


def child(size_mb: int, endpoint: str, access: str, secret: str, workdir: str) -> dict:
    from api import create_app
    from inspections import schema
    from tests.factories import login, make_area, make_enterprise, make_user

    work = Path(workdir)
    url = f"sqlite:///{work / f'bench-{size_mb}.db'}"
    schema.upgrade(url)
    app = create_app({"DATABASE_URL": url, "S3_ENDPOINT_URL": endpoint, "S3_PUBLIC_ENDPOINT_URL": endpoint,
                      "S3_ACCESS_KEY_ID": access, "S3_SECRET_ACCESS_KEY": secret, "S3_BUCKET": f"bench-{size_mb}",
                      "SECRET_KEY": "bench-secret-key-long-enough-for-hs256-signing", "AUDIT_KEY": os.urandom(32).hex()})
    app.extensions["object_store"].ensure_bucket()
    session = app.extensions["db_sessions"]()
    make_area(session)
    plant = make_enterprise(session, lat=39.9, lon=116.4, area_code="D1")
    make_user(session, "wang", "inspector", area_code="D1")
    client = app.test_client()
    headers = login(client, "wang")
    hazard = client.post("/api/v1/hazards", headers=headers, json={
        "enterprise_id": plant.id, "category": "fire.exits", "severity": "general", "description": "bench"}).get_json()
    photo = work / f"photo-{size_mb}.jpg"
    _photo(photo, size_mb * MB)

    with photo.open("rb") as file:
        before = _rss_kb("VmRSS")
        Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
        response = client.post(f"/api/v1/hazards/{hazard['id']}/photos", headers=headers,
                                data={"kind": "evidence", "file": (file, "photo.jpg")}, content_type="multipart/form-data")
        peak = _rss_kb("VmHWM")
    assert response.status_code == 201, response.get_json()
    return {"size_mb": size_mb, "peak_above_start_mb": round((peak - before) / 1024, 1)}


WORST = {
    "jpeg": ("progressive 4:2:0 JPEG, 210 MP", "worst.jpg"),
    "heic": ("the real 200 MP Galaxy S24 Ultra HEIC", "worst.heic"),
    "png": ("all-zero RGBA PNG, 40 MP", "worst.png"),
    "webp": ("flat lossy WebP, 40 MP", "worst.webp"),
}


def _worst_file(fmt: str, path: Path) -> None:
    from PIL import Image

    if fmt == "jpeg":
        Image.new("RGB", (16320, 12860), (120, 120, 120)).save(path, "JPEG", quality=85, progressive=True,
                                                              optimize=True)
    elif fmt == "heic":
        path.write_bytes((ROOT / "tests/fixtures/photos/pillowheif_200MP.heic").read_bytes())
    elif fmt == "png":
        from tests.api.test_upload_attacks import zero_png

        path.write_bytes(zero_png(6324, 6324))
    else:
        Image.new("RGB", (6324, 6324), (120, 120, 120)).save(path, "WEBP", quality=80)


def worst_child(fmt: str, endpoint: str, access: str, secret: str, workdir: str) -> dict:
    import threading

    from api import create_app
    from inspections import schema
    from media.decode import prepare_photo
    from media.imagetype import sniff_content_type
    from tests.factories import login, make_area, make_enterprise, make_user

    work = Path(workdir)
    photo = work / WORST[fmt][1]
    if not photo.exists():
        _worst_file(fmt, photo)
    with photo.open("rb") as file:
        kind = sniff_content_type(file.read(512))
        file.seek(0)
        estimate = prepare_photo(file, kind, longest=1600).cost
    url = f"sqlite:///{work / f'worst-{fmt}.db'}"
    schema.upgrade(url)
    app = create_app({"DATABASE_URL": url, "S3_ENDPOINT_URL": endpoint, "S3_PUBLIC_ENDPOINT_URL": endpoint,
                      "S3_ACCESS_KEY_ID": access, "S3_SECRET_ACCESS_KEY": secret, "S3_BUCKET": f"worst-{fmt}",
                      "SECRET_KEY": "bench-secret-key-long-enough-for-hs256-signing", "AUDIT_KEY": os.urandom(32).hex(),
                      "PHOTO_DECODE_WAIT_SECONDS": 600})
    app.extensions["object_store"].ensure_bucket()
    session = app.extensions["db_sessions"]()
    make_area(session)
    plant = make_enterprise(session, lat=39.9, lon=116.4, area_code="D1")
    make_user(session, "wang", "inspector", area_code="D1")
    headers = login(app.test_client(), "wang")

    def send(statuses: list) -> None:
        client = app.test_client()
        hazard = client.post("/api/v1/hazards", headers=headers, json={
            "enterprise_id": plant.id, "category": "fire.exits", "severity": "general", "description": "bench"})
        with photo.open("rb") as file:
            response = client.post(f"/api/v1/hazards/{hazard.get_json()['id']}/photos", headers=headers,
                                   data={"kind": "evidence", "file": (file, photo.name)},
                                   content_type="multipart/form-data")
        statuses.append(response.status_code)

    peaks = {}
    for label, count in (("one", 1), ("three", 3)):
        statuses: list = []
        threads = [threading.Thread(target=send, args=(statuses,)) for _ in range(count)]
        before = _rss_kb("VmRSS")
        Path("/proc/self/clear_refs").write_text("5")
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        peaks[label] = round((_rss_kb("VmHWM") - before) / 1024)
        assert statuses == [201] * count, statuses
    return {"format": fmt, "case": WORST[fmt][0], "file_mb": round(photo.stat().st_size / MB, 2),
            "estimate_mb": round(estimate / MB), "one_mb": peaks["one"], "three_mb": peaks["three"],
            "budget_mb": app.config["PHOTO_DECODE_MEMORY_MB"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5,15,25", help="file sizes in MB, comma separated")
    parser.add_argument("--worst", default="jpeg,heic,png,webp", help="formats whose worst case to measure ('' none)")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--worst-child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        size, endpoint, access, secret, workdir = args.child
        print(json.dumps(child(int(size), endpoint, access, secret, workdir)))
        return
    if args.worst_child:
        fmt, endpoint, access, secret, workdir = args.worst_child
        print(json.dumps(worst_child(fmt, endpoint, access, secret, workdir)))
        return

    from scripts.seaweedfs import SeaweedFS

    with tempfile.TemporaryDirectory() as workdir:
        server = SeaweedFS(Path(workdir) / "s3", access_key="bench", secret_key="bench-secret")
        server.start()
        try:
            print(f"{'file':>8} {'peak RSS above start':>22}")
            for size in (int(s) for s in args.sizes.split(",") if s):
                run = subprocess.run(
                    [sys.executable, __file__, "--child", str(size), server.endpoint_url, "bench", "bench-secret",
                     workdir], capture_output=True, text=True, check=True, cwd=ROOT)
                result = json.loads(run.stdout.strip().splitlines()[-1])
                print(f"{result['size_mb']:>6} MB {result['peak_above_start_mb']:>19} MB")
            formats = [f for f in args.worst.split(",") if f]
            if formats:
                print()
                print("worst accepted case of each format: peak RSS above start, one upload and three at once")
                print(f"{'case':<40} {'file':>8} {'estimate':>9} {'one':>7} {'three':>7} {'budget':>7}")
            for fmt in formats:
                run = subprocess.run(
                    [sys.executable, __file__, "--worst-child", fmt, server.endpoint_url, "bench", "bench-secret",
                     workdir], capture_output=True, text=True, check=True, cwd=ROOT)
                r = json.loads(run.stdout.strip().splitlines()[-1])
                verdict = "within" if max(r["one_mb"], r["three_mb"]) <= r["budget_mb"] else "OVER"
                print(f"{r['case']:<40} {r['file_mb']:>5} MB {r['estimate_mb']:>6} MB {r['one_mb']:>4} MB "
                      f"{r['three_mb']:>4} MB {r['budget_mb']:>4} MB  {verdict} the budget")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
