"""The one input/output layer: bounded reads, special files written through, atomic writes,
outputs never over inputs, signal clean-up."""

from __future__ import annotations

import gzip
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading

import pytest

from edapipe.errors import InputError, ResourceLimit, UsageError
from edapipe.util import files


@pytest.fixture(autouse=True)
def fresh_registry(monkeypatch):
    monkeypatch.setattr(files, "_inputs", {})
    monkeypatch.setattr(files, "_pending_temps", set())


def test_regular_file_is_written_atomically_with_its_mode_kept(tmp_path):
    out = tmp_path / "out.txt"
    out.write_text("old")
    out.chmod(0o640)
    files.write_bytes(str(out), b"new", binary=False)
    assert out.read_bytes() == b"new"
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_symlink_to_a_regular_file_is_written_at_its_target(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    files.write_bytes(str(link), b"new", binary=False)
    assert link.is_symlink()
    assert real.read_bytes() == b"new"


def test_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "made.txt")
    files.write_bytes(str(link), b"x", binary=False)
    assert link.is_symlink() and (tmp_path / "made.txt").read_bytes() == b"x"


def write_to_fifo(fifo, path, data: bytes) -> bytes:
    """Write `data` to `path` (the FIFO or a link to it) while a thread reads the FIFO."""
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    files.write_bytes(str(path), data, binary=False)
    reader.join(10)
    return got[0]


