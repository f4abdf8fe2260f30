import type { RunningEmulator } from '../../src/emulator/index.js';

/**
 * Creates a directory extension property on the emulated tenant's b2c-extensions-app, as `setup` does through Graph,
 * and returns its attribute name (`extension_<appIdNoHyphens>_<name>`). Graph refuses a user body naming an
 * extension attribute that does not exist, and so does the emulator: tests that create flagged users call this
 * first.
 */
export function defineExtensionProperty(emulator: RunningEmulator, name = 'toBeMigrated', dataType = 'Boolean'): string {
  return emulator.objects.defineUserExtensionProperty(name, dataType);
}
