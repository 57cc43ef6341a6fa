import { writeVendoredMqtt } from '../../build/vendor';

/** Tests load the same vendored factory the build ships; write it before any test runs. */
export default function globalSetup(): void {
  writeVendoredMqtt();
}
