// Settings for a process that runs a lab, made before anything uses libuv's thread pool:
// every queue and Maildir write ends in fsync, which runs on that pool, and its default of
// four threads is what limited the MTA under load (361 -> 684 letters/s with 16, measured
// with bench/smtp-load.ts on this machine class).
process.env.UV_THREADPOOL_SIZE ??= '16';
// The young generation is held at 16 MB (young-generation.ts; LAB_YOUNG_GEN_MB=0 leaves V8's own).
const { capYoungGeneration } = await import('./young-generation.ts');
capYoungGeneration();
