"""gammabin.gunzip against the standard library: same bytes for single, concatenated
and zero-padded members, with the default inflate (ISA-L where installed) and with
zlib; truncated and corrupted streams raise."""
import gzip
import zlib

import pytest

from gammabin.gunzip import ERRORS, gunzip

INFLATES = {"default": None, "zlib": zlib}
PAYLOAD = bytes(range(256)) * 4000 + b"SIMPLE  =                    T" * 100


@pytest.mark.parametrize("inflate", INFLATES.values(), ids=INFLATES.keys())
def test_same_bytes_as_the_standard_library(inflate):
    one = gzip.compress(PAYLOAD)
    two = gzip.compress(b"second member") + b"\x00" * 7 + gzip.compress(PAYLOAD[:999])
    for stream in (one, one + two, gzip.compress(b"")):
        assert gunzip(stream, inflate) == gzip.decompress(stream)


@pytest.mark.parametrize("inflate", INFLATES.values(), ids=INFLATES.keys())
def test_a_dl3_run_file_decompresses_as_with_gzip(data_dir, inflate):
    path = data_dir / "hess-dl3-dr1" / "data" / "hess_dl3_dr1_obs_id_023523.fits.gz"
    if not path.is_file():
        pytest.skip(f"{path} missing")
    raw = path.read_bytes()
    assert gunzip(raw, inflate) == gzip.decompress(raw)


@pytest.mark.parametrize("inflate", INFLATES.values(), ids=INFLATES.keys())
def test_truncated_and_corrupt_streams_raise(inflate):
    stream = gzip.compress(PAYLOAD)
    with pytest.raises(EOFError):
        gunzip(stream[: len(stream) // 2], inflate)
    crc_broken = stream[:-8] + bytes([stream[-8] ^ 0xFF]) + stream[-7:]
    with pytest.raises(ERRORS):
        gunzip(crc_broken, inflate)
    with pytest.raises(ERRORS):
        gunzip(b"not a gzip stream at all", inflate)
    with pytest.raises((EOFError, *ERRORS)):  # a valid member, then too few bytes for a header
        gunzip(stream + b"garbage", inflate)
