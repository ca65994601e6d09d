"""CacheManager: packs, compresses and checksums cache entries for the fleet."""

import hashlib
import io
import os
import pickle
import sys
import tarfile

try:
    import lzma as codec
except ImportError:
    import zlib as codec

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))

from common.base_agent import BaseAgent

AGENT_NAME = "CacheManager"
SERVICE_PORT = 7102
HEALTH_PORT = 8102

PICKLE_PROTOCOL = 4


def make_entry(key, size):
    value = {"key": key, "values": [(i * 31 + len(key)) % 97 for i in range(size)], "tags": sorted({key[:1], "demo"})}
    raw = pickle.dumps(value, protocol=PICKLE_PROTOCOL)
    packed = codec.compress(raw)
    if pickle.loads(codec.decompress(packed)) != value:
        raise RuntimeError("cache entry does not round-trip")
    return raw, packed


def archive(key, packed):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo(name="cache/%s.%s" % (key, codec.__name__))
        info.size = len(packed)
        info.mtime = 0
        info.mode = 0o644
        info.uname = info.gname = "fleet"
        tar.addfile(info, io.BytesIO(packed))
    return buf.getvalue()


def handle_run(params):
    key = params.get("x", "session-42")
    if not key or len(key) > 64 or "/" in key:
        raise ValueError("x must be a cache key of 1..64 characters without '/'")
    try:
        size = int(params.get("size", "256"))
    except ValueError:
        raise ValueError("size must be an integer")
    if not 0 <= size <= 100000:
        raise ValueError("size must be 0..100000")
    raw, packed = make_entry(key, size)
    tar_bytes = archive(key, packed)
    return {
        "agent": AGENT_NAME,
        "key": key,
        "codec": codec.__name__,
        "raw_bytes": len(raw),
        "packed_bytes": len(packed),
        "archive_bytes": len(tar_bytes),
        "raw_sha256": hashlib.sha256(raw).hexdigest(),
        "archive_sha256": hashlib.sha256(tar_bytes).hexdigest(),
    }


class CacheManager(BaseAgent):
    agent_name, service_port, health_port = AGENT_NAME, SERVICE_PORT, HEALTH_PORT

    def handle_run(self, params):
        return handle_run(params)


if __name__ == "__main__":
    sys.exit(CacheManager().serve())
