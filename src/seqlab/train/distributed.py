"""Data parallelism on ``torch.distributed``, the engine PyTorch already is, launched by
``torchrun`` (which Spark's TorchDistributor, Ray Train, SLURM and Kubernetes jobs all start).

Every process (rank) holds the whole data and the same model. Each epoch all ranks draw the
same seeded permutation of the items; each batch of that permutation is cut into one share
per rank; ``DistributedDataParallel`` averages the gradients, and the trainer scales each
rank's loss by its share of the batch's units so that the average is the loss of the whole
batch: the step one process would take with the same global batch.

The process group is joined from the environment torchrun sets (``WORLD_SIZE``, ``RANK``,
``LOCAL_RANK``, ``MASTER_ADDR``, ``MASTER_PORT``): gloo on the CPU, NCCL on CUDA, each rank
on its own GPU. A collective that waits longer than ``SEQLAB_DIST_TIMEOUT`` seconds (300 by
default) fails instead of hanging; a rank that dies is seen at once by its peers (the
connection closes) and by torchrun, which stops the others.
"""

from __future__ import annotations

import os
from datetime import timedelta

import torch
import torch.distributed as dist
from torch import Tensor, nn

from seqlab.errors import SeqlabError

__all__ = [
    "PeerLost",
    "all_sum",
    "broadcast",
    "init",
    "is_main",
    "rank",
    "share",
    "timeout",
    "world",
    "wrap",
]


class PeerLost(SeqlabError, RuntimeError):
    """A collective failed: another rank stopped or could not be reached."""


def timeout() -> float:
    """Seconds a collective may wait for the other ranks (``SEQLAB_DIST_TIMEOUT``, 300)."""
    return float(os.environ.get("SEQLAB_DIST_TIMEOUT", "300"))


def init() -> bool:
    """Join the process group that torchrun describes in the environment, once; True when
    the run has more than one process. Without torchrun (no ``WORLD_SIZE`` above 1) it does
    nothing."""
    if dist.is_initialized():
        return dist.get_world_size() > 1
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1 or not dist.is_available():
        return False
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    if backend == "nccl":
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    dist.init_process_group(backend, timeout=timedelta(seconds=timeout()))
    return True


def world() -> int:
    """The number of ranks (1 without a process group)."""
    return dist.get_world_size() if dist.is_initialized() else 1


def rank() -> int:
    """This process's rank (0 without a process group)."""
    return dist.get_rank() if dist.is_initialized() else 0


def is_main() -> bool:
    """Rank 0: the one process that writes files and prints progress."""
    return rank() == 0


def share(index: Tensor) -> Tensor:
    """This rank's contiguous share of a batch's indices (the first ranks take one more
    when they do not divide evenly); empty when the batch has fewer items than ranks."""
    return index.tensor_split(world())[rank()]


def wrap(model: nn.Module) -> nn.Module:
    """``model`` in ``DistributedDataParallel`` when the run has several ranks (the initial
    weights broadcast from rank 0), else ``model`` itself."""
    if world() == 1:
        return model
    device = next(model.parameters()).device
    ids = [device.index] if device.type == "cuda" else None
    # A static graph (the same parameters used in every step, as in every seqlab model) lets
    # DDP skip the parameters a model leaves out (a head unused by its loss) without the
    # extra graph traversal per step that find_unused_parameters costs.
    return nn.parallel.DistributedDataParallel(model, device_ids=ids, static_graph=True)


def all_sum(t: Tensor) -> Tensor:
    """``t`` summed over the ranks, in place and returned; a lost peer is a :class:`PeerLost`."""
    if world() > 1:
        try:
            dist.all_reduce(t)
        except (RuntimeError, dist.DistError) as err:
            raise PeerLost(_lost(err)) from None
    return t


def broadcast(values: list[float]) -> list[float]:
    """Rank 0's ``values`` on every rank (so that decisions are taken once, for all)."""
    if world() == 1:
        return values
    t = torch.tensor(values, dtype=torch.float64, device=_device())
    try:
        dist.broadcast(t, src=0)
    except (RuntimeError, dist.DistError) as err:
        raise PeerLost(_lost(err)) from None
    return [float(v) for v in t.tolist()]


def _device() -> torch.device:
    return torch.device("cuda") if dist.get_backend() == "nccl" else torch.device("cpu")


def _lost(err: BaseException) -> str:
    first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return (
        f"rank {rank()} of {world()} lost its peers mid-run ({first[:160]}): another rank "
        "stopped or cannot be reached. Look at that rank's output; the last checkpoint "
        "resumes the run."
    )
