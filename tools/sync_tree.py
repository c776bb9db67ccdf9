"""Mirror the collection's source files into another directory.

    python3 tools/sync_tree.py SOURCE DEST [--keep PREFIX ...]

"Source files" are the ones git knows about: tracked files plus untracked files
that .gitignore does not exclude, so a copy holds exactly what a fresh clone
would hold once the current work is committed (no .venv, no .build, no caches).
Files are copied only when their size or modification time differ, files that
are no longer in the source are removed, and paths under a --keep prefix are
never touched. ansible-test needs the collection under
``ansible_collections/NAMESPACE/NAME``; keeping ``tests/output`` between runs
keeps its delegation virtual environment, so a second run skips that set-up.
"""

import argparse
import os
import shutil
import subprocess
import sys


def source_files(source):
    """Relative paths of the files git would put in a fresh clone (plus new, unignored ones)."""
    listing = subprocess.run(
        ["git", "-C", source, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True, stdout=subprocess.PIPE,
    ).stdout.decode("utf-8")
    names = sorted(set(name for name in listing.split("\0") if name))
    return [name for name in names if os.path.lexists(os.path.join(source, name))]


def is_kept(relative_path, keep_prefixes):
    return any(relative_path == prefix or relative_path.startswith(prefix + "/") for prefix in keep_prefixes)


def needs_copy(source_path, dest_path):
    if os.path.islink(source_path) or os.path.islink(dest_path) or not os.path.exists(dest_path):
        return True
    source_stat, dest_stat = os.stat(source_path), os.stat(dest_path)
    return (source_stat.st_size, int(source_stat.st_mtime)) != (dest_stat.st_size, int(dest_stat.st_mtime))


def copy_file(source_path, dest_path):
    os.makedirs(os.path.dirname(dest_path), exist_ok=True)
    if os.path.lexists(dest_path) and (os.path.islink(dest_path) or os.path.islink(source_path)):
        os.unlink(dest_path)
    if os.path.islink(source_path):
        os.symlink(os.readlink(source_path), dest_path)
    else:
        shutil.copy2(source_path, dest_path)


def existing_files(dest, keep_prefixes):
    """Relative paths of the files (and symlinks) under dest, outside the kept prefixes."""
    found = []
    for directory, subdirs, files in os.walk(dest):
        relative_dir = os.path.relpath(directory, dest)
        subdirs[:] = [d for d in subdirs if not is_kept(os.path.normpath(os.path.join(relative_dir, d)), keep_prefixes)]
        found.extend(os.path.normpath(os.path.join(relative_dir, name)) for name in files)
        found.extend(os.path.normpath(os.path.join(relative_dir, d)) for d in subdirs
                     if os.path.islink(os.path.join(directory, d)))
    return found


def remove_empty_dirs(dest, keep_prefixes):
    for directory, subdirs, files in os.walk(dest, topdown=False):
        relative_dir = os.path.normpath(os.path.relpath(directory, dest))
        if directory != dest and not is_kept(relative_dir, keep_prefixes) and not os.listdir(directory):
            os.rmdir(directory)


def sync(source, dest, keep_prefixes):
    """Make dest hold exactly source's files; return (copied, removed) counts."""
    wanted = source_files(source)
    wanted_set = set(wanted)
    os.makedirs(dest, exist_ok=True)
    removed = 0
    for relative_path in existing_files(dest, keep_prefixes):
        if relative_path not in wanted_set:
            os.unlink(os.path.join(dest, relative_path))
            removed += 1
    copied = 0
    for relative_path in wanted:
        source_path, dest_path = os.path.join(source, relative_path), os.path.join(dest, relative_path)
        if needs_copy(source_path, dest_path):
            copy_file(source_path, dest_path)
            copied += 1
    remove_empty_dirs(dest, keep_prefixes)
    return copied, removed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("dest")
    parser.add_argument("--keep", action="append", default=[], help="path prefix in DEST never touched")
    args = parser.parse_args(argv)
    copied, removed = sync(os.path.abspath(args.source), os.path.abspath(args.dest), args.keep)
    print("sync_tree: %s -> %s (%d copied, %d removed)" % (args.source, args.dest, copied, removed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
