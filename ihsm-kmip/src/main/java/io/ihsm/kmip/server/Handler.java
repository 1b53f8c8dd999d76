package io.ihsm.kmip.server;

import io.ihsm.kmip.protocol.KmipException;
import io.ihsm.kmip.protocol.Struct;
import io.ihsm.kmip.ttlv.Ttlv;
import java.util.List;

/** One KMIP operation: its request payload in, its response payload's fields out. */
@FunctionalInterface
interface Handler {
  List<Ttlv> handle(Struct payload, Batch batch) throws KmipException;
}
