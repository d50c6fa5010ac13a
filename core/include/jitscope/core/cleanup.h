// Temporary files that must not outlive an interrupted run.
//
// AtomicFile registers its temporary file here. On SIGINT, SIGTERM or SIGHUP
// the handler unlinks every registered file (unlink is async-signal-safe;
// nothing else runs in the handler), restores the default action and
// re-raises, so the process still dies of the signal and the shell sees it.
// A child killed with SIGKILL (isolation's timeout) cannot clean up; the
// registry then lives in memory shared with the parent, which unlinks what
// the child left (see isolation.h).
#pragma once

namespace jitscope::cleanup {

/// Remembers `path` (copied) for removal on a fatal signal; returns a slot
/// for release(), or -1 when the table is full (the file is then only
/// removed by AtomicFile's destructor). Installs the handlers on first use.
int track(const char* path);
/// Forgets the slot: the file was committed or already removed.
void release(int slot);

/// Unlinks every tracked file. Async-signal-safe.
void unlinkTracked();

/// Moves the table into memory shared with processes forked afterwards, so
/// a parent can unlinkTracked() what a killed child registered.
void shareWithChildren();

/// Installs the SIGINT/SIGTERM/SIGHUP handlers, leaving a signal alone when
/// it is ignored or already handled (e.g. SIGHUP under nohup).
void installSignalHandlers();

}  // namespace jitscope::cleanup
