"""util/cache.py: stamps follow the code, stale stamp folders go, nothing else is touched; the
Liberty cache is keyed by its reader's sources and pruned."""

from __future__ import annotations

import os
import time

from edapipe.util import cache

DAY = 24 * 3600


def _folder(path, age_s: float = 0.0):
    path.mkdir(parents=True)
    (path / "entry.nbi").write_text("x")
    then = time.time() - age_s
    os.utime(path, (then, then))
    return path


def test_prune_removes_only_stale_stamp_folders(tmp_path):
    parent = tmp_path / "numba"
    current = _folder(parent / "0000000a", age_s=30 * DAY)      # current: kept however old
    stale = _folder(parent / "0000000b", age_s=8 * DAY)
    recent = _folder(parent / "0000000c", age_s=1 * DAY)          # another version in use
    other = _folder(parent / "not-a-stamp", age_s=30 * DAY)        # not ours to judge
    (parent / "0000000d").write_text("a file named like a stamp")
    outside = _folder(tmp_path / "outside", age_s=30 * DAY)
    (parent / "0000000e").symlink_to(outside, target_is_directory=True)
    linked_inside = _folder(tmp_path / "linked", age_s=30 * DAY)
    (stale / "link").symlink_to(linked_inside, target_is_directory=True)
    then = time.time() - 30 * DAY
    os.utime(parent / "0000000e", (then, then), follow_symlinks=False)
    os.utime(stale, (time.time() - 8 * DAY,) * 2)

    removed = cache.prune_stale(str(parent), current.name)

    assert removed == [str(stale)]
    assert not stale.exists()
    assert current.is_dir() and recent.is_dir() and other.is_dir()
    assert (parent / "0000000d").is_file()
    assert (parent / "0000000e").is_symlink() and (outside / "entry.nbi").exists()
    assert (linked_inside / "entry.nbi").exists()         # rmtree removed the link, not this


def test_mark_used_keeps_a_folder(tmp_path):
    parent = tmp_path / "numba"
    used = _folder(parent / "0000000b", age_s=30 * DAY)
    cache.mark_used(str(used))
    assert cache.prune_stale(str(parent), "0000000a") == []
    assert used.is_dir()


def test_prune_of_a_missing_folder_is_quiet(tmp_path):
    assert cache.prune_stale(str(tmp_path / "none"), "0000000a") == []


def test_files_stamp_by_content_and_by_metadata(tmp_path):
    a = tmp_path / "a.py"
    a.write_text("one")
    st = a.stat()
    by_content, by_meta = cache.files_stamp([str(a)], content=True), cache.files_stamp([str(a)])
    a.write_text("two")                                  # same size, same time tick
    os.utime(a, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert cache.files_stamp([str(a)], content=True) != by_content
    assert cache.files_stamp([str(a)]) == by_meta        # why content= exists
    assert cache.is_stamp(by_content) and cache.is_stamp(by_meta)
    assert not cache.is_stamp("0000000G") and not cache.is_stamp("0000000")


def test_liberty_cache_is_keyed_by_its_sources_and_pruned(tmp_path, monkeypatch):
    from edapipe.timing import liberty
    from tests.timing.conftest import DATA

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    root = tmp_path / "xdg" / "edapipe" / "liberty"
    legacy = root / ("0" * 40 + ".pkl")                     # the old unversioned layout
    stale = _folder(root / "0000000b", age_s=30 * DAY)
    root.mkdir(parents=True, exist_ok=True)
    legacy.write_bytes(b"old")
    lib = tmp_path / "mini.lib"
    lib.write_bytes((DATA / "mini.lib").read_bytes())

    first = liberty.read_liberty(lib)
    folders = [p.name for p in root.iterdir()]
    assert folders == [os.path.basename(liberty._cache_folder())]
    assert not legacy.exists() and not stale.exists()
    assert len(list((root / folders[0]).glob("*.pkl"))) == 1
    again = liberty.read_liberty(lib)                       # from the cache
    assert sorted(again.cells) == sorted(first.cells)

    # another reader version: another folder (the stamp is of the sources' content)
    monkeypatch.setattr(liberty, "_cache_stamp_memo", [])
    monkeypatch.setattr(liberty, "_CACHE_SOURCES", liberty._CACHE_SOURCES[:2])
    assert liberty._cache_folder() != str(root / folders[0])
