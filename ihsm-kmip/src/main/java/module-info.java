/**
 * KMIP: the TTLV message encoding (OASIS KMIP 1.x, section 9.1), the protocol's messages, and the
 * server that serves them from a partition's keys.
 */
module io.ihsm.kmip {
  requires io.ihsm.sdk;

  exports io.ihsm.kmip.ttlv;
  exports io.ihsm.kmip.protocol;
  exports io.ihsm.kmip.server;
}
