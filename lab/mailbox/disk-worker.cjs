// The thread that makes the lab's durable file writes (lab/mailbox/disk.ts sends it each job):
// the queue's data and control files, a Maildir delivery, the unlinks after a relay, the folder
// fsyncs. Plain JavaScript with only node:fs, so that it starts with nothing to strip or load.
//
// A job, in this order: every file of `writes` is created ('wx': never over another), written
// whole and fsynced, all at once (their fsyncs overlap on libuv's pool) and closed; if all were
// written, each of `renames` in turn; then each of `unlinks` (one already gone is no error);
// then each of `fsyncs` (a folder, opened read-only), at once. The answer is { id } when all of
// it is done, or { id, error: { message, code, index } } for the first write (its index in
// `writes`) or step that failed. Jobs come as an array, answers go back as one.
'use strict';

const fs = require('node:fs');
const { parentPort } = require('node:worker_threads');

const fsync = (fd) => new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));

async function writeSynced(file, data) {
  const fd = fs.openSync(file, 'wx');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let at = 0; at < bytes.length; ) at += fs.writeSync(fd, bytes, at, bytes.length - at);
    await fsync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

async function fsyncPath(p) {
  const fd = fs.openSync(p, 'r');
  try {
    await fsync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

async function run(job) {
  if (job.writes) {
    const results = await Promise.allSettled(job.writes.map((w) => writeSynced(w.file, w.data)));
    const failed = results.findIndex((r) => r.status === 'rejected');
    if (failed >= 0) throw Object.assign(results[failed].reason, { index: failed });
  }
  for (const [from, to] of job.renames ?? []) fs.renameSync(from, to);
  for (const file of job.unlinks ?? []) {
    try {
      fs.unlinkSync(file);
    } catch (err) {
      if (err.code !== 'ENOENT') throw err;
    }
  }
  if (job.fsyncs) await Promise.all(job.fsyncs.map(fsyncPath));
}

// Jobs come in batches (one turn of the lab's event loop); the answers of one turn of this
// thread's loop go back in one message.
let answers = [];
const answer = (a) => {
  if (answers.push(a) === 1) setImmediate(() => {
    const done = answers;
    answers = [];
    parentPort.postMessage(done);
  });
};

parentPort.on('message', (jobs) => {
  for (const job of jobs) {
    run(job).then(
      () => answer({ id: job.id }),
      (err) => answer({ id: job.id, error: { message: err.message, code: err.code, index: err.index } }),
    );
  }
});
