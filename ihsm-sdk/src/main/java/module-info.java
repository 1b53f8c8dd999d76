/**
 * The host SDK: {@code io.ihsm.sdk} and its parameter packages are the API; {@code internal} is not
 * exported. The embedded device is found through {@link io.ihsm.host.spi.EmbeddedDeviceProvider}.
 */
module io.ihsm.sdk {
  requires transitive io.ihsm.ddi;
  requires transitive io.ihsm.host;

  exports io.ihsm.sdk;
  exports io.ihsm.sdk.audit;
  exports io.ihsm.sdk.cipher;
  exports io.ihsm.sdk.fleet;
  exports io.ihsm.sdk.key;
  exports io.ihsm.sdk.signature;
  exports io.ihsm.sdk.store;

  uses io.ihsm.host.spi.EmbeddedDeviceProvider;
}
