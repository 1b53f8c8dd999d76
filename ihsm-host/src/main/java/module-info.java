/**
 * What every host module needs and no emulator: owner-only files, socket names, the embedded-device
 * SPI.
 */
module io.ihsm.host {
  requires transitive io.ihsm.ddi;

  exports io.ihsm.host;
  exports io.ihsm.host.spi;

  uses io.ihsm.host.spi.EmbeddedDeviceProvider;
}
