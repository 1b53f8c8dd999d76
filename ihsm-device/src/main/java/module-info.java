/** The emulated card: boot ROM, state directory, daemon; the embedded device for the SDK. */
module io.ihsm.device {
  requires transitive io.ihsm.ddi;
  requires transitive io.ihsm.host;
  requires static org.bouncycastle.provider; // signing only (LmsSigningKey)

  exports io.ihsm.device;
  exports io.ihsm.device.boot;
  exports io.ihsm.device.daemon;
  exports io.ihsm.device.nv;

  provides io.ihsm.host.spi.EmbeddedDeviceProvider with
      io.ihsm.device.EmbeddedDeviceService;
}
