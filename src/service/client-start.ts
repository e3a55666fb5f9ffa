/**
 * What bin/berth's client loads only when its one request is not enough:
 * starting (or replacing) the service, with its lock through koffi, and
 * following the service's events. scripts/bundle.mjs makes it a bundle of
 * its own (cli/berth-start.cjs), apart from the client's
 * (cli/berth-client.cjs), whose every byte a `berth ps` pays to load.
 */
export { ensureService } from "./launcher.js";
export { eventsMain } from "./events-client.js";