def test_fifo_is_written_through_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert write_to_fifo(fifo, fifo, b"through the pipe") == b"through the pipe"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_symlink_to_a_fifo_keeps_the_link(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(fifo)
    assert write_to_fifo(fifo, link, b"data") == b"data"
    assert link.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_dev_null_stays_a_device():
    before = os.stat("/dev/null")
    files.write_bytes("/dev/null", b"discarded", binary=True)
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_descriptor_path_is_written_through(tmp_path):
    target = tmp_path / "via_fd.txt"
    with open(target, "wb") as fh:
        files.write_bytes(f"/dev/fd/{fh.fileno()}", b"by descriptor", binary=False)
    assert target.read_bytes() == b"by descriptor"
    assert [p.name for p in tmp_path.iterdir()] == ["via_fd.txt"]


def test_missing_descriptor_is_a_clear_usage_error():
    with pytest.raises(UsageError, match="no such open file descriptor"):
        files.write_bytes("/dev/fd/987", b"x", binary=False)


@pytest.mark.parametrize("name", ["somedir/", "adir"])
def test_folders_are_usage_errors(tmp_path, name):
    (tmp_path / "adir").mkdir()
    with pytest.raises(UsageError, match="folder"):
        files.write_bytes(f"{tmp_path}/{name}", b"x", binary=False)


def test_missing_folder_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        files.write_bytes(str(tmp_path / "no" / "x.txt"), b"x", binary=False)


def test_output_that_is_an_input_is_refused(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("precious")
    assert files.read_bytes(str(src)) == b"precious"
    with pytest.raises(UsageError, match="input"):
        files.write_bytes(str(src), b"x", binary=False)
    alias = tmp_path / "alias.txt"
    alias.symlink_to(src)
    hard = tmp_path / "hard.txt"
    os.link(src, hard)
    for path in (alias, hard, tmp_path / "." / "in.txt"):
        with pytest.raises(UsageError, match="input"):
            files.guard_outputs({"-o": str(path)})
    assert src.read_text() == "precious"


def test_guard_checks_inputs_not_yet_read_and_two_outputs_alike(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("x")
    with pytest.raises(UsageError, match="input"):
        files.guard_outputs({"--csv": str(src)}, [str(src)])
    with pytest.raises(UsageError, match="same file"):
        files.guard_outputs({"-o": str(tmp_path / "a"), "--plot": str(tmp_path / "a")})


def test_included_file_registered_by_note_input_is_protected(tmp_path):
    inc = tmp_path / "models.inc"
    inc.write_text("* models")
    files.note_input(str(inc))
    with pytest.raises(UsageError):
        files.write_bytes(str(inc), b"x", binary=False)


def test_full_device_is_a_resource_error():
    with pytest.raises(ResourceLimit, match="No space"):
        files.write_bytes("/dev/full", b"x" * 10000, binary=True)


def test_stream_input_is_read_within_the_budget(monkeypatch):
    monkeypatch.setenv(files.MAX_INPUT_VARIABLE, "1")
    with pytest.raises(ResourceLimit, match=files.MAX_INPUT_VARIABLE):
        files.read_bytes("/dev/zero")


def test_regular_only_refuses_devices():
    with pytest.raises(InputError, match="not a regular file"):
        files.read_bytes("/dev/zero", regular_only=True)


def test_directory_and_missing_inputs_are_bad_input(tmp_path):
    with pytest.raises(InputError, match="directory"):
        files.read_bytes(str(tmp_path))
    with pytest.raises(InputError, match="no such file"):
        files.read_bytes(str(tmp_path / "nope"))


def test_gunzip_round_trip_members_and_padding():
    data = gzip.compress(b"hello ") + gzip.compress(b"world") + b"\0\0"
    assert files.gunzip(data, "x.gz") == b"hello world"


def test_gunzip_bomb_stops_at_the_budget(monkeypatch):
    monkeypatch.setenv(files.MAX_INPUT_VARIABLE, "1")
    bomb = gzip.compress(b"\0" * (4 << 20))
    with pytest.raises(ResourceLimit, match="1 MiB"):
        files.gunzip(bomb, "bomb.aig.gz")


@pytest.mark.parametrize("data", [b"\x1f\x8bgarbage", gzip.compress(b"x" * 1000)[:-12],
                                  gzip.compress(b"x") + b"trailing"])
def test_gunzip_damage_is_bad_input(data):
    with pytest.raises(InputError, match="gzip"):
        files.gunzip(data, "bad.gz")


def test_budget_variable_must_be_a_number(monkeypatch):
    monkeypatch.setenv(files.MAX_INPUT_VARIABLE, "lots")
    with pytest.raises(UsageError):
        files.max_input_bytes()


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_signal_removes_the_temporary_output(tmp_path, signame):
    # A child starts an atomic write that blocks (its data is a generator stuck in write),
    # then gets the signal: the hidden temporary file must be gone and the old output kept.
    out = tmp_path / "out.txt"
    out.write_text("old")
    code = textwrap.dedent(f"""
        import os, signal, sys
        from edapipe.util import files
        # as from a terminal: under nohup SIGHUP arrives ignored, and the cleanup rightly
        # leaves an ignored signal alone
        signal.signal(signal.{signame}, signal.SIG_DFL)
        files.install_signal_cleanup()
        real_fdopen = os.fdopen
        class Slow:
            def __init__(self, fh): self.fh = fh
            def __enter__(self): return self
            def __exit__(self, *a): self.fh.close()
            def write(self, data):
                self.fh.write(data[:1]); self.fh.flush()
                print("writing", flush=True)
                signal.pause()
            def flush(self): pass
            def fileno(self): return self.fh.fileno()
        os.fdopen = lambda fd, mode: Slow(real_fdopen(fd, mode))
        files.write_bytes({str(out)!r}, b"new data", binary=False)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout.readline() == b"writing\n"
    assert len(list(tmp_path.iterdir())) == 2          # the output and its temporary file
    proc.send_signal(getattr(signal, signame))
    proc.wait(30)
    assert proc.returncode == 128 + getattr(signal, signame)
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    assert out.read_text() == "old"


def test_dev_stdout_onto_a_regular_file_writes_into_it(tmp_path):
    # `edapipe ... -o /dev/stdout > out`: the shell's open file gets the data; the file is
    # not replaced behind its back (same inode)
    target = tmp_path / "out.txt"
    code = textwrap.dedent("""
        from edapipe.util import files
        files.write_bytes("/dev/stdout", b"into the shell's file", binary=False)
    """)
    with open(target, "wb") as fh:
        before = os.fstat(fh.fileno()).st_ino
        subprocess.run([sys.executable, "-c", code], stdout=fh, check=True, timeout=60)
    assert target.read_bytes() == b"into the shell's file"
    assert os.stat(target).st_ino == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
