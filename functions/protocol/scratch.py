"""Z of recent forward shards, kept in this process so the backward pass can skip a matmul.

Only an optimization: a container that did not run the forward recomputes Z from the same
inputs and gets the same bits.
"""

import numpy as np

from functions.protocol.services import Services


def remember_z(svc: Services, key: tuple, z: np.ndarray) -> None:
    svc.memory.z.put((svc.blobs.bucket, *key), z)


def recall_z(svc: Services, key: tuple) -> np.ndarray | None:
    return svc.memory.z.pop((svc.blobs.bucket, *key))
