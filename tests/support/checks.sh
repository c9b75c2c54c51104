# The tally and the command runner the shell tests share (tests/cli, tests/cluster). Sourced at a
# script's top; run and capture write into the script's scratch directory WORK when called.

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
  failed=$((failed + 1))
  echo "FAIL: $*" >&2
}
# The summary line ctest shows, and the exit status: 1 if anything failed.
finish() {
  echo "$passed passed, $failed failed"
  if [[ $failed -eq 0 ]]; then exit 0; else exit 1; fi
}

# run CMD...: runs it, setting RC, OUT, ERR and ERR_LINES (lines on stderr; an unterminated last
# line is not counted, so a message without its newline shows up). A script's own run may call
# capture and keep more.
run() { capture "$@"; }
capture() {
  if "$@" >"$WORK/stdout" 2>"$WORK/stderr"; then RC=0; else RC=$?; fi
  OUT=$(cat "$WORK/stdout")
  ERR=$(cat "$WORK/stderr")
  ERR_LINES=$(wc -l <"$WORK/stderr")
}
expect_rc() { # expected, what
  if [[ $RC -eq $1 ]]; then pass; else fail "$2: exit $RC, expected $1; stdout: $OUT; stderr: $ERR"; fi
}
expect_in() { # needle, haystack, what
  if [[ $2 == *"$1"* ]]; then pass; else fail "$3: '$1' not in: $2"; fi
}
