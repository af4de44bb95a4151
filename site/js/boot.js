// @ts-check
// Starts the Python worker before anything else on the page (a classic script at the top of <head>, so it runs
// before js/app/main.js, which takes the worker over and replays the messages it received meanwhile).
(() => {
  const worker = /** @type {Worker & {early: unknown[]}} */ (new Worker("worker.js", { type: "module" }));
  worker.early = [];  // status messages that arrive before js/app/main.js takes over (it replays them)
  worker.onmessage = (e) => worker.early.push(e.data);
  worker.onerror = (e) => { e.preventDefault(); worker.early.push({ type: "fatal", error: { message: `the Python worker failed to start: ${e.message || "unknown error"}` } }); };
  /** @type {Window & {bpWorker?: Worker}} */ (window).bpWorker = worker;
})();
