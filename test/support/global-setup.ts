import { writeVendoredMqtt } from '../../build/vendor';

/** Tests load the same vendored factory the build ships; write it before any test runs. */
export default function globalSetup(): void {
  // Rendered times (HH:mm:ss.SSS) are local: make snapshots independent of the machine.
  process.env.TZ = "UTC";
  writeVendoredMqtt();
}
