#!/bin/sh
# The macro benchmark's workload (docs/bench.md), Härtig-style: what a shell
# user does to a file system, run the same way on every system measured.
#
#   macro-work.sh DEVICE DIR LABEL
#
# Mounts the ext2 disk DEVICE on DIR (inside mkrun that is the ext2d
# server's mount, outside the kernel's), unpacks DIR/macro/tree.tar (a few
# thousand small files from scripts/gen-macro-data) into DIR/work, greps
# them for a word, concatenates and sorts them, gzips the concatenation and
# gunzips it back, deletes the tree and unmounts. Every result is checked
# against DIR/macro/expected, computed on the host: the one line
#
#   bench-macro-check LABEL result=ok files=N hits=N
#
# is printed only when all of them match; otherwise "result=bad" with what
# differed, and the exit status is 1, so a broken run never gives a number.
# (the expected values come from macro/expected, sourced below)
# shellcheck disable=SC2154
export LC_ALL=C
dev=$1 dir=$2 label=$3
w=$dir/work
bad=

say_bad() { echo "bench-macro-check $label result=bad $*"; exit 1; }

mkdir -p "$dir"
mount -t ext2 "$dev" "$dir" || say_bad "reason=cannot-mount-$dev"
# sets files, all_bytes, all_md5, sorted_md5, hits, hits_md5 and word
# shellcheck disable=SC1091
if ! . "$dir/macro/expected" 2>/dev/null; then
	umount "$dir"
	say_bad "reason=no-macro-data"
fi
rm -rf "$w"
mkdir "$w" || bad="$bad mkdir"

# unpack: a few thousand creates and small writes
tar -xf "$dir/macro/tree.tar" -C "$w" || bad="$bad tar"
got_files=$(find "$w/tree" -type f | wc -l)
[ "$got_files" = "$files" ] || bad="$bad files=$got_files"

# grep: every file opened and read
grep -rh "$word" "$w/tree" > "$w/hits"
got_hits=$(wc -l < "$w/hits")
[ "$got_hits" = "$hits" ] || bad="$bad hits=$got_hits"
got=$(sort "$w/hits" | md5sum)
[ "${got%% *}" = "$hits_md5" ] || bad="$bad hits_md5=${got%% *}"

# concatenate in path order and sort a few MiB of lines
find "$w/tree" -type f | sort > "$w/list"
xargs cat < "$w/list" > "$w/all"
got=$(md5sum < "$w/all")
[ "${got%% *}" = "$all_md5" ] || bad="$bad all_md5=${got%% *}"
got=$(sort "$w/all" | md5sum)
[ "${got%% *}" = "$sorted_md5" ] || bad="$bad sorted_md5=${got%% *}"

# compress the concatenation and check that it comes back
gzip -c "$w/all" > "$w/all.gz" || bad="$bad gzip"
got=$(gzip -dc "$w/all.gz" | md5sum)
[ "${got%% *}" = "$all_md5" ] || bad="$bad gunzip_md5=${got%% *}"

# delete the tree, and check that it is gone
rm -rf "$w"
[ -e "$w" ] && bad="$bad rm"
umount "$dir" || bad="$bad umount"

[ -z "$bad" ] || say_bad "differs:$bad"
echo "bench-macro-check $label result=ok files=$got_files hits=$got_hits bytes=$all_bytes"
