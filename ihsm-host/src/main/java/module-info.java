/**
 * What every host module needs and no emulator: owner-only files, socket names, the fleet store's
 * interface and its file store, the embedded-device and store SPIs.
 */
module io.ihsm.host {
  requires transitive io.ihsm.ddi;

  exports io.ihsm.host;
  exports io.ihsm.host.spi;
  exports io.ihsm.host.store;

  uses io.ihsm.host.spi.EmbeddedDeviceProvider;
  uses io.ihsm.host.spi.FleetStoreProvider;
}
