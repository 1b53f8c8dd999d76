/**
 * The device data interface: frames, statuses, opcodes, messages, report formats and the firmware
 * SPI.
 */
module io.ihsm.ddi {
  exports io.ihsm.ddi;
  exports io.ihsm.ddi.attest;
  exports io.ihsm.ddi.audit;
  exports io.ihsm.ddi.cbor;
  exports io.ihsm.ddi.cose;
  exports io.ihsm.ddi.domain;
  exports io.ihsm.ddi.credential;
  exports io.ihsm.ddi.json;
  exports io.ihsm.ddi.key;
  exports io.ihsm.ddi.message;
  exports io.ihsm.ddi.spi;
}
