"""A joblib launcher that survives dead workers (``hydra/launcher=joblib``).

Hydra's joblib launcher hands every job to one ``joblib.Parallel`` call: when one worker process dies (an
out-of-memory kill, a segfault), loky breaks the whole pool and the sweep ends with no table and the running jobs
lost. This launcher keeps going: after a broken pool it re-runs the jobs that were running when it broke one at a
time, so the one that kills its worker again is recorded as failed (with the reason) and every other job finishes;
jobs that had not started run in a fresh pool. Results are the same as with the plain launcher.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra.core.plugins import Plugins
from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn, JobStatus, configure_log, filter_overrides, setup_globals
from hydra_plugins.hydra_joblib_launcher._core import execute_job, process_joblib_cfg
from hydra_plugins.hydra_joblib_launcher.joblib_launcher import JoblibLauncher
from joblib import Parallel, delayed
from joblib.externals.loky.process_executor import TerminatedWorkerError
from omegaconf import OmegaConf

from sim.folders import job_staging

log = logging.getLogger(__name__)

WORKER_DIED = "the worker process running this job died ({reason}); often the machine ran out of memory"


def _indexed(idx: int, *args: Any) -> tuple[int, JobReturn]:
    return idx, execute_job(idx, *args)


class ResilientJoblibLauncher(JoblibLauncher):
    """:class:`JoblibLauncher` whose sweep survives the death of a worker process."""

    def _staging(self, num: int) -> Path:
        assert self.config is not None
        return Path(str(self.config.hydra.sweep.dir)) / job_staging(os.environ.get("SIM_LAUNCH_ID", ""), num)

    def _run(self, jobs: list[int], job_overrides: Sequence[Sequence[str]], first: int, n_jobs: int) -> Any:
        cfg = dict(self.joblib) | {"n_jobs": n_jobs, "return_as": "generator_unordered"}
        singleton_state = Singleton.get_state()
        return Parallel(**cfg)(
            delayed(_indexed)(
                first + i, job_overrides[i], self.hydra_context, self.config, self.task_function, singleton_state
            )
            for i in jobs
        )

    def _dead(self, i: int, first: int, job_overrides: Sequence[Sequence[str]], reason: str) -> JobReturn:
        """A failed JobReturn for job ``i`` whose worker died, with its failure recorded like any failed job."""
        assert self.config is not None and self.hydra_context is not None
        from sim.cli import record_dead_job  # the job's key and label are computed as the job itself would

        sweep_config = self.hydra_context.config_loader.load_sweep_config(self.config, list(job_overrides[i]))
        message = WORKER_DIED.format(reason=reason)
        record_dead_job(sweep_config, message)
        ret = JobReturn()  # completed as far as Hydra goes: like any failed job, the failure is in the sweep's table
        ret.overrides = list(job_overrides[i])
        ret.status = JobStatus.COMPLETED
        ret.return_value = None
        return ret

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        setup_globals()
        assert self.config is not None and self.task_function is not None and self.hydra_context is not None
        configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        Path(str(self.config.hydra.sweep.dir)).mkdir(parents=True, exist_ok=True)
        joblib_cfg: dict[str, Any] = OmegaConf.to_container(OmegaConf.create(self.joblib)) or {}  # type: ignore[assignment]
        joblib_cfg["backend"] = "loky"
        process_joblib_cfg(joblib_cfg)
        self.joblib = joblib_cfg
        n_jobs = int(joblib_cfg.get("n_jobs") or -1)
        for idx, overrides in enumerate(job_overrides):
            log.info("\t#%d : %s", initial_job_idx + idx, " ".join(filter_overrides(overrides)))

        results: dict[int, JobReturn] = {}
        queue = list(range(len(job_overrides)))
        while queue:
            try:
                for num, ret in self._run(queue, job_overrides, initial_job_idx, n_jobs):
                    results[num - initial_job_idx] = ret
                queue = []
            except TerminatedWorkerError as err:
                unfinished = [i for i in queue if i not in results]
                started = [i for i in unfinished if self._staging(initial_job_idx + i).exists()]
                log.warning("a worker died (%s); re-running %d started job(s) one at a time", err, len(started))
                for i in started:
                    shutil.rmtree(self._staging(initial_job_idx + i), ignore_errors=True)  # this launch's own
                    try:  # alone in a pool of its own (n_jobs=1 would run it in this process)
                        for num, ret in self._run([i], job_overrides, initial_job_idx, 2):
                            results[num - initial_job_idx] = ret
                    except TerminatedWorkerError as again:
                        shutil.rmtree(self._staging(initial_job_idx + i), ignore_errors=True)
                        codes = re.search(r"exit codes of the workers are \{([^}]*)\}", str(again))
                        reason = f"exit {codes.group(1)}" if codes else "no exit code"
                        results[i] = self._dead(i, initial_job_idx, job_overrides, reason)
                queue = [i for i in unfinished if i not in started]
        return [results[i] for i in range(len(job_overrides))]


PLUGIN_MODULE = "hydra_plugins.sim_launcher"
"""Hydra instantiates launchers only from the ``hydra_plugins`` namespace: this module is registered there under
this name (``conf/hydra/launcher/joblib.yaml`` names ``hydra_plugins.sim_launcher.ResilientJoblibLauncher``)."""


def register() -> None:
    """Make :class:`ResilientJoblibLauncher` known to Hydra as a plugin (idempotent), and silence Hydra's notice that
    ``conf/hydra/launcher/joblib.yaml`` shares its name with the plugin's own schema (deliberately: it replaces it)."""
    warnings.filterwarnings("ignore", message=r"(?s).*is validated against ConfigStore schema", category=UserWarning)
    sys.modules.setdefault(PLUGIN_MODULE, sys.modules[__name__])
    ResilientJoblibLauncher.__module__ = PLUGIN_MODULE
    Plugins.instance().register(ResilientJoblibLauncher)


register()
