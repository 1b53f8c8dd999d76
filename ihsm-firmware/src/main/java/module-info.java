/**
 * The cryptographic module. It runs from its signed image in the device's own class loader, where
 * only the JDK and {@code io.ihsm.ddi} are visible; this descriptor states the same at compile
 * time. Nothing is exported: the device reaches it only through the DDI entry point it registers.
 */
module io.ihsm.firmware {
  requires io.ihsm.ddi;
  requires com.amazon.corretto.crypto.provider;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;

  provides io.ihsm.ddi.spi.FirmwareEntryPoint with
      io.ihsm.firmware.IhsmFirmware;
}
