"""The scale benchmark (issue 4, item 8): link 1,000,000 allegations against a 300,000-person
register with bare Splink and with `vigil link --full`, in the same run, and compare wall time and
peak memory.

    .venv/bin/python bench/link_scale.py [--workdir bench/out/link-scale] [--people 300000]
        [--allegations 1000000] [--threshold 0.9] [--skip-bare] [--skip-vigil] [--reuse-database]

Steps: (a) generate the problem with bench/link_world.py (cached in --workdir under a directory
named by its size and seed, reused when present); (b) run bench/bare_splink.py in a child process;
(c) import both files into a fresh SQLite Vigil database (`vigil init`, `vigil import personnel`,
`vigil import allegations`; timed for information only); (d) run `vigil link --full` in a child
process (and `vigil evaluate links --truth` when it exists). Each child's wall time and peak RSS
(its whole process tree, sampled by psutil every 50 ms) go into the closing table.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil  # type: ignore[import-untyped]  # no stubs installed; bench/ is outside mypy

# Run as a script, bench/ is on sys.path.
from link_world import DEFAULT_ALLEGATIONS, DEFAULT_PEOPLE, link_world_files, write_link_world
from vigil.demo.world import DEFAULT_SEED

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VIGIL = str(Path(sys.executable).parent / "vigil")
_SAMPLE_SECONDS = 0.05


@dataclass(frozen=True)
class Measured:
    wall_seconds: float
    peak_bytes: int
    returncode: int
    output: str


def _tree_rss(process: psutil.Process) -> int:
    try:
        family = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for member in family:
        with contextlib.suppress(psutil.NoSuchProcess):  # it ended between the two calls
            total += member.memory_info().rss
    return total


def measure(command: list[str], env: dict[str, str], *, max_bytes: int | None = None) -> Measured:
    """Run `command`, echoing its output as it comes; its wall time and the peak RSS of its
    process tree. Past `max_bytes` the child is killed (a shared machine must not run out of
    memory): its returncode is then negative."""
    started = time.perf_counter()
    child = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    watched = psutil.Process(child.pid)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(watched))
            if max_bytes is not None and peak > max_bytes:
                print(f"    killed: past {_gb(max_bytes):.1f} GB", flush=True)
                with contextlib.suppress(psutil.NoSuchProcess):
                    for member in [*watched.children(recursive=True), watched]:
                        with contextlib.suppress(psutil.NoSuchProcess):
                            member.kill()
                return
            done.wait(_SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    lines = []
    assert child.stdout is not None
    for line in child.stdout:
        lines.append(line)
        print(f"    | {line}", end="", flush=True)
    returncode = child.wait()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    return Measured(elapsed, peak, returncode, "".join(lines))


def _vigil_env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "VIGIL_DATA_DIR": str(data_dir)}
    env.pop("VIGIL_DATABASE_URL", None)  # the default: SQLite in the data directory
    return env


def _link_available(env: dict[str, str]) -> bool:
    result = subprocess.run([VIGIL, "help", "link"], env=env, capture_output=True, text=True, check=False)
    return result.returncode == 0


def _gb(size: int) -> float:
    return size / 1024**3


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workdir", type=Path, default=BENCH / "out" / "link-scale")
    parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE)
    parser.add_argument("--allegations", type=int, default=DEFAULT_ALLEGATIONS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--threshold", type=float, default=0.9, help="bare Splink's link threshold (0.9)")
    parser.add_argument(
        "--max-gb", type=float, default=18.0, help="kill a linking run whose memory passes this (18)"
    )
    parser.add_argument("--skip-bare", action="store_true", help="do not run bare Splink")
    parser.add_argument("--skip-vigil", action="store_true", help="no import, no vigil link")
    parser.add_argument(
        "--reuse-database", action="store_true", help="link the database a previous run imported (no import)"
    )
    args = parser.parse_args()

    world_dir = args.workdir / f"world-{args.people}x{args.allegations}-seed{args.seed}"
    files = link_world_files(world_dir)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {_gb(psutil.virtual_memory().total):.0f} GB"
    )
    if files.exist():
        print(f"(a) problem: reusing {world_dir}")
    else:
        print(f"(a) problem: generating {args.people:,} people x {args.allegations:,} allegations ...")
        started = time.perf_counter()
        write_link_world(world_dir, people=args.people, allegations=args.allegations, seed=args.seed)
        print(f"    generated in {time.perf_counter() - started:.1f} s")

    results: dict[str, Measured] = {}
    if not args.skip_bare:
        print("(b) bare Splink ...")
        bare = measure(
            [
                sys.executable,
                str(BENCH / "bare_splink.py"),
                str(files.personnel),
                str(files.allegations),
                "--truth",
                str(files.truth),
                "--threshold",
                str(args.threshold),
            ],
            dict(os.environ),
            max_bytes=int(args.max_gb * 1024**3),
        )
        if bare.returncode:
            sys.exit(f"bare Splink failed (exit {bare.returncode})")
        results["bare Splink 5 (DuckDB)"] = bare

    if not args.skip_vigil:
        data_dir = args.workdir / "vigil-data"
        env = _vigil_env(data_dir)
        if args.reuse_database and (data_dir / "vigil.sqlite3").exists():
            print(f"(c) import: reusing the database in {data_dir}")
        else:
            print(f"(c) import into a fresh SQLite database in {data_dir} (not part of the comparison)")
            shutil.rmtree(data_dir, ignore_errors=True)
            data_dir.mkdir(parents=True)
            for step in (
                [VIGIL, "init"],
                [VIGIL, "import", "personnel", str(files.personnel), "--no-progress"],
                [VIGIL, "import", "allegations", str(files.allegations), "--no-progress"],
            ):
                done = measure(step, env)
                if done.returncode:
                    sys.exit(f"{' '.join(step[1:3])} failed (exit {done.returncode})")
                name = " ".join(step[1:3])
                print(f"    {name}: {done.wall_seconds:.1f} s, peak {_gb(done.peak_bytes):.2f} GB")
        print("(d) vigil link --full ...")
        if not _link_available(env):
            print("    vigil link not available")
        else:
            linked = measure([VIGIL, "link", "--full"], env, max_bytes=int(args.max_gb * 1024**3))
            if linked.returncode:
                print(f"    vigil link --full failed (exit {linked.returncode})")
            else:
                results["Vigil: vigil link --full"] = linked
                evaluated = subprocess.run(
                    [VIGIL, "evaluate", "links", "--truth", str(files.truth)],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if evaluated.returncode == 0:
                    print("    vigil evaluate links:")
                    print("".join(f"    | {line}\n" for line in evaluated.stdout.splitlines()), end="")

    print()
    print(f"{args.people:,} people x {args.allegations:,} allegations")
    print(f"{'engine':<28} {'wall s':>8} {'peak GB':>8} {'x bare':>7}")
    baseline = next(iter(results.values())) if not args.skip_bare and results else None
    for engine, result in results.items():
        ratio = f"{result.wall_seconds / baseline.wall_seconds:.2f}" if baseline else "-"
        print(f"{engine:<28} {result.wall_seconds:>8.1f} {_gb(result.peak_bytes):>8.2f} {ratio:>7}")


if __name__ == "__main__":
    main()
