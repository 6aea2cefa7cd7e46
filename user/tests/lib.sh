# Helpers for the in-guest shell tests (sourced, not run: /tests/run runs
# only the tests it lists). A script sets T_PREFIX and T (its scratch
# folder), then:   . "$(dirname "$0")/lib.sh"
# Results are "ok - $T_PREFIX/<case>" or "not ok - $T_PREFIX/<case>" with
# "# " detail lines; nfail counts failures, so a script ends `exit $nfail`.

nfail=0

pass() { echo "ok - $T_PREFIX/$1"; }
skip() { echo "ok - $T_PREFIX/$1 # SKIP $2"; }
fail() {
	echo "not ok - $T_PREFIX/$1"
	shift
	for l in "$@"; do echo "# $l"; done
	nfail=$((nfail + 1))
}
# check NAME WANT GOT: exact comparison
check() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "want: $2" "got:  $3"; fi
}
# ok NAME STATUS [DETAIL...]: the status must be 0
ok() {
	_n=$1 _s=$2
	shift 2
	if [ "$_s" -eq 0 ]; then pass "$_n"; else fail "$_n" "exit status $_s" "$@"; fi
}
# refused NAME STATUS [DETAIL...]: the status must not be 0
refused() {
	_n=$1 _s=$2
	shift 2
	if [ "$_s" -ne 0 ]; then pass "$_n"; else fail "$_n" "succeeded but should have failed" "$@"; fi
}
# New kernel log lines since the last mark: those after the mark's last
# line (the ring may be full, so counting lines would not do; timestamps
# make a line unique).
mark() { dmesg | tail -n 1 > "$T/mark"; }
new_log() { dmesg | awk -v last="$(cat "$T/mark")" 'seen { print } $0 == last { seen = 1 }'; }
# is module $1 loaded?
loaded() { lsmod | grep -q "^$1 "; }
memfree() { sed -n 's/^MemFree: *\([0-9]*\) kB/\1/p' /proc/meminfo; }
