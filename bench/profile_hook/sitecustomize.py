"""bench_load.py's look inside a replica (``--profile``), loaded only when the bench puts
this folder on a replica's PYTHONPATH; never part of the app.

``BENCH_LOAD_PROFILE=time``: each script run's thread CPU time and wall time, one JSON
line per run in ``$BENCH_LOAD_PROFILE_DIR/runs-<pid>.jsonl``. ``=cprofile``: also a
cProfile of every script run, summed per process into ``profile-<pid>.pstats``
(written every 20 runs and at exit). Only the script thread is seen; what Streamlit's
event loop does with the messages afterwards is in the process's CPU time that
bench_load reads from /proc.
"""

import os

MODE = os.environ.get("BENCH_LOAD_PROFILE", "")


def _install(script_runner) -> None:
    import atexit
    import cProfile
    import json
    import pstats
    import threading
    import time
    from pathlib import Path


    out = Path(os.environ["BENCH_LOAD_PROFILE_DIR"])
    out.mkdir(parents=True, exist_ok=True)
    runs = open(out / f"runs-{os.getpid()}.jsonl", "a", buffering=1)
    lock, state = threading.Lock(), {"stats": None, "n": 0}
    original = script_runner.ScriptRunner._run_script

    def dump() -> None:
        with lock:
            if state["stats"] is not None:
                state["stats"].dump_stats(str(out / f"profile-{os.getpid()}.pstats"))

    def run_script(self, rerun_data):
        prof = cProfile.Profile(time.thread_time) if MODE == "cprofile" else None  # CPU, not wall time
        cpu, wall = time.thread_time(), time.perf_counter()
        if prof is not None:
            prof.enable()
        try:
            return original(self, rerun_data)
        finally:
            if prof is not None:
                prof.disable()
            cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
            runs.write(json.dumps({"cpu": cpu, "wall": wall, "page": rerun_data.page_name,
                                   "query": rerun_data.query_string, "widgets": bool(rerun_data.widget_states
                                                                                    and rerun_data.widget_states.widgets)}) + "\n")
            if prof is not None:
                with lock:
                    if state["stats"] is None:
                        state["stats"] = pstats.Stats(prof)
                    else:
                        state["stats"].add(prof)
                    state["n"] += 1
                    due = state["n"] % 20 == 0
                if due:
                    dump()

    script_runner.ScriptRunner._run_script = run_script
    atexit.register(dump)


if MODE in ("time", "cprofile"):
    import importlib.abc
    import sys

    class _AfterStreamlit(importlib.abc.MetaPathFinder):
        """Patch the script runner once Streamlit's module is imported."""

        def find_spec(self, name, path, target=None):
            if name != "streamlit.runtime.scriptrunner.script_runner":
                return None
            sys.meta_path.remove(self)
            import importlib.util
            spec = importlib.util.find_spec(name)
            loader = spec.loader
            exec_module = loader.exec_module

            def exec_then_patch(module):
                exec_module(module)
                _install(module)
            loader.exec_module = exec_then_patch
            return spec

    sys.meta_path.insert(0, _AfterStreamlit())
