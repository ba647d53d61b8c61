// `postamt queue list|show|retry|remove|hold|release` (src/app wires them to the
// command line). They work on the queue directly (FileQueue: data_dir/queue; StoreQueue:
// the database), whether or not a server runs: a running worker sees changes on its next
// scan (WorkerOptions::poll_interval).
// retry, hold and release are one Spool::update each, remove one Spool::remove; the
// worker records an attempt's results by reloading the message and merging, so a change
// made during an attempt is kept: a removed message stays removed (the attempt's results
// and notifications are dropped), a held one stays held, a retried one stays due.
// retry refuses a message that a worker has claimed (it is being delivered right now):
// "<id>: being delivered by <owner> until <date>; not rescheduled" (ErrorKind::temporary).
// FileQueue keeps claims in the server's memory, so there the CLI never sees one.
//
// Contract of every function: returns the text for standard output or an Error whose
// message is one plain line for standard error. Blocking.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "queue/spool.h"

namespace postamt::queue {

enum class ListFormat { text, json };

// Every queued message, oldest id first. Text: one line per message
//   "<id> <size> <arrival, RFC 5322> <sender or <>> [held]"
// then one indented line per recipient "  <address> <state>[ <status> (<diagnostic>)]",
// and a last line "-- <n> message(s)". JSON: an array of objects
//   {"id","size","arrival","next_attempt","attempts","held","sender","recipients":[
//    {"address","state","status","diagnostic"}]}  (times in Unix seconds).
// Corrupt files are listed with "state" "corrupt" (text: "<id> corrupt: <reason>").
Result<std::string> queue_list(Spool& queue, ListFormat format);

// The envelope and delivery state of one message (with "delivering: <owner> until
// <date>" while a worker holds a claim on it), then a blank line and the message itself. Errors:
// not_found "no such message in the queue: <id>", invalid (corrupt).
Result<std::string> queue_show(Spool& queue, std::string_view id);

// Makes the message due now (and not held). "<id>: scheduled for delivery\n". Errors:
// temporary when claimed (see above).
Result<std::string> queue_retry(Spool& queue, std::string_view id);
// Deletes it without a bounce. "<id>: removed\n".
Result<std::string> queue_remove(Spool& queue, std::string_view id);
// Held messages are never attempted (and never expire into a bounce) until released.
// "<id>: held\n" / "<id>: released\n".
Result<std::string> queue_hold(Spool& queue, std::string_view id);
Result<std::string> queue_release(Spool& queue, std::string_view id);

}  // namespace postamt::queue
